#pragma once
// The embedded engine: one SQLite file in WAL mode with synchronous=FULL (an acknowledged
// commit is on disk; it survives kill -9 and power loss), a busy timeout, and a per-connection
// cache of prepared statements. Readers never block the writer or each other.
// Thread-safety: SqliteDatabase is thread-safe; its connections are handed out one at a time.

#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <vector>

#include "store/database.hpp"

namespace bulkhead::store {

class SqliteDatabase final : public Database {
 public:
  // Opens (creating when absent) the file with `pool_size` connections. File modes follow the
  // process umask, which `serve` sets to 077.
  static Result<std::unique_ptr<SqliteDatabase>> Open(const std::filesystem::path& path,
                                                      int pool_size);
  ~SqliteDatabase() override;

  Lease Acquire() override;
  void Release(std::unique_ptr<Connection> connection) override;
  const std::filesystem::path& path() const { return path_; }

 private:
  explicit SqliteDatabase(std::filesystem::path path) : path_(std::move(path)) {}

  std::filesystem::path path_;
  std::mutex mu_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Connection>> idle_;  // GUARDED_BY(mu_)
};

// Removes a database file and its -wal and -shm companions.
void RemoveSqliteFiles(const std::filesystem::path& path);

}  // namespace bulkhead::store
