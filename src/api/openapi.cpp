#include <string>

#include "api/routes.hpp"

namespace bulkhead::api {
namespace {

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string OperationId(const Route& route) {
  std::string id = Lower(route.method);
  for (char c : route.pattern) {
    id += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  }
  return id;
}

nlohmann::json Problem(std::string_view description) {
  return {{"description", description},
          {"content",
           {{"application/problem+json", {{"schema", {{"$ref", "#/components/schemas/Problem"}}}}}}}};
}

}  // namespace

nlohmann::json OpenApiDocument(const std::vector<Route>& routes) {
  nlohmann::json paths = nlohmann::json::object();
  for (const auto& route : routes) {
    nlohmann::json op = {{"summary", route.summary},
                         {"operationId", OperationId(route)},
                         {"x-bulkhead-scope", ScopeName(route.scope)}};
    if (route.permission) op["x-bulkhead-permission"] = core::PermissionName(*route.permission);
    if (route.workspace_role) {
      op["x-bulkhead-workspace-role"] = core::WorkspaceRoleName(*route.workspace_role);
    }
    // The least organization role that passes the route's declared permission: what the
    // generated role matrix derives its expectations from.
    if (route.permission) {
      op["x-bulkhead-minimum-role"] = core::RoleName(core::MinimumRole(*route.permission));
    }
    if (route.scope == Scope::kUser) op["x-bulkhead-api-keys"] = route.api_keys;
    op["x-bulkhead-success-status"] = route.success_status;
    if (route.self_param) op["x-bulkhead-self-param"] = *route.self_param;
    if (route.feature) op["x-bulkhead-feature"] = *route.feature;
    if (route.scope == Scope::kPublic) {
      op["security"] = nlohmann::json::array();
    } else {
      op["security"] = {{{"bearer", nlohmann::json::array()}},
                        {{"cookie", nlohmann::json::array()}}};
    }
    nlohmann::json parameters = nlohmann::json::array();
    std::size_t pos = 0;
    while ((pos = route.pattern.find('{', pos)) != std::string::npos) {
      auto end = route.pattern.find('}', pos);
      parameters.push_back({{"name", route.pattern.substr(pos + 1, end - pos - 1)},
                            {"in", "path"},
                            {"required", true},
                            {"schema", {{"type", "string"}}}});
      pos = end;
    }
    if (!parameters.empty()) op["parameters"] = parameters;
    nlohmann::json responses = {
        {std::to_string(route.success_status),
         {{"description", route.success_status == 204 ? "No content" : "Success"}}}};
    if (route.method != "GET" && route.method != "DELETE") {
      op["requestBody"] = {{"content", {{"application/json", {{"schema", {{"type", "object"}}}}}}}};
      responses["400"] = Problem("Malformed request");
      responses["422"] = Problem("Validation failed");
    }
    if (route.scope != Scope::kPublic) responses["401"] = Problem("Unauthenticated");
    if (route.scope == Scope::kOrganization) {
      responses["403"] = Problem("Forbidden");
      responses["404"] = Problem("Organization not found");
    }
    op["responses"] = responses;
    paths[route.pattern][Lower(route.method)] = op;
  }
  return {
      {"openapi", "3.1.0"},
      {"info", {{"title", "Bulkhead"}, {"version", "1"},
                {"description", "Multi-tenant organizations server"}}},
      {"paths", paths},
      {"components",
       {{"securitySchemes",
         {{"bearer", {{"type", "http"}, {"scheme", "bearer"}}},
          {"cookie", {{"type", "apiKey"}, {"in", "cookie"}, {"name", "bulkhead_session"}}}}},
        {"schemas",
         {{"Problem",
           {{"type", "object"},
            {"required", {"type", "title", "status", "code"}},
            {"properties",
             {{"type", {{"type", "string"}}},
              {"title", {{"type", "string"}}},
              {"status", {{"type", "integer"}}},
              {"code", {{"type", "string"}}},
              {"detail", {{"type", "string"}}},
              {"request_id", {{"type", "string"}}},
              {"errors", {{"type", "array"}}}}}}}}}}}};
}

}  // namespace bulkhead::api
