#include "store/usage_store.hpp"

#include "core/time.hpp"
#include "store/query.hpp"

namespace bulkhead::store {
namespace {

Value OptionalInt(const std::optional<UsageGauges>& gauges, int64_t UsageGauges::*field) {
  return gauges ? Value{(*gauges).*field} : Value{nullptr};
}

UsageRecord ToUsage(const Row& r) {
  UsageRecord u{r.Text(0), r.Text(1), r.Int(2), r.Int(3), std::nullopt};
  if (!r.IsNull(4)) u.gauges = UsageGauges{r.Int(4), r.Int(5), r.Int(6), r.Int(7)};
  return u;
}

constexpr std::string_view kUsageColumns =
    "organization_id, day, requests, writes, members, workspaces, resources, stored_bytes";

}  // namespace

namespace usage {

Status Add(Connection& c, const UsageRecord& u) {
  // Gauges are written together: all four or none.
  return ExecuteStatus(
      c,
      "INSERT INTO usage_daily (organization_id, day, requests, writes, members, workspaces,"
      " resources, stored_bytes, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
      " ON CONFLICT (organization_id, day) DO UPDATE SET"
      " requests = usage_daily.requests + excluded.requests,"
      " writes = usage_daily.writes + excluded.writes,"
      " members = COALESCE(excluded.members, usage_daily.members),"
      " workspaces = COALESCE(excluded.workspaces, usage_daily.workspaces),"
      " resources = COALESCE(excluded.resources, usage_daily.resources),"
      " stored_bytes = COALESCE(excluded.stored_bytes, usage_daily.stored_bytes),"
      " updated_at = excluded.updated_at",
      {u.organization_id, u.day, u.requests, u.writes, OptionalInt(u.gauges, &UsageGauges::members),
       OptionalInt(u.gauges, &UsageGauges::workspaces),
       OptionalInt(u.gauges, &UsageGauges::resources),
       OptionalInt(u.gauges, &UsageGauges::stored_bytes), core::NowMs()});
}

Result<std::vector<UsageRecord>> List(Connection& c, std::string_view organization_id,
                                      std::string_view from, std::string_view to) {
  std::string sql =
      "SELECT " + std::string(kUsageColumns) + " FROM usage_daily WHERE day >= $1 AND day <= $2";
  std::vector<Value> params = {std::string(from), std::string(to)};
  if (!organization_id.empty()) {
    sql += " AND organization_id = $3";
    params.emplace_back(std::string(organization_id));
  }
  sql += " ORDER BY organization_id, day";
  return QueryAll<UsageRecord>(c, sql, params, ToUsage);
}

Result<std::vector<UsageRecord>> LatestGaugesBefore(Connection& c, std::string_view organization_id,
                                                    std::string_view day) {
  std::string filter = organization_id.empty() ? "" : " AND organization_id = $2";
  std::string sql =
      "SELECT u.organization_id, u.day, u.requests, u.writes, u.members,"
      " u.workspaces, u.resources, u.stored_bytes FROM usage_daily u JOIN"
      " (SELECT organization_id, MAX(day) AS day FROM usage_daily"
      " WHERE day < $1 AND members IS NOT NULL" +
      filter +
      " GROUP BY organization_id) l"
      " ON u.organization_id = l.organization_id AND u.day = l.day";
  std::vector<Value> params = {std::string(day)};
  if (!organization_id.empty()) params.emplace_back(std::string(organization_id));
  sql += " ORDER BY u.organization_id";
  return QueryAll<UsageRecord>(c, sql, params, ToUsage);
}

}  // namespace usage

namespace tenant {

Result<int64_t> StoredBytes(Connection& c) {
  auto rows = c.dialect() == Dialect::kPostgres
                  ? c.Query(
                        "SELECT COALESCE(SUM(pg_total_relation_size(t.oid)), 0)::BIGINT"
                        " FROM pg_class t JOIN pg_namespace n ON n.oid = t.relnamespace"
                        " WHERE n.nspname = current_schema() AND t.relkind = 'r'")
                  : c.Query(
                        "SELECT page_count * page_size FROM pragma_page_count(),"
                        " pragma_page_size()");
  if (!rows.ok()) return rows.error();
  return rows->at(0).Int(0);
}

}  // namespace tenant
}  // namespace bulkhead::store
