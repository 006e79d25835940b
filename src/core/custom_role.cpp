#include "core/custom_role.hpp"

#include <nlohmann/json.hpp>

namespace bulkhead::core {

std::optional<Permission> ParsePermission(std::string_view name) {
  for (Permission p : kAllPermissions) {
    if (PermissionName(p) == name) return p;
  }
  return std::nullopt;
}

bool IsOwnerOnly(Permission permission) {
  return MinimumRole(permission) == Role::kOwner;
}

std::vector<std::string> PermissionNames(PermissionSet permissions) {
  std::vector<std::string> out;
  for (Permission p : kAllPermissions) {
    if (permissions.Has(p)) out.emplace_back(PermissionName(p));
  }
  return out;
}

bool IsRoleKeyShaped(std::string_view key) {
  if (key.size() < 2 || key.size() > 63) return false;
  if (key.front() < 'a' || key.front() > 'z') return false;
  for (char ch : key) {
    bool ok = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-';
    if (!ok) return false;
  }
  return true;
}

Status ValidateRoleKey(std::string_view key) {
  if (!IsRoleKeyShaped(key)) {
    return Error::Validation(
        "key", "must be 2-63 characters of a-z, 0-9, _ and -, starting with a letter");
  }
  if (ParseRole(key)) {
    return Error::Validation("key", "is a built-in role (owner, admin, member)");
  }
  return Ok();
}

Result<PermissionSet> ParseCustomRolePermissions(const std::vector<std::string>& names,
                                                 std::string_view field) {
  PermissionSet set;
  set.Add(Permission::kReadOrganization);  // every role reads its organization
  for (const auto& name : names) {
    auto permission = ParsePermission(name);
    if (!permission) {
      return Error::Validation(std::string(field),
                               "names an unknown permission \"" + name +
                                   "\" (there are no wildcards; see GET …/roles for the names)");
    }
    if (IsOwnerOnly(*permission)) {
      return Error::Validation(std::string(field),
                               "names \"" + name + "\", which only owners hold");
    }
    set.Add(*permission);
  }
  return set;
}

std::string PermissionsToJson(PermissionSet permissions) {
  return nlohmann::json(PermissionNames(permissions)).dump();
}

PermissionSet PermissionsFromJson(std::string_view json) {
  PermissionSet set;
  set.Add(Permission::kReadOrganization);
  auto parsed = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_array()) return set;
  for (const auto& item : parsed) {
    if (!item.is_string()) continue;
    auto permission = ParsePermission(item.get<std::string>());
    if (permission && !IsOwnerOnly(*permission)) set.Add(*permission);
  }
  return set;
}

}  // namespace bulkhead::core
