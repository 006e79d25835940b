#pragma once
// The embedded engine: one SQLite file in WAL mode with synchronous=FULL (an acknowledged
// commit is on disk; it survives kill -9 and power loss), a busy timeout, and a per-connection
// cache of prepared statements. Readers never block the writer or each other.
// Write() commits concurrent callers together: the first caller to find no commit under way
// leads, runs every queued change (its own included) in one transaction, a savepoint each,
// and commits once; the changes that queued meanwhile form the next group. One fsync then
// covers a group, which is what lets a single file take thousands of durable writes a second.
// Thread-safety: SqliteDatabase is thread-safe; its connections are handed out one at a time.

#include <condition_variable>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <vector>

#include "store/database.hpp"

namespace bulkhead::store {

class SqliteDatabase final : public Database {
 public:
  // Opens (creating when absent) the file with one connection; Acquire opens more while all are
  // busy, up to `pool_size` (an organization's database that sees one request at a time keeps
  // one connection and its one page cache). File modes follow the process umask, which `serve`
  // sets to 077.
  // With `create` false a missing file is an error (a deleted organization's database is never
  // made again by a late request).
  static Result<std::unique_ptr<SqliteDatabase>> Open(const std::filesystem::path& path,
                                                      int pool_size, bool create = true);
  ~SqliteDatabase() override;

  Lease Acquire() override;
  void Release(std::unique_ptr<Connection> connection) override;
  Status Write(const std::function<Status(Connection&)>& change) override;
  const std::filesystem::path& path() const { return path_; }

 private:
  struct PendingWrite;
  SqliteDatabase(std::filesystem::path path, int pool_size)
      : path_(std::move(path)), pool_size_(pool_size) {}
  // Runs `group` in one transaction (more than one when a change aborts it) and sets each
  // member's status.
  void CommitGroup(const std::vector<PendingWrite*>& group);

  std::filesystem::path path_;
  const int pool_size_;
  std::mutex mu_;
  int opened_ = 0;  // GUARDED_BY(mu_)
  // Held by this process's write transaction from BEGIN to its end (SqliteConnection::Begin).
  std::timed_mutex writer_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Connection>> idle_;  // GUARDED_BY(mu_)

  std::mutex write_mu_;
  std::deque<PendingWrite*> write_queue_;  // GUARDED_BY(write_mu_)
  bool committing_ = false;                // GUARDED_BY(write_mu_)
};

// For bulk loads only (bench/seed): connections opened afterwards commit without fsync
// (synchronous=OFF): a power loss can corrupt the files. Never set by the server.
void SetSqliteBulkLoad(bool bulk_load);

// Removes a database file and its -wal and -shm companions.
void RemoveSqliteFiles(const std::filesystem::path& path);

}  // namespace bulkhead::store
