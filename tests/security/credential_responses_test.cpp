// Credentials travel only where they should: every answer that carries one (and every other
// answer, each being one caller's private view) tells caches not to keep it, and the routes
// that take credentials from anyone accept only JSON, which no cross-site form can send
// (login CSRF).

#include "integration/harness.hpp"

namespace bulkhead::testing {
namespace {

class CredentialResponsesTest : public ServerTest<CredentialResponsesTest> {};

TEST_F(CredentialResponsesTest, AnswersCarryingACredentialAreNeverCached) {
  auto c = client();
  std::string email = UniqueEmail("nostore");
  auto signup = c.Request("POST", "/api/v1/auth/signup",
                          Json{{"email", email}, {"password", kPassword}, {"name", "No Store"}});
  ASSERT_EQ(signup.status, 201) << signup.body;
  EXPECT_EQ(signup.Header("cache-control"), "no-store");
  std::string token = signup.json["session_token"];

  auto login =
      c.Request("POST", "/api/v1/auth/login", Json{{"email", email}, {"password", kPassword}});
  ASSERT_EQ(login.status, 200) << login.body;
  EXPECT_EQ(login.Header("cache-control"), "no-store");

  auto org = CreateOrganization(c, token, "No Store", UniqueSlug("nostore"));
  std::string base = "/api/v1/organizations/" + org["id"].get<std::string>();
  auto key =
      c.Request("POST", base + "/api-keys", Json{{"name", "k"}, {"role", "admin"}}, Bearer(token));
  ASSERT_EQ(key.status, 201) << key.body;
  EXPECT_EQ(key.Header("cache-control"), "no-store");
  auto invitation =
      c.Request("POST", base + "/invitations",
                Json{{"email", UniqueEmail("inv")}, {"role", "member"}}, Bearer(token));
  ASSERT_EQ(invitation.status, 201) << invitation.body;
  EXPECT_EQ(invitation.Header("cache-control"), "no-store");
  auto webhook = c.Request("POST", base + "/webhooks",
                           Json{{"url", "https://hooks.example.com/in"}}, Bearer(token));
  ASSERT_EQ(webhook.status, 201) << webhook.body;
  EXPECT_EQ(webhook.Header("cache-control"), "no-store");
  auto rotated = c.Request(
      "POST", base + "/webhooks/" + webhook.json["id"].get<std::string>() + "/rotate-secret",
      std::nullopt, Bearer(token));
  ASSERT_EQ(rotated.status, 200) << rotated.body;
  EXPECT_EQ(rotated.Header("cache-control"), "no-store");
  // An integration's credentials, revealed.
  auto integration =
      c.Request("POST", base + "/integrations",
                Json{{"kind", "custom"}, {"name", "c"}, {"credentials", {{"token", "t0ken"}}}},
                Bearer(token));
  ASSERT_EQ(integration.status, 201) << integration.body;
  auto revealed = c.Request(
      "GET", base + "/integrations/" + integration.json["id"].get<std::string>() + "?reveal=true",
      std::nullopt, Bearer(token));
  ASSERT_EQ(revealed.status, 200) << revealed.body;
  EXPECT_EQ(revealed.json["credentials"]["token"], "t0ken");
  EXPECT_EQ(revealed.Header("cache-control"), "no-store");

  // Reads of private data and refusals too.
  EXPECT_EQ(c.Request("GET", base, std::nullopt, Bearer(token)).Header("cache-control"),
            "no-store");
  EXPECT_EQ(c.Request("GET", "/api/v1/user").Header("cache-control"), "no-store");
}

TEST_F(CredentialResponsesTest, SignUpAndLoginAcceptOnlyJson) {
  auto c = client();
  std::string email = UniqueEmail("csrf");
  std::string signup_body =
      Json{{"email", email}, {"password", kPassword}, {"name", "Csrf"}}.dump();
  // What a cross-site <form> or a no-cors fetch can send without a preflight.
  for (const char* type :
       {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
        "text/plain; charset=utf-8", "application/jsonx", "application/json-patch+json"}) {
    auto refused =
        c.RequestRaw("POST", "/api/v1/auth/signup", signup_body, {{"Content-Type", type}});
    EXPECT_EQ(refused.status, 415) << type << ": " << refused.body;
    EXPECT_EQ(refused.Code(), "unsupported_media_type") << type;
  }
  // Nothing was created by those: the address is still free.
  auto created = c.RequestRaw("POST", "/api/v1/auth/signup", signup_body,
                              {{"Content-Type", "Application/JSON; charset=utf-8"}});
  ASSERT_EQ(created.status, 201) << created.body;

  std::string login_body = Json{{"email", email}, {"password", kPassword}}.dump();
  auto refused =
      c.RequestRaw("POST", "/api/v1/auth/login", login_body, {{"Content-Type", "text/plain"}});
  EXPECT_EQ(refused.status, 415) << refused.body;
  EXPECT_TRUE(refused.Header("set-cookie").empty());
  EXPECT_EQ(
      c.RequestRaw("POST", "/api/v1/auth/login", login_body, {{"Content-Type", "application/json"}})
          .status,
      200);
}

}  // namespace
}  // namespace bulkhead::testing
