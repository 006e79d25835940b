#pragma once
// Strict reading of JSON request bodies and list parameters: every field is typed, unknown
// fields are refused, and all problems are reported together, one entry per field.

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.hpp"
#include "http/message.hpp"

namespace bulkhead::api {

class BodyReader {
 public:
  // kMalformedJson for text that is not JSON (or not UTF-8), holds a NUL byte, or nests deeper
  // than core::kMaxJsonDepth; kValidationFailed for JSON that is not an object. An empty body
  // reads as {}.
  static core::Result<BodyReader> Parse(std::string_view body);

  std::optional<std::string> RequiredString(const std::string& field);
  std::optional<std::string> OptionalString(const std::string& field);
  // Absent: nullopt; null: an empty inner optional (clear the field); else the string.
  std::optional<std::optional<std::string>> OptionalNullableString(const std::string& field);
  // Any JSON object (its content is validated by the caller).
  std::optional<nlohmann::json> OptionalObject(const std::string& field);
  // kValidationFailed listing every problem, including unknown fields.
  core::Status Finish();

 private:
  explicit BodyReader(nlohmann::json json) : json_(std::move(json)) {}
  const nlohmann::json* Field(const std::string& field);

  nlohmann::json json_;
  std::set<std::string> read_;
  std::vector<core::FieldError> errors_;
};

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
