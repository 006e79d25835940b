#pragma once
// Organization roles and the permission matrix of DESIGN.md. Pure; thread-safe.

#include <cstdint>
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
  kReadUsage,         // usage figures (issue 7: admins, like the audit log)
  kReadAllResources,  // read resources in any workspace without a workspace role
  kManageGrants,      // offer, revoke, accept and decline sharing grants (issue 21)
};

inline constexpr Permission kAllPermissions[] = {
    Permission::kReadOrganization,  Permission::kUpdateOrganization,
    Permission::kManageMembers,     Permission::kManageOwners,
    Permission::kBilling,           Permission::kDeleteOrganization,
    Permission::kManageWorkspaces,  Permission::kSeeAllWorkspaces,
    Permission::kWriteAllResources, Permission::kReadAuditLog,
    Permission::kReadUsage,         Permission::kReadAllResources,
    Permission::kManageGrants};

inline constexpr Role kAllRoles[] = {Role::kOwner, Role::kAdmin, Role::kMember};

std::optional<Role> ParseRole(std::string_view name);
std::string_view RoleName(Role role);
std::string_view PermissionName(Permission permission);

// The least role that holds `permission`.
Role MinimumRole(Permission permission);
inline bool RoleHas(Role role, Permission permission) {
  return static_cast<int>(role) >= static_cast<int>(MinimumRole(permission));
}
// A set of permissions: what a caller holds in an organization (a built-in role's, or a custom
// role's). A value type; one bit per Permission.
class PermissionSet {
 public:
  constexpr PermissionSet() = default;
  static PermissionSet Of(Role role) {
    PermissionSet set;
    for (Permission p : kAllPermissions) {
      if (static_cast<int>(role) >= static_cast<int>(MinimumRole(p))) set.Add(p);
    }
    return set;
  }
  constexpr bool Has(Permission p) const { return (bits_ & Bit(p)) != 0; }
  constexpr void Add(Permission p) { bits_ |= Bit(p); }
  constexpr void Remove(Permission p) { bits_ &= ~Bit(p); }
  // Every permission of `other` is in this set.
  constexpr bool Contains(PermissionSet other) const { return (other.bits_ & ~bits_) == 0; }
  constexpr bool operator==(const PermissionSet&) const = default;

 private:
  static constexpr uint32_t Bit(Permission p) { return uint32_t{1} << static_cast<int>(p); }
  uint32_t bits_ = 0;
};

// "Nobody can act on a role above their own": true when `actor` may act on someone holding
// (or about to hold) `target`.
inline bool CanActOnRole(Role actor, Role target) {
  return static_cast<int>(actor) >= static_cast<int>(target);
}

}  // namespace bulkhead::core
