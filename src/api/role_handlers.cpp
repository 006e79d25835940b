// Custom roles (docs/roles.md): thin handlers over RoleService.

#include "api/body.hpp"
#include "api/handlers.hpp"
#include "api/render.hpp"
#include "service/role_service.hpp"

namespace bulkhead::api {
namespace {

// A permissions array the route's schema validated (strings only).
std::vector<std::string> PermissionList(const nlohmann::json& value) {
  std::vector<std::string> out;
  for (const auto& item : value) out.push_back(item.get<std::string>());
  return out;
}

}  // namespace

Result<Response> ListRoles(Services& s, RequestContext& c) {
  auto roles = s.roles->List(*c.tenant);
  if (!roles.ok()) return roles.error();
  return JsonResponse({{"data", *roles}});
}

Result<Response> GetRole(Services& s, RequestContext& c) {
  auto role = s.roles->Get(*c.tenant, std::string(c.Param("key")));
  if (!role.ok()) return role.error();
  return JsonResponse(*role);
}

Result<Response> CreateRole(Services& s, RequestContext& c) {
  auto role = s.roles->Create(*c.tenant, Text(c.body, "key"), Text(c.body, "name"),
                              OptionalText(c.body, "description").value_or(""),
                              PermissionList(c.body.at("permissions")), c.Actor());
  if (!role.ok()) return role.error();
  return JsonResponse(service::CustomRoleJson(*role));
}

Result<Response> UpdateRole(Services& s, RequestContext& c) {
  service::CustomRoleChange change;
  change.name = OptionalText(c.body, "name");
  change.description = OptionalText(c.body, "description");
  if (auto it = c.body.find("permissions"); it != c.body.end() && it->is_array()) {
    change.permissions = PermissionList(*it);
  }
  auto role = s.roles->Update(*c.tenant, std::string(c.Param("key")), change, c.Actor());
  if (!role.ok()) return role.error();
  return JsonResponse(service::CustomRoleJson(*role));
}

Result<Response> DeleteRole(Services& s, RequestContext& c) {
  BULKHEAD_TRY(s.roles->Delete(*c.tenant, std::string(c.Param("key")), c.Actor()));
  return NoContent();
}

}  // namespace bulkhead::api
