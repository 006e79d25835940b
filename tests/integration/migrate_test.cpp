// `bulkhead migrate` and the migration lock, on the engine the suite runs on.

#include <future>

#include "integration/harness.hpp"

namespace bulkhead::testing {
namespace {

class MigrateTest : public ServerTest<MigrateTest> {};

TEST_F(MigrateTest, NothingPendingOnAFreshStore) {
  auto c = client();
  Account owner = SignUp(c, "Owner");
  CreateOrganization(c, owner.token, "One", UniqueSlug("one"));
  auto r = RunCli({"migrate"}, server());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("2 tenants, 0 pending, 0 migrated, 0 failed"), std::string::npos) << r.out;
}

TEST_F(MigrateTest, TenantsBehindAreMigratedAndRecordedOnce) {
  auto c = client();
  Account owner = SignUp(c, "Owner");
  for (int i = 0; i < 5; ++i) CreateOrganization(c, owner.token, "Org", UniqueSlug("org"));
  // As if these tenants had been created by an older build, or a run had been interrupted.
  ExecuteSql(server(), "", "UPDATE tenant_versions SET version = 0");
  ExecuteSql(server(), "",
             "DELETE FROM tenant_versions WHERE organization_id IN"
             " (SELECT organization_id FROM tenant_versions ORDER BY organization_id LIMIT 2)");
  auto first = RunCli({"migrate", "--jobs", "3"}, server());
  EXPECT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.out.find("6 tenants, 6 pending, 6 migrated, 0 failed"), std::string::npos)
      << first.out;
  auto second = RunCli({"migrate"}, server());
  EXPECT_NE(second.out.find("6 tenants, 0 pending"), std::string::npos) << second.out;
  // The migrated tenants still serve.
  auto orgs = c.Request("GET", "/api/v1/user/organizations", std::nullopt, Bearer(owner.token));
  for (const auto& o : orgs.json["data"]) {
    auto r = c.Request(
        "GET",
        "/api/v1/organizations/" + o["organization"]["slug"].get<std::string>() + "/workspaces",
        std::nullopt, Bearer(owner.token));
    EXPECT_EQ(r.status, 200) << r.body;
  }
}

TEST_F(MigrateTest, ConcurrentRunsTakeTurnsUnderTheLock) {
  auto c = client();
  Account owner = SignUp(c, "Owner");
  for (int i = 0; i < 4; ++i) CreateOrganization(c, owner.token, "Org", UniqueSlug("org"));
  ExecuteSql(server(), "", "UPDATE tenant_versions SET version = 0");
  auto one = std::async(std::launch::async, [&] { return RunCli({"migrate"}, server()); });
  auto two = std::async(std::launch::async, [&] { return RunCli({"migrate"}, server()); });
  auto r1 = one.get(), r2 = two.get();
  EXPECT_EQ(r1.exit_code, 0) << r1.err;
  EXPECT_EQ(r2.exit_code, 0) << r2.err;
  // One run did the work; the other, waiting for the lock, found nothing left.
  bool split = (r1.out.find("5 migrated") != std::string::npos &&
                r2.out.find("0 pending") != std::string::npos) ||
               (r2.out.find("5 migrated") != std::string::npos &&
                r1.out.find("0 pending") != std::string::npos);
  EXPECT_TRUE(split) << r1.out << " / " << r2.out;
}

TEST_F(MigrateTest, AServerRefusesASchemaNewerThanItKnows) {
  ExecuteSql(
      server(), "",
      "INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'V999__future', 0)");
  ASSERT_EQ(server().Stop(), 0);
  auto r = RunCli({"serve", "--listen", "127.0.0.1:0"}, server());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("newer"), std::string::npos) << r.err;
  auto m = RunCli({"migrate"}, server());
  EXPECT_EQ(m.exit_code, 2);
  EXPECT_NE(m.err.find("newer"), std::string::npos) << m.err;
}

}  // namespace
}  // namespace bulkhead::testing
