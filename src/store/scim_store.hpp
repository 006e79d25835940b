#pragma once
// SCIM provisioning's catalog rows (catalog migration V011__scim): SCIM tokens, the users an
// organization's identity provider provisioned, its groups and their members, and its group
// mappings; and the deprovisioning of a user's sign-ins in one organization.
// Thread-safety: functions, on the caller's connection.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/database.hpp"

namespace bulkhead::store::scim {

struct ScimTokenRecord {
  std::string id;
  std::string organization_id;
  std::string name;
  std::string token_hash;  // SHA-256 of the token (crypto::HashToken)
  std::string created_by;
  int64_t created_at = 0;
  std::optional<int64_t> last_used_at;
};

Status InsertToken(Connection& c, const ScimTokenRecord& token);
Result<std::vector<ScimTokenRecord>> ListTokens(Connection& c, std::string_view org_id);
Result<std::optional<ScimTokenRecord>> FindTokenByHash(Connection& c, std::string_view hash);
Result<std::optional<ScimTokenRecord>> FindToken(Connection& c, std::string_view org_id,
                                                 std::string_view id);
Status DeleteToken(Connection& c, std::string_view id);
Status TouchToken(Connection& c, std::string_view id, int64_t now);
Result<int64_t> CountTokens(Connection& c, std::string_view org_id);

// A user the organization's identity provider provisioned.
struct ScimUserRecord {
  std::string organization_id;
  std::string user_id;
  std::optional<std::string> external_id;
  bool active = true;
  std::string attributes = "{}";  // the SCIM attributes as last written (JSON object)
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

Status UpsertUser(Connection& c, const ScimUserRecord& user);
Result<std::optional<ScimUserRecord>> FindUser(Connection& c, std::string_view org_id,
                                               std::string_view user_id);
Result<std::optional<ScimUserRecord>> FindUserByExternalId(Connection& c, std::string_view org_id,
                                                           std::string_view external_id);
Result<std::vector<ScimUserRecord>> ListUsers(Connection& c, std::string_view org_id);
Status DeleteUser(Connection& c, std::string_view org_id, std::string_view user_id);

struct ScimGroupRecord {
  std::string id;
  std::string organization_id;
  std::string display_name;
  std::optional<std::string> external_id;
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

// kConflict when the organization has a group of that display name (case-insensitively).
Status InsertGroup(Connection& c, const ScimGroupRecord& group);
Status UpdateGroup(Connection& c, const ScimGroupRecord& group);
Result<std::optional<ScimGroupRecord>> FindGroup(Connection& c, std::string_view org_id,
                                                 std::string_view id);
Result<std::vector<ScimGroupRecord>> ListGroups(Connection& c, std::string_view org_id);
Status DeleteGroup(Connection& c, std::string_view id);
Result<std::vector<std::string>> ListGroupMembers(Connection& c, std::string_view group_id);
// Makes the group's members exactly `user_ids`.
Status SetGroupMembers(Connection& c, std::string_view group_id,
                       const std::vector<std::string>& user_ids);
// The groups of the organization that `user_id` is a member of.
Result<std::vector<ScimGroupRecord>> ListGroupsOfUser(Connection& c, std::string_view org_id,
                                                      std::string_view user_id);
Status RemoveUserFromGroups(Connection& c, std::string_view org_id, std::string_view user_id);

// The organization's group mappings (a JSON array), "[]" when never set.
Result<std::string> GroupMappings(Connection& c, std::string_view org_id);
Status SetGroupMappings(Connection& c, std::string_view org_id, std::string_view mappings,
                        int64_t now);

// Deprovisioning: revokes the user's refresh tokens issued for the organization; deletes the
// sessions an SSO sign-in through the organization's connections made (sessions.
// sso_organization_id) and returns their hashes (for the session cache and the change feed).
Result<int64_t> RevokeRefreshTokens(Connection& c, std::string_view user_id,
                                    std::string_view org_id, int64_t now);
Result<std::vector<std::string>> DeleteSsoSessions(Connection& c, std::string_view user_id,
                                                   std::string_view org_id);

}  // namespace bulkhead::store::scim
