#include "store/secret_store.hpp"

#include "store/query.hpp"

namespace bulkhead::store::tenant {
namespace {

constexpr std::string_view kColumns =
    "workspace_id, name, key_version, sealed, created_by, updated_by, created_at, updated_at";

SecretRecord ToSecret(const Row& r) {
  return {r.Text(0), r.Text(1), r.Int(2), r.Text(3), r.Text(4), r.Text(5), r.Int(6), r.Int(7)};
}

}  // namespace

Result<bool> PutSecret(Connection& c, const SecretRecord& s) {
  auto updated = c.Execute(
      "UPDATE secrets SET key_version = $3, sealed = $4, updated_by = $5, updated_at = $6"
      " WHERE workspace_id = $1 AND name = $2",
      {s.workspace_id, s.name, s.key_version, s.sealed, s.updated_by, s.updated_at});
  if (!updated.ok()) return updated.error();
  if (*updated > 0) return false;
  auto inserted = c.Execute(
      "INSERT INTO secrets (workspace_id, name, key_version, sealed, created_by, updated_by,"
      " created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
      {s.workspace_id, s.name, s.key_version, s.sealed, s.created_by, s.updated_by, s.created_at,
       s.updated_at});
  if (!inserted.ok()) return inserted.error();
  return true;
}

Result<std::optional<SecretRecord>> FindSecret(Connection& c, std::string_view workspace_id,
                                               std::string_view name) {
  static const std::string kSql =
      "SELECT " + std::string(kColumns) + " FROM secrets WHERE workspace_id = $1 AND name = $2";
  return QueryOne<SecretRecord>(c, kSql, {std::string(workspace_id), std::string(name)}, ToSecret);
}

Result<std::vector<SecretRecord>> ListSecrets(Connection& c, std::string_view workspace_id,
                                              std::string_view after_name, int limit) {
  static const std::string kSql = "SELECT " + std::string(kColumns) +
                                  " FROM secrets WHERE workspace_id = $1 AND name > $2"
                                  " ORDER BY name LIMIT $3";
  return QueryAll<SecretRecord>(
      c, kSql, {std::string(workspace_id), std::string(after_name), int64_t{limit}}, ToSecret);
}

Result<bool> DeleteSecret(Connection& c, std::string_view workspace_id, std::string_view name) {
  auto n = c.Execute("DELETE FROM secrets WHERE workspace_id = $1 AND name = $2",
                     {std::string(workspace_id), std::string(name)});
  if (!n.ok()) return n.error();
  return *n > 0;
}

Result<std::vector<SecretRecord>> SecretsBelowVersion(Connection& c, int64_t version, int limit) {
  static const std::string kSql = "SELECT " + std::string(kColumns) +
                                  " FROM secrets WHERE key_version < $1"
                                  " ORDER BY workspace_id, name LIMIT $2";
  return QueryAll<SecretRecord>(c, kSql, {version, int64_t{limit}}, ToSecret);
}

Status ResealSecret(Connection& c, const SecretRecord& s) {
  return ExecuteStatus(
      c, "UPDATE secrets SET key_version = $3, sealed = $4 WHERE workspace_id = $1 AND name = $2",
      {s.workspace_id, s.name, s.key_version, s.sealed});
}

Result<int64_t> MinimumKeyVersion(Connection& c) {
  auto rows = c.Query("SELECT min_version FROM key_state WHERE id = 1");
  if (!rows.ok()) return rows.error();
  return rows->empty() ? int64_t{0} : rows->front().Int(0);
}

Status RaiseMinimumKeyVersion(Connection& c, int64_t version) {
  return ExecuteStatus(
      c,
      "INSERT INTO key_state (id, min_version) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET"
      " min_version = CASE WHEN excluded.min_version > key_state.min_version"
      " THEN excluded.min_version ELSE key_state.min_version END",
      {version});
}

}  // namespace bulkhead::store::tenant
