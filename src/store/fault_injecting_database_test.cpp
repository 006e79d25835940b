// The store's failure paths, reached with FaultInjectingDatabase on every engine: a commit the
// engine refuses (alone and inside a group commit), a failing statement, and a PostgreSQL
// connection that the server ends underneath.

#include "store/fault_injecting_database.hpp"

#include <gtest/gtest.h>

#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>
#include <vector>

#include "store/postgres_database.hpp"
#include "store/sqlite_database.hpp"

namespace bulkhead::store {
namespace {

namespace fs = std::filesystem;
using core::ErrorCode;

// CREATE/DROP DATABASE cannot run inside a transaction: plain libpq, outside the pool.
void AdminSql(const std::string& url, const std::string& sql) {
  PGconn* conn = PQconnectdb(url.c_str());
  PGresult* r = PQexec(conn, sql.c_str());
  EXPECT_EQ(PQresultStatus(r), PGRES_COMMAND_OK) << PQresultErrorMessage(r) << PQerrorMessage(conn);
  PQclear(r);
  PQfinish(conn);
}

class FaultInjectionTest : public ::testing::TestWithParam<std::string> {
 protected:
  static constexpr int kPoolSize = 2;

  void SetUp() override {
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    name = name.substr(0, name.find('/'));
    if (GetParam() == "postgres") {
      std::string admin = std::getenv("BULKHEAD_TEST_POSTGRES_URL");
      database_ = "faults_" + std::to_string(::getpid()) + "_" + std::to_string(++counter_);
      AdminSql(admin, "CREATE DATABASE " + database_);
      auto pool = PostgresPool::Open(admin.substr(0, admin.rfind('/') + 1) + database_, kPoolSize);
      ASSERT_TRUE(pool.ok()) << pool.error().message;
      pool_ = *pool;
      real_ = pool_->Schema("faults");
      auto lease = real_->Acquire();
      ASSERT_TRUE(lease->ExecuteScript("CREATE SCHEMA faults").ok());
    } else {
      path_ = fs::temp_directory_path() /
              ("bulkhead-faults-" + std::to_string(::getpid()) + "-" + name + ".db");
      RemoveSqliteFiles(path_);
      auto opened = SqliteDatabase::Open(path_, kPoolSize);
      ASSERT_TRUE(opened.ok()) << opened.error().message;
      real_ = std::move(opened).value();
    }
    {
      auto lease = real_->Acquire();
      auto created =
          lease->ExecuteScript("CREATE TABLE t (id BIGINT PRIMARY KEY, v TEXT NOT NULL)");
      ASSERT_TRUE(created.ok()) << created.error().message;
    }
    db_ = std::make_unique<FaultInjectingDatabase>(*real_, faults_);
  }
  void TearDown() override {
    db_.reset();
    real_.reset();
    pool_.reset();
    if (!database_.empty()) {
      AdminSql(std::getenv("BULKHEAD_TEST_POSTGRES_URL"),
               "DROP DATABASE " + database_ + " WITH (FORCE)");
    }
    if (!path_.empty()) RemoveSqliteFiles(path_);
  }

  // Through the real database, so that no fault can touch the check itself.
  int64_t Count() {
    auto lease = real_->Acquire();
    auto rows = lease->Query("SELECT count(*) FROM t", {});
    EXPECT_TRUE(rows.ok()) << rows.error().message;
    return rows.ok() ? rows->at(0).Int(0) : -1;
  }
  Status Insert(Connection& c, int64_t id) {
    auto r = c.Execute("INSERT INTO t (id, v) VALUES ($1, 'x')", {id});
    if (!r.ok()) return r.error();
    return core::Ok();
  }
  Status WriteRow(int64_t id) {
    return db_->Write([&](Connection& c) { return Insert(c, id); });
  }

  static inline int counter_ = 0;
  std::string database_;
  fs::path path_;
  std::shared_ptr<PostgresPool> pool_;
  std::unique_ptr<Database> real_;
  std::shared_ptr<Faults> faults_ = std::make_shared<Faults>();
  std::unique_ptr<FaultInjectingDatabase> db_;
};

TEST_P(FaultInjectionTest, ACommitTheEngineRefusesLeavesNothingAndTheNextOneCommits) {
  faults_->FailCommit();
  {
    auto lease = db_->Acquire();
    Transaction txn(*lease, /*write=*/true);
    ASSERT_TRUE(txn.begin_status().ok());
    ASSERT_TRUE(Insert(*lease, 1).ok());
    ASSERT_TRUE(Insert(*lease, 2).ok());
    Status committed = txn.Commit();
    ASSERT_FALSE(committed.ok());
    EXPECT_EQ(committed.error().code, ErrorCode::kInternal) << committed.error().message;
  }
  EXPECT_EQ(faults_->fired(), 1);
  EXPECT_EQ(Count(), 0);
  {
    auto lease = db_->Acquire();
    Transaction txn(*lease, /*write=*/true);
    ASSERT_TRUE(Insert(*lease, 3).ok());
    EXPECT_TRUE(txn.Commit().ok());
  }
  EXPECT_EQ(Count(), 1);

  // The same through Write.
  faults_->FailCommit();
  EXPECT_FALSE(WriteRow(4).ok());
  EXPECT_EQ(Count(), 1);
  EXPECT_TRUE(WriteRow(5).ok());
  EXPECT_EQ(Count(), 2);
}

TEST_P(FaultInjectionTest, TheNthCommitFailsAndOnlyIt) {
  faults_->FailCommit(3);
  std::vector<bool> ok;
  for (int64_t id = 1; id <= 5; ++id) ok.push_back(WriteRow(id).ok());
  EXPECT_EQ(ok, (std::vector<bool>{true, true, false, true, true}));
  EXPECT_EQ(Count(), 4);
}

// SqliteDatabase commits concurrent writers together. A leader holds its transaction open
// until the others have queued: they form the next group, whose one commit fails. Each of
// them gets the error although only one change broke the transaction (none was
// acknowledged), none of their rows is visible, and the group after commits.
TEST_P(FaultInjectionTest, AFailedGroupCommitFailsEveryWriterOfTheGroupAndTheNextGroupCommits) {
  if (GetParam() != "sqlite") GTEST_SKIP() << "PostgreSQL commits each Write on its own";
  constexpr int kGroup = 6;
  std::atomic<bool> leading{false};
  std::atomic<int> queued{0};
  faults_->FailCommit(2);  // the leader's is the first; the next group's first change breaks it
  std::thread leader([&] {
    Status s = db_->Write([&](Connection& c) {
      leading = true;
      while (queued.load() < kGroup) std::this_thread::yield();
      std::this_thread::sleep_for(std::chrono::milliseconds(200));  // they reach the queue
      return Insert(c, 0);
    });
    EXPECT_TRUE(s.ok());
  });
  std::vector<Status> statuses(kGroup, core::Ok());
  std::vector<std::thread> writers;
  for (int i = 0; i < kGroup; ++i) {
    writers.emplace_back([&, i] {
      while (!leading.load()) std::this_thread::yield();  // the leader's group is under way
      ++queued;
      statuses[i] = WriteRow(100 + i);
    });
  }
  leader.join();
  for (auto& w : writers) w.join();
  EXPECT_EQ(faults_->fired(), 1);
  for (int i = 0; i < kGroup; ++i) {
    ASSERT_FALSE(statuses[i].ok()) << "writer " << i << " was acknowledged";
    EXPECT_EQ(statuses[i].error().code, ErrorCode::kInternal) << statuses[i].error().message;
  }
  EXPECT_EQ(Count(), 1);  // the leader's row alone

  std::vector<std::thread> next;
  std::atomic<int> committed{0};
  for (int i = 0; i < kGroup; ++i) {
    next.emplace_back([&, i] { committed += WriteRow(200 + i).ok(); });
  }
  for (auto& w : next) w.join();
  EXPECT_EQ(committed.load(), kGroup);
  EXPECT_EQ(Count(), 1 + kGroup);
}

// A failing statement undoes its own change only, even inside a group.
TEST_P(FaultInjectionTest, AFailingStatementUndoesItsChangeAndNothingElse) {
  faults_->FailStatements("INSERT INTO t", core::Error::Make(ErrorCode::kUnavailable, "disk gone"));
  Status failed = db_->Write([&](Connection& c) -> Status {
    auto first = c.Execute("UPDATE t SET v = 'y'", {});  // does not match: runs
    if (!first.ok()) return first.error();
    return Insert(c, 1);
  });
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(Count(), 0);
  EXPECT_TRUE(WriteRow(2).ok());
  EXPECT_EQ(Count(), 1);

  faults_->FailStatements("SELECT", core::Error::Internal("read failed"), 2);
  auto lease = db_->Acquire();
  EXPECT_FALSE(lease->Query("SELECT count(*) FROM t", {}).ok());
  EXPECT_FALSE(lease->Query("SELECT 1", {}).ok());
  EXPECT_TRUE(lease->Query("SELECT 1", {}).ok());
}

// The server ends the session under a statement (an administrator, a failover, a proxy
// restart): the store says kUnavailable (503, retry), the transaction leaves nothing, the pool
// drops the dead connection and the next request gets a fresh one. Repeated more times than
// the pool holds connections, so a dead one kept or counted would hang the test.
TEST_P(FaultInjectionTest, ALostPostgresConnectionIsUnavailableAndTheNextRequestReconnects) {
  if (GetParam() != "postgres") GTEST_SKIP() << "SQLite has no connection to lose";
  for (int round = 0; round < 2 * kPoolSize + 1; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    faults_->LoseConnectionOn("SELECT count");
    {
      auto lease = db_->Acquire();
      auto lost = lease->Query("SELECT count(*) FROM t", {});
      ASSERT_FALSE(lost.ok());
      EXPECT_EQ(lost.error().code, ErrorCode::kUnavailable) << lost.error().message;
    }
    // In a write: the row inserted before the loss is gone with the transaction.
    faults_->LoseConnectionOn("UPDATE t");
    Status write = db_->Write([&](Connection& c) -> Status {
      BULKHEAD_TRY(Insert(c, 1000 + round));
      auto r = c.Execute("UPDATE t SET v = 'y'", {});
      if (!r.ok()) return r.error();
      return core::Ok();
    });
    ASSERT_FALSE(write.ok());
    EXPECT_EQ(write.error().code, ErrorCode::kUnavailable) << write.error().message;
    EXPECT_EQ(Count(), round);
    EXPECT_TRUE(WriteRow(round).ok());
  }
  EXPECT_EQ(faults_->fired(), 2 * (2 * kPoolSize + 1));
}

// The session ends while the statement runs (the server answers it with FATAL 57P01 and hangs
// up) rather than before it: the same kUnavailable, and the same recovery.
TEST_P(FaultInjectionTest, APostgresSessionEndedDuringAStatementIsUnavailableToo) {
  if (GetParam() != "postgres") GTEST_SKIP() << "SQLite has no connection to lose";
  for (int round = 0; round < 2 * kPoolSize + 1; ++round) {
    {
      auto lease = db_->Acquire();
      auto ended = lease->Query("SELECT pg_terminate_backend(pg_backend_pid())", {});
      ASSERT_FALSE(ended.ok());
      EXPECT_EQ(ended.error().code, ErrorCode::kUnavailable) << ended.error().message;
    }
    Status write = db_->Write([&](Connection& c) -> Status {
      BULKHEAD_TRY(Insert(c, 1000 + round));
      auto r = c.Query("SELECT pg_terminate_backend(pg_backend_pid())", {});
      if (!r.ok()) return r.error();
      return core::Ok();
    });
    ASSERT_FALSE(write.ok());
    EXPECT_EQ(write.error().code, ErrorCode::kUnavailable) << write.error().message;
    EXPECT_EQ(Count(), round);
    EXPECT_TRUE(WriteRow(round).ok());
  }
}

// PostgreSQL joins when the run provides a throwaway cluster (make test does).
std::vector<std::string> Engines() {
  std::vector<std::string> engines = {"sqlite"};
  if (const char* url = std::getenv("BULKHEAD_TEST_POSTGRES_URL"); url && *url) {
    engines.push_back("postgres");
  }
  return engines;
}

INSTANTIATE_TEST_SUITE_P(Engines, FaultInjectionTest, ::testing::ValuesIn(Engines()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace bulkhead::store
