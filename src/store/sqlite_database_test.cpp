// Group commit (SqliteDatabase::Write): many concurrent writers on one real SQLite file.

#include "store/sqlite_database.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <stdexcept>
#include <thread>
#include <vector>

namespace bulkhead::store {
namespace {

namespace fs = std::filesystem;

class GroupCommitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = fs::temp_directory_path() /
            ("bulkhead-group-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".db");
    RemoveSqliteFiles(path_);
    auto opened = SqliteDatabase::Open(path_, 4);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    db_ = std::move(opened).value();
    auto lease = db_->Acquire();
    ASSERT_TRUE(
        lease->ExecuteScript("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)").ok());
  }
  void TearDown() override {
    db_.reset();
    RemoveSqliteFiles(path_);
  }
  int64_t Count(std::string_view where = "1=1") {
    auto lease = db_->Acquire();
    auto rows = lease->Query("SELECT count(*) FROM t WHERE " + std::string(where));
    return rows.ok() ? rows->at(0).Int(0) : -1;
  }

  fs::path path_;
  std::unique_ptr<SqliteDatabase> db_;
};

// Writers of one group: those that fail (after writing) leave nothing, the others all commit,
// and each writer gets its own outcome, including one that throws.
TEST_F(GroupCommitTest, EachWriterGetsItsOwnOutcomeAndOnlySuccessfulChangesCommit) {
  constexpr int kThreads = 16, kWritesEach = 50;
  std::atomic<int> ok{0}, refused{0}, thrown{0}, wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kWritesEach; ++i) {
        int id = t * kWritesEach + i;
        int kind = id % 5;  // 0..2 succeed, 3 fails after its insert, 4 throws after its insert
        try {
          Status status = db_->Write([&](Connection& c) -> Status {
            auto inserted = c.Execute("INSERT INTO t (id, v) VALUES ($1, $2)",
                                      {int64_t{id}, std::string(kind < 3 ? "kept" : "undone")});
            if (!inserted.ok()) return inserted.error();
            if (kind == 3) return core::Error::Validation({{"v", "refused"}});
            if (kind == 4) throw std::runtime_error("change failed");
            return core::Ok();
          });
          if (kind < 3 && status.ok())
            ++ok;
          else if (kind == 3 && status.error().code == core::ErrorCode::kValidationFailed)
            ++refused;
          else
            ++wrong;
        } catch (const std::runtime_error&) {
          if (kind == 4)
            ++thrown;
          else
            ++wrong;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  constexpr int kTotal = kThreads * kWritesEach;
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(ok.load(), kTotal * 3 / 5);
  EXPECT_EQ(refused.load(), kTotal / 5);
  EXPECT_EQ(thrown.load(), kTotal / 5);
  EXPECT_EQ(Count("v = 'kept'"), kTotal * 3 / 5);
  EXPECT_EQ(Count("v = 'undone'"), 0);
}

// A change reads what earlier changes of its group wrote (they are serialized, as without
// grouping): a counter incremented by read-then-write from many threads loses no increment.
TEST_F(GroupCommitTest, ChangesOfAGroupSeeEachOthersWrites) {
  {
    auto lease = db_->Acquire();
    ASSERT_TRUE(lease->Execute("INSERT INTO t (id, v) VALUES (0, '0')").ok());
  }
  constexpr int kThreads = 16, kWritesEach = 40;
  std::vector<std::thread> threads;
  std::atomic<int> failed{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kWritesEach; ++i) {
        Status status = db_->Write([](Connection& c) -> Status {
          auto rows = c.Query("SELECT v FROM t WHERE id = 0");
          if (!rows.ok()) return rows.error();
          int64_t v = std::stoll(rows->at(0).Text(0));
          auto updated = c.Execute("UPDATE t SET v = $1 WHERE id = 0", {std::to_string(v + 1)});
          if (!updated.ok()) return updated.error();
          return core::Ok();
        });
        if (!status.ok()) ++failed;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failed.load(), 0);
  auto lease = db_->Acquire();
  auto rows = lease->Query("SELECT v FROM t WHERE id = 0");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->at(0).Text(0), std::to_string(kThreads * kWritesEach));
}

// A committed write is in the file: a new database object (a restarted process) sees it.
TEST_F(GroupCommitTest, AcknowledgedWritesAreInTheFile) {
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(db_->Write([i](Connection& c) -> Status {
                     auto r = c.Execute("INSERT INTO t (id, v) VALUES ($1, 'kept')", {int64_t{i}});
                     if (!r.ok()) return r.error();
                     return core::Ok();
                   })
                    .ok());
  }
  db_.reset();
  auto reopened = SqliteDatabase::Open(path_, 1);
  ASSERT_TRUE(reopened.ok());
  db_ = std::move(reopened).value();
  EXPECT_EQ(Count(), 10);
}

}  // namespace
}  // namespace bulkhead::store
