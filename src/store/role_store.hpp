#pragma once
// Custom roles in the catalog (migration V012, docs/roles.md): an organization's own roles,
// keyed by (organization, key), each with its permissions as a JSON array of names. Like every
// catalog repository, each function runs on the caller's connection, inside the caller's
// transaction.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/database.hpp"

namespace bulkhead::store {

struct CustomRoleRecord {
  std::string organization_id;
  std::string key;
  std::string name;
  std::string description;
  std::string permissions = "[]";  // JSON array of permission names
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

namespace catalog {

// kConflict when the organization already has a role with this key.
Status InsertCustomRole(Connection& c, const CustomRoleRecord& role);
// Name, description, permissions and updated_at of (organization_id, key).
Status UpdateCustomRole(Connection& c, const CustomRoleRecord& role);
Status DeleteCustomRole(Connection& c, std::string_view org_id, std::string_view key);
Result<std::optional<CustomRoleRecord>> FindCustomRole(Connection& c, std::string_view org_id,
                                                       std::string_view key);
// Every custom role of the organization, by key.
Result<std::vector<CustomRoleRecord>> ListCustomRoles(Connection& c, std::string_view org_id);
// How many members hold `role` (a key) in the organization.
Result<int64_t> CountRoleHolders(Connection& c, std::string_view org_id, std::string_view role);

}  // namespace catalog
}  // namespace bulkhead::store
