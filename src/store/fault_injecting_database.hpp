#pragma once
// For tests: a Database that wraps a real one and makes chosen operations fail on demand, so
// that unit tests reach the failure paths a healthy disk and network never take (LevelDB's
// FaultInjectionTestEnv, one level up). The failures are the engine's own wherever the engine
// can be made to fail: a failed commit is a real COMMIT that the engine refuses (a deferred
// constraint left broken in the transaction), and a lost PostgreSQL connection is the server
// really terminating the session underneath. Only "a statement matching a pattern" is
// answered by the wrapper itself, with the error the test names.
// Thread-safety: Faults and the wrappers are thread-safe, like the databases they wrap.

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/database.hpp"
#include "store/tenant_store.hpp"

namespace bulkhead::store {

// What to break, shared by every wrapper a test makes (the catalog and each tenant).
class Faults {
 public:
  // The nth commit from now fails (1: the next). A commit is a Transaction's Commit on a leased
  // connection, or one Write, counted when its change succeeds; with group commit the whole group
  // that holds that change fails, as it would on a real failing COMMIT.
  void FailCommit(int nth = 1);
  // The next `times` statements (Query, Execute, ExecuteScript) whose SQL contains `pattern`
  // fail with `error` without reaching the engine.
  void FailStatements(std::string pattern, core::Error error, int times = 1);
  // PostgreSQL only: before the next statement whose SQL contains `pattern`, the server ends
  // the session (pg_terminate_backend), which then runs on the dead connection.
  void LoseConnectionOn(std::string pattern);
  // Disarms everything not yet fired.
  void Clear();
  // Faults that fired so far.
  int fired() const { return fired_.load(); }

  // For the wrappers.
  bool TakeCommitFailure();
  std::optional<core::Error> TakeStatementFailure(std::string_view sql);
  bool TakeConnectionLoss(std::string_view sql);

 private:
  struct StatementFault {
    std::string pattern;
    core::Error error;
    int times;
  };
  std::mutex mu_;
  int commits_until_failure_ = 0;                 // GUARDED_BY(mu_); 0: none armed
  std::vector<StatementFault> statement_faults_;  // GUARDED_BY(mu_)
  std::vector<std::string> connection_losses_;    // GUARDED_BY(mu_)
  std::atomic<int> fired_{0};
};

class FaultInjectingDatabase final : public Database {
 public:
  FaultInjectingDatabase(std::shared_ptr<Database> real, std::shared_ptr<Faults> faults)
      : real_(std::move(real)), faults_(std::move(faults)) {}
  // Does not own `real`.
  FaultInjectingDatabase(Database& real, std::shared_ptr<Faults> faults)
      : FaultInjectingDatabase(std::shared_ptr<Database>(&real, [](Database*) {}),
                               std::move(faults)) {}

  Lease Acquire() override;
  void Release(std::unique_ptr<Connection> connection) override;
  // The real database's Write (its group commit included), each change seeing its connection
  // through the faults.
  Status Write(const std::function<Status(Connection&)>& change) override;

  Faults& faults() { return *faults_; }

 private:
  std::shared_ptr<Database> real_;
  std::shared_ptr<Faults> faults_;
};

// Every tenant database it opens is wrapped with the same faults.
class FaultInjectingTenantDatabases final : public TenantDatabases {
 public:
  FaultInjectingTenantDatabases(TenantDatabases& real, std::shared_ptr<Faults> faults)
      : real_(real), faults_(std::move(faults)) {}

  Status Create(const TenantKey& key) override { return real_.Create(key); }
  Result<std::shared_ptr<Database>> Open(const TenantKey& key) override;
  Status DropWithin(Connection& catalog, const TenantKey& key) override {
    return real_.DropWithin(catalog, key);
  }
  void Destroy(const TenantKey& key) override { real_.Destroy(key); }
  Result<int> Migrate(const TenantKey& key) override { return real_.Migrate(key); }
  bool CreatesInCatalogTransaction() const override { return real_.CreatesInCatalogTransaction(); }
  Status CreateWithin(Connection& catalog, const TenantKey& key,
                      const std::function<Status(Connection&)>& seed) override {
    return real_.CreateWithin(catalog, key, seed);
  }

 private:
  TenantDatabases& real_;
  std::shared_ptr<Faults> faults_;
};

}  // namespace bulkhead::store
