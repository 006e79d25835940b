// `bulkhead usage export`: every organization's usage per day, for billing systems. Reads what
// servers have flushed (at most one flush interval behind them).

#include <cstdio>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/data_dir.hpp"
#include "core/day.hpp"
#include "service/usage_service.hpp"

namespace bulkhead::cli {
namespace {

// Slugs are a-z 0-9 -, ids UUIDs: no CSV field ever needs quoting.
void PrintCsv(const std::vector<service::UsageExportRow>& rows) {
  std::printf(
      "organization_id,slug,date,requests,writes,members,workspaces,resources,stored_bytes\n");
  for (const auto& r : rows) {
    const auto& u = r.usage;
    std::printf("%s,%s,%s,%lld,%lld,%lld,%lld,%lld,%lld\n", r.organization_id.c_str(),
                r.slug.c_str(), u.day.c_str(), static_cast<long long>(u.counters.requests),
                static_cast<long long>(u.counters.writes), static_cast<long long>(u.gauges.members),
                static_cast<long long>(u.gauges.workspaces),
                static_cast<long long>(u.gauges.resources),
                static_cast<long long>(u.gauges.stored_bytes));
  }
}

void PrintJson(const std::vector<service::UsageExportRow>& rows) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& r : rows) {
    const auto& u = r.usage;
    out.push_back({{"organization_id", r.organization_id},
                   {"slug", r.slug.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.slug)},
                   {"date", u.day},
                   {"requests", u.counters.requests},
                   {"writes", u.counters.writes},
                   {"members", u.gauges.members},
                   {"workspaces", u.gauges.workspaces},
                   {"resources", u.gauges.resources},
                   {"stored_bytes", u.gauges.stored_bytes}});
  }
  std::cout << out.dump(2) << "\n";
}

}  // namespace

int RunUsageExport(const StorageOptions& storage, const std::string& from_text,
                   const std::string& to_text, const std::string& format) {
  auto from = core::ParseDay("--from", from_text);
  if (!from.ok()) return Fail("--from must be a date, YYYY-MM-DD", 2);
  auto to = core::ParseDay("--to", to_text);
  if (!to.ok()) return Fail("--to must be a date, YYYY-MM-DD", 2);
  if (*from > *to) return Fail("--from must not be after --to", 2);
  if (format != "csv" && format != "json") return Fail("--format must be csv or json", 2);
  auto dir = OpenExistingStorage(storage);
  if (!dir.ok()) return Fail(dir.error().message, 1);
  service::UsageService usage(*dir->env, nullptr);
  auto rows = usage.Export(*from, *to);
  if (!rows.ok()) return Fail(rows.error().message, 1);
  if (format == "csv") {
    PrintCsv(*rows);
  } else {
    PrintJson(*rows);
  }
  return 0;
}

}  // namespace bulkhead::cli
