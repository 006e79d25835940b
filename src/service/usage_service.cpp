#include "service/usage_service.hpp"

#include <map>

#include "core/day.hpp"
#include "core/time.hpp"
#include "store/catalog_store.hpp"

namespace bulkhead::service {

using core::Error;

namespace {

core::Status CheckPeriod(int64_t from, int64_t to) {
  if (from > to) return Error::Validation("from", "must not be after to");
  if (to - from + 1 > kMaxUsageDays) {
    return Error::Validation("from",
                             "the period is at most " + std::to_string(kMaxUsageDays) + " days");
  }
  return core::Ok();
}

}  // namespace

core::Result<UsageReport> UsageService::ForOrganization(const TenantContext& tenant, int64_t from,
                                                        int64_t to) {
  BULKHEAD_TRY(CheckPeriod(from, to));
  const std::string& id = tenant.organization.id;
  std::vector<store::UsageRecord> rows;
  std::optional<store::UsageGauges> carried;
  // Flushed rows and this instance's pending counts, read as one (see UsageMeter).
  std::shared_lock<std::shared_mutex> consistent;
  if (meter_) consistent = meter_->ReadConsistently();
  {
    auto lease = env_.catalog.Acquire();
    auto listed = store::usage::List(*lease, id, core::FormatDay(from), core::FormatDay(to));
    if (!listed.ok()) return listed.error();
    rows = std::move(*listed);
    auto before = store::usage::LatestGaugesBefore(*lease, id, core::FormatDay(from));
    if (!before.ok()) return before.error();
    if (!before->empty()) carried = before->front().gauges;
  }
  int64_t today = core::DayOf(core::NowMs());
  UsageReport report{core::FormatDay(from), core::FormatDay(to), {}, {}};
  report.days.reserve(static_cast<std::size_t>(to - from + 1));
  std::size_t next = 0;
  for (int64_t day = from; day <= to; ++day) {
    UsageDay out{core::FormatDay(day), {}, {}};
    if (next < rows.size() && rows[next].day == out.day) {
      out.counters = {rows[next].requests, rows[next].writes};
      if (rows[next].gauges) carried = rows[next].gauges;
      ++next;
    }
    if (meter_) {
      auto pending = meter_->Pending(id, day);
      out.counters.requests += pending.requests;
      out.counters.writes += pending.writes;
    }
    if (day == today) {
      auto live = SampleUsageGauges(env_, tenant.key);
      if (!live.ok()) return live.error();
      carried = *live;
    }
    // Days after today have no usage yet.
    if (carried && day <= today) out.gauges = *carried;
    report.totals.requests += out.counters.requests;
    report.totals.writes += out.counters.writes;
    report.days.push_back(std::move(out));
  }
  return report;
}

core::Result<std::vector<UsageExportRow>> UsageService::Export(int64_t from, int64_t to) {
  if (from > to) return Error::Validation("from", "must not be after to");
  auto lease = env_.catalog.Acquire();
  auto rows = store::usage::List(*lease, "", core::FormatDay(from), core::FormatDay(to));
  if (!rows.ok()) return rows.error();
  auto before = store::usage::LatestGaugesBefore(*lease, "", core::FormatDay(from));
  if (!before.ok()) return before.error();
  std::map<std::string, store::UsageGauges> carried;
  for (const auto& r : *before) carried[r.organization_id] = *r.gauges;
  auto organizations = store::catalog::ListOrganizations(*lease);
  if (!organizations.ok()) return organizations.error();
  std::map<std::string, std::string> slugs;
  for (const auto& o : *organizations) slugs[o.id] = o.slug;

  std::vector<UsageExportRow> out;
  out.reserve(rows->size());
  for (const auto& r : *rows) {
    if (r.gauges) carried[r.organization_id] = *r.gauges;
    UsageExportRow row{r.organization_id, "", {r.day, {r.requests, r.writes}, {}}};
    if (auto it = carried.find(r.organization_id); it != carried.end())
      row.usage.gauges = it->second;
    if (auto it = slugs.find(r.organization_id); it != slugs.end()) row.slug = it->second;
    out.push_back(std::move(row));
  }
  return out;
}

}  // namespace bulkhead::service
