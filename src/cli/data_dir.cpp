#include "cli/data_dir.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>

#include "crypto/password.hpp"
#include "store/migrations.hpp"
#include "store/postgres_tenants.hpp"
#include "store/sqlite_database.hpp"

namespace bulkhead::cli {
namespace {

constexpr int64_t kMigrationLockKey = 0x62756c6b68656164;  // "bulkhead"

class PostgresMigrationLock final : public MigrationLock {
 public:
  explicit PostgresMigrationLock(store::Database::Lease lease) : lease_(std::move(lease)) {}
  ~PostgresMigrationLock() override {
    (void)lease_->Query("SELECT pg_advisory_unlock($1)", {kMigrationLockKey});
  }

 private:
  store::Database::Lease lease_;
};

class FileMigrationLock final : public MigrationLock {
 public:
  explicit FileMigrationLock(int fd) : fd_(fd) {}
  ~FileMigrationLock() override {
    ::flock(fd_, LOCK_UN);
    ::close(fd_);
  }

 private:
  int fd_;
};

}  // namespace

core::Result<DataDirectory> OpenDataDirectory(const StorageOptions& options,
                                              service::ServiceConfig config) {
  crypto::InitCrypto();
  // Open tenant databases hold file descriptors; take every one the system allows.
  rlimit files{};
  if (::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &files);
  }
  ::umask(077);  // every file and directory the process creates is private to its user
  const auto& dir = options.data;
  std::error_code ec;
  std::filesystem::create_directories(options.database_url.empty() ? dir / "tenants" : dir, ec);
  if (ec) {
    return core::Error::Internal("cannot create data directory " + dir.string() + ": " +
                                 ec.message());
  }
  // A directory made beforehand (by an operator, a volume mount) may be open to others.
  if ((std::filesystem::status(dir, ec).permissions() &
       (std::filesystem::perms::group_all | std::filesystem::perms::others_all)) !=
      std::filesystem::perms::none) {
    std::filesystem::permissions(dir, std::filesystem::perms::owner_all, ec);
    if (!ec) std::fprintf(stderr, "bulkhead: made data directory %s private (0700)\n", dir.c_str());
  }
  DataDirectory d;
  if (options.database_url.empty()) {
    auto catalog = store::SqliteDatabase::Open(dir / "catalog.db", options.pool_size);
    if (!catalog.ok()) return catalog.error();
    d.catalog = std::move(catalog).value();
  } else {
    auto pool = store::PostgresPool::Open(options.database_url, options.pool_size);
    if (!pool.ok()) return pool.error();
    d.pool = *pool;
    d.catalog = d.pool->Schema("bulkhead");
    // Instances starting together must not create the schema and tables twice: migrate the
    // catalog under the migration lock, on the connection that holds it.
    auto lease = d.catalog->Acquire();
    auto locked = lease->Query("SELECT pg_advisory_lock($1)", {kMigrationLockKey});
    if (!locked.ok()) return locked.error();
    core::Status migrated = lease->ExecuteScript("CREATE SCHEMA IF NOT EXISTS bulkhead");
    if (migrated.ok()) migrated = store::Migrate(*lease, store::CatalogMigrations());
    (void)lease->Query("SELECT pg_advisory_unlock($1)", {kMigrationLockKey});
    BULKHEAD_TRY(migrated);
  }
  if (!d.postgres()) {
    auto lease = d.catalog->Acquire();
    BULKHEAD_TRY(store::Migrate(*lease, store::CatalogMigrations()));
  }
  if (d.postgres()) {
    d.tenants = std::make_unique<store::PostgresTenantDatabases>(d.pool, *d.catalog);
  } else {
    d.tenants = std::make_unique<store::SqliteTenantDatabases>(*d.catalog, dir / "tenants", 256);
  }
  d.cache = std::make_unique<service::CatalogCache>();
  d.throttle = std::make_unique<service::LoginThrottle>();
  d.keys = std::make_unique<service::KeyRing>(options.master_key, options.previous_master_keys);
  d.env = std::make_unique<service::Environment>(service::Environment{
      *d.catalog, *d.tenants, *d.cache, *d.throttle, *d.keys, std::move(config)});
  return d;
}

core::Result<DataDirectory> OpenExistingStorage(const StorageOptions& options,
                                                service::ServiceConfig config) {
  if (options.database_url.empty() && !std::filesystem::exists(options.data / "catalog.db")) {
    return core::Error::NotFound("no Bulkhead data directory at " + options.data.string() +
                                 " (catalog.db)");
  }
  return OpenDataDirectory(options, std::move(config));
}

core::Result<std::unique_ptr<MigrationLock>> LockMigrations(DataDirectory& storage,
                                                            const StorageOptions& options) {
  if (storage.postgres()) {
    // A session-level lock on a connection held until the run ends (or the process dies).
    auto lease = storage.catalog->Acquire();
    auto locked = lease->Query("SELECT pg_advisory_lock($1)", {kMigrationLockKey});
    if (!locked.ok()) return locked.error();
    return std::unique_ptr<MigrationLock>(new PostgresMigrationLock(std::move(lease)));
  }
  auto path = options.data / "migrate.lock";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return core::Error::Internal("cannot open " + path.string());
  if (::flock(fd, LOCK_EX) != 0) {
    ::close(fd);
    return core::Error::Internal("cannot lock " + path.string());
  }
  return std::unique_ptr<MigrationLock>(new FileMigrationLock(fd));
}

}  // namespace bulkhead::cli
