// Organization API keys over real HTTP: shown once, listed without secrets, bounded by the
// creator's role, confined to their organization, refused at once when revoked.

#include "integration/harness.hpp"

namespace bulkhead::testing {
namespace {

class ApiKeysTest : public ServerTest<ApiKeysTest> {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    owner_ = SignUp(client(), "Owner");
    slug_ = CreateOrganization(client(), owner_.token, "Acme", UniqueSlug("acme"))["slug"];
  }
  std::string Org() { return "/api/v1/organizations/" + slug_; }
  HttpResponse CreateKey(const std::string& role, const std::string& token) {
    return client().Request("POST", Org() + "/api-keys",
                            Json{{"name", "ci " + role}, {"role", role}}, Bearer(token));
  }

  Account owner_;
  std::string slug_;
};

TEST_F(ApiKeysTest, AKeyIsShownOnceAndActsWithItsRoleInItsOrganization) {
  auto created = CreateKey("admin", owner_.token);
  ASSERT_EQ(created.status, 201) << created.body;
  std::string key = created.json["key"];
  EXPECT_EQ(key.rfind("bk_", 0), 0u);
  EXPECT_EQ(key.size(), 46u);
  EXPECT_EQ(created.json["prefix"], key.substr(0, 10));

  auto list = client().Request("GET", Org() + "/api-keys", std::nullopt, Bearer(owner_.token));
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.body.find(key), std::string::npos);
  ASSERT_EQ(list.json["data"].size(), 1u);
  EXPECT_EQ(list.json["data"][0]["last_used_at"], nullptr);

  auto ws = client().Request("POST", Org() + "/workspaces", Json{{"name", "By key"}}, Bearer(key));
  ASSERT_EQ(ws.status, 201) << ws.body;
  auto audit = client().Request("GET", Org() + "/audit-log?action=workspace.created", std::nullopt,
                                Bearer(key));
  ASSERT_EQ(audit.status, 200);
  EXPECT_EQ(audit.json["data"][0]["actor"]["type"], "api_key");
  EXPECT_EQ(audit.json["data"][0]["actor"]["id"], created.json["id"]);
  // An admin key cannot do what only owners can.
  auto del = client().Request("DELETE", Org(), Json{{"confirm", slug_}}, Bearer(key));
  EXPECT_EQ(del.status, 403);
  list = client().Request("GET", Org() + "/api-keys", std::nullopt, Bearer(owner_.token));
  EXPECT_TRUE(list.json["data"][0]["last_used_at"].is_string());
}

TEST_F(ApiKeysTest, AKeyActsOnlyInItsOwnOrganization) {
  std::string key = CreateKey("owner", owner_.token).json["key"];
  std::string other =
      CreateOrganization(client(), owner_.token, "Other", UniqueSlug("other"))["slug"];
  auto r = client().Request("GET", "/api/v1/organizations/" + other, std::nullopt, Bearer(key));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.Code(), "organization_not_found");
  auto alias = client().Request("GET", "/api/v1/org", std::nullopt,
                                Bearer(key, {{"X-Organization", slug_}}));
  EXPECT_EQ(alias.status, 200);
  // Account routes are for people.
  EXPECT_EQ(client().Request("GET", "/api/v1/user", std::nullopt, Bearer(key)).status, 403);
  EXPECT_EQ(client()
                .Request("POST", "/api/v1/organizations", Json{{"name", "By key"}}, Bearer(key))
                .status,
            403);
  EXPECT_EQ(
      client()
          .Request("GET", "/api/v1/resolve?host=" + slug_ + ".localhost", std::nullopt, Bearer(key))
          .status,
      200);
}

TEST_F(ApiKeysTest, NobodyCreatesAKeyAboveTheirOwnRole) {
  Account admin = SignUp(client(), "Admin");
  AddMember(client(), owner_.token, slug_, admin.user_id, "admin");
  Account member = SignUp(client(), "Member");
  AddMember(client(), owner_.token, slug_, member.user_id, "member");
  EXPECT_EQ(CreateKey("owner", admin.token).Code(), "forbidden");
  EXPECT_EQ(CreateKey("admin", admin.token).status, 201);
  EXPECT_EQ(CreateKey("member", member.token).status, 403);
  std::string admin_key = CreateKey("admin", owner_.token).json["key"];
  EXPECT_EQ(CreateKey("owner", admin_key).Code(), "forbidden");
  EXPECT_EQ(CreateKey("member", admin_key).status, 201);
  EXPECT_EQ(CreateKey("root", owner_.token).Code(), "validation_failed");
}

TEST_F(ApiKeysTest, ARevokedKeyIsRefusedAtOnce) {
  auto created = CreateKey("member", owner_.token);
  std::string key = created.json["key"];
  ASSERT_EQ(client().Request("GET", Org(), std::nullopt, Bearer(key)).status, 200);  // now cached
  auto revoked =
      client().Request("DELETE", Org() + "/api-keys/" + created.json["id"].get<std::string>(),
                       std::nullopt, Bearer(owner_.token));
  EXPECT_EQ(revoked.status, 204);
  auto r = client().Request("GET", Org(), std::nullopt, Bearer(key));
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.Code(), "unauthenticated");
  EXPECT_EQ(
      client().Request("GET", Org(), std::nullopt, Bearer("bk_" + std::string(43, 'x'))).status,
      401);
}

}  // namespace
}  // namespace bulkhead::testing
