#pragma once
// Request bodies and list parameters: parsing within bounds, and reading what the route's
// schema validated (api/schema_validator.hpp does the checking, once, for every route).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.hpp"
#include "http/message.hpp"

namespace bulkhead::api {

// kMalformedJson for text that is not JSON (or not UTF-8), holds a NUL byte, or nests deeper
// than core::kMaxJsonDepth; kValidationFailed for JSON that is not an object. An empty body
// reads as {}.
core::Result<nlohmann::json> ParseBody(std::string_view body);

// Reading a body the route's schema has already validated (RequestContext::body): the types
// are known, so these only pick the field out. Absent and null read alike unless said.
std::string Text(const nlohmann::json& body, const char* field);  // a required string
std::optional<std::string> OptionalText(const nlohmann::json& body, const char* field);
// Absent: nullopt; null: an empty inner optional (clear the field); else the string.
std::optional<std::optional<std::string>> NullableText(const nlohmann::json& body,
                                                       const char* field);
std::optional<nlohmann::json> OptionalObject(const nlohmann::json& body, const char* field);

// ?limit= and ?cursor= of a list.
struct PageRequest {
  int limit = 50;
  std::string cursor;  // decoded payload; empty for the first page
};

// `kind` tags the cursor so that one list's cursor is refused by another.
core::Result<PageRequest> ReadPage(const http::Request& request, std::string_view kind);
std::string EncodeCursor(std::string_view kind, std::string_view payload);

// A combined kValidationFailed from several field errors.
core::Error ValidationErrors(std::vector<core::FieldError> errors);

}  // namespace bulkhead::api
