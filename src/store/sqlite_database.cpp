#include "store/sqlite_database.hpp"

#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <exception>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace bulkhead::store {
namespace {

using core::Error;
using core::ErrorCode;

constexpr int kBusyTimeoutMs = 10000;
std::atomic<bool> bulk_load{false};
// Bounds one group's transaction, so that its leader's own request is not held for long.
constexpr std::size_t kMaxGroup = 512;

Error SqliteError(sqlite3* db, int rc, std::string_view context) {
  std::string message =
      std::string(context) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  int primary = rc & 0xff;
  if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
    return Error::Make(ErrorCode::kConflict, std::move(message));
  }
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
    return Error::Make(ErrorCode::kUnavailable, std::move(message));
  }
  return Error::Internal(std::move(message));
}

}  // namespace

// Write transactions of one process take the database's writer mutex before BEGIN IMMEDIATE:
// in-process writers then queue on a mutex and start the moment the previous one ends, where
// SQLite's busy handler would have them sleep and poll (1, 2, 5 ... 100 ms). Other processes
// (an operator command) still meet the busy timeout.
class SqliteConnection final : public Connection {
 public:
  SqliteConnection(sqlite3* db, std::timed_mutex& writer) : db_(db), writer_(writer) {}
  Dialect dialect() const override { return Dialect::kSqlite; }
  ~SqliteConnection() override {
    for (auto& [sql, prepared] : statements_) sqlite3_finalize(prepared.stmt);
    sqlite3_close_v2(db_);
  }

  Result<Rows> Query(std::string_view sql, const std::vector<Value>& params) override {
    auto stmt = Prepare(sql, params);
    if (!stmt.ok()) return stmt.error();
    Rows rows;
    while (true) {
      int rc = sqlite3_step(*stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) {
        auto error = SqliteError(db_, sqlite3_extended_errcode(db_), "query");
        sqlite3_reset(*stmt);
        return error;
      }
      int n = sqlite3_column_count(*stmt);
      std::vector<Value> values;
      values.reserve(n);
      for (int i = 0; i < n; ++i) {
        switch (sqlite3_column_type(*stmt, i)) {
          case SQLITE_NULL: values.emplace_back(nullptr); break;
          case SQLITE_INTEGER:
            values.emplace_back(static_cast<int64_t>(sqlite3_column_int64(*stmt, i)));
            break;
          default: {
            const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(*stmt, i));
            values.emplace_back(std::string(text, sqlite3_column_bytes(*stmt, i)));
          }
        }
      }
      rows.emplace_back(std::move(values));
    }
    sqlite3_reset(*stmt);
    return rows;
  }

  Result<int64_t> Execute(std::string_view sql, const std::vector<Value>& params) override {
    auto stmt = Prepare(sql, params);
    if (!stmt.ok()) return stmt.error();
    int rc;
    while ((rc = sqlite3_step(*stmt)) == SQLITE_ROW) {
    }
    if (rc != SQLITE_DONE) {
      auto error = SqliteError(db_, sqlite3_extended_errcode(db_), "execute");
      sqlite3_reset(*stmt);
      return error;
    }
    sqlite3_reset(*stmt);
    return static_cast<int64_t>(sqlite3_changes(db_));
  }

  Status ExecuteScript(std::string_view sql) override {
    std::string text(sql);
    char* message = nullptr;
    int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message);
    if (rc != SQLITE_OK) {
      std::string m = message ? message : sqlite3_errstr(rc);
      sqlite3_free(message);
      return Error::Internal("script: " + m);
    }
    return core::Ok();
  }

  Status Begin(bool write) override {
    if (write) {
      if (!writer_.try_lock_for(std::chrono::milliseconds(kBusyTimeoutMs))) {
        return Error::Make(ErrorCode::kUnavailable, "database is busy");
      }
      holds_writer_ = true;
    }
    auto r = Execute(write ? "BEGIN IMMEDIATE" : "BEGIN", {});
    if (!r.ok()) {
      ReleaseWriter();
      return r.error();
    }
    return core::Ok();
  }
  Status Commit() override {
    auto r = Execute("COMMIT", {});
    if (!r.ok()) {
      Rollback();
      return r.error();
    }
    ReleaseWriter();
    return core::Ok();
  }
  void Rollback() override {
    if (!sqlite3_get_autocommit(db_)) (void)Execute("ROLLBACK", {});
    ReleaseWriter();
  }
  // False once SQLite rolled the transaction back by itself (a full disk, an I/O error).
  bool InTransaction() const { return !sqlite3_get_autocommit(db_); }

 private:
  // Prepared once per connection and SQL text; parameters are named $1..$n, bound by name so
  // that the order of first appearance does not matter. The positions of $1..$n are looked up
  // once per statement, and the cache is searched by the text without copying it: both were a
  // tenth of a write's instructions.
  Result<sqlite3_stmt*> Prepare(std::string_view sql, const std::vector<Value>& params) {
    auto it = statements_.find(sql);
    if (it == statements_.end()) {
      sqlite3_stmt* stmt = nullptr;
      int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                  SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
      if (rc != SQLITE_OK) return SqliteError(db_, rc, "prepare");
      it = statements_.emplace(std::string(sql), PreparedStatement{stmt, {}}).first;
    }
    PreparedStatement& prepared = it->second;
    sqlite3_stmt* stmt = prepared.stmt;
    while (prepared.positions.size() < params.size()) {
      std::string name = "$" + std::to_string(prepared.positions.size() + 1);
      prepared.positions.push_back(sqlite3_bind_parameter_index(stmt, name.c_str()));
    }
    sqlite3_clear_bindings(stmt);
    for (std::size_t i = 0; i < params.size(); ++i) {
      int index = prepared.positions[i];
      if (index == 0) continue;  // a parameter the statement does not use
      int rc = SQLITE_OK;
      const Value& v = params[i];
      if (std::holds_alternative<std::nullptr_t>(v)) {
        rc = sqlite3_bind_null(stmt, index);
      } else if (const auto* n = std::get_if<int64_t>(&v)) {
        rc = sqlite3_bind_int64(stmt, index, *n);
      } else {
        const auto& s = std::get<std::string>(v);
        rc = sqlite3_bind_text(stmt, index, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
      }
      if (rc != SQLITE_OK) return SqliteError(db_, rc, "bind");
    }
    return stmt;
  }

  void ReleaseWriter() {
    if (holds_writer_) {
      holds_writer_ = false;
      writer_.unlock();
    }
  }

  sqlite3* db_;
  std::timed_mutex& writer_;
  bool holds_writer_ = false;
  struct PreparedStatement {
    sqlite3_stmt* stmt;
    std::vector<int> positions;  // of $1, $2, ... in the statement; 0 = not used
  };
  // Looked up by a string_view (no allocation per statement).
  struct TextHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const {
      return std::hash<std::string_view>{}(text);
    }
  };
  std::unordered_map<std::string, PreparedStatement, TextHash, std::equal_to<>> statements_;
};

namespace {

Result<std::unique_ptr<Connection>> OpenConnection(const std::filesystem::path& path,
                                                   std::timed_mutex& writer, bool create) {
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    auto error = SqliteError(db, rc, "open " + path.string());
    sqlite3_close_v2(db);
    return error;
  }
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  auto connection = std::make_unique<SqliteConnection>(db, writer);
  BULKHEAD_TRY(connection->ExecuteScript(
      std::string("PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;") +
      (bulk_load ? "PRAGMA synchronous=OFF;" : "PRAGMA synchronous=FULL;")));
  return std::unique_ptr<Connection>(std::move(connection));
}

}  // namespace

int64_t Row::Int(std::size_t i) const {
  const auto& v = values_.at(i);
  if (const auto* n = std::get_if<int64_t>(&v)) return *n;
  if (const auto* s = std::get_if<std::string>(&v)) return std::stoll(*s);
  return 0;
}

const std::string& Row::Text(std::size_t i) const {
  static const std::string kEmpty;
  const auto* s = std::get_if<std::string>(&values_.at(i));
  return s ? *s : kEmpty;
}

std::optional<std::string> Row::OptionalText(std::size_t i) const {
  if (IsNull(i)) return std::nullopt;
  return Text(i);
}

Result<std::unique_ptr<SqliteDatabase>> SqliteDatabase::Open(const std::filesystem::path& path,
                                                             int pool_size, bool create) {
  // Private constructor.
  std::unique_ptr<SqliteDatabase> database(new SqliteDatabase(path, std::max(pool_size, 1)));
  auto connection = OpenConnection(path, database->writer_, create);
  if (!connection.ok()) return connection.error();
  database->idle_.push_back(std::move(connection).value());
  database->opened_ = 1;
  return database;
}

SqliteDatabase::~SqliteDatabase() = default;

Database::Lease SqliteDatabase::Acquire() {
  std::unique_lock lock(mu_);
  if (idle_.empty() && opened_ < pool_size_) {
    ++opened_;
    lock.unlock();
    auto connection = OpenConnection(path_, writer_, /*create=*/false);
    if (connection.ok()) return Lease(*this, std::move(connection).value());
    lock.lock();  // out of descriptors or memory: wait for one of the open connections
    --opened_;
  }
  available_.wait(lock, [this] { return !idle_.empty(); });
  auto connection = std::move(idle_.back());
  idle_.pop_back();
  return Lease(*this, std::move(connection));
}

void SqliteDatabase::Release(std::unique_ptr<Connection> connection) {
  connection->Rollback();  // a lease never carries an open transaction to the next user
  {
    std::lock_guard lock(mu_);
    idle_.push_back(std::move(connection));
  }
  available_.notify_one();
}

struct SqliteDatabase::PendingWrite {
  const std::function<Status(Connection&)>* change = nullptr;
  Status status = core::Ok();
  std::exception_ptr exception;
  bool done = false;  // GUARDED_BY(write_mu_)
  bool lead = false;  // GUARDED_BY(write_mu_): run the next group
  // Its own, so that finishing a group wakes exactly its members and the next leader.
  std::condition_variable wake;
};

Status SqliteDatabase::Write(const std::function<Status(Connection&)>& change) {
  PendingWrite self;
  self.change = &change;
  std::unique_lock lock(write_mu_);
  write_queue_.push_back(&self);
  if (!committing_) {
    committing_ = true;  // nothing under way, so the queue held nothing else: lead at once
    self.lead = true;
  } else {
    self.wake.wait(lock, [&] { return self.done || self.lead; });
  }
  if (!self.done) {
    std::size_t n = std::min(write_queue_.size(), kMaxGroup);
    std::vector<PendingWrite*> group(write_queue_.begin(), write_queue_.begin() + n);
    write_queue_.erase(write_queue_.begin(), write_queue_.begin() + n);
    lock.unlock();
    try {
      CommitGroup(group);
    } catch (...) {  // outside any change (no connection, no memory): the group's fate is unknown
      for (auto* w : group) w->exception = std::current_exception();
    }
    lock.lock();
    for (auto* w : group) {
      w->done = true;
      if (w != &self) w->wake.notify_one();
    }
    if (write_queue_.empty()) {
      committing_ = false;
    } else {  // those that queued during this commit are the next group
      write_queue_.front()->lead = true;
      write_queue_.front()->wake.notify_one();
    }
  }
  if (self.exception) std::rethrow_exception(self.exception);
  return self.status;
}

void SqliteDatabase::CommitGroup(const std::vector<PendingWrite*>& group) {
  auto lease = Acquire();
  auto& connection = static_cast<SqliteConnection&>(*lease);
  std::size_t next = 0;
  while (next < group.size()) {
    std::size_t first = next;
    Status begun = connection.Begin(/*write=*/true);
    std::vector<PendingWrite*> applied;
    bool aborted = false;
    for (; begun.ok() && next < group.size() && !aborted; ++next) {
      PendingWrite& w = *group[next];
      Status status = core::Ok();
      auto savepoint = connection.Execute("SAVEPOINT bulkhead_write", {});
      if (!savepoint.ok()) {
        status = savepoint.error();
      } else {
        try {
          status = (*w.change)(connection);
        } catch (...) {
          w.exception = std::current_exception();
          status = core::Error::Internal("write failed with an exception");
        }
      }
      if (!connection.InTransaction()) {
        // SQLite undid the whole transaction: the changes applied before this one are lost
        // with it, so they fail too (none was acknowledged); the rest form a new transaction.
        Status lost = status.ok() ? core::Error::Internal("transaction rolled back") : status;
        for (auto* a : applied) a->status = lost;
        w.status = lost;
        aborted = true;
        continue;
      }
      if (status.ok()) {
        status = connection.Execute("RELEASE bulkhead_write", {}).ok()
                     ? core::Ok()
                     : core::Error::Internal("release savepoint failed");
        if (status.ok()) {
          applied.push_back(&w);
          continue;
        }
      }
      (void)connection.Execute("ROLLBACK TO bulkhead_write", {});
      (void)connection.Execute("RELEASE bulkhead_write", {});
      w.status = status;
    }
    if (!begun.ok()) {
      for (std::size_t i = first; i < group.size(); ++i) group[i]->status = begun;
      break;
    }
    if (aborted) continue;
    Status committed = connection.Commit();
    if (!committed.ok()) {
      for (auto* a : applied) a->status = committed;
    }
  }
}

void SetSqliteBulkLoad(bool on) {
  bulk_load = on;
}

void RemoveSqliteFiles(const std::filesystem::path& path) {
  std::error_code ignored;
  std::filesystem::remove(path, ignored);
  std::filesystem::remove(path.string() + "-wal", ignored);
  std::filesystem::remove(path.string() + "-shm", ignored);
}

}  // namespace bulkhead::store
