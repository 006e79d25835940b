#pragma once
// SCIM 2.0 filters and attribute paths (RFC 7644 §3.4.2.2, §3.5.2): parsed from untrusted text
// into a small tree, then evaluated against a resource as SCIM renders it (JSON). Attribute
// names compare case-insensitively; string values too, except the attributes RFC 7643 marks
// caseExact (id, externalId, the `value` of members and groups). Bounded: at most
// kMaxScimFilterLength characters, kMaxScimFilterDepth nested groups, kMaxScimFilterTerms
// comparisons; anything else is refused, never parsed further.
// Errors: kValidationFailed whose single field is the SCIM error type (ScimErrorType reads it):
// "invalidFilter" for a filter, "invalidPath" for a path.
// Thread-safety: pure functions and immutable values.

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.hpp"

namespace bulkhead::core::scim {

inline constexpr std::size_t kMaxScimFilterLength = 2048;
inline constexpr int kMaxScimFilterDepth = 8;
inline constexpr int kMaxScimFilterTerms = 64;

// A SCIM error as core returns it: kValidationFailed (SCIM answers 400) with the scimType as
// its one field. A use case's 409 uniqueness is kConflict with the field "uniqueness".
Error ScimError(std::string scim_type, std::string detail);
// The scimType an error carries as its one field ("" for any other error).
std::string ScimErrorType(const Error& error);

// `urn:…:User:name.givenName` → schema "urn:…:User", attribute "name", sub_attribute
// "givenName". Names keep the caller's case; comparisons ignore it.
struct AttributePath {
  std::string schema;  // "" when not qualified
  std::string attribute;
  std::string sub_attribute;  // "" when none

  std::string Dotted() const;  // "name.givenName"
};

struct Filter {
  enum class Kind { kAnd, kOr, kNot, kCompare, kPresent, kValuePath };
  Kind kind = Kind::kCompare;
  AttributePath path;                   // kCompare, kPresent, kValuePath
  std::string op;                       // kCompare: eq ne co sw ew gt ge lt le (lowercase)
  nlohmann::json value;                 // kCompare: string, number, boolean or null
  std::unique_ptr<Filter> left, right;  // kAnd, kOr; kNot and kValuePath use left
};

core::Result<std::unique_ptr<Filter>> ParseFilter(std::string_view text);

// A PATCH path: an attribute path, optionally with a value filter and then a sub-attribute
// (`emails[type eq "work"].value`, `members[value eq "…"]`).
struct PatchPath {
  AttributePath path;
  std::unique_ptr<Filter> filter;  // null when none
  std::string sub_attribute;       // after the filter; "" when none
};

core::Result<PatchPath> ParsePatchPath(std::string_view text);

// Whether `resource` (a SCIM resource, or one element of a multi-valued attribute when
// evaluating a value filter) matches `filter`. Never fails: a comparison that does not apply
// (an object compared with a string) is false.
bool Matches(const Filter& filter, const nlohmann::json& resource);

// The member of `object` named `name`, case-insensitively; null when none.
const nlohmann::json* FindMember(const nlohmann::json& object, std::string_view name);
nlohmann::json* FindMember(nlohmann::json& object, std::string_view name);

// The JSON member name of the extension `schema` in a resource ("" for the core schemas).
bool IsCoreSchema(std::string_view schema);

}  // namespace bulkhead::core::scim
