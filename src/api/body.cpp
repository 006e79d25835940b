#include "api/body.hpp"

#include <charconv>

#include "core/base64.hpp"
#include "core/json_bounds.hpp"
#include "http/query.hpp"

namespace bulkhead::api {

using core::Error;
using core::ErrorCode;

core::Error ValidationErrors(std::vector<core::FieldError> errors) {
  return Error::Validation(std::move(errors));
}

core::Result<BodyReader> BodyReader::Parse(std::string_view body) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return BodyReader(nlohmann::json::object());
  }
  // Depth and NUL bytes first (core/json_bounds.hpp says why): what passes can be copied,
  // compared and dumped without deep recursion, and the parser sees every byte.
  if (auto bounds = core::CheckJsonBounds(body); !bounds.ok()) return bounds.error();
  // The iterator pair gives the parser the length; strict parsing refuses anything after the
  // value.
  nlohmann::json json = nlohmann::json::parse(body.begin(), body.end(), nullptr,
                                              /*allow_exceptions=*/false);
  if (json.is_discarded()) {
    return Error::Make(ErrorCode::kMalformedJson, "the request body is not valid JSON");
  }
  if (!json.is_object()) return Error::Validation("body", "must be a JSON object");
  return BodyReader(std::move(json));
}

const nlohmann::json* BodyReader::Field(const std::string& field) {
  read_.insert(field);
  auto it = json_.find(field);
  return it == json_.end() ? nullptr : &*it;
}

std::optional<std::string> BodyReader::RequiredString(const std::string& field) {
  const auto* value = Field(field);
  if (!value || value->is_null()) {
    errors_.push_back({field, "is required"});
    return std::nullopt;
  }
  if (!value->is_string()) {
    errors_.push_back({field, "must be a string"});
    return std::nullopt;
  }
  return value->get<std::string>();
}

std::optional<std::string> BodyReader::OptionalString(const std::string& field) {
  const auto* value = Field(field);
  if (!value || value->is_null()) return std::nullopt;
  if (!value->is_string()) {
    errors_.push_back({field, "must be a string"});
    return std::nullopt;
  }
  return value->get<std::string>();
}

std::optional<std::optional<std::string>> BodyReader::OptionalNullableString(
    const std::string& field) {
  const auto* value = Field(field);
  if (!value) return std::nullopt;
  if (value->is_null()) return std::optional<std::string>();
  if (!value->is_string()) {
    errors_.push_back({field, "must be a string or null"});
    return std::nullopt;
  }
  return std::optional<std::string>(value->get<std::string>());
}

std::optional<nlohmann::json> BodyReader::OptionalObject(const std::string& field) {
  const auto* value = Field(field);
  if (!value || value->is_null()) return std::nullopt;
  if (!value->is_object()) {
    errors_.push_back({field, "must be an object"});
    return std::nullopt;
  }
  return *value;
}

core::Status BodyReader::Finish() {
  for (const auto& [key, value] : json_.items()) {
    if (!read_.count(key)) errors_.push_back({key, "is not a known field"});
  }
  if (errors_.empty()) return core::Ok();
  return ValidationErrors(std::move(errors_));
}

std::string EncodeCursor(std::string_view kind, std::string_view payload) {
  std::string raw(kind);
  raw += ':';
  raw += payload;
  return core::Base64UrlEncode(raw);
}

core::Result<PageRequest> ReadPage(const http::Request& request, std::string_view kind) {
  auto params = http::ParseQuery(request.Query());
  if (!params) return Error::Validation("query", "is not a valid query string");
  PageRequest page;
  if (auto limit = http::QueryValue(*params, "limit")) {
    int n = 0;
    auto [end, ec] = std::from_chars(limit->data(), limit->data() + limit->size(), n);
    if (ec != std::errc() || end != limit->data() + limit->size() || n < 1 || n > 200) {
      return Error::Validation("limit", "must be an integer from 1 to 200");
    }
    page.limit = n;
  }
  if (auto cursor = http::QueryValue(*params, "cursor"); cursor && !cursor->empty()) {
    auto raw = core::Base64UrlDecode(*cursor);
    std::string prefix = std::string(kind) + ":";
    if (!raw || raw->size() <= prefix.size() || raw->compare(0, prefix.size(), prefix) != 0) {
      return Error::Validation("cursor", "is not a cursor of this list");
    }
    page.cursor = raw->substr(prefix.size());
  }
  return page;
}

}  // namespace bulkhead::api
