#include "service/tenant_migrator.hpp"

#include <atomic>
#include <mutex>
#include <thread>

#include "service/tenant_resolver.hpp"
#include "store/migrations.hpp"

namespace bulkhead::service {

core::Result<MigrationSummary> TenantMigrator::MigrateAll(
    int jobs, const std::function<void(int, int)>& progress) {
  MigrationSummary summary;
  std::vector<std::string> pending;
  {
    auto lease = env_.catalog.Acquire();
    auto total = lease->Query("SELECT COUNT(*) FROM organizations");
    if (!total.ok()) return total.error();
    summary.total_tenants = static_cast<int>(total->at(0).Int(0));
    auto rows = lease->Query(
        "SELECT o.id FROM organizations o LEFT JOIN tenant_versions v ON v.organization_id = o.id"
        " WHERE v.version IS NULL OR v.version < $1 ORDER BY o.id",
        {int64_t{store::LatestVersion(store::TenantMigrations())}});
    if (!rows.ok()) return rows.error();
    for (const auto& r : *rows) pending.push_back(r.Text(0));
  }
  summary.pending = static_cast<int>(pending.size());
  if (pending.empty()) return summary;

  std::atomic<std::size_t> next{0};
  std::mutex mu;
  int done = 0;
  auto work = [&] {
    while (true) {
      std::size_t i = next.fetch_add(1);
      if (i >= pending.size()) return;
      auto migrated = env_.tenants.Migrate(TenantAccess::KeyFor(pending[i]));
      std::lock_guard lock(mu);
      if (migrated.ok()) {
        ++summary.migrated;
      } else {
        summary.failed.push_back(pending[i] + ": " + migrated.error().message);
      }
      ++done;
      if (progress) progress(done, summary.pending);
    }
  };
  std::vector<std::thread> workers;
  for (int j = 0; j < std::max(1, jobs); ++j) workers.emplace_back(work);
  for (auto& w : workers) w.join();
  return summary;
}

}  // namespace bulkhead::service
