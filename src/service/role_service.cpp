#include "service/role_service.hpp"

#include "core/text.hpp"
#include "core/time.hpp"
#include "service/catalog_cache.hpp"
#include "service/organization_service.hpp"
#include "store/catalog_store.hpp"

namespace bulkhead::service {

using core::Error;
using core::ErrorCode;
using core::Result;

namespace {

constexpr std::size_t kMaxRoleName = 100;
constexpr std::size_t kMaxRoleDescription = 500;

struct BuiltInRoleText {
  std::string_view name;
  std::string_view description;
};

BuiltInRoleText BuiltInText(core::Role role) {
  switch (role) {
    case core::Role::kOwner:
      return {"Owner", "Everything, including billing, deleting the organization and owners"};
    case core::Role::kAdmin:
      return {"Admin", "Everything but billing, deleting the organization and owners"};
    case core::Role::kMember: return {"Member", "Reads the organization; workspaces by assignment"};
  }
  return {"Member", ""};
}

Error BuiltInReadOnly() {
  return Error::Forbidden("built-in roles cannot be changed or deleted");
}

Error NotAllHeld(std::string_view verb) {
  return Error::Forbidden("you cannot " + std::string(verb) +
                          " a role holding a permission you do not hold");
}

nlohmann::json PermissionsArray(core::PermissionSet set) {
  return nlohmann::json(core::PermissionNames(set));
}

}  // namespace

Result<std::optional<core::HeldRole>> LookupRole(store::Connection& c, const std::string& org_id,
                                                 const std::string& key) {
  if (auto built_in = core::ParseRole(key)) {
    return std::optional(core::HeldRole::BuiltIn(*built_in));
  }
  if (!core::IsRoleKeyShaped(key)) return std::optional<core::HeldRole>{};
  auto found = store::catalog::FindCustomRole(c, org_id, key);
  if (!found.ok()) return found.error();
  if (!*found) return std::optional<core::HeldRole>{};
  return std::optional(
      core::HeldRole{key, core::Role::kMember, core::PermissionsFromJson((*found)->permissions)});
}

Result<core::HeldRole> MembershipRole(store::Connection& c, const std::string& org_id,
                                      const std::string& key) {
  auto role = LookupRole(c, org_id, key);
  if (!role.ok()) return role.error();
  if (*role) return **role;
  core::PermissionSet read_only;
  read_only.Add(core::Permission::kReadOrganization);
  return core::HeldRole{key, core::Role::kMember, read_only};
}

nlohmann::json BuiltInRoleJson(core::Role role) {
  auto text = BuiltInText(role);
  return {{"key", core::RoleName(role)},
          {"name", text.name},
          {"description", text.description},
          {"permissions", PermissionsArray(core::PermissionSet::Of(role))},
          {"built_in", true}};
}

nlohmann::json CustomRoleJson(const store::CustomRoleRecord& role) {
  return {{"key", role.key},
          {"name", role.name},
          {"description", role.description},
          {"permissions", PermissionsArray(core::PermissionsFromJson(role.permissions))},
          {"built_in", false},
          {"created_at", core::FormatRfc3339(role.created_at)},
          {"updated_at", core::FormatRfc3339(role.updated_at)}};
}

Result<nlohmann::json> RoleService::List(const TenantContext& tenant) {
  nlohmann::json data = nlohmann::json::array();
  for (core::Role role : core::kAllRoles) data.push_back(BuiltInRoleJson(role));
  auto lease = env_.catalog.Acquire();
  auto custom = store::catalog::ListCustomRoles(*lease, tenant.organization.id);
  if (!custom.ok()) return custom.error();
  for (const auto& role : *custom) data.push_back(CustomRoleJson(role));
  return data;
}

namespace {

// A checked value, or nullopt with its field's error added to `errors` (so that one answer
// names every bad field).
template <typename T>
std::optional<T> Collect(Result<T> checked, std::vector<core::FieldError>& errors) {
  if (checked.ok()) return std::move(*checked);
  errors.push_back(checked.error().fields.at(0));
  return std::nullopt;
}

Result<std::string> CheckName(const std::string& name) {
  return core::ValidateDisplayText("name", name, kMaxRoleName);
}

// A description may be empty (none).
Result<std::string> CheckDescription(const std::string& description) {
  if (description.empty()) return std::string();
  return core::ValidateDisplayText("description", description, kMaxRoleDescription);
}

}  // namespace

Result<nlohmann::json> RoleService::Get(const TenantContext& tenant, const std::string& key) {
  if (auto built_in = core::ParseRole(key)) return BuiltInRoleJson(*built_in);
  if (!core::IsRoleKeyShaped(key)) return Error::NotFound("role");
  auto lease = env_.catalog.Acquire();
  auto found = store::catalog::FindCustomRole(*lease, tenant.organization.id, key);
  if (!found.ok()) return found.error();
  if (!*found) return Error::NotFound("role");
  return CustomRoleJson(**found);
}

Result<store::CustomRoleRecord> RoleService::Create(const TenantContext& tenant,
                                                    const std::string& key, const std::string& name,
                                                    const std::string& description,
                                                    const std::vector<std::string>& permissions,
                                                    const Actor& actor) {
  std::vector<core::FieldError> errors;
  if (auto st = core::ValidateRoleKey(key); !st.ok()) errors.push_back(st.error().fields.at(0));
  auto checked_name = Collect(CheckName(name), errors);
  auto checked_description = Collect(CheckDescription(description), errors);
  auto set = Collect(core::ParseCustomRolePermissions(permissions), errors);
  if (!errors.empty()) return Error::Validation(std::move(errors));
  if (!tenant.permissions.Contains(*set)) return NotAllHeld("create");

  int64_t now = core::NowMs();
  store::CustomRoleRecord role{tenant.organization.id,
                               key,
                               *checked_name,
                               *checked_description,
                               core::PermissionsToJson(*set),
                               now,
                               now};
  auto lease = env_.catalog.Acquire();
  store::Transaction txn(*lease, /*write=*/true);
  BULKHEAD_TRY(txn.begin_status());
  if (auto st = store::catalog::InsertCustomRole(*lease, role); !st.ok()) {
    if (st.error().code == ErrorCode::kConflict) {
      return Error::Make(ErrorCode::kConflict, "the organization already has a role " + key);
    }
    return st.error();
  }
  BULKHEAD_TRY(store::catalog::InsertAuditEvent(
      *lease, MakeAuditEvent(tenant.organization.id, actor, "role.created", "role", key,
                             {{"name", role.name}, {"permissions", PermissionsArray(*set)}})));
  // Nobody holds a new role, unless a membership kept the key of a deleted one (a race
  // MembershipRole answers with organization:read alone): that entry must not outlive this.
  BULKHEAD_TRY(store::catalog::RecordChange(*lease, "role", tenant.organization.id));
  BULKHEAD_TRY(txn.Commit());
  ForgetMemberships(tenant.organization.id);
  return role;
}

Result<store::CustomRoleRecord> RoleService::Update(const TenantContext& tenant,
                                                    const std::string& key,
                                                    const CustomRoleChange& change,
                                                    const Actor& actor) {
  if (core::ParseRole(key)) return BuiltInReadOnly();
  if (!core::IsRoleKeyShaped(key)) return Error::NotFound("role");
  std::vector<core::FieldError> errors;
  std::optional<std::string> name;
  if (change.name) name = Collect(CheckName(*change.name), errors);
  std::optional<std::string> description;
  if (change.description) description = Collect(CheckDescription(*change.description), errors);
  std::optional<core::PermissionSet> set;
  if (change.permissions)
    set = Collect(core::ParseCustomRolePermissions(*change.permissions), errors);
  if (!errors.empty()) return Error::Validation(std::move(errors));

  const std::string& org_id = tenant.organization.id;
  auto lease = env_.catalog.Acquire();
  store::Transaction txn(*lease, /*write=*/true);
  BULKHEAD_TRY(txn.begin_status());
  auto found = store::catalog::FindCustomRole(*lease, org_id, key);
  if (!found.ok()) return found.error();
  if (!*found) return Error::NotFound("role");
  store::CustomRoleRecord role = **found;
  core::PermissionSet before = core::PermissionsFromJson(role.permissions);
  core::PermissionSet after = set.value_or(before);
  if (!tenant.permissions.Contains(before) || !tenant.permissions.Contains(after)) {
    return NotAllHeld("change");
  }
  nlohmann::json details = {{"name", name.value_or(role.name)}};
  if (set) {
    details["permissions"] = {{"from", PermissionsArray(before)}, {"to", PermissionsArray(after)}};
  }
  if (name) role.name = *name;
  if (description) role.description = *description;
  role.permissions = core::PermissionsToJson(after);
  role.updated_at = core::NowMs();
  BULKHEAD_TRY(store::catalog::UpdateCustomRole(*lease, role));
  BULKHEAD_TRY(store::catalog::InsertAuditEvent(
      *lease, MakeAuditEvent(org_id, actor, "role.updated", "role", key, details)));
  BULKHEAD_TRY(store::catalog::RecordChange(*lease, "role", org_id));
  BULKHEAD_TRY(txn.Commit());
  ForgetMemberships(org_id);
  return role;
}

core::Status RoleService::Delete(const TenantContext& tenant, const std::string& key,
                                 const Actor& actor) {
  if (core::ParseRole(key)) return BuiltInReadOnly();
  if (!core::IsRoleKeyShaped(key)) return Error::NotFound("role");
  const std::string& org_id = tenant.organization.id;
  auto lease = env_.catalog.Acquire();
  store::Transaction txn(*lease, /*write=*/true);
  BULKHEAD_TRY(txn.begin_status());
  auto found = store::catalog::FindCustomRole(*lease, org_id, key);
  if (!found.ok()) return found.error();
  if (!*found) return Error::NotFound("role");
  core::PermissionSet held = core::PermissionsFromJson((*found)->permissions);
  if (!tenant.permissions.Contains(held)) return NotAllHeld("delete");
  auto holders = store::catalog::CountRoleHolders(*lease, org_id, key);
  if (!holders.ok()) return holders.error();
  if (*holders > 0) {
    return Error::Make(ErrorCode::kRoleInUse,
                       std::to_string(*holders) +
                           (*holders == 1 ? " member holds" : " members hold") + " the role " +
                           key + "; give them another role first");
  }
  BULKHEAD_TRY(store::catalog::DeleteCustomRole(*lease, org_id, key));
  BULKHEAD_TRY(store::catalog::InsertAuditEvent(
      *lease, MakeAuditEvent(org_id, actor, "role.deleted", "role", key,
                             {{"name", (*found)->name}, {"permissions", PermissionsArray(held)}})));
  BULKHEAD_TRY(store::catalog::RecordChange(*lease, "role", org_id));
  BULKHEAD_TRY(txn.Commit());
  ForgetMemberships(org_id);
  return core::Ok();
}

void RoleService::ForgetMemberships(const std::string& org_id) {
  env_.cache.Invalidate("role", org_id);
}

}  // namespace bulkhead::service
