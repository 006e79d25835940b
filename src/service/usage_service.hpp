#pragma once
// Usage figures for people and billing systems: an organization's days (GET …/usage) and
// every organization's rows for a period (bulkhead usage export). Counters come from the
// catalog's usage_daily plus, in a server, what its meter has not flushed yet; gauges that
// were not sampled on a day carry the last sample before it forward (they change only by
// writes, which are sampled at the next flush).
// Thread-safety: thread-safe.

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "service/environment.hpp"
#include "service/tenant_resolver.hpp"
#include "service/usage_meter.hpp"
#include "store/usage_store.hpp"

namespace bulkhead::service {

// The longest period one request may ask for.
inline constexpr int64_t kMaxUsageDays = 366;

struct UsageDay {
  std::string day;  // "YYYY-MM-DD"
  UsageCounters counters;
  store::UsageGauges gauges;
};

struct UsageReport {
  std::string from;
  std::string to;
  std::vector<UsageDay> days;  // every day of the period, oldest first
  UsageCounters totals;
};

struct UsageExportRow {
  std::string organization_id;
  std::string slug;  // empty when the organization has been deleted since
  UsageDay usage;
};

class UsageService {
 public:
  // `meter` is null outside a server (the CLI reads what was flushed).
  UsageService(Environment& env, const UsageMeter* meter) : env_(env), meter_(meter) {}

  // Days are days since the epoch (core/day.hpp); kValidationFailed when from > to or the
  // period is longer than kMaxUsageDays. Today's gauges are sampled live.
  core::Result<UsageReport> ForOrganization(const TenantContext& tenant, int64_t from, int64_t to);
  // One row per organization and day with usage, by organization id then day.
  core::Result<std::vector<UsageExportRow>> Export(int64_t from, int64_t to);

 private:
  Environment& env_;
  const UsageMeter* meter_;
};

}  // namespace bulkhead::service
