// The OpenAPI 3.1 document, generated from the route table: every operation with its
// parameters, request body, success response and the problems it can answer.

#include <map>
#include <set>
#include <string>

#include "api/routes.hpp"
#include "api/schema.hpp"
#include "http/problem.hpp"

namespace bulkhead::api {
namespace {

using core::ErrorCode;
using Json = nlohmann::json;

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// "post /api/v1/organizations/{org}/members" -> "post_api_v1_organizations_org_members".
std::string OperationId(const Route& route) {
  std::string id = Lower(route.method);
  bool gap = true;
  for (char c : route.pattern) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      if (gap) id += '_';
      id += c;
      gap = false;
    } else {
      gap = true;
    }
  }
  return id;
}

// The refusals a route can answer: those its scope, contract and lane imply, and its own.
std::vector<ErrorCode> Refusals(const Route& route) {
  std::vector<ErrorCode> codes;
  bool tenant = route.scope == Scope::kOrganization || route.scope == Scope::kWorkspace;
  bool query = false;
  for (const auto& p : route.parameters) query = query || p.in == "query";
  if (!route.request_body.is_null()) {
    codes.insert(codes.end(), {ErrorCode::kMalformedJson, ErrorCode::kBodyTooLarge});
  }
  if (!route.request_body.is_null() || query) codes.push_back(ErrorCode::kValidationFailed);
  if (route.json_only) codes.push_back(ErrorCode::kUnsupportedMediaType);
  if (route.scope != Scope::kPublic) {
    codes.insert(codes.end(), {ErrorCode::kUnauthenticated, ErrorCode::kForbidden});
  }
  if (tenant) {
    codes.insert(codes.end(), {ErrorCode::kTenantRequired, ErrorCode::kTenantConflict,
                               ErrorCode::kOrganizationNotFound, ErrorCode::kOrganizationSuspended,
                               ErrorCode::kRateLimited});
  }
  if (route.scope == Scope::kWorkspace) codes.push_back(ErrorCode::kNotFound);
  if (route.feature) codes.push_back(ErrorCode::kFeatureNotEnabled);
  // Any request: oversized headers; a full lane or a database that does not answer.
  codes.insert(codes.end(), {ErrorCode::kHeadersTooLarge, ErrorCode::kUnavailable});
  codes.insert(codes.end(), route.refusals.begin(), route.refusals.end());
  return codes;
}

Json ProblemResponses(const Route& route) {
  std::map<int, std::set<std::string>> by_status;
  for (auto code : Refusals(route)) {
    by_status[http::StatusOf(code)].insert(std::string(http::ProblemCode(code)));
  }
  Json out = Json::object();
  for (const auto& [status, codes] : by_status) {
    std::string description;
    for (const auto& code : codes) description += (description.empty() ? "" : ", ") + code;
    Json response = {
        {"description", description},
        {"content", {{"application/problem+json", {{"schema", schema::Ref("Problem")}}}}}};
    if (status == 429) {
      response["headers"] = {{"Retry-After",
                              {{"description", "Seconds to wait before retrying"},
                               {"schema", {{"type", "integer"}}}}}};
    }
    out[std::to_string(status)] = response;
  }
  return out;
}

Json Security(const Route& route) {
  if (route.scope == Scope::kPublic) return Json::array();
  Json out = {{{"session", Json::array()}}, {{"sessionCookie", Json::array()}}};
  if (route.scope != Scope::kUser || route.api_keys) {
    out.push_back({{"apiKey", Json::array()}});
  }
  return out;
}

Json Operation(const Route& route) {
  Json op = {{"summary", route.summary},
             {"operationId", OperationId(route)},
             {"tags", {route.tag}},
             {"security", Security(route)},
             {"x-bulkhead-scope", ScopeName(route.scope)}};
  if (route.permission) {
    op["x-bulkhead-permission"] = core::PermissionName(*route.permission);
    // The least organization role that passes the route's declared permission: what the
    // generated role matrix derives its expectations from.
    op["x-bulkhead-minimum-role"] = core::RoleName(core::MinimumRole(*route.permission));
  }
  if (route.workspace_role) {
    op["x-bulkhead-workspace-role"] = core::WorkspaceRoleName(*route.workspace_role);
  }
  if (route.scope == Scope::kUser) op["x-bulkhead-api-keys"] = route.api_keys;
  op["x-bulkhead-success-status"] = route.success_status;
  if (route.self_param) op["x-bulkhead-self-param"] = *route.self_param;
  if (route.feature) op["x-bulkhead-feature"] = *route.feature;

  Json parameters = Json::array();
  for (const auto& p : route.parameters) {
    Json param = {{"name", p.name}, {"in", p.in}, {"required", p.required}, {"schema", p.schema}};
    if (!p.description.empty()) param["description"] = p.description;
    parameters.push_back(std::move(param));
  }
  if (!parameters.empty()) op["parameters"] = std::move(parameters);
  if (!route.request_body.is_null()) {
    op["requestBody"] = {{"required", true},
                         {"content", {{"application/json", {{"schema", route.request_body}}}}}};
  }
  Json success = {{"description", route.success_status == 204 ? "No content" : route.summary}};
  if (!route.response_body.is_null() && route.success_status != 204) {
    success["content"] = {{route.response_type, {{"schema", route.response_body}}}};
  }
  Json responses = {{std::to_string(route.success_status), success}};
  if (route.created_status) responses[std::to_string(*route.created_status)] = success;
  responses.update(ProblemResponses(route));
  op["responses"] = std::move(responses);
  return op;
}

Json Tags(const std::vector<Route>& routes) {
  static const std::map<std::string, std::string> kDescriptions = {
      {"Accounts", "Sign-up, login and the caller's own account"},
      {"Organizations", "Tenants: create, read, update and delete"},
      {"Plans", "The organization's plan and what it gives"},
      {"Usage", "Usage per organization and day"},
      {"Members", "Who belongs to an organization, with which role"},
      {"Audit", "The organization's audit log"},
      {"Domains", "Subdomains, custom domains and host resolution"},
      {"Invitations", "Inviting people by email"},
      {"API keys", "Keys machines use to act in an organization"},
      {"Workspaces", "Workspaces and who is assigned to them"},
      {"Resources", "Typed resources inside a workspace"},
      {"Secrets", "Sealed secrets inside a workspace"},
      {"Operations", "Health, readiness, metrics and this document"},
  };
  std::set<std::string> used;
  for (const auto& r : routes) used.insert(r.tag);
  Json out = Json::array();
  for (const auto& [name, description] : kDescriptions) {
    if (used.count(name)) out.push_back({{"name", name}, {"description", description}});
  }
  return out;
}

}  // namespace

nlohmann::json OpenApiDocument(const std::vector<Route>& routes) {
  Json paths = Json::object();
  for (const auto& route : routes) {
    if (route.documented) paths[route.pattern][Lower(route.method)] = Operation(route);
  }
  return {
      {"openapi", "3.1.0"},
      {"info",
       {{"title", "Bulkhead"},
        {"version", "1"},
        {"summary", "Multi-tenant organizations server"},
        {"description",
         "Organizations, members, invitations, workspaces, resources, secrets and domains. "
         "JSON over HTTP; errors are RFC 9457 problem details. Every organization route is "
         "also served under /api/v1/org, the organization coming from the Host or "
         "X-Organization header."},
        // No licence has been chosen for the project yet: all rights reserved until one is.
        {"license", {{"name", "Proprietary"}, {"identifier", "LicenseRef-Proprietary"}}}}},
      {"servers",
       {{{"url", "http://127.0.0.1:8080"},
         {"description", "bulkhead serve (its default --listen)"}}}},
      {"tags", Tags(routes)},
      {"paths", paths},
      {"components",
       {{"securitySchemes",
         {{"session",
           {{"type", "http"},
            {"scheme", "bearer"},
            {"bearerFormat", "session token"},
            {"description",
             "A session token from sign-up or login, or an access token of the web console "
             "(OpenID Connect client bulkhead-console; one that names an organization acts on "
             "that organization's routes only)"}}},
          {"apiKey",
           {{"type", "http"},
            {"scheme", "bearer"},
            {"bearerFormat", "bk_ API key"},
            {"description", "An organization API key (bk_…), on that organization's routes"}}},
          {"sessionCookie",
           {{"type", "apiKey"},
            {"in", "cookie"},
            {"name", "bulkhead_session"},
            {"description",
             "The web console's session cookie; changes also need X-Requested-With: bulkhead"}}}}},
        {"schemas", schema::Components()}}}};
}

}  // namespace bulkhead::api
