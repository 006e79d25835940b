#pragma once
// Organization roles and the permission matrix of DESIGN.md. Pure; thread-safe.

#include <optional>
#include <string_view>

namespace bulkhead::core {

enum class Role { kMember = 0, kAdmin = 1, kOwner = 2 };

// What a route or use case needs. Kept in the order of DESIGN.md's matrix.
enum class Permission {
  kReadOrganization,    // read the organization, list members
  kUpdateOrganization,  // name, branding, settings; domains, integrations, API keys
  kManageMembers,       // invite, add, remove members; change roles of admins and members
  kManageOwners,        // grant or revoke owner; change or remove an owner
  kBilling,             // plan, billing contact
  kDeleteOrganization,
  kManageWorkspaces,  // create, update, delete workspaces; assign workspace members
  kSeeAllWorkspaces,
  kWriteAllResources,  // read / write resources in any workspace without a workspace role
  kReadAuditLog,
  kReadUsage,  // usage figures (issue 7: admins, like the audit log)
};

inline constexpr Permission kAllPermissions[] = {
    Permission::kReadOrganization,  Permission::kUpdateOrganization,
    Permission::kManageMembers,     Permission::kManageOwners,
    Permission::kBilling,           Permission::kDeleteOrganization,
    Permission::kManageWorkspaces,  Permission::kSeeAllWorkspaces,
    Permission::kWriteAllResources, Permission::kReadAuditLog,
    Permission::kReadUsage};

inline constexpr Role kAllRoles[] = {Role::kOwner, Role::kAdmin, Role::kMember};

std::optional<Role> ParseRole(std::string_view name);
std::string_view RoleName(Role role);
std::string_view PermissionName(Permission permission);

// The least role that holds `permission`.
Role MinimumRole(Permission permission);
inline bool RoleHas(Role role, Permission permission) {
  return static_cast<int>(role) >= static_cast<int>(MinimumRole(permission));
}
// "Nobody can act on a role above their own": true when `actor` may act on someone holding
// (or about to hold) `target`.
inline bool CanActOnRole(Role actor, Role target) {
  return static_cast<int>(actor) >= static_cast<int>(target);
}

}  // namespace bulkhead::core
