#pragma once
// The one small database interface that repositories are written against, so that the same
// SQL (a portable subset: TEXT ids, INTEGER unix-ms timestamps, TEXT JSON, parameters written
// $1..$n) runs on every engine. Engine exceptions and error codes stop inside the driver.
// Thread-safety: a Connection is used by one thread at a time (a pool hands it out);
// a Database is thread-safe.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/result.hpp"

namespace bulkhead::store {

using core::Result;
using core::Status;

// A bound parameter or a column value.
using Value = std::variant<std::nullptr_t, int64_t, std::string>;

class Row {
 public:
  explicit Row(std::vector<Value> values) : values_(std::move(values)) {}
  bool IsNull(std::size_t i) const { return std::holds_alternative<std::nullptr_t>(values_.at(i)); }
  int64_t Int(std::size_t i) const;              // 0 for NULL
  const std::string& Text(std::size_t i) const;  // "" for NULL
  std::optional<std::string> OptionalText(std::size_t i) const;
  std::size_t size() const { return values_.size(); }

 private:
  std::vector<Value> values_;
};

using Rows = std::vector<Row>;

// Store errors: kConflict for a unique-constraint violation (its message names the
// constraint's columns, e.g. "organizations.slug"), kUnavailable when the database is busy or
// unreachable, kInternal for anything else.
enum class Dialect { kSqlite, kPostgres };

class Connection {
 public:
  virtual ~Connection() = default;
  // For the few statements that differ (migrations' DDL).
  virtual Dialect dialect() const = 0;
  virtual Result<Rows> Query(std::string_view sql, const std::vector<Value>& params = {}) = 0;
  // Rows changed.
  virtual Result<int64_t> Execute(std::string_view sql, const std::vector<Value>& params = {}) = 0;
  // Runs several statements without parameters (migrations).
  virtual Status ExecuteScript(std::string_view sql) = 0;
  // Write transactions take the write lock at BEGIN so that a read-then-write inside them can
  // never be interleaved with another writer.
  virtual Status Begin(bool write) = 0;
  virtual Status Commit() = 0;
  virtual void Rollback() = 0;
};

// Rolls back unless committed.
class Transaction {
 public:
  Transaction(Connection& connection, bool write) : connection_(connection) {
    status_ = connection_.Begin(write);
    open_ = status_.ok();
  }
  ~Transaction() {
    if (open_) connection_.Rollback();
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  const Status& begin_status() const { return status_; }
  Status Commit() {
    open_ = false;
    return connection_.Commit();
  }

 private:
  Connection& connection_;
  Status status_ = core::Ok();
  bool open_ = false;
};

// A pool of connections to one database.
class Database {
 public:
  class Lease;
  virtual ~Database() = default;
  // Blocks until a connection is free.
  virtual Lease Acquire() = 0;
  virtual void Release(std::unique_ptr<Connection> connection) = 0;
  // Runs `change` in a write transaction and commits it; returns its status, or the commit's.
  // An engine may commit several callers' changes together (group commit): each runs in a
  // savepoint of its own, so a failing change undoes only itself, and every caller returns
  // after the commit holding its change is durable. `change` must not begin transactions.
  virtual Status Write(const std::function<Status(Connection&)>& change);

  class Lease {
   public:
    Lease(Database& owner, std::unique_ptr<Connection> c) : owner_(&owner), c_(std::move(c)) {}
    Lease(Lease&& o) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    ~Lease() {
      if (c_) owner_->Release(std::move(c_));
    }
    Connection& operator*() { return *c_; }
    Connection* operator->() { return c_.get(); }

   private:
    Database* owner_;
    std::unique_ptr<Connection> c_;
  };
};

inline Status Database::Write(const std::function<Status(Connection&)>& change) {
  auto lease = Acquire();
  Transaction txn(*lease, /*write=*/true);
  BULKHEAD_TRY(txn.begin_status());
  BULKHEAD_TRY(change(*lease));
  return txn.Commit();
}

}  // namespace bulkhead::store
