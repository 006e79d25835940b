#include "cli/data_dir.hpp"

#include <sys/resource.h>
#include <sys/stat.h>

#include "crypto/password.hpp"
#include "store/migrations.hpp"
#include "store/sqlite_database.hpp"

namespace bulkhead::cli {

core::Result<DataDirectory> OpenDataDirectory(const std::filesystem::path& dir, int pool_size,
                                              service::ServiceConfig config) {
  crypto::InitCrypto();
  // Open tenant databases hold file descriptors; take every one the system allows.
  rlimit files{};
  if (::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &files);
  }
  ::umask(077);  // every file and directory the process creates is private to its user
  std::error_code ec;
  std::filesystem::create_directories(dir / "tenants", ec);
  if (ec) {
    return core::Error::Internal("cannot create data directory " + dir.string() + ": " +
                                 ec.message());
  }
  DataDirectory d;
  auto catalog = store::SqliteDatabase::Open(dir / "catalog.db", pool_size);
  if (!catalog.ok()) return catalog.error();
  d.catalog = std::move(catalog).value();
  {
    auto lease = d.catalog->Acquire();
    BULKHEAD_TRY(store::Migrate(*lease, store::CatalogMigrations()));
  }
  d.tenants = std::make_unique<store::TenantDatabases>(dir / "tenants", 256);
  d.cache = std::make_unique<service::CatalogCache>();
  d.throttle = std::make_unique<service::LoginThrottle>();
  d.env = std::make_unique<service::Environment>(
      service::Environment{*d.catalog, *d.tenants, *d.cache, *d.throttle, std::move(config)});
  return d;
}

}  // namespace bulkhead::cli
