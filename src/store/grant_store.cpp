#include "store/grant_store.hpp"

#include "store/query.hpp"

namespace bulkhead::store::grants {
namespace {

constexpr std::string_view kColumns =
    "id, organization_id, target_organization_id, workspace_id, resource_id, level, status, "
    "members, expires_at, created_by, created_at, responded_by, responded_at, revoked_at";

std::optional<int64_t> OptionalInt(const Row& r, std::size_t i) {
  return r.IsNull(i) ? std::nullopt : std::optional<int64_t>(r.Int(i));
}

GrantRecord ToGrant(const Row& r) {
  return GrantRecord{.id = r.Text(0),
                     .organization_id = r.Text(1),
                     .target_organization_id = r.Text(2),
                     .workspace_id = r.Text(3),
                     .resource_id = r.OptionalText(4),
                     .level = r.Text(5),
                     .status = r.Text(6),
                     .members = r.Text(7),
                     .expires_at = OptionalInt(r, 8),
                     .created_by = r.Text(9),
                     .created_at = r.Int(10),
                     .responded_by = r.OptionalText(11),
                     .responded_at = OptionalInt(r, 12),
                     .revoked_at = OptionalInt(r, 13)};
}

std::string Select(std::string_view where) {
  std::string out = "SELECT ";
  out += kColumns;
  out += " FROM grants WHERE ";
  out += where;
  return out;
}

Result<std::vector<GrantRecord>> ListBy(Connection& c, std::string_view column,
                                        std::string_view org_id, std::string_view after_id,
                                        int limit) {
  std::string sql = Select(std::string(column) + " = $1 AND id > $2 ORDER BY id LIMIT $3");
  return QueryAll<GrantRecord>(c, sql, {std::string(org_id), std::string(after_id), int64_t{limit}},
                               ToGrant);
}

}  // namespace

Status InsertGrant(Connection& c, const GrantRecord& g) {
  return ExecuteStatus(
      c,
      "INSERT INTO grants (id, organization_id, target_organization_id, workspace_id, "
      "resource_id, level, status, members, expires_at, created_by, created_at, responded_by, "
      "responded_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, "
      "$14)",
      {g.id, g.organization_id, g.target_organization_id, g.workspace_id, Nullable(g.resource_id),
       g.level, g.status, g.members, Nullable(g.expires_at), g.created_by, g.created_at,
       Nullable(g.responded_by), Nullable(g.responded_at), Nullable(g.revoked_at)});
}

Result<std::optional<GrantRecord>> FindGrant(Connection& c, std::string_view id) {
  static const std::string kSql = Select("id = $1");
  return QueryOne<GrantRecord>(c, kSql, {std::string(id)}, ToGrant);
}

Result<std::vector<GrantRecord>> ListGiven(Connection& c, std::string_view org_id,
                                           std::string_view after_id, int limit) {
  return ListBy(c, "organization_id", org_id, after_id, limit);
}

Result<std::vector<GrantRecord>> ListReceived(Connection& c, std::string_view org_id,
                                              std::string_view after_id, int limit) {
  return ListBy(c, "target_organization_id", org_id, after_id, limit);
}

Result<std::vector<GrantRecord>> ListLiveReceived(Connection& c, std::string_view org_id,
                                                  int64_t now_ms) {
  static const std::string kSql = Select(
      "target_organization_id = $1 AND status = 'accepted' AND (expires_at IS NULL OR "
      "expires_at > $2) ORDER BY id");
  return QueryAll<GrantRecord>(c, kSql, {std::string(org_id), now_ms}, ToGrant);
}

Result<int64_t> Respond(Connection& c, std::string_view id, std::string_view from_status,
                        std::string_view status, std::string_view members,
                        std::string_view responded_by, int64_t responded_at) {
  return c.Execute(
      "UPDATE grants SET status = $3, members = $4, responded_by = $5, responded_at = $6 "
      "WHERE id = $1 AND status = $2",
      {std::string(id), std::string(from_status), std::string(status), std::string(members),
       std::string(responded_by), responded_at});
}

Result<int64_t> Revoke(Connection& c, std::string_view id, int64_t revoked_at) {
  return c.Execute(
      "UPDATE grants SET status = 'revoked', revoked_at = $2 WHERE id = $1 AND status <> "
      "'revoked'",
      {std::string(id), revoked_at});
}

Result<std::optional<std::string>> FindResourceWorkspace(Connection& tenant,
                                                         std::string_view resource_id) {
  return QueryOne<std::string>(tenant, "SELECT workspace_id FROM resources WHERE id = $1",
                               {std::string(resource_id)}, [](const Row& r) { return r.Text(0); });
}

}  // namespace bulkhead::store::grants
