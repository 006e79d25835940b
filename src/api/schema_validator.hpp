#pragma once
// Checks a JSON value against a schema written with api/schema.hpp, before a handler runs:
// wrong type, missing required field, unknown field, number out of range, string too long or
// too short, value not in its enum. Every problem is reported, one entry per field, so that a
// request is refused with one 422 validation_failed naming them all. Pure; thread-safe.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.hpp"

namespace bulkhead::api {

// Appends a FieldError per problem. `path` names `value` ("" for a request body's root, whose
// fields are then named "name", "settings.limits.max_members", "labels.env", "features.2").
// "$ref"s resolve against `components` (#/components/schemas/<name>).
void ValidateJson(const nlohmann::json& schema, const nlohmann::json& value,
                  const nlohmann::json& components, const std::string& path,
                  std::vector<core::FieldError>& errors);

// A query parameter's text as the JSON value its schema types it (integer, boolean, string);
// nullopt with a FieldError when it does not read as that type.
std::optional<nlohmann::json> QueryValueAs(const nlohmann::json& schema, const std::string& name,
                                           std::string_view text,
                                           std::vector<core::FieldError>& errors);

}  // namespace bulkhead::api
