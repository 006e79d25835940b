#include "store/oauth_store.hpp"

#include <nlohmann/json.hpp>

#include "store/query.hpp"

namespace bulkhead::store::oauth {
namespace {

constexpr std::string_view kClientColumns =
    "id, name, secret_hash, redirect_uris, post_logout_redirect_uris, signing_alg, created_at";
constexpr std::string_view kCodeColumns =
    "code_hash, client_id, user_id, organization_id, redirect_uri, scope, nonce, code_challenge,"
    " sid, auth_time, created_at, expires_at, used_at, family_id";
constexpr std::string_view kRefreshColumns =
    "token_hash, family_id, client_id, user_id, organization_id, scope, sid, auth_time,"
    " family_created_at, created_at, expires_at, used_at, revoked_at";

std::string Sql(std::string_view a, std::string_view b, std::string_view c = {}) {
  std::string s(a);
  s += b;
  s += c;
  return s;
}

std::optional<int64_t> OptionalInt(const Row& r, std::size_t i) {
  if (r.IsNull(i)) return std::nullopt;
  return r.Int(i);
}

// URI lists are stored as JSON arrays of strings.
std::string UrisToJson(const std::vector<std::string>& uris) {
  return nlohmann::json(uris).dump();
}

std::vector<std::string> UrisFromJson(const std::string& text) {
  auto parsed = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  std::vector<std::string> out;
  if (!parsed.is_array()) return out;
  for (const auto& uri : parsed) {
    if (uri.is_string()) out.push_back(uri.get<std::string>());
  }
  return out;
}

ClientRecord ToClient(const Row& r) {
  return {r.Text(0), r.Text(1), r.OptionalText(2), UrisFromJson(r.Text(3)), UrisFromJson(r.Text(4)),
          r.Text(5), r.Int(6)};
}

CodeRecord ToCode(const Row& r) {
  return {r.Text(0), r.Text(1),         r.Text(2),          r.OptionalText(3), r.Text(4),
          r.Text(5), r.OptionalText(6), r.OptionalText(7),  r.Text(8),         r.Int(9),
          r.Int(10), r.Int(11),         OptionalInt(r, 12), r.OptionalText(13)};
}

RefreshTokenRecord ToRefresh(const Row& r) {
  return {r.Text(0), r.Text(1),          r.Text(2),         r.Text(3), r.OptionalText(4),
          r.Text(5), r.Text(6),          r.Int(7),          r.Int(8),  r.Int(9),
          r.Int(10), OptionalInt(r, 11), OptionalInt(r, 12)};
}

}  // namespace

Status InsertClient(Connection& c, const ClientRecord& client) {
  return ExecuteStatus(
      c,
      "INSERT INTO oauth_clients (id, name, secret_hash, redirect_uris,"
      " post_logout_redirect_uris, signing_alg, created_at)"
      " VALUES ($1, $2, $3, $4, $5, $6, $7)",
      {client.id, client.name, Nullable(client.secret_hash), UrisToJson(client.redirect_uris),
       UrisToJson(client.post_logout_redirect_uris), client.signing_alg, client.created_at});
}

Status UpsertClient(Connection& c, const ClientRecord& client) {
  return ExecuteStatus(
      c,
      "INSERT INTO oauth_clients (id, name, secret_hash, redirect_uris,"
      " post_logout_redirect_uris, signing_alg, created_at)"
      " VALUES ($1, $2, $3, $4, $5, $6, $7)"
      " ON CONFLICT (id) DO UPDATE SET name = excluded.name, secret_hash = excluded.secret_hash,"
      " redirect_uris = excluded.redirect_uris,"
      " post_logout_redirect_uris = excluded.post_logout_redirect_uris,"
      " signing_alg = excluded.signing_alg",
      {client.id, client.name, Nullable(client.secret_hash), UrisToJson(client.redirect_uris),
       UrisToJson(client.post_logout_redirect_uris), client.signing_alg, client.created_at});
}

Result<std::optional<ClientRecord>> FindClient(Connection& c, std::string_view id) {
  static const std::string kSql =
      Sql("SELECT ", kClientColumns, " FROM oauth_clients WHERE id = $1");
  return QueryOne<ClientRecord>(c, kSql, {std::string(id)}, ToClient);
}

Result<std::vector<ClientRecord>> ListClients(Connection& c) {
  static const std::string kSql =
      Sql("SELECT ", kClientColumns, " FROM oauth_clients ORDER BY created_at, id");
  return QueryAll<ClientRecord>(c, kSql, {}, ToClient);
}

Result<int64_t> DeleteClient(Connection& c, std::string_view id) {
  // The cascade is spelled out: SQLite enforces foreign keys only when the connection asks.
  BULKHEAD_TRY(ExecuteStatus(c, "DELETE FROM oauth_codes WHERE client_id = $1", {std::string(id)}));
  BULKHEAD_TRY(
      ExecuteStatus(c, "DELETE FROM oauth_refresh_tokens WHERE client_id = $1", {std::string(id)}));
  return c.Execute("DELETE FROM oauth_clients WHERE id = $1", {std::string(id)});
}

Status InsertCode(Connection& c, const CodeRecord& code) {
  static const std::string kSql =
      Sql("INSERT INTO oauth_codes (", kCodeColumns,
          ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)");
  return ExecuteStatus(
      c, kSql,
      {code.code_hash, code.client_id, code.user_id, Nullable(code.organization_id),
       code.redirect_uri, code.scope, Nullable(code.nonce), Nullable(code.code_challenge), code.sid,
       code.auth_time, code.created_at, code.expires_at, Nullable(code.used_at),
       Nullable(code.family_id)});
}

Result<std::optional<CodeRecord>> FindCode(Connection& c, std::string_view code_hash) {
  static const std::string kSql =
      Sql("SELECT ", kCodeColumns, " FROM oauth_codes WHERE code_hash = $1");
  return QueryOne<CodeRecord>(c, kSql, {std::string(code_hash)}, ToCode);
}

Result<int64_t> MarkCodeUsed(Connection& c, std::string_view code_hash, int64_t now) {
  return c.Execute("UPDATE oauth_codes SET used_at = $2 WHERE code_hash = $1 AND used_at IS NULL",
                   {std::string(code_hash), now});
}

Status SetCodeFamily(Connection& c, std::string_view code_hash, std::string_view family_id) {
  return ExecuteStatus(c, "UPDATE oauth_codes SET family_id = $2 WHERE code_hash = $1",
                       {std::string(code_hash), std::string(family_id)});
}

Status DeleteExpiredCodes(Connection& c, int64_t now, int64_t grace_ms) {
  return ExecuteStatus(c, "DELETE FROM oauth_codes WHERE expires_at < $1", {now - grace_ms});
}

Status InsertRefreshToken(Connection& c, const RefreshTokenRecord& t) {
  static const std::string kSql =
      Sql("INSERT INTO oauth_refresh_tokens (", kRefreshColumns,
          ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)");
  return ExecuteStatus(
      c, kSql,
      {t.token_hash, t.family_id, t.client_id, t.user_id, Nullable(t.organization_id), t.scope,
       t.sid, t.auth_time, t.family_created_at, t.created_at, t.expires_at, Nullable(t.used_at),
       Nullable(t.revoked_at)});
}

Result<std::optional<RefreshTokenRecord>> FindRefreshToken(Connection& c,
                                                           std::string_view token_hash) {
  static const std::string kSql =
      Sql("SELECT ", kRefreshColumns, " FROM oauth_refresh_tokens WHERE token_hash = $1");
  return QueryOne<RefreshTokenRecord>(c, kSql, {std::string(token_hash)}, ToRefresh);
}

Result<int64_t> MarkRefreshTokenUsed(Connection& c, std::string_view token_hash, int64_t now) {
  return c.Execute(
      "UPDATE oauth_refresh_tokens SET used_at = $2"
      " WHERE token_hash = $1 AND used_at IS NULL AND revoked_at IS NULL",
      {std::string(token_hash), now});
}

Result<int64_t> RevokeRefreshFamily(Connection& c, std::string_view family_id, int64_t now) {
  return c.Execute(
      "UPDATE oauth_refresh_tokens SET revoked_at = $2 WHERE family_id = $1 AND revoked_at IS NULL",
      {std::string(family_id), now});
}

Result<int64_t> RevokeRefreshTokensOfSid(Connection& c, std::string_view sid, int64_t now) {
  return c.Execute(
      "UPDATE oauth_refresh_tokens SET revoked_at = $2 WHERE sid = $1 AND revoked_at IS NULL",
      {std::string(sid), now});
}

Result<int64_t> RevokeRefreshTokensOfSidForClient(Connection& c, std::string_view sid,
                                                  std::string_view client_id, int64_t now) {
  return c.Execute(
      "UPDATE oauth_refresh_tokens SET revoked_at = $3"
      " WHERE sid = $1 AND client_id = $2 AND revoked_at IS NULL",
      {std::string(sid), std::string(client_id), now});
}

Result<int64_t> RevokeRefreshTokensOfUser(Connection& c, std::string_view user_id, int64_t now) {
  return c.Execute(
      "UPDATE oauth_refresh_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL",
      {std::string(user_id), now});
}

Result<std::optional<TokenUser>> FindTokenUser(Connection& c, std::string_view user_id) {
  return QueryOne<TokenUser>(c,
                             "SELECT id, email, name, email_verified_at FROM users WHERE id = $1",
                             {std::string(user_id)}, [](const Row& r) {
                               return TokenUser{r.Text(0), r.Text(1), r.Text(2), OptionalInt(r, 3)};
                             });
}

}  // namespace bulkhead::store::oauth
