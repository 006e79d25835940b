#pragma once
// SCIM 2.0 PATCH (RFC 7644 §3.5.2) applied to a resource as SCIM renders it (JSON): the use
// case renders the resource, applies the operations here, and stores the result as it would a
// PUT of it. Written for what provisioning clients really send:
//  - op names in any case ("Add", "Replace": Entra ID);
//  - a replace or add without a path whose value is an object of attribute paths (Okta, Entra);
//  - paths with value filters (`members[value eq "…"]`, `emails[type eq "work"].value`); an add
//    or replace through a filter that matches nothing creates the element the filter describes
//    (Entra ID sets `emails[type eq "work"].value` on a user without one);
//  - remove of `members` with a value listing the members to remove (Entra ID, Okta);
//  - remove through a filter that matches nothing succeeds (removal is idempotent).
// Booleans sent as strings ("True") are left to the use case that reads them.
// Errors: ScimError (core/scim_filter.hpp) with invalidSyntax, invalidPath, invalidFilter,
// noTarget, mutability or invalidValue.
// Thread-safety: pure functions.

#include <cstddef>

#include <nlohmann/json.hpp>

#include "core/result.hpp"

namespace bulkhead::core::scim {

inline constexpr std::size_t kMaxPatchOperations = 1000;

inline constexpr std::string_view kPatchOpSchema = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

// Applies the request's Operations to `resource` in order; on error `resource` may be partly
// changed (the caller discards it). `id`, `meta` and `schemas` cannot be changed (mutability).
Status ApplyPatch(nlohmann::json& resource, const nlohmann::json& request);

}  // namespace bulkhead::core::scim
