#include "core/role.hpp"

namespace bulkhead::core {

std::optional<Role> ParseRole(std::string_view name) {
  if (name == "owner") return Role::kOwner;
  if (name == "admin") return Role::kAdmin;
  if (name == "member") return Role::kMember;
  return std::nullopt;
}

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kOwner: return "owner";
    case Role::kAdmin: return "admin";
    case Role::kMember: return "member";
  }
  return "member";
}

std::string_view PermissionName(Permission permission) {
  switch (permission) {
    case Permission::kReadOrganization: return "organization:read";
    case Permission::kUpdateOrganization: return "organization:update";
    case Permission::kManageMembers: return "members:manage";
    case Permission::kManageOwners: return "owners:manage";
    case Permission::kBilling: return "billing:manage";
    case Permission::kDeleteOrganization: return "organization:delete";
    case Permission::kManageWorkspaces: return "workspaces:manage";
    case Permission::kSeeAllWorkspaces: return "workspaces:see_all";
    case Permission::kWriteAllResources: return "resources:write_all";
    case Permission::kReadAuditLog: return "audit_log:read";
    case Permission::kReadUsage: return "usage:read";
    case Permission::kReadAllResources: return "resources:read_all";
    case Permission::kManageGrants: return "grants:manage";
  }
  return "unknown";
}

Role MinimumRole(Permission permission) {
  switch (permission) {
    case Permission::kReadOrganization: return Role::kMember;
    case Permission::kUpdateOrganization:
    case Permission::kManageMembers:
    case Permission::kManageWorkspaces:
    case Permission::kSeeAllWorkspaces:
    case Permission::kWriteAllResources:
    case Permission::kReadAuditLog:
    case Permission::kReadUsage:
    case Permission::kReadAllResources:
    case Permission::kManageGrants: return Role::kAdmin;
    case Permission::kManageOwners:
    case Permission::kBilling:
    case Permission::kDeleteOrganization: return Role::kOwner;
  }
  return Role::kOwner;
}

}  // namespace bulkhead::core
