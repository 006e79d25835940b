#include "store/workspace_store.hpp"

namespace bulkhead::store::tenant {
namespace {

constexpr std::string_view kWorkspaceColumns = "id, name, description, created_at, updated_at";
constexpr std::string_view kResourceColumns =
    "id, workspace_id, kind, name, labels, spec, created_by, created_at, updated_at,"
    " integration_id";

WorkspaceRecord ToWorkspace(const Row& r) {
  return {r.Text(0), r.Text(1), r.Text(2), r.Int(3), r.Int(4)};
}

ResourceRecord ToResource(const Row& r) {
  return {r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.Text(4),
          r.Text(5), r.Text(6), r.Int(7),  r.Int(8),  r.Text(9)};
}

Value IntegrationIdValue(const ResourceRecord& r) {
  return r.integration_id.empty() ? Value{nullptr} : Value{r.integration_id};
}

Status Exec(Connection& c, std::string_view sql, const std::vector<Value>& params) {
  auto r = c.Execute(sql, params);
  if (!r.ok()) return r.error();
  return core::Ok();
}

Status WriteLabels(Connection& c, std::string_view resource_id, const core::Labels& labels) {
  BULKHEAD_TRY(
      Exec(c, "DELETE FROM resource_labels WHERE resource_id = $1", {std::string(resource_id)}));
  for (const auto& [key, value] : labels) {
    BULKHEAD_TRY(Exec(c,
                      "INSERT INTO resource_labels (resource_id, key, value) VALUES ($1, $2, $3)",
                      {std::string(resource_id), key, value}));
  }
  return core::Ok();
}

}  // namespace

Result<std::optional<WorkspaceRecord>> FindWorkspace(Connection& c, std::string_view id) {
  auto rows = c.Query("SELECT " + std::string(kWorkspaceColumns) + " FROM workspaces WHERE id = $1",
                      {std::string(id)});
  if (!rows.ok()) return rows.error();
  if (rows->empty()) return std::optional<WorkspaceRecord>{};
  return std::optional(ToWorkspace(rows->front()));
}

Result<std::vector<WorkspaceRecord>> ListWorkspaces(Connection& c, std::string_view after_id,
                                                    const std::optional<std::string>& user_id,
                                                    int limit) {
  Result<Rows> rows =
      user_id ? c.Query(
                    "SELECT w.id, w.name, w.description, w.created_at, w.updated_at"
                    " FROM workspaces w JOIN workspace_members m ON m.workspace_id = w.id"
                    " WHERE m.user_id = $1 AND w.id > $2 ORDER BY w.id LIMIT $3",
                    {*user_id, std::string(after_id), int64_t{limit}})
              : c.Query("SELECT " + std::string(kWorkspaceColumns) +
                            " FROM workspaces WHERE id > $1 ORDER BY id LIMIT $2",
                        {std::string(after_id), int64_t{limit}});
  if (!rows.ok()) return rows.error();
  std::vector<WorkspaceRecord> out;
  for (const auto& r : *rows) out.push_back(ToWorkspace(r));
  return out;
}

Status UpdateWorkspace(Connection& c, const WorkspaceRecord& w) {
  return Exec(c, "UPDATE workspaces SET name = $2, description = $3, updated_at = $4 WHERE id = $1",
              {w.id, w.name, w.description, w.updated_at});
}

Status DeleteWorkspace(Connection& c, std::string_view id) {
  // Its resources go by cascade: uncount them first.
  BULKHEAD_TRY(Exec(c,
                    "UPDATE resource_count SET n = n - (SELECT COUNT(*) FROM resources"
                    " WHERE workspace_id = $1) WHERE id = 1",
                    {std::string(id)}));
  return Exec(c, "DELETE FROM workspaces WHERE id = $1", {std::string(id)});
}

Result<int64_t> CountWorkspaces(Connection& c) {
  auto rows = c.Query("SELECT COUNT(*) FROM workspaces");
  if (!rows.ok()) return rows.error();
  return rows->at(0).Int(0);
}

Status UpsertWorkspaceMember(Connection& c, const WorkspaceMemberRecord& m) {
  return Exec(c,
              "INSERT INTO workspace_members (workspace_id, user_id, role, created_at)"
              " VALUES ($1, $2, $3, $4)"
              " ON CONFLICT (workspace_id, user_id) DO UPDATE SET role = excluded.role",
              {m.workspace_id, m.user_id, m.role, m.created_at});
}

Result<std::optional<WorkspaceMemberRecord>> FindWorkspaceMember(Connection& c,
                                                                 std::string_view workspace_id,
                                                                 std::string_view user_id) {
  auto rows = c.Query(
      "SELECT workspace_id, user_id, role, created_at FROM workspace_members"
      " WHERE workspace_id = $1 AND user_id = $2",
      {std::string(workspace_id), std::string(user_id)});
  if (!rows.ok()) return rows.error();
  if (rows->empty()) return std::optional<WorkspaceMemberRecord>{};
  const auto& r = rows->front();
  return std::optional(WorkspaceMemberRecord{r.Text(0), r.Text(1), r.Text(2), r.Int(3)});
}

Result<std::vector<WorkspaceMemberRecord>> ListWorkspaceMembers(Connection& c,
                                                                std::string_view workspace_id,
                                                                std::string_view after_user_id,
                                                                int limit) {
  auto rows = c.Query(
      "SELECT workspace_id, user_id, role, created_at FROM workspace_members"
      " WHERE workspace_id = $1 AND user_id > $2 ORDER BY user_id LIMIT $3",
      {std::string(workspace_id), std::string(after_user_id), int64_t{limit}});
  if (!rows.ok()) return rows.error();
  std::vector<WorkspaceMemberRecord> out;
  for (const auto& r : *rows) out.push_back({r.Text(0), r.Text(1), r.Text(2), r.Int(3)});
  return out;
}

Result<int64_t> DeleteWorkspaceMember(Connection& c, std::string_view workspace_id,
                                      std::string_view user_id) {
  return c.Execute("DELETE FROM workspace_members WHERE workspace_id = $1 AND user_id = $2",
                   {std::string(workspace_id), std::string(user_id)});
}

Status DeleteWorkspaceMembershipsOf(Connection& c, std::string_view user_id) {
  return Exec(c, "DELETE FROM workspace_members WHERE user_id = $1", {std::string(user_id)});
}

Status InsertResource(Connection& c, const ResourceRecord& r, const core::Labels& labels) {
  BULKHEAD_TRY(Exec(c,
                    "INSERT INTO resources (" + std::string(kResourceColumns) +
                        ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                    {r.id, r.workspace_id, r.kind, r.name, r.labels, r.spec, r.created_by,
                     r.created_at, r.updated_at, IntegrationIdValue(r)}));
  BULKHEAD_TRY(Exec(c, "UPDATE resource_count SET n = n + 1 WHERE id = 1", {}));
  return WriteLabels(c, r.id, labels);
}

Status UpdateResource(Connection& c, const ResourceRecord& r, const core::Labels& labels) {
  BULKHEAD_TRY(Exec(c,
                    "UPDATE resources SET name = $2, labels = $3, spec = $4, updated_at = $5,"
                    " integration_id = $6 WHERE id = $1",
                    {r.id, r.name, r.labels, r.spec, r.updated_at, IntegrationIdValue(r)}));
  return WriteLabels(c, r.id, labels);
}

Result<std::optional<ResourceRecord>> FindResource(Connection& c, std::string_view workspace_id,
                                                   std::string_view id) {
  auto rows = c.Query("SELECT " + std::string(kResourceColumns) +
                          " FROM resources WHERE id = $1 AND workspace_id = $2",
                      {std::string(id), std::string(workspace_id)});
  if (!rows.ok()) return rows.error();
  if (rows->empty()) return std::optional<ResourceRecord>{};
  return std::optional(ToResource(rows->front()));
}

Status DeleteResource(Connection& c, std::string_view id) {
  auto deleted = c.Execute("DELETE FROM resources WHERE id = $1", {std::string(id)});
  if (!deleted.ok()) return deleted.error();
  if (*deleted == 0) return core::Ok();
  return Exec(c, "UPDATE resource_count SET n = n - $1 WHERE id = 1", {*deleted});
}

Result<int64_t> CountResources(Connection& c) {
  auto rows = c.Query("SELECT n FROM resource_count WHERE id = 1");
  if (!rows.ok()) return rows.error();
  return rows->at(0).Int(0);
}

Result<std::vector<ResourceRecord>> ListResources(Connection& c, std::string_view workspace_id,
                                                  const ResourceFilter& filter,
                                                  std::string_view after_id, int limit) {
  std::string sql = "SELECT " + std::string(kResourceColumns) +
                    " FROM resources WHERE workspace_id = $1 AND id > $2";
  std::vector<Value> params = {std::string(workspace_id), std::string(after_id)};
  if (!filter.kind.empty()) {
    params.emplace_back(filter.kind);
    sql += " AND kind = $" + std::to_string(params.size());
  }
  for (const auto& [key, value] : filter.labels) {
    params.emplace_back(key);
    std::string key_param = "$" + std::to_string(params.size());
    params.emplace_back(value);
    std::string value_param = "$" + std::to_string(params.size());
    sql += " AND id IN (SELECT resource_id FROM resource_labels WHERE key = " + key_param +
           " AND value = " + value_param + ")";
  }
  params.emplace_back(int64_t{limit});
  sql += " ORDER BY id LIMIT $" + std::to_string(params.size());
  auto rows = c.Query(sql, params);
  if (!rows.ok()) return rows.error();
  std::vector<ResourceRecord> out;
  for (const auto& r : *rows) out.push_back(ToResource(r));
  return out;
}

}  // namespace bulkhead::store::tenant
