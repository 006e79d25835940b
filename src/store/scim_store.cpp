#include "store/scim_store.hpp"

#include "store/query.hpp"

namespace bulkhead::store::scim {
namespace {

std::string LowerKey(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return out;
}

constexpr std::string_view kTokenColumns =
    "id, organization_id, name, token_hash, created_by, created_at, last_used_at";

ScimTokenRecord ToToken(const Row& r) {
  ScimTokenRecord t{r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.Text(4), r.Int(5), std::nullopt};
  if (!r.IsNull(6)) t.last_used_at = r.Int(6);
  return t;
}

constexpr std::string_view kUserColumns =
    "organization_id, user_id, external_id, active, attributes, created_at, updated_at";

ScimUserRecord ToUser(const Row& r) {
  return ScimUserRecord{r.Text(0), r.Text(1), r.OptionalText(2), r.Int(3) != 0,
                        r.Text(4), r.Int(5),  r.Int(6)};
}

constexpr std::string_view kGroupColumns =
    "id, organization_id, display_name, external_id, created_at, updated_at";

ScimGroupRecord ToGroup(const Row& r) {
  return ScimGroupRecord{r.Text(0), r.Text(1), r.Text(2), r.OptionalText(3), r.Int(4), r.Int(5)};
}

std::string Sql(std::string_view a, std::string_view b, std::string_view c) {
  std::string out(a);
  out += b;
  out += c;
  return out;
}

}  // namespace

Status InsertToken(Connection& c, const ScimTokenRecord& t) {
  return ExecuteStatus(c,
                       "INSERT INTO scim_tokens (id, organization_id, name, token_hash, "
                       "created_by, created_at, last_used_at) VALUES ($1, $2, $3, $4, $5, $6, "
                       "NULL)",
                       {t.id, t.organization_id, t.name, t.token_hash, t.created_by, t.created_at});
}

Result<std::vector<ScimTokenRecord>> ListTokens(Connection& c, std::string_view org_id) {
  static const std::string kSql =
      Sql("SELECT ", kTokenColumns, " FROM scim_tokens WHERE organization_id = $1 ORDER BY id");
  return QueryAll<ScimTokenRecord>(c, kSql, {std::string(org_id)}, ToToken);
}

Result<std::optional<ScimTokenRecord>> FindTokenByHash(Connection& c, std::string_view hash) {
  static const std::string kSql =
      Sql("SELECT ", kTokenColumns, " FROM scim_tokens WHERE token_hash = $1");
  return QueryOne<ScimTokenRecord>(c, kSql, {std::string(hash)}, ToToken);
}

Result<std::optional<ScimTokenRecord>> FindToken(Connection& c, std::string_view org_id,
                                                 std::string_view id) {
  static const std::string kSql =
      Sql("SELECT ", kTokenColumns, " FROM scim_tokens WHERE organization_id = $1 AND id = $2");
  return QueryOne<ScimTokenRecord>(c, kSql, {std::string(org_id), std::string(id)}, ToToken);
}

Status DeleteToken(Connection& c, std::string_view id) {
  return ExecuteStatus(c, "DELETE FROM scim_tokens WHERE id = $1", {std::string(id)});
}

Status TouchToken(Connection& c, std::string_view id, int64_t now) {
  return ExecuteStatus(c, "UPDATE scim_tokens SET last_used_at = $2 WHERE id = $1",
                       {std::string(id), now});
}

Result<int64_t> CountTokens(Connection& c, std::string_view org_id) {
  return QueryCount(c, "SELECT COUNT(*) FROM scim_tokens WHERE organization_id = $1",
                    {std::string(org_id)});
}

Status UpsertUser(Connection& c, const ScimUserRecord& u) {
  return ExecuteStatus(
      c,
      "INSERT INTO scim_users (organization_id, user_id, external_id, active, attributes, "
      "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7) "
      "ON CONFLICT (organization_id, user_id) DO UPDATE SET external_id = excluded.external_id, "
      "active = excluded.active, attributes = excluded.attributes, "
      "updated_at = excluded.updated_at",
      {u.organization_id, u.user_id, Nullable(u.external_id), int64_t{u.active ? 1 : 0},
       u.attributes, u.created_at, u.updated_at});
}

Result<std::optional<ScimUserRecord>> FindUser(Connection& c, std::string_view org_id,
                                               std::string_view user_id) {
  static const std::string kSql =
      Sql("SELECT ", kUserColumns, " FROM scim_users WHERE organization_id = $1 AND user_id = $2");
  return QueryOne<ScimUserRecord>(c, kSql, {std::string(org_id), std::string(user_id)}, ToUser);
}

Result<std::optional<ScimUserRecord>> FindUserByExternalId(Connection& c, std::string_view org_id,
                                                           std::string_view external_id) {
  static const std::string kSql = Sql(
      "SELECT ", kUserColumns, " FROM scim_users WHERE organization_id = $1 AND external_id = $2");
  return QueryOne<ScimUserRecord>(c, kSql, {std::string(org_id), std::string(external_id)}, ToUser);
}

Result<std::vector<ScimUserRecord>> ListUsers(Connection& c, std::string_view org_id) {
  static const std::string kSql =
      Sql("SELECT ", kUserColumns, " FROM scim_users WHERE organization_id = $1 ORDER BY user_id");
  return QueryAll<ScimUserRecord>(c, kSql, {std::string(org_id)}, ToUser);
}

Status DeleteUser(Connection& c, std::string_view org_id, std::string_view user_id) {
  return ExecuteStatus(c, "DELETE FROM scim_users WHERE organization_id = $1 AND user_id = $2",
                       {std::string(org_id), std::string(user_id)});
}

Status InsertGroup(Connection& c, const ScimGroupRecord& g) {
  return ExecuteStatus(c,
                       "INSERT INTO scim_groups (id, organization_id, display_name, "
                       "display_name_key, external_id, created_at, updated_at) VALUES ($1, $2, "
                       "$3, $4, $5, $6, $7)",
                       {g.id, g.organization_id, g.display_name, LowerKey(g.display_name),
                        Nullable(g.external_id), g.created_at, g.updated_at});
}

Status UpdateGroup(Connection& c, const ScimGroupRecord& g) {
  return ExecuteStatus(
      c,
      "UPDATE scim_groups SET display_name = $2, display_name_key = $3, "
      "external_id = $4, updated_at = $5 WHERE id = $1",
      {g.id, g.display_name, LowerKey(g.display_name), Nullable(g.external_id), g.updated_at});
}

Result<std::optional<ScimGroupRecord>> FindGroup(Connection& c, std::string_view org_id,
                                                 std::string_view id) {
  static const std::string kSql =
      Sql("SELECT ", kGroupColumns, " FROM scim_groups WHERE organization_id = $1 AND id = $2");
  return QueryOne<ScimGroupRecord>(c, kSql, {std::string(org_id), std::string(id)}, ToGroup);
}

Result<std::vector<ScimGroupRecord>> ListGroups(Connection& c, std::string_view org_id) {
  static const std::string kSql =
      Sql("SELECT ", kGroupColumns, " FROM scim_groups WHERE organization_id = $1 ORDER BY id");
  return QueryAll<ScimGroupRecord>(c, kSql, {std::string(org_id)}, ToGroup);
}

Status DeleteGroup(Connection& c, std::string_view id) {
  BULKHEAD_TRY(
      ExecuteStatus(c, "DELETE FROM scim_group_members WHERE group_id = $1", {std::string(id)}));
  return ExecuteStatus(c, "DELETE FROM scim_groups WHERE id = $1", {std::string(id)});
}

Result<std::vector<std::string>> ListGroupMembers(Connection& c, std::string_view group_id) {
  return QueryAll<std::string>(
      c, "SELECT user_id FROM scim_group_members WHERE group_id = $1 ORDER BY user_id",
      {std::string(group_id)}, [](const Row& r) { return r.Text(0); });
}

Status SetGroupMembers(Connection& c, std::string_view group_id,
                       const std::vector<std::string>& user_ids) {
  BULKHEAD_TRY(ExecuteStatus(c, "DELETE FROM scim_group_members WHERE group_id = $1",
                             {std::string(group_id)}));
  for (const auto& user_id : user_ids) {
    BULKHEAD_TRY(ExecuteStatus(c,
                               "INSERT INTO scim_group_members (group_id, user_id) VALUES ($1, $2) "
                               "ON CONFLICT (group_id, user_id) DO NOTHING",
                               {std::string(group_id), user_id}));
  }
  return core::Ok();
}

Result<std::vector<ScimGroupRecord>> ListGroupsOfUser(Connection& c, std::string_view org_id,
                                                      std::string_view user_id) {
  static const std::string kSql =
      "SELECT g.id, g.organization_id, g.display_name, g.external_id, g.created_at, "
      "g.updated_at FROM scim_groups g JOIN scim_group_members m ON m.group_id = g.id "
      "WHERE g.organization_id = $1 AND m.user_id = $2 ORDER BY g.id";
  return QueryAll<ScimGroupRecord>(c, kSql, {std::string(org_id), std::string(user_id)}, ToGroup);
}

Status RemoveUserFromGroups(Connection& c, std::string_view org_id, std::string_view user_id) {
  return ExecuteStatus(c,
                       "DELETE FROM scim_group_members WHERE user_id = $2 AND group_id IN "
                       "(SELECT id FROM scim_groups WHERE organization_id = $1)",
                       {std::string(org_id), std::string(user_id)});
}

Result<std::string> GroupMappings(Connection& c, std::string_view org_id) {
  auto rows = c.Query("SELECT group_mappings FROM scim_settings WHERE organization_id = $1",
                      {std::string(org_id)});
  if (!rows.ok()) return rows.error();
  if (rows->empty()) return std::string("[]");
  return rows->front().Text(0);
}

Status SetGroupMappings(Connection& c, std::string_view org_id, std::string_view mappings,
                        int64_t now) {
  return ExecuteStatus(c,
                       "INSERT INTO scim_settings (organization_id, group_mappings, updated_at) "
                       "VALUES ($1, $2, $3) ON CONFLICT (organization_id) DO UPDATE SET "
                       "group_mappings = excluded.group_mappings, updated_at = excluded.updated_at",
                       {std::string(org_id), std::string(mappings), now});
}

Result<int64_t> RevokeRefreshTokens(Connection& c, std::string_view user_id,
                                    std::string_view org_id, int64_t now) {
  return c.Execute(
      "UPDATE oauth_refresh_tokens SET revoked_at = $3 WHERE user_id = $1 AND organization_id = "
      "$2 AND revoked_at IS NULL",
      {std::string(user_id), std::string(org_id), now});
}

Result<std::vector<std::string>> DeleteSsoSessions(Connection& c, std::string_view user_id,
                                                   std::string_view org_id) {
  auto hashes = QueryAll<std::string>(
      c, "SELECT token_hash FROM sessions WHERE user_id = $1 AND sso_organization_id = $2",
      {std::string(user_id), std::string(org_id)}, [](const Row& r) { return r.Text(0); });
  if (!hashes.ok()) return hashes.error();
  for (const auto& hash : *hashes) {
    BULKHEAD_TRY(ExecuteStatus(c, "DELETE FROM sessions WHERE token_hash = $1", {hash}));
  }
  return hashes;
}

}  // namespace bulkhead::store::scim
