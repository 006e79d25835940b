#pragma once
// Organizations' own data on PostgreSQL: schema `org_<id as 32 hex digits>` each, created and
// migrated when the organization is created, dropped inside the catalog transaction that
// deletes it. The name comes from the immutable id, never from the slug.
// Thread-safety: thread-safe.

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "store/postgres_database.hpp"
#include "store/tenant_store.hpp"

namespace bulkhead::store {

class PostgresTenantDatabases final : public TenantDatabases {
 public:
  PostgresTenantDatabases(std::shared_ptr<PostgresPool> pool, Database& catalog)
      : pool_(std::move(pool)), catalog_(catalog) {}

  Status Create(const TenantKey& key) override;
  Result<std::shared_ptr<Database>> Open(const TenantKey& key) override;
  Status DropWithin(Connection& catalog, const TenantKey& key) override;
  void Destroy(const TenantKey& key) override;
  Result<int> Migrate(const TenantKey& key) override;
  bool CreatesInCatalogTransaction() const override { return true; }
  Status CreateWithin(Connection& catalog, const TenantKey& key,
                      const std::function<Status(Connection&)>& seed) override;

 private:
  std::shared_ptr<PostgresPool> pool_;
  Database& catalog_;
  std::mutex mu_;
  // Views of schemas known to exist; bounded (emptied when full, views are cheap to remake).
  std::unordered_map<std::string, std::shared_ptr<Database>> open_;  // GUARDED_BY(mu_)
};

}  // namespace bulkhead::store
