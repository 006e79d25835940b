#pragma once
// PostgreSQL through libpq: one pool of server connections shared by the catalog (schema
// `bulkhead`) and every organization (schema `org_<id as 32 hex digits>`). A Database here is
// a view of the pool bound to one schema. Nothing is left on a pooled connection between uses:
// every statement runs in a transaction that sets its schema with SET LOCAL, so the pool is
// also correct behind PgBouncer in transaction mode. Write transactions take a transaction-
// scoped advisory lock per schema, the same single-writer guarantee SQLite gives, so that a
// check and the write it guards (the last owner, a limit, the audit chain) cannot interleave.
// Statements are prepared once per server connection.
// Thread-safety: PostgresPool and its views are thread-safe.

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "store/database.hpp"

struct pg_conn;

namespace bulkhead::store {

class PostgresPool : public std::enable_shared_from_this<PostgresPool> {
 public:
  // Connects once to check the URL; kUnavailable when the server cannot be reached.
  static Result<std::shared_ptr<PostgresPool>> Open(std::string url, int size);
  ~PostgresPool();

  // A database view: every statement runs with `schema` as its search path.
  std::unique_ptr<Database> Schema(std::string schema);
  const std::string& url() const { return url_; }

  // A server connection and the statements prepared on it.
  struct Session {
    pg_conn* conn = nullptr;
    std::unordered_map<std::string, std::string> prepared;  // SQL -> statement name
    bool broken = false;
    ~Session();
  };
  Result<std::unique_ptr<Session>> Take();
  void Give(std::unique_ptr<Session> session);

 private:
  PostgresPool(std::string url, int size) : url_(std::move(url)), size_(size) {}

  std::string url_;
  int size_;
  std::mutex mu_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Session>> idle_;  // GUARDED_BY(mu_)
  int open_ = 0;                                // GUARDED_BY(mu_)
};

// The schema of an organization: "org_" and its UUID's 32 hex digits.
std::string TenantSchemaName(std::string_view organization_id);

// Quotes an identifier for SQL ("org_ab" -> "\"org_ab\"").
std::string QuoteIdentifier(std::string_view identifier);

}  // namespace bulkhead::store
