#pragma once
// Opening the storage a process works on: the data directory (logs, outbox, and with the
// embedded engine DATA/catalog.db and DATA/tenants/), or PostgreSQL when a database URL is
// given. The catalog is migrated on open; directories are private to the server's user (0700,
// files 0600).

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "service/catalog_cache.hpp"
#include "service/environment.hpp"
#include "service/login_throttle.hpp"
#include "store/database.hpp"
#include "store/postgres_database.hpp"
#include "store/tenant_store.hpp"

namespace bulkhead::cli {

struct StorageOptions {
  std::filesystem::path data = "./data";
  std::string database_url;  // empty: SQLite under `data`
  int pool_size = 8;
  // 32 bytes (cli/master_key.hpp), or empty for commands that never seal or open data keys.
  std::string master_key;
  std::vector<std::string> previous_master_keys;  // only open data keys (master rotation)
};

// Everything a process needs to run use cases against one store.
struct DataDirectory {
  std::shared_ptr<store::PostgresPool> pool;  // PostgreSQL only; outlives the views below
  std::unique_ptr<store::Database> catalog;
  std::unique_ptr<store::TenantDatabases> tenants;
  std::unique_ptr<service::CatalogCache> cache;
  std::unique_ptr<service::LoginThrottle> throttle;
  std::unique_ptr<service::KeyRing> keys;
  std::unique_ptr<service::Environment> env;
  bool postgres() const { return pool != nullptr; }
};

core::Result<DataDirectory> OpenDataDirectory(const StorageOptions& options,
                                              service::ServiceConfig config);

// For operator commands: like OpenDataDirectory, but a SQLite data directory must exist.
core::Result<DataDirectory> OpenExistingStorage(const StorageOptions& options,
                                                service::ServiceConfig config = {});

// Held while migrations run, so that two runs (a `migrate` and a starting `serve`) never
// race: a PostgreSQL advisory lock, or an exclusive lock on DATA/migrate.lock.
class MigrationLock {
 public:
  virtual ~MigrationLock() = default;
};
core::Result<std::unique_ptr<MigrationLock>> LockMigrations(DataDirectory& storage,
                                                            const StorageOptions& options);

}  // namespace bulkhead::cli
