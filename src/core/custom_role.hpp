#pragma once
// Custom roles (issue 21, docs/roles.md): an organization's own roles, next to the built-in
// owner, admin and member, each a named subset of the fixed permission vocabulary. The rules
// that need no storage live here: the shape of a key, the vocabulary (exact names, no
// wildcards), what a custom role may never hold, and the role someone holds as one value.
// Pure; thread-safe.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "core/role.hpp"

namespace bulkhead::core {

// The role a member (or an API key) holds in an organization: its key (a built-in name or a
// custom role's key), the rank the owner rules use (a custom role ranks as kMember) and the
// permissions it gives.
struct HeldRole {
  std::string key;
  Role rank = Role::kMember;
  PermissionSet permissions;

  static HeldRole BuiltIn(Role role) {
    return HeldRole{std::string(RoleName(role)), role, PermissionSet::Of(role)};
  }
  bool operator==(const HeldRole&) const = default;
};

// The permission an exact vocabulary name stands for ("members:manage"); nothing else matches:
// no wildcards, no other case.
std::optional<Permission> ParsePermission(std::string_view name);

// Owner-only permissions (owners:manage, billing:manage, organization:delete): never in a
// custom role.
bool IsOwnerOnly(Permission permission);

// The names of a set, in vocabulary order (tokens' `permissions` claim, role renders).
std::vector<std::string> PermissionNames(PermissionSet permissions);

// A custom role's key: 2-63 of a-z 0-9 _ -, starting with a letter, and not a built-in name.
// kValidationFailed on field "key" otherwise.
Status ValidateRoleKey(std::string_view key);
// Whether `key` has a key's shape (built-in names included): what `role` fields accept before
// the organization's roles are looked up.
bool IsRoleKeyShaped(std::string_view key);

// A custom role's permissions from the names a request lists (field `field`): every name in
// the vocabulary (an unknown one is named in the error), none owner-only; organization:read is
// added whether listed or not.
Result<PermissionSet> ParseCustomRolePermissions(const std::vector<std::string>& names,
                                                 std::string_view field = "permissions");

// The stored form of a custom role's permissions (a JSON array of names) and back. Unknown
// names in stored data are dropped (they grant nothing); organization:read is always there.
std::string PermissionsToJson(PermissionSet permissions);
PermissionSet PermissionsFromJson(std::string_view json);

}  // namespace bulkhead::core
