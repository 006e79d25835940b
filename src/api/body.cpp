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

core::Result<nlohmann::json> ParseBody(std::string_view body) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return nlohmann::json::object();
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
  return json;
}

namespace {
const nlohmann::json* Present(const nlohmann::json& body, const char* field) {
  auto it = body.find(field);
  return it == body.end() || it->is_null() ? nullptr : &*it;
}
}  // namespace

std::string Text(const nlohmann::json& body, const char* field) {
  const auto* value = Present(body, field);
  return value && value->is_string() ? value->get<std::string>() : std::string();
}

std::optional<std::string> OptionalText(const nlohmann::json& body, const char* field) {
  const auto* value = Present(body, field);
  if (!value || !value->is_string()) return std::nullopt;
  return value->get<std::string>();
}

std::optional<std::optional<std::string>> NullableText(const nlohmann::json& body,
                                                       const char* field) {
  auto it = body.find(field);
  if (it == body.end()) return std::nullopt;
  if (!it->is_string()) return std::optional<std::string>();
  return std::optional<std::string>(it->get<std::string>());
}

std::optional<nlohmann::json> OptionalObject(const nlohmann::json& body, const char* field) {
  const auto* value = Present(body, field);
  if (!value || !value->is_object()) return std::nullopt;
  return *value;
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
