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
      AdminSql(std::getenv("BULKHEAD_TEST_POSTGRES_URL"),
               "DROP DATABASE " + database_ + " WITH (FORCE)");
    }
    fs::remove_all(dir_);
  }

  // CREATE/DROP DATABASE cannot run inside a transaction: plain libpq, outside the pool.
  static void AdminSql(const std::string& url, const std::string& sql) {
    PGconn* conn = PQconnectdb(url.c_str());
    PGresult* r = PQexec(conn, sql.c_str());
    EXPECT_EQ(PQresultStatus(r), PGRES_COMMAND_OK)
        << PQresultErrorMessage(r) << PQerrorMessage(conn);
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
    AuditEventRecord e{"id" + std::to_string(i),
                       "o1",
                       100 + i,
                       "user",
                       "u1",
                       i % 2 ? "member.added" : "organization.updated",
                       "organization",
                       "o1",
                       "r",
                       "{}"};
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

TEST_P(CatalogStoreTest, PendingClaimsShareAHostnameButOnlyOneIsVerified) {
  auto c = db_->Acquire();
  ASSERT_TRUE(catalog::InsertOrganization(*c, Org("o1", "acme")).ok());
  ASSERT_TRUE(catalog::InsertOrganization(*c, Org("o2", "rival")).ok());
  ASSERT_TRUE(catalog::InsertDomain(*c, {"shop.example.com", "o1", "v1", std::nullopt, 1}).ok());
  ASSERT_TRUE(catalog::InsertDomain(*c, {"shop.example.com", "o2", "v2", std::nullopt, 2}).ok());
  auto twice = catalog::InsertDomain(*c, {"shop.example.com", "o1", "v3", std::nullopt, 3});
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().code, core::ErrorCode::kDomainTaken);
  auto none = catalog::FindVerifiedDomain(*c, "shop.example.com");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());

  ASSERT_TRUE(catalog::MarkDomainVerified(*c, "shop.example.com", "o2", 10).ok());
  auto second = catalog::MarkDomainVerified(*c, "shop.example.com", "o1", 11);
  ASSERT_FALSE(second.ok()) << "the unique index admits one verified claim per hostname";
  EXPECT_EQ(second.error().code, core::ErrorCode::kDomainTaken);
  auto verified = catalog::FindVerifiedDomain(*c, "shop.example.com");
  ASSERT_TRUE(verified.ok() && verified->has_value());
  EXPECT_EQ((*verified)->organization_id, "o2");
  auto claims = catalog::ListClaims(*c, "shop.example.com");
  ASSERT_TRUE(claims.ok());
  ASSERT_EQ(claims->size(), 2u);
  EXPECT_EQ(claims->at(0).organization_id, "o2");  // the verified claim first
  auto own = catalog::FindDomain(*c, "shop.example.com", "o1");
  ASSERT_TRUE(own.ok() && own->has_value());
  EXPECT_EQ((*own)->verification_value, "v1");
  EXPECT_FALSE((*own)->verified_at.has_value());
  ASSERT_TRUE(catalog::DeleteDomain(*c, "shop.example.com", "o1").ok());
  auto left = catalog::ListClaims(*c, "shop.example.com");
  ASSERT_TRUE(left.ok());
  EXPECT_EQ(left->size(), 1u);
}

TEST_P(CatalogStoreTest, ListUserOrganizationsPagesByJoinTimeThenOrganization) {
  auto c = db_->Acquire();
  ASSERT_TRUE(catalog::InsertUser(*c, User("u1", "a@x.io")).ok());
  ASSERT_TRUE(catalog::InsertUser(*c, User("u2", "b@x.io")).ok());
  for (int i = 0; i < 5; ++i) {
    std::string id = "o" + std::to_string(i);
    ASSERT_TRUE(catalog::InsertOrganization(*c, Org(id, "org-" + id)).ok());
    ASSERT_TRUE(
        catalog::InsertMembership(*c, {id, "u1", i == 0 ? "owner" : "member", i < 3 ? 10 : 20})
            .ok());
  }
  ASSERT_TRUE(catalog::InsertMembership(*c, {"o4", "u2", "owner", 1}).ok());
  std::vector<std::string> seen;
  int64_t after_joined = -1;
  std::string after_org;
  while (true) {
    auto page = catalog::ListUserOrganizations(*c, "u1", after_joined, after_org, 2);
    ASSERT_TRUE(page.ok());
    if (page->empty()) break;
    for (const auto& row : *page) seen.push_back(row.organization.id + "/" + row.role);
    after_joined = page->back().joined_at;
    after_org = page->back().organization.id;
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"o0/owner", "o1/member", "o2/member", "o3/member",
                                            "o4/member"}));
}

// The filter narrows the same keyset walk: a page of matches, then the next after the last.
TEST_P(CatalogStoreTest, ListUserOrganizationsFiltersByTextAndTypeWithinTheWalk) {
  auto c = db_->Acquire();
  ASSERT_TRUE(catalog::InsertUser(*c, User("u1", "a@x.io")).ok());
  const std::vector<std::pair<std::string, std::string>> orgs = {
      {"Blue Sky", "team"}, {"Nice-pick", "team"},  {"BLUE moon", "personal"},
      {"50% off", "team"},  {"blue_print", "team"}, {"Bluish", "team"}};
  for (std::size_t i = 0; i < orgs.size(); ++i) {
    std::string id = "o" + std::to_string(i);
    auto org = Org(id, "slug-" + id);
    org.name = orgs[i].first;
    org.type = orgs[i].second;
    ASSERT_TRUE(catalog::InsertOrganization(*c, org).ok());
    ASSERT_TRUE(catalog::InsertMembership(*c, {id, "u1", "owner", int64_t(10 + i)}).ok());
  }
  auto ids = [&](const catalog::UserOrganizationFilter& filter, int limit) {
    std::vector<std::string> out;
    int64_t after_joined = -1;
    std::string after_org;
    for (int pages = 0; pages < 10; ++pages) {
      auto page = catalog::ListUserOrganizations(*c, "u1", after_joined, after_org, limit, filter);
      EXPECT_TRUE(page.ok()) << page.error().message;
      if (!page.ok() || page->empty()) break;
      for (const auto& row : *page) out.push_back(row.organization.id);
      after_joined = page->back().joined_at;
      after_org = page->back().organization.id;
    }
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(ids({"blue", ""}, 1), (V{"o0", "o2", "o4"}));
  EXPECT_EQ(ids({"BLUE", "team"}, 2), (V{"o0", "o4"}));
  EXPECT_EQ(ids({"", "personal"}, 2), (V{"o2"}));
  EXPECT_EQ(ids({"%", ""}, 2), (V{"o3"}));
  EXPECT_EQ(ids({"e_p", ""}, 2), (V{"o4"}));
  EXPECT_EQ(ids({"slug-o1", ""}, 2), (V{"o1"}));
  EXPECT_EQ(ids({"", ""}, 4).size(), orgs.size());
}

TEST_P(CatalogStoreTest, TheDomainClaimsMigrationKeepsExistingDomains) {
  // A catalog at V004 with a verified and a pending domain, then migrated to the latest.
  std::unique_ptr<Database> older;
  if (GetParam() == "postgres") {
    ASSERT_TRUE(db_->Acquire()->ExecuteScript("CREATE SCHEMA older").ok());
    older = pool_->Schema("older");
  } else {
    auto db = SqliteDatabase::Open(dir_ / "older.db", 1);
    ASSERT_TRUE(db.ok()) << db.error().message;
    older = std::move(db).value();
  }
  auto c = older->Acquire();
  std::vector<Migration> v4;
  for (const auto& m : CatalogMigrations()) {
    if (m.version <= 4) v4.push_back(m);
  }
  ASSERT_TRUE(Migrate(*c, v4).ok());
  ASSERT_TRUE(catalog::InsertOrganization(*c, Org("o1", "acme")).ok());
  ASSERT_TRUE(c->Execute("INSERT INTO domains (hostname, organization_id, verification_value,"
                         " verified_at, created_at) VALUES ('a.example.com', 'o1', 'v', 5, 1),"
                         " ('b.example.com', 'o1', 'w', NULL, 2)")
                  .ok());
  auto migrated = Migrate(*c, CatalogMigrations());
  ASSERT_TRUE(migrated.ok()) << migrated.error().message;
  auto verified = catalog::FindVerifiedDomain(*c, "a.example.com");
  ASSERT_TRUE(verified.ok() && verified->has_value());
  EXPECT_EQ((*verified)->verified_at, 5);
  auto pending = catalog::FindDomain(*c, "b.example.com", "o1");
  ASSERT_TRUE(pending.ok() && pending->has_value());
  EXPECT_EQ((*pending)->verification_value, "w");
  EXPECT_FALSE((*pending)->verified_at.has_value());
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
