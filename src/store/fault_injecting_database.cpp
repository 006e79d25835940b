#include "store/fault_injecting_database.hpp"

#include <optional>

namespace bulkhead::store {

namespace {

// Leaves the open transaction unable to commit, in the engine itself: a row that breaks a
// deferred foreign key, which both engines check only at COMMIT and then refuse it (and undo
// the whole transaction). The tables are temporary: they exist only on this connection, and
// only within the transaction that is about to fail.
Status BreakTransaction(Connection& c) {
  return c.ExecuteScript(
      "CREATE TEMP TABLE IF NOT EXISTS bulkhead_fault_parent (id BIGINT PRIMARY KEY);"
      "CREATE TEMP TABLE IF NOT EXISTS bulkhead_fault_child (parent BIGINT REFERENCES "
      "bulkhead_fault_parent (id) DEFERRABLE INITIALLY DEFERRED);"
      "INSERT INTO bulkhead_fault_child (parent) VALUES (1)");
}

// A real connection seen through the faults; owns the real lease when it was acquired from
// the wrapper, borrows the connection inside a Write.
class FaultConnection final : public Connection {
 public:
  FaultConnection(Connection& real, Faults& faults, std::optional<Database::Lease> lease = {})
      : real_(real), faults_(faults), lease_(std::move(lease)) {}

  Dialect dialect() const override { return real_.dialect(); }

  Result<Rows> Query(std::string_view sql, const std::vector<Value>& params) override {
    BULKHEAD_TRY(Before(sql));
    return real_.Query(sql, params);
  }
  Result<int64_t> Execute(std::string_view sql, const std::vector<Value>& params) override {
    BULKHEAD_TRY(Before(sql));
    return real_.Execute(sql, params);
  }
  Status ExecuteScript(std::string_view sql) override {
    BULKHEAD_TRY(Before(sql));
    return real_.ExecuteScript(sql);
  }
  Status Begin(bool write) override { return real_.Begin(write); }
  Status Commit() override {
    if (faults_.TakeCommitFailure()) {
      if (Status broken = BreakTransaction(real_); !broken.ok()) {
        real_.Rollback();
        return broken;
      }
    }
    return real_.Commit();
  }
  void Rollback() override { real_.Rollback(); }

 private:
  Status Before(std::string_view sql) {
    if (auto error = faults_.TakeStatementFailure(sql)) return *error;
    if (faults_.TakeConnectionLoss(sql)) {
      if (real_.dialect() != Dialect::kPostgres) {
        return core::Error::Internal("fault injection: SQLite has no connection to lose");
      }
      // The server ends this very session, as an administrator or a failover would; its own
      // error is not the caller's: the caller's statement then meets the dead connection.
      (void)real_.Query("SELECT pg_terminate_backend(pg_backend_pid())", {});
    }
    return core::Ok();
  }

  Connection& real_;
  Faults& faults_;
  std::optional<Database::Lease> lease_;
};

}  // namespace

void Faults::FailCommit(int nth) {
  std::lock_guard lock(mu_);
  commits_until_failure_ = nth;
}

void Faults::FailStatements(std::string pattern, core::Error error, int times) {
  std::lock_guard lock(mu_);
  statement_faults_.push_back({std::move(pattern), std::move(error), times});
}

void Faults::LoseConnectionOn(std::string pattern) {
  std::lock_guard lock(mu_);
  connection_losses_.push_back(std::move(pattern));
}

void Faults::Clear() {
  std::lock_guard lock(mu_);
  commits_until_failure_ = 0;
  statement_faults_.clear();
  connection_losses_.clear();
}

bool Faults::TakeCommitFailure() {
  std::lock_guard lock(mu_);
  if (commits_until_failure_ == 0 || --commits_until_failure_ > 0) return false;
  fired_.fetch_add(1);
  return true;
}

std::optional<core::Error> Faults::TakeStatementFailure(std::string_view sql) {
  std::lock_guard lock(mu_);
  for (auto it = statement_faults_.begin(); it != statement_faults_.end(); ++it) {
    if (sql.find(it->pattern) == std::string_view::npos) continue;
    core::Error error = it->error;
    if (--it->times <= 0) statement_faults_.erase(it);
    fired_.fetch_add(1);
    return error;
  }
  return std::nullopt;
}

bool Faults::TakeConnectionLoss(std::string_view sql) {
  std::lock_guard lock(mu_);
  for (auto it = connection_losses_.begin(); it != connection_losses_.end(); ++it) {
    if (sql.find(*it) == std::string_view::npos) continue;
    connection_losses_.erase(it);
    fired_.fetch_add(1);
    return true;
  }
  return false;
}

Database::Lease FaultInjectingDatabase::Acquire() {
  Lease real = real_->Acquire();
  Connection& connection = *real;
  return Lease(*this, std::make_unique<FaultConnection>(connection, *faults_, std::move(real)));
}

void FaultInjectingDatabase::Release(std::unique_ptr<Connection> connection) {
  connection.reset();  // its real lease goes back to the real database
}

Status FaultInjectingDatabase::Write(const std::function<Status(Connection&)>& change) {
  return real_->Write([&](Connection& real) -> Status {
    FaultConnection connection(real, *faults_);
    BULKHEAD_TRY(change(connection));
    // This change's commit is the one to fail: break the transaction it is part of.
    if (faults_->TakeCommitFailure()) return BreakTransaction(real);
    return core::Ok();
  });
}

Result<std::shared_ptr<Database>> FaultInjectingTenantDatabases::Open(const TenantKey& key) {
  auto real = real_.Open(key);
  if (!real.ok()) return real.error();
  return std::shared_ptr<Database>(
      std::make_shared<FaultInjectingDatabase>(std::move(real).value(), faults_));
}

}  // namespace bulkhead::store
