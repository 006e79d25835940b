#pragma once
// Opening a data directory: DATA/catalog.db (migrated) and DATA/tenants/, private to the
// server's user (directories 0700, files 0600).

#include <filesystem>
#include <memory>
#include <string>

#include "core/result.hpp"
#include "service/catalog_cache.hpp"
#include "service/environment.hpp"
#include "service/login_throttle.hpp"
#include "store/database.hpp"
#include "store/tenant_store.hpp"

namespace bulkhead::cli {

// Everything a process needs to run use cases against one data directory.
struct DataDirectory {
  std::unique_ptr<store::Database> catalog;
  std::unique_ptr<store::TenantDatabases> tenants;
  std::unique_ptr<service::CatalogCache> cache;
  std::unique_ptr<service::LoginThrottle> throttle;
  std::unique_ptr<service::Environment> env;
};

core::Result<DataDirectory> OpenDataDirectory(const std::filesystem::path& dir, int pool_size,
                                              service::ServiceConfig config);

}  // namespace bulkhead::cli
