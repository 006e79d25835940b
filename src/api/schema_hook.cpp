#include "api/schema_hook.hpp"

#include <algorithm>

#include "api/body.hpp"
#include "api/schema.hpp"
#include "api/schema_validator.hpp"
#include "http/query.hpp"

namespace bulkhead::api {
namespace {

using core::Error;
using core::ErrorCode;

// Sign-up and login take credentials from anyone, so they are the doors a cross-site form
// could push through (login CSRF): a browser form can send text/plain, urlencoded or
// multipart without asking, never application/json.
core::Status RequireJsonContentType(const http::Request& request) {
  auto type = request.HeaderValue("Content-Type");
  auto essence = type.substr(0, type.find(';'));
  while (!essence.empty() && (essence.back() == ' ' || essence.back() == '\t')) {
    essence.remove_suffix(1);
  }
  constexpr std::string_view kJson = "application/json";
  bool json = essence.size() == kJson.size() &&
              std::equal(essence.begin(), essence.end(), kJson.begin(), [](char a, char b) {
                return (a >= 'A' && a <= 'Z' ? a - 'A' + 'a' : a) == b;
              });
  if (json) return core::Ok();
  return Error::Make(ErrorCode::kUnsupportedMediaType,
                     "send the body as Content-Type: application/json");
}

// What the hook needs of a route, copied once when the table is built.
struct RouteContract {
  nlohmann::json body;           // null: none
  std::vector<Parameter> query;  // query parameters only
  bool any_required = false;     // a query parameter is required
  bool json_only = false;
  int status = 200;
  std::optional<int> created_status;  // a PUT's answer when it created (Route::created_status)
  bool no_content = false;
};

core::Status CheckQuery(const RouteContract& contract, const http::Request& request) {
  auto query = request.Query();
  if (query.empty() && !contract.any_required) return core::Ok();
  auto params = http::ParseQuery(query);
  if (!params) return Error::Validation("query", "is not a valid query string");
  std::vector<core::FieldError> errors;
  for (const auto& p : contract.query) {
    bool seen = false;
    for (const auto& [name, text] : *params) {
      if (name != p.name) continue;
      seen = true;
      if (auto value = QueryValueAs(p.schema, p.name, text, errors)) {
        ValidateJson(p.schema, *value, schema::Components(), p.name, errors);
      }
    }
    if (!seen && p.required) errors.push_back({p.name, "is required"});
  }
  // Parameters the route does not read are ignored, as HTTP caches and proxies expect.
  if (errors.empty()) return core::Ok();
  return Error::Validation(std::move(errors));
}

core::Status CheckBody(const RouteContract& contract, RequestContext& context) {
  auto body = ParseBody(context.request.body);
  if (!body.ok()) return body.error();
  std::vector<core::FieldError> errors;
  ValidateJson(contract.body, *body, schema::Components(), "", errors);
  if (!errors.empty()) return Error::Validation(std::move(errors));
  context.body = std::move(*body);
  return core::Ok();
}

}  // namespace

HandlerFn WithContract(const Route& route, HandlerFn inner) {
  auto contract = std::make_shared<RouteContract>();
  contract->body = route.request_body;
  for (const auto& p : route.parameters) {
    if (p.in != "query") continue;
    contract->query.push_back(p);
    contract->any_required = contract->any_required || p.required;
  }
  contract->json_only = route.json_only;
  contract->status = route.success_status;
  contract->created_status = route.created_status;
  contract->no_content = route.success_status == 204;
  if (contract->body.is_null() && contract->query.empty() && !contract->json_only &&
      contract->status == 200) {
    return inner;
  }
  return [contract, inner = std::move(inner)](RequestContext& c) -> core::Result<http::Response> {
    if (contract->json_only) BULKHEAD_TRY(RequireJsonContentType(c.request));
    if (!contract->query.empty()) BULKHEAD_TRY(CheckQuery(*contract, c.request));
    if (!contract->body.is_null()) BULKHEAD_TRY(CheckBody(*contract, c));
    auto response = inner(c);
    if (response.ok()) {
      if (response->status != contract->created_status) response->status = contract->status;
      if (contract->no_content) response->content_type.clear();
    }
    return response;
  };
}

std::vector<Parameter> PathParameters(std::string_view pattern) {
  using schema::String;
  std::vector<Parameter> out;
  std::size_t pos = 0;
  while ((pos = pattern.find('{', pos)) != std::string_view::npos) {
    auto end = pattern.find('}', pos);
    std::string name(pattern.substr(pos + 1, end - pos - 1));
    Parameter p{.name = name, .in = "path", .required = true};
    if (name == "org") {
      p.schema = String({.min_length = 1, .max_length = 63});
      p.description = "The organization's id or slug";
    } else if (name == "ws") {
      p.schema = String({.format = "uuid"});
      p.description = "A workspace id";
    } else if (name == "user_id") {
      p.schema = String({.format = "uuid"});
      p.description = "A user id";
    } else if (name == "hostname") {
      p.schema = String({.min_length = 1, .max_length = 253});
      p.description = "A custom domain's hostname";
    } else if (name == "slug") {
      p.schema = String({.min_length = 1, .max_length = 100});
      p.description = "Any text: the answer says whether it is a usable slug";
    } else if (name == "name") {
      p.schema = String({.min_length = 1, .max_length = 128});
      p.description = "A secret's name: A-Z a-z 0-9 _ . -";
    } else {
      p.schema = String({.format = "uuid"});
      p.description = "An id";
    }
    out.push_back(std::move(p));
    pos = end;
  }
  return out;
}

}  // namespace bulkhead::api
