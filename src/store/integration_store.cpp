#include "store/integration_store.hpp"

#include "store/query.hpp"

namespace bulkhead::store::tenant {
namespace {

constexpr std::string_view kColumns =
    "id, kind, name, config, key_version, credentials_sealed, created_by, created_at, updated_at";

IntegrationRecord ToIntegration(const Row& r) {
  return {r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.Int(4),
          r.Text(5), r.Text(6), r.Int(7),  r.Int(8)};
}

WorkspaceIntegrationRecord ToLink(const Row& r) {
  return {r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.Int(4)};
}

// "" or " AND workspace_id = $n" with the parameter appended.
std::string InWorkspace(const std::optional<std::string>& workspace_id,
                        std::vector<Value>& params) {
  if (!workspace_id) return "";
  params.emplace_back(*workspace_id);
  return " AND workspace_id = $" + std::to_string(params.size());
}

}  // namespace

Status InsertIntegration(Connection& c, const IntegrationRecord& i) {
  return ExecuteStatus(c,
                       "INSERT INTO integrations (" + std::string(kColumns) +
                           ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                       {i.id, i.kind, i.name, i.config, i.key_version, i.credentials_sealed,
                        i.created_by, i.created_at, i.updated_at});
}

Status UpdateIntegration(Connection& c, const IntegrationRecord& i) {
  return ExecuteStatus(c,
                       "UPDATE integrations SET name = $2, config = $3, key_version = $4,"
                       " credentials_sealed = $5, updated_at = $6 WHERE id = $1",
                       {i.id, i.name, i.config, i.key_version, i.credentials_sealed, i.updated_at});
}

Result<std::optional<IntegrationRecord>> FindIntegration(Connection& c, std::string_view id) {
  static const std::string kSql =
      "SELECT " + std::string(kColumns) + " FROM integrations WHERE id = $1";
  return QueryOne<IntegrationRecord>(c, kSql, {std::string(id)}, ToIntegration);
}

Result<std::vector<IntegrationRecord>> ListIntegrations(Connection& c, std::string_view after_id,
                                                        int limit) {
  static const std::string kSql =
      "SELECT " + std::string(kColumns) + " FROM integrations WHERE id > $1 ORDER BY id LIMIT $2";
  return QueryAll<IntegrationRecord>(c, kSql, {std::string(after_id), int64_t{limit}},
                                     ToIntegration);
}

Status DeleteIntegration(Connection& c, std::string_view id) {
  return ExecuteStatus(c, "DELETE FROM integrations WHERE id = $1", {std::string(id)});
}

Result<std::vector<IntegrationRecord>> IntegrationsBelowVersion(Connection& c, int64_t version,
                                                                int limit) {
  static const std::string kSql = "SELECT " + std::string(kColumns) +
                                  " FROM integrations WHERE key_version < $1 ORDER BY id LIMIT $2";
  return QueryAll<IntegrationRecord>(c, kSql, {version, int64_t{limit}}, ToIntegration);
}

Status ResealIntegration(Connection& c, const IntegrationRecord& i) {
  return ExecuteStatus(
      c, "UPDATE integrations SET key_version = $2, credentials_sealed = $3 WHERE id = $1",
      {i.id, i.key_version, i.credentials_sealed});
}

Result<bool> LinkIntegration(Connection& c, std::string_view workspace_id,
                             std::string_view integration_id, int64_t now) {
  auto linked = FindWorkspaceIntegration(c, workspace_id, integration_id);
  if (!linked.ok()) return linked.error();
  if (*linked) return false;
  BULKHEAD_TRY(ExecuteStatus(c,
                             "INSERT INTO workspace_integrations (workspace_id, integration_id,"
                             " created_at) VALUES ($1, $2, $3)",
                             {std::string(workspace_id), std::string(integration_id), now}));
  return true;
}

Result<bool> UnlinkIntegration(Connection& c, std::string_view workspace_id,
                               std::string_view integration_id) {
  auto n = c.Execute(
      "DELETE FROM workspace_integrations WHERE workspace_id = $1 AND integration_id = $2",
      {std::string(workspace_id), std::string(integration_id)});
  if (!n.ok()) return n.error();
  return *n > 0;
}

Result<std::optional<WorkspaceIntegrationRecord>> FindWorkspaceIntegration(
    Connection& c, std::string_view workspace_id, std::string_view integration_id) {
  return QueryOne<WorkspaceIntegrationRecord>(
      c,
      "SELECT wi.workspace_id, wi.integration_id, i.kind, i.name, wi.created_at"
      " FROM workspace_integrations wi JOIN integrations i ON i.id = wi.integration_id"
      " WHERE wi.workspace_id = $1 AND wi.integration_id = $2",
      {std::string(workspace_id), std::string(integration_id)}, ToLink);
}

Result<std::vector<WorkspaceIntegrationRecord>> ListWorkspaceIntegrations(
    Connection& c, std::string_view workspace_id, std::string_view after_id, int limit) {
  return QueryAll<WorkspaceIntegrationRecord>(
      c,
      "SELECT wi.workspace_id, wi.integration_id, i.kind, i.name, wi.created_at"
      " FROM workspace_integrations wi JOIN integrations i ON i.id = wi.integration_id"
      " WHERE wi.workspace_id = $1 AND wi.integration_id > $2 ORDER BY wi.integration_id LIMIT $3",
      {std::string(workspace_id), std::string(after_id), int64_t{limit}}, ToLink);
}

Result<std::vector<IntegrationWorkspace>> ListIntegrationWorkspaces(
    Connection& c, std::string_view integration_id) {
  return QueryAll<IntegrationWorkspace>(
      c,
      "SELECT w.id, w.name, wi.created_at"
      " FROM workspace_integrations wi JOIN workspaces w ON w.id = wi.workspace_id"
      " WHERE wi.integration_id = $1 ORDER BY w.id",
      {std::string(integration_id)}, [](const Row& r) {
        return IntegrationWorkspace{r.Text(0), r.Text(1), r.Int(2)};
      });
}

Result<int64_t> CountIntegrationUsers(Connection& c, std::string_view integration_id,
                                      const std::optional<std::string>& workspace_id) {
  std::vector<Value> params = {std::string(integration_id)};
  std::string sql = "SELECT COUNT(*) FROM resources WHERE integration_id = $1";
  sql += InWorkspace(workspace_id, params);
  return QueryCount(c, sql, params);
}

Result<std::vector<IntegrationUser>> IntegrationUsers(
    Connection& c, std::string_view integration_id, const std::optional<std::string>& workspace_id,
    int limit) {
  std::vector<Value> params = {std::string(integration_id)};
  std::string sql = "SELECT id, name, workspace_id FROM resources WHERE integration_id = $1";
  sql += InWorkspace(workspace_id, params);
  params.emplace_back(int64_t{limit});
  sql += " ORDER BY id LIMIT $" + std::to_string(params.size());
  return QueryAll<IntegrationUser>(c, sql, params, [](const Row& r) {
    return IntegrationUser{r.Text(0), r.Text(1), r.Text(2)};
  });
}

}  // namespace bulkhead::store::tenant
