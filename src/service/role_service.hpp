#pragma once
// Custom roles (issue 21, docs/roles.md): an organization's own roles next to the built-in
// owner, admin and member. The subset rule holds everywhere: nobody creates, changes or deletes
// a role holding a permission they do not hold. A change or deletion reaches every holder on
// their next request on every instance: the resolver's membership entries of the organization
// are dropped here at once and elsewhere through the change feed ("role" <org id>).
// Each mutation is one write transaction with its audit event.
// Thread-safety: thread-safe.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/custom_role.hpp"
#include "core/result.hpp"
#include "service/environment.hpp"
#include "service/tenant_resolver.hpp"
#include "store/role_store.hpp"

namespace bulkhead::service {

// The role `key` names in the organization: a built-in role, or one of its custom roles;
// nullopt for neither.
core::Result<std::optional<core::HeldRole>> LookupRole(store::Connection& c,
                                                       const std::string& org_id,
                                                       const std::string& key);

// What a membership row's role gives: LookupRole, and for a custom role that no longer exists
// (deleted while a request raced it) organization:read alone.
core::Result<core::HeldRole> MembershipRole(store::Connection& c, const std::string& org_id,
                                            const std::string& key);

// A role as GET …/roles renders it: a built-in one, or a custom one.
nlohmann::json BuiltInRoleJson(core::Role role);
nlohmann::json CustomRoleJson(const store::CustomRoleRecord& role);

struct CustomRoleChange {
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::optional<std::vector<std::string>> permissions;
};

class RoleService {
 public:
  explicit RoleService(Environment& env) : env_(env) {}

  // The built-in roles, then the organization's custom roles by key.
  core::Result<nlohmann::json> List(const TenantContext& tenant);
  // One role, built-in or custom; kNotFound for neither.
  core::Result<nlohmann::json> Get(const TenantContext& tenant, const std::string& key);
  core::Result<store::CustomRoleRecord> Create(const TenantContext& tenant, const std::string& key,
                                               const std::string& name,
                                               const std::string& description,
                                               const std::vector<std::string>& permissions,
                                               const Actor& actor);
  // kForbidden for a built-in role or one holding (before or after) a permission the caller
  // lacks.
  core::Result<store::CustomRoleRecord> Update(const TenantContext& tenant, const std::string& key,
                                               const CustomRoleChange& change, const Actor& actor);
  // kRoleInUse while a member holds it.
  core::Status Delete(const TenantContext& tenant, const std::string& key, const Actor& actor);

 private:
  // Drops every cached membership of the organization (its roles' permissions changed).
  void ForgetMemberships(const std::string& org_id);
  Environment& env_;
};

}  // namespace bulkhead::service
