// Operator commands against a data directory: `domains check` with a deployment manifest and
// `audit verify` over every hash chain, including after someone edits the databases by hand.

#include <fstream>

#include "integration/harness.hpp"

namespace bulkhead::testing {
namespace {

class OperatorCliTest : public ServerTest<OperatorCliTest> {
 protected:
  std::filesystem::path WriteManifest(const Json& manifest) {
    auto path = server().data_dir().parent_path() / "manifest.json";
    std::ofstream(path) << manifest.dump();
    return path;
  }
};

TEST_F(OperatorCliTest, DomainsCheckPassesACleanManifest) {
  Account owner = SignUp(client(), "Owner");
  auto org = CreateOrganization(client(), owner.token, "Alpha", UniqueSlug("alpha"));
  std::string slug = org["slug"];
  ASSERT_EQ(client()
                .Request("POST", "/api/v1/organizations/" + slug + "/domains",
                         Json{{"hostname", slug + ".example.com"}}, Bearer(owner.token))
                .status,
            201);
  auto manifest = WriteManifest(
      {{"organizations",
        {{{"slug", slug}, {"domains", {slug + ".example.com", "WWW." + slug + ".example.com."}}},
         {{"slug", "beta"}, {"domains", {"beta.example.org"}}}}}});
  auto r = RunCli({"domains", "check", "--manifest", manifest.string()}, server());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.find("ALERT"), std::string::npos);
}

TEST_F(OperatorCliTest, DomainsCheckAlertsOnEveryHostnameClaimedTwice) {
  Account owner = SignUp(client(), "Owner");
  auto org = CreateOrganization(client(), owner.token, "Alpha", UniqueSlug("alpha"));
  std::string slug = org["slug"];
  ASSERT_EQ(client()
                .Request("POST", "/api/v1/organizations/" + slug + "/domains",
                         Json{{"hostname", "shop.example.com"}}, Bearer(owner.token))
                .status,
            201);
  auto manifest =
      WriteManifest({{"organizations",
                      {{{"slug", "other"}, {"domains", {"Shop.Example.com", "twice.example.net"}}},
                       {{"slug", "third"}, {"domains", {"twice.example.net."}}},
                       {{"slug", "fourth"}, {"domains", {slug + ".localhost"}}}}}});
  auto r = RunCli({"domains", "check", "--manifest", manifest.string()}, server());
  EXPECT_EQ(r.exit_code, 1);
  int alerts = 0;
  std::istringstream lines(r.err);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("ALERT", 0) == 0) ++alerts;
  }
  EXPECT_EQ(alerts, 3) << r.err;
  EXPECT_NE(r.err.find("ALERT shop.example.com"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("ALERT twice.example.net"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("ALERT " + slug + ".localhost"), std::string::npos) << r.err;
}

TEST_F(OperatorCliTest, DomainsCheckRefusesAnUnusableManifest) {
  auto path = server().data_dir().parent_path() / "broken.json";
  std::ofstream(path) << "{not json";
  auto r = RunCli({"domains", "check", "--manifest", path.string()}, server());
  EXPECT_EQ(r.exit_code, 2);
  auto bad_host = WriteManifest({{"organizations", {{{"slug", "x"}, {"domains", {"bad host"}}}}}});
  EXPECT_EQ(RunCli({"domains", "check", "--manifest", bad_host.string()}, server()).exit_code, 2);
}

// Some history in the catalog and in a tenant database.
struct History {
  Account owner;
  std::string org_id;
  std::string personal_id;
};

History MakeHistory(const HttpClient& c) {
  History h{SignUp(c, "Auditor"), "", ""};
  h.personal_id = h.owner.personal_organization["id"];
  auto org = CreateOrganization(c, h.owner.token, "Chained", UniqueSlug("chained"));
  h.org_id = org["id"];
  Account other = SignUp(c, "Other");
  AddMember(c, h.owner.token, h.org_id, other.user_id, "member");
  c.Request("PATCH", "/api/v1/organizations/" + h.org_id, Json{{"name", "Chained Two"}},
            Bearer(h.owner.token));
  return h;
}

TEST_F(OperatorCliTest, AuditVerifyPassesAnUntouchedHistory) {
  MakeHistory(client());
  auto r = RunCli({"audit", "verify"}, server());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("ok:"), std::string::npos);
}

TEST_F(OperatorCliTest, AuditVerifyNamesAnEditedEvent) {
  History h = MakeHistory(client());
  ExecuteSql(server(), "",
             "UPDATE audit_events SET details = '{\"role\":\"owner\"}' WHERE organization_id = '" +
                 h.org_id + "' AND action = 'member.added' AND seq = 3");
  auto r = RunCli({"audit", "verify"}, server());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("catalog/" + h.org_id), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("position 3"), std::string::npos) << r.err;
}

TEST_F(OperatorCliTest, AuditVerifyNoticesARemovedEventAndARemovedNewestEvent) {
  History h = MakeHistory(client());
  ExecuteSql(server(), "",
             "DELETE FROM audit_events WHERE organization_id = '" + h.org_id + "' AND seq = 2");
  auto middle = RunCli({"audit", "verify"}, server());
  EXPECT_EQ(middle.exit_code, 1);
  EXPECT_NE(middle.err.find("catalog/" + h.org_id), std::string::npos) << middle.err;

  History h2 = MakeHistory(client());
  ExecuteSql(server(), "",
             "DELETE FROM audit_events WHERE organization_id = '" + h2.org_id +
                 "' AND seq = (SELECT MAX(seq) FROM audit_events WHERE organization_id = '" +
                 h2.org_id + "')");
  ExecuteSql(server(), "", "DELETE FROM audit_events WHERE organization_id = '" + h.org_id + "'");
  ExecuteSql(server(), "", "DELETE FROM audit_chain_heads WHERE chain = '" + h.org_id + "'");
  auto newest = RunCli({"audit", "verify"}, server());
  EXPECT_EQ(newest.exit_code, 1);
  EXPECT_NE(newest.err.find("catalog/" + h2.org_id), std::string::npos) << newest.err;
}

TEST_F(OperatorCliTest, AuditVerifyWalksTenantDatabasesToo) {
  History h = MakeHistory(client());
  // Sign-up wrote "workspace.created" into the personal organization's own database.
  ASSERT_TRUE(TenantStoreExists(server(), h.personal_id));
  ExecuteSql(server(), h.personal_id, "UPDATE audit_events SET actor_id = 'someone-else'");
  auto r = RunCli({"audit", "verify"}, server());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("tenant/" + h.personal_id), std::string::npos) << r.err;
}

}  // namespace
}  // namespace bulkhead::testing
