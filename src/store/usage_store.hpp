#pragma once
// Usage per organization and UTC day (catalog table usage_daily). Counters are added to;
// gauges keep the day's latest sample. Thread-safety: functions, on the caller's connection.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/database.hpp"

namespace bulkhead::store {

// What an organization's database holds, sampled together.
struct UsageGauges {
  int64_t members = 0;
  int64_t workspaces = 0;
  int64_t resources = 0;
  int64_t stored_bytes = 0;
};

struct UsageRecord {
  std::string organization_id;
  std::string day;  // "YYYY-MM-DD"
  int64_t requests = 0;
  int64_t writes = 0;
  std::optional<UsageGauges> gauges;  // absent until sampled that day
};

namespace usage {

// Adds the counters to the (organization, day) row, creating it; replaces its gauges when
// the record carries some.
Status Add(Connection& c, const UsageRecord& record);
// Rows with from <= day <= to, by organization then day; one organization or all ("").
Result<std::vector<UsageRecord>> List(Connection& c, std::string_view organization_id,
                                      std::string_view from, std::string_view to);
// The latest sampled gauges of each organization before `day` (one organization or all), so
// that days without a sample can carry the last known value forward.
Result<std::vector<UsageRecord>> LatestGaugesBefore(Connection& c, std::string_view organization_id,
                                                    std::string_view day);

}  // namespace usage

namespace tenant {
// Bytes the organization's database occupies (SQLite: its pages; PostgreSQL: its schema's
// tables with their indexes and TOAST).
Result<int64_t> StoredBytes(Connection& c);
}  // namespace tenant

}  // namespace bulkhead::store
