#include "store/role_store.hpp"

#include "store/query.hpp"

namespace bulkhead::store::catalog {
namespace {

constexpr std::string_view kCustomRoleColumns =
    "organization_id, key, name, description, permissions, created_at, updated_at";

CustomRoleRecord ToCustomRole(const Row& r) {
  return {r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.Text(4), r.Int(5), r.Int(6)};
}

std::string CustomRoleSql(std::string_view tail) {
  std::string sql = "SELECT ";
  sql += kCustomRoleColumns;
  sql += " FROM custom_roles ";
  sql += tail;
  return sql;
}

}  // namespace

Status InsertCustomRole(Connection& c, const CustomRoleRecord& role) {
  return ExecuteStatus(c,
                       "INSERT INTO custom_roles (organization_id, key, name, description,"
                       " permissions, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                       {role.organization_id, role.key, role.name, role.description,
                        role.permissions, role.created_at, role.updated_at});
}

Status UpdateCustomRole(Connection& c, const CustomRoleRecord& role) {
  return ExecuteStatus(c,
                       "UPDATE custom_roles SET name = $3, description = $4, permissions = $5,"
                       " updated_at = $6 WHERE organization_id = $1 AND key = $2",
                       {role.organization_id, role.key, role.name, role.description,
                        role.permissions, role.updated_at});
}

Status DeleteCustomRole(Connection& c, std::string_view org_id, std::string_view key) {
  return ExecuteStatus(c, "DELETE FROM custom_roles WHERE organization_id = $1 AND key = $2",
                       {std::string(org_id), std::string(key)});
}

Result<std::optional<CustomRoleRecord>> FindCustomRole(Connection& c, std::string_view org_id,
                                                       std::string_view key) {
  static const std::string kSql = CustomRoleSql("WHERE organization_id = $1 AND key = $2");
  return QueryOne<CustomRoleRecord>(c, kSql, {std::string(org_id), std::string(key)}, ToCustomRole);
}

Result<std::vector<CustomRoleRecord>> ListCustomRoles(Connection& c, std::string_view org_id) {
  static const std::string kSql = CustomRoleSql("WHERE organization_id = $1 ORDER BY key");
  return QueryAll<CustomRoleRecord>(c, kSql, {std::string(org_id)}, ToCustomRole);
}

Result<int64_t> CountRoleHolders(Connection& c, std::string_view org_id, std::string_view role) {
  return QueryCount(c, "SELECT COUNT(*) FROM memberships WHERE organization_id = $1 AND role = $2",
                    {std::string(org_id), std::string(role)});
}

}  // namespace bulkhead::store::catalog
