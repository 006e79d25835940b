// The service layer's failure paths, on real SQLite files with FaultInjectingDatabase under
// the catalog and every tenant: an audit event that cannot be appended takes its change with
// it and leaves the chain whole; a usage flush that cannot commit keeps its counts for the
// next one, which writes them exactly once.

#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <optional>

#include "core/day.hpp"
#include "core/time.hpp"
#include "service/account_service.hpp"
#include "service/audit_verifier.hpp"
#include "service/organization_service.hpp"
#include "service/tenant_resolver.hpp"
#include "service/usage_meter.hpp"
#include "service/workspace_service.hpp"
#include "store/fault_injecting_database.hpp"
#include "store/migrations.hpp"
#include "store/sqlite_database.hpp"
#include "store/usage_store.hpp"

namespace bulkhead::service {
namespace {

namespace fs = std::filesystem;
using core::ErrorCode;

class FaultPathsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("bulkhead-fault-paths-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "tenants");
    auto opened = store::SqliteDatabase::Open(dir_ / "catalog.db", 4);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    real_catalog_ = std::move(opened).value();
    {
      auto lease = real_catalog_->Acquire();
      auto migrated = store::Migrate(*lease, store::CatalogMigrations());
      ASSERT_TRUE(migrated.ok()) << migrated.error().message;
    }
    catalog_ = std::make_unique<store::FaultInjectingDatabase>(*real_catalog_, faults_);
    real_tenants_ = std::make_unique<store::SqliteTenantDatabases>(*catalog_, dir_ / "tenants", 16);
    tenants_ = std::make_unique<store::FaultInjectingTenantDatabases>(*real_tenants_, faults_);
    env_ = std::make_unique<Environment>(
        Environment{*catalog_, *tenants_, cache_, throttle_, keys_, ServiceConfig{}});
    organizations_ = std::make_unique<OrganizationService>(*env_);
    accounts_ = std::make_unique<AccountService>(*env_, *organizations_);

    auto signed_up = accounts_->SignUp({"ann@example.com", "correct horse battery", "Ann"}, "r1");
    ASSERT_TRUE(signed_up.ok()) << signed_up.error().message;
    org_id_ = signed_up->personal_organization.id;
    auto principal = accounts_->Authenticate(signed_up->session_token);
    ASSERT_TRUE(principal.ok());
    principal_ = *principal;
    auto tenant =
        TenantResolver(*env_).Resolve({.path = org_id_, .header = {}, .host = {}}, principal_);
    ASSERT_TRUE(tenant.ok()) << tenant.error().message;
    tenant_ = *tenant;
  }
  void TearDown() override {
    accounts_.reset();
    organizations_.reset();
    env_.reset();
    tenants_.reset();
    real_tenants_.reset();
    catalog_.reset();
    real_catalog_.reset();
    fs::remove_all(dir_);
  }

  std::vector<std::string> WorkspaceNames() {
    auto page = WorkspaceService(*env_).List(*tenant_, principal_, "", 100);
    EXPECT_TRUE(page.ok());
    std::vector<std::string> names;
    if (page.ok()) {
      for (const auto& w : page->workspaces) names.push_back(w.name);
    }
    return names;
  }
  // Every chain verifies; returns the number of events.
  int64_t VerifiedEvents() {
    auto verified = AuditVerifier(*env_).VerifyAll();
    EXPECT_TRUE(verified.ok()) << verified.error().message;
    if (!verified.ok()) return -1;
    EXPECT_FALSE(verified->broken.has_value())
        << verified->broken->chain << " breaks at " << verified->broken->seq << ": "
        << verified->broken->reason;
    return verified->events;
  }
  // The flushed figures of today, read from the real catalog.
  store::UsageRecord Flushed() {
    auto lease = real_catalog_->Acquire();
    std::string today = core::FormatDay(core::DayOf(core::NowMs()));
    auto rows = store::usage::List(*lease, org_id_, today, today);
    EXPECT_TRUE(rows.ok());
    if (!rows.ok() || rows->empty()) return {};
    return rows->front();
  }

  fs::path dir_;
  std::shared_ptr<store::Faults> faults_ = std::make_shared<store::Faults>();
  std::unique_ptr<store::SqliteDatabase> real_catalog_;
  std::unique_ptr<store::FaultInjectingDatabase> catalog_;
  std::unique_ptr<store::SqliteTenantDatabases> real_tenants_;
  std::unique_ptr<store::FaultInjectingTenantDatabases> tenants_;
  CatalogCache cache_;
  LoginThrottle throttle_;
  KeyRing keys_{std::string(32, 'k')};
  std::unique_ptr<Environment> env_;
  std::unique_ptr<OrganizationService> organizations_;
  std::unique_ptr<AccountService> accounts_;
  std::string org_id_;
  Principal principal_;
  std::optional<TenantContext> tenant_;
};

// The chain head moves before the event is inserted: an insert that fails after it must take
// the head back with it, or the chain would claim an event it does not hold.
TEST_F(FaultPathsTest, AnAuditEventThatCannotBeAppendedTakesItsChangeWithItAndTheChainStaysWhole) {
  Actor actor{"user", principal_.user_id, "r2"};
  int64_t events = VerifiedEvents();
  ASSERT_GT(events, 0);
  WorkspaceService workspaces(*env_);

  faults_->FailStatements("INSERT INTO audit_events", core::Error::Internal("disk full"));
  auto refused = workspaces.Create(*tenant_, "Doomed", std::nullopt, actor);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kInternal);
  EXPECT_EQ(faults_->fired(), 1);
  EXPECT_EQ(WorkspaceNames(), std::vector<std::string>{"Personal"});
  EXPECT_EQ(VerifiedEvents(), events);

  // The commit of a change and its event fails in the engine: neither is there.
  faults_->FailCommit();
  ASSERT_FALSE(workspaces.Create(*tenant_, "Also doomed", std::nullopt, actor).ok());
  EXPECT_EQ(faults_->fired(), 2);
  EXPECT_EQ(WorkspaceNames(), std::vector<std::string>{"Personal"});
  EXPECT_EQ(VerifiedEvents(), events);

  ASSERT_TRUE(workspaces.Create(*tenant_, "Kept", std::nullopt, actor).ok());
  auto names = WorkspaceNames();
  EXPECT_NE(std::find(names.begin(), names.end(), "Kept"), names.end());
  EXPECT_EQ(VerifiedEvents(), events + 1);
}

TEST_F(FaultPathsTest, AUsageFlushThatFailsKeepsItsCountsAndTheNextFlushWritesThemOnce) {
  UsageMeter meter(*env_);
  int64_t today = core::DayOf(core::NowMs());
  meter.Record(org_id_, /*write=*/true);
  ASSERT_TRUE(meter.Flush().ok());  // opens what the flush samples; a clean baseline
  ASSERT_EQ(Flushed().requests, 1);

  for (int i = 0; i < 3; ++i) meter.Record(org_id_, /*write=*/false);
  faults_->FailCommit();
  auto failed = meter.Flush();
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(faults_->fired(), 1);
  EXPECT_EQ(meter.flush_failures(), 1);
  EXPECT_EQ(meter.Pending(org_id_, today).requests, 3);
  EXPECT_EQ(Flushed().requests, 1);

  // A statement of the flush fails, with more counted meanwhile.
  meter.Record(org_id_, /*write=*/true);
  faults_->FailStatements("INSERT INTO usage_daily",
                          core::Error::Make(ErrorCode::kUnavailable, "busy"));
  ASSERT_FALSE(meter.Flush().ok());
  EXPECT_EQ(meter.flush_failures(), 2);
  EXPECT_EQ(meter.Pending(org_id_, today).requests, 4);
  EXPECT_EQ(meter.Pending(org_id_, today).writes, 1);
  EXPECT_EQ(Flushed().requests, 1);

  ASSERT_TRUE(meter.Flush().ok());
  EXPECT_EQ(meter.Pending(org_id_, today).requests, 0);
  EXPECT_EQ(Flushed().requests, 5);
  EXPECT_EQ(Flushed().writes, 2);
  ASSERT_TRUE(meter.Flush().ok());  // nothing pending: nothing added twice
  EXPECT_EQ(Flushed().requests, 5);
}

}  // namespace
}  // namespace bulkhead::service
