// Durability over real HTTP: acknowledged writes and sessions survive kill -9 and restarts.

#include "integration/harness.hpp"

namespace bulkhead::testing {
namespace {

class DurabilityTest : public ServerTest<DurabilityTest> {};

TEST_F(DurabilityTest, AcknowledgedWritesSurviveKill9) {
  auto c = client();
  auto owner = SignUp(c, "Owner");
  auto bob = SignUp(c, "Bob");
  auto org = CreateOrganization(c, owner.token, "Durable", "durable");
  AddMember(c, owner.token, "durable", bob.user_id, "admin");
  auto patched = c.Request("PATCH", "/api/v1/organizations/durable",
                           Json{{"settings", {{"branding", {{"primary_color", "#123456"}}}}}},
                           Bearer(owner.token));
  ASSERT_EQ(patched.status, 200);

  server().Kill9();
  server().Start();
  c = client();

  auto got = c.Request("GET", "/api/v1/organizations/durable", std::nullopt, Bearer(owner.token));
  ASSERT_EQ(got.status, 200) << "session and organization survive kill -9: " << got.body;
  EXPECT_EQ(got.json["id"], org["id"]);
  EXPECT_EQ(got.json["settings"]["branding"]["primary_color"], "#123456");
  auto members =
      c.Request("GET", "/api/v1/organizations/durable/members", std::nullopt, Bearer(bob.token));
  ASSERT_EQ(members.status, 200);
  EXPECT_EQ(members.json["data"].size(), 2u);
  auto audit = c.Request("GET", "/api/v1/organizations/durable/audit-log", std::nullopt,
                         Bearer(owner.token));
  ASSERT_EQ(audit.status, 200);
  EXPECT_EQ(audit.json["data"][0]["action"], "organization.updated");
  auto login =
      c.Request("POST", "/api/v1/auth/login", Json{{"email", bob.email}, {"password", kPassword}});
  EXPECT_EQ(login.status, 200);
}

TEST_F(DurabilityTest, SessionsSurviveAGracefulRestart) {
  auto c = client();
  auto a = SignUp(c, "Restart");
  EXPECT_EQ(server().Stop(), 0);
  server().Start();
  auto me = client().Request("GET", "/api/v1/user", std::nullopt, Bearer(a.token));
  EXPECT_EQ(me.status, 200);
  EXPECT_EQ(me.json["id"], a.user_id);
}

TEST_F(DurabilityTest, LogoutSurvivesARestart) {
  auto c = client();
  auto a = SignUp(c, "Logout");
  ASSERT_EQ(c.Request("POST", "/api/v1/auth/logout", std::nullopt, Bearer(a.token)).status, 204);
  server().Kill9();
  server().Start();
  EXPECT_EQ(client().Request("GET", "/api/v1/user", std::nullopt, Bearer(a.token)).status, 401);
}

TEST_F(DurabilityTest, ManyWritesThenKill9LosesNothing) {
  auto c = client();
  auto owner = SignUp(c, "Owner");
  std::vector<std::string> slugs;
  for (int i = 0; i < 30; ++i) {
    slugs.push_back("bulk-" + std::to_string(i));
    CreateOrganization(c, owner.token, "Bulk " + std::to_string(i), slugs.back());
  }
  server().Kill9();
  server().Start();
  c = client();
  for (const auto& slug : slugs) {
    EXPECT_EQ(
        c.Request("GET", "/api/v1/organizations/" + slug, std::nullopt, Bearer(owner.token)).status,
        200)
        << slug;
  }
}

}  // namespace
}  // namespace bulkhead::testing
