#include "store/access_store.hpp"

#include "store/query.hpp"

namespace bulkhead::store::catalog {
namespace {

constexpr std::string_view kInvitationColumns =
    "id, organization_id, email, role, token_hash, status, invited_by, created_at, expires_at,"
    " accepted_at";
constexpr std::string_view kApiKeyColumns =
    "id, organization_id, name, role, prefix, secret_hash, created_by, created_at, last_used_at";

InvitationRecord ToInvitation(const Row& r) {
  InvitationRecord i{r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.Text(4),
                     r.Text(5), r.Text(6), r.Int(7),  r.Int(8),  std::nullopt};
  if (!r.IsNull(9)) i.accepted_at = r.Int(9);
  return i;
}

ApiKeyRecord ToApiKey(const Row& r) {
  ApiKeyRecord k{r.Text(0), r.Text(1), r.Text(2), r.Text(3),   r.Text(4),
                 r.Text(5), r.Text(6), r.Int(7),  std::nullopt};
  if (!r.IsNull(8)) k.last_used_at = r.Int(8);
  return k;
}

}  // namespace

Status InsertInvitation(Connection& c, const InvitationRecord& i) {
  return ExecuteStatus(c,
                       "INSERT INTO invitations (" + std::string(kInvitationColumns) +
                           ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                       {i.id, i.organization_id, i.email, i.role, i.token_hash, i.status,
                        i.invited_by, i.created_at, i.expires_at, Nullable(i.accepted_at)});
}

Result<std::optional<InvitationRecord>> FindInvitation(Connection& c, std::string_view org_id,
                                                       std::string_view id) {
  return QueryOne<InvitationRecord>(c,
                                    "SELECT " + std::string(kInvitationColumns) +
                                        " FROM invitations WHERE organization_id = $1 AND id = $2",
                                    {std::string(org_id), std::string(id)}, ToInvitation);
}

Result<std::optional<InvitationRecord>> FindInvitationByTokenHash(Connection& c,
                                                                  std::string_view token_hash) {
  return QueryOne<InvitationRecord>(
      c, "SELECT " + std::string(kInvitationColumns) + " FROM invitations WHERE token_hash = $1",
      {std::string(token_hash)}, ToInvitation);
}

Result<std::vector<InvitationRecord>> FindPendingInvitations(Connection& c, std::string_view org_id,
                                                             std::string_view email) {
  return QueryAll<InvitationRecord>(
      c,
      "SELECT " + std::string(kInvitationColumns) +
          " FROM invitations WHERE organization_id = $1 AND email = $2 AND status = 'pending'",
      {std::string(org_id), std::string(email)}, ToInvitation);
}

Result<std::vector<InvitationRecord>> ListInvitations(Connection& c, std::string_view org_id,
                                                      std::string_view before_id, int limit) {
  return QueryAll<InvitationRecord>(c,
                                    "SELECT " + std::string(kInvitationColumns) +
                                        " FROM invitations WHERE organization_id = $1 AND " +
                                        BeforeId("$2", before_id) + " ORDER BY id DESC LIMIT $3",
                                    {std::string(org_id), std::string(before_id), int64_t{limit}},
                                    ToInvitation);
}

Status SetInvitationStatus(Connection& c, std::string_view id, std::string_view status,
                           std::optional<int64_t> accepted_at) {
  return ExecuteStatus(c, "UPDATE invitations SET status = $2, accepted_at = $3 WHERE id = $1",
                       {std::string(id), std::string(status), Nullable(accepted_at)});
}

Result<std::optional<InvitationRecord>> FindInvitationById(Connection& c, std::string_view id) {
  return QueryOne<InvitationRecord>(
      c, "SELECT " + std::string(kInvitationColumns) + " FROM invitations WHERE id = $1",
      {std::string(id)}, ToInvitation);
}

Result<std::vector<ReceivedInvitationRow>> ListReceivedInvitations(
    Connection& c, std::string_view email, std::string_view user_id, int64_t now_ms,
    std::string_view before_id, int limit) {
  static const std::string kSql =
      "SELECT i.id, i.organization_id, i.email, i.role, i.token_hash, i.status, i.invited_by,"
      " i.created_at, i.expires_at, i.accepted_at, o.name, o.slug, u.name"
      " FROM invitations i JOIN organizations o ON o.id = i.organization_id"
      " LEFT JOIN users u ON u.id = i.invited_by"
      " WHERE i.email = $1 AND i.status = 'pending' AND i.expires_at > $2"
      " AND (CAST($4 AS TEXT) = '' OR i.id < CAST($4 AS TEXT)) AND o.status = 'active'"
      " AND NOT EXISTS (SELECT 1 FROM memberships m"
      " WHERE m.organization_id = i.organization_id AND m.user_id = $3)"
      " ORDER BY i.id DESC LIMIT $5";
  auto rows = c.Query(kSql, {std::string(email), now_ms, std::string(user_id),
                             std::string(before_id), int64_t{limit}});
  if (!rows.ok()) return rows.error();
  std::vector<ReceivedInvitationRow> out;
  for (const auto& r : *rows) {
    out.push_back({ToInvitation(r), r.Text(10), r.Text(11), r.OptionalText(12)});
  }
  return out;
}

Status InsertApiKey(Connection& c, const ApiKeyRecord& k) {
  return ExecuteStatus(c,
                       "INSERT INTO api_keys (" + std::string(kApiKeyColumns) +
                           ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                       {k.id, k.organization_id, k.name, k.role, k.prefix, k.secret_hash,
                        k.created_by, k.created_at, Nullable(k.last_used_at)});
}

Result<std::optional<ApiKeyRecord>> FindApiKeyByHash(Connection& c, std::string_view secret_hash) {
  return QueryOne<ApiKeyRecord>(
      c, "SELECT " + std::string(kApiKeyColumns) + " FROM api_keys WHERE secret_hash = $1",
      {std::string(secret_hash)}, ToApiKey);
}

Result<std::optional<ApiKeyRecord>> FindApiKey(Connection& c, std::string_view org_id,
                                               std::string_view id) {
  return QueryOne<ApiKeyRecord>(c,
                                "SELECT " + std::string(kApiKeyColumns) +
                                    " FROM api_keys WHERE organization_id = $1 AND id = $2",
                                {std::string(org_id), std::string(id)}, ToApiKey);
}

Result<std::vector<ApiKeyRecord>> ListApiKeys(Connection& c, std::string_view org_id,
                                              std::string_view after_id, int limit) {
  return QueryAll<ApiKeyRecord>(
      c,
      "SELECT " + std::string(kApiKeyColumns) +
          " FROM api_keys WHERE organization_id = $1 AND id > $2 ORDER BY id LIMIT $3",
      {std::string(org_id), std::string(after_id), int64_t{limit}}, ToApiKey);
}

Result<int64_t> CountApiKeys(Connection& c, std::string_view org_id) {
  return QueryCount(c, "SELECT COUNT(*) FROM api_keys WHERE organization_id = $1",
                    {std::string(org_id)});
}

Status DeleteApiKey(Connection& c, std::string_view id) {
  return ExecuteStatus(c, "DELETE FROM api_keys WHERE id = $1", {std::string(id)});
}

Status TouchApiKey(Connection& c, std::string_view id, int64_t used_at) {
  return ExecuteStatus(c, "UPDATE api_keys SET last_used_at = $2 WHERE id = $1",
                       {std::string(id), used_at});
}

}  // namespace bulkhead::store::catalog
