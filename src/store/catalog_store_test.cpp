// Repository tests, written once for every storage backend (TEST_P over the engines).

#include "store/catalog_store.hpp"

#include <gtest/gtest.h>

#include <libpq-fe.h>

#include <filesystem>

#include "store/migrations.hpp"
#include "store/postgres_database.hpp"
#include "store/sqlite_database.hpp"
#include "store/tenant_store.hpp"

namespace bulkhead::store {
namespace {

namespace fs = std::filesystem;

class CatalogStoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("bulkhead-store-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    if (GetParam() == "postgres") {
      // A database of this test's own on the run's throwaway cluster.
      std::string admin = std::getenv("BULKHEAD_TEST_POSTGRES_URL");
      database_ = "store_" + std::to_string(::getpid()) + "_" + std::to_string(++counter_);
      AdminSql(admin, "CREATE DATABASE " + database_);
      auto pool = PostgresPool::Open(admin.substr(0, admin.rfind('/') + 1) + database_, 2);
      ASSERT_TRUE(pool.ok()) << pool.error().message;
      pool_ = *pool;
      db_ = pool_->Schema("bulkhead");
      auto lease = db_->Acquire();
      ASSERT_TRUE(lease->ExecuteScript("CREATE SCHEMA bulkhead").ok());
    } else {
      auto db = SqliteDatabase::Open(dir_ / "catalog.db", 2);
      ASSERT_TRUE(db.ok()) << db.error().message;
      db_ = std::move(db).value();
    }
    auto lease = db_->Acquire();
    auto migrated = Migrate(*lease, CatalogMigrations());
    ASSERT_TRUE(migrated.ok()) << migrated.error().message;
  }
  void TearDown() override {
    db_.reset();
    pool_.reset();
    if (!database_.empty()) {
      AdminSql(std::getenv("BULKHEAD_TEST_POSTGRES_URL"), "DROP DATABASE " + database_ + " WITH (FORCE)");
    }
    fs::remove_all(dir_);
  }

  // CREATE/DROP DATABASE cannot run inside a transaction: plain libpq, outside the pool.
  static void AdminSql(const std::string& url, const std::string& sql) {
    PGconn* conn = PQconnectdb(url.c_str());
    PGresult* r = PQexec(conn, sql.c_str());
    EXPECT_EQ(PQresultStatus(r), PGRES_COMMAND_OK) << PQresultErrorMessage(r) << PQerrorMessage(conn);
    PQclear(r);
    PQfinish(conn);
  }

  UserRecord User(std::string id, std::string email) {
    return {std::move(id), std::move(email), "Name", "hash", 1, 1};
  }
  OrganizationRecord Org(std::string id, std::string slug) {
    return {std::move(id), "Org", std::move(slug), "team", "active", "free", "{}", 1, 1};
  }

  fs::path dir_;
  std::shared_ptr<PostgresPool> pool_;
  std::string database_;
  std::unique_ptr<Database> db_;
  static inline int counter_ = 0;
};

TEST_P(CatalogStoreTest, UserEmailIsUnique) {
  auto c = db_->Acquire();
  ASSERT_TRUE(catalog::InsertUser(*c, User("u1", "a@x.io")).ok());
  auto again = catalog::InsertUser(*c, User("u2", "a@x.io"));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, core::ErrorCode::kConflict);
  auto found = catalog::FindUserByEmail(*c, "a@x.io");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->id, "u1");
}

TEST_P(CatalogStoreTest, RollbackLeavesNothing) {
  auto c = db_->Acquire();
  {
    Transaction txn(*c, true);
    ASSERT_TRUE(txn.begin_status().ok());
    ASSERT_TRUE(catalog::InsertUser(*c, User("u1", "a@x.io")).ok());
  }  // no commit
  auto found = catalog::FindUserById(*c, "u1");
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->has_value());
}

TEST_P(CatalogStoreTest, SlugIsUniqueAcrossOrganizations) {
  auto c = db_->Acquire();
  ASSERT_TRUE(catalog::InsertOrganization(*c, Org("o1", "acme")).ok());
  auto again = catalog::InsertOrganization(*c, Org("o2", "acme"));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, core::ErrorCode::kConflict);
  auto exists = catalog::SlugExists(*c, "acme");
  ASSERT_TRUE(exists.ok());
  EXPECT_TRUE(*exists);
}

TEST_P(CatalogStoreTest, DeletingAnOrganizationCascadesToMemberships) {
  auto c = db_->Acquire();
  ASSERT_TRUE(catalog::InsertUser(*c, User("u1", "a@x.io")).ok());
  ASSERT_TRUE(catalog::InsertOrganization(*c, Org("o1", "acme")).ok());
  ASSERT_TRUE(catalog::InsertMembership(*c, {"o1", "u1", "owner", 5}).ok());
  ASSERT_TRUE(catalog::DeleteOrganization(*c, "o1").ok());
  auto m = catalog::FindMembership(*c, "o1", "u1");
  ASSERT_TRUE(m.ok());
  EXPECT_FALSE(m->has_value());
}

TEST_P(CatalogStoreTest, ListMembersPagesByJoinTimeThenUser) {
  auto c = db_->Acquire();
  ASSERT_TRUE(catalog::InsertOrganization(*c, Org("o1", "acme")).ok());
  for (int i = 0; i < 5; ++i) {
    std::string id = "u" + std::to_string(i);
    ASSERT_TRUE(catalog::InsertUser(*c, User(id, id + "@x.io")).ok());
    ASSERT_TRUE(catalog::InsertMembership(*c, {"o1", id, "member", i < 3 ? 10 : 20}).ok());
  }
  std::vector<std::string> seen;
  int64_t after_joined = -1;
  std::string after_user;
  while (true) {
    auto page = catalog::ListMembers(*c, "o1", after_joined, after_user, 2);
    ASSERT_TRUE(page.ok());
    if (page->empty()) break;
    for (const auto& m : *page) seen.push_back(m.membership.user_id);
    after_joined = page->back().membership.joined_at;
    after_user = page->back().membership.user_id;
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"u0", "u1", "u2", "u3", "u4"}));
}

TEST_P(CatalogStoreTest, MigrationRefusesANewerSchema) {
  auto c = db_->Acquire();
  ASSERT_TRUE(c->Execute("INSERT INTO schema_migrations (version, name, applied_at)"
                         " VALUES (999, 'V999__future', 0)")
                  .ok());
  auto st = Migrate(*c, CatalogMigrations());
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("newer"), std::string::npos);
}

TEST_P(CatalogStoreTest, MigrationIsIdempotent) {
  auto c = db_->Acquire();
  ASSERT_TRUE(Migrate(*c, CatalogMigrations()).ok());
  auto version = SchemaVersion(*c);
  ASSERT_TRUE(version.ok());
  EXPECT_EQ(*version, CatalogMigrations().back().version);
}

TEST_P(CatalogStoreTest, AuditEventsListNewestFirstWithFilters) {
  auto c = db_->Acquire();
  for (int i = 0; i < 4; ++i) {
    AuditEventRecord e{"id" + std::to_string(i), "o1", 100 + i, "user", "u1",
                       i % 2 ? "member.added" : "organization.updated", "organization", "o1",
                       "r", "{}"};
    ASSERT_TRUE(catalog::InsertAuditEvent(*c, e).ok());
  }
  auto all = catalog::ListAuditEvents(*c, "o1", "", "", 0, 10);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 4u);
  EXPECT_EQ(all->front().id, "id3");
  auto added = catalog::ListAuditEvents(*c, "o1", "", "member.added", 0, 10);
  ASSERT_TRUE(added.ok());
  EXPECT_EQ(added->size(), 2u);
  auto since = catalog::ListAuditEvents(*c, "o1", "", "", 102, 10);
  ASSERT_TRUE(since.ok());
  EXPECT_EQ(since->size(), 2u);
  auto before = catalog::ListAuditEvents(*c, "o1", "id2", "", 0, 10);
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(before->size(), 2u);
  auto other = catalog::ListAuditEvents(*c, "o2", "", "", 0, 10);
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE(other->empty());
}

// PostgreSQL joins when the run provides a throwaway cluster (make test does).
std::vector<std::string> Engines() {
  std::vector<std::string> engines = {"sqlite"};
  if (const char* url = std::getenv("BULKHEAD_TEST_POSTGRES_URL"); url && *url) {
    engines.push_back("postgres");
  }
  return engines;
}

INSTANTIATE_TEST_SUITE_P(Engines, CatalogStoreTest, ::testing::ValuesIn(Engines()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace bulkhead::store
