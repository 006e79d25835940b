#pragma once
// Brings every organization's own database to this build's schema version. What is pending is
// read from the catalog in one query (tenant_versions), so a run with nothing to do takes one
// round trip however many tenants there are. Each tenant migrates in its own transactions, in
// parallel; an interrupted run resumes where it stopped. The caller holds the migration lock.
// Thread-safety: one run at a time per instance.

#include <functional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "service/environment.hpp"

namespace bulkhead::service {

struct MigrationSummary {
  int total_tenants = 0;
  int pending = 0;
  int migrated = 0;
  std::vector<std::string> failed;  // "<org-id>: <error>"
};

class TenantMigrator {
 public:
  explicit TenantMigrator(Environment& env) : env_(env) {}
  // `progress(done, pending)` is called as tenants finish (from worker threads, serialized).
  core::Result<MigrationSummary> MigrateAll(int jobs,
                                            const std::function<void(int, int)>& progress = {});

 private:
  Environment& env_;
};

}  // namespace bulkhead::service
