// SCIM deprovisioning ends what the organization gave, and only that: over real HTTP, a user
// provisioned into an organization holds refresh tokens for it and for their own organization,
// a session from the organization's SSO and one of their own; `active: false` revokes the
// organization's refresh tokens (for good: reactivation does not revive them) and deletes the
// SSO session, while the account, its own session and its other organization's tokens stay.
// (The request shapes Entra ID and Okta send are tests/scim's; this is the part a client
// cannot see from the SCIM answers alone.)

#include <algorithm>
#include <string>

#include "integration/harness.hpp"
#include "integration/oauth_forms.hpp"

namespace bulkhead::testing {
namespace {

constexpr char kRedirect[] = "http://localhost:5173/callback";
constexpr char kPatchOp[] = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

class ScimDeprovisioningTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServerProcess>();
    auto out = RunCli(
        {"clients", "create", "--name", "Demo", "--redirect-uri", kRedirect, "--public"}, *server_);
    ASSERT_EQ(out.exit_code, 0) << out.err;
    client_id_ = Json::parse(out.out)["client_id"];
    ann_ = SignUp(http(), "Ann");
    team_ = CreateOrganization(http(), ann_.token, "Acme", UniqueSlug("acme"));
    org_ = "/api/v1/organizations/" + team_["id"].get<std::string>();
    auto plan =
        http().Request("PUT", org_ + "/plan", Json{{"plan", "enterprise"}}, Bearer(ann_.token));
    ASSERT_EQ(plan.status, 200) << plan.body;
    auto token =
        http().Request("POST", org_ + "/scim-tokens", Json{{"name", "IdP"}}, Bearer(ann_.token));
    ASSERT_EQ(token.status, 201) << token.body;
    scim_token_ = token.json["token"];
    scim_ = "/scim/v2/organizations/" + team_["slug"].get<std::string>();
  }

  HttpClient http() { return server_->client(); }

  HttpResponse Scim(const std::string& method, const std::string& path,
                    const std::optional<Json>& body = std::nullopt) {
    return http().Request(method, scim_ + path, body,
                          Bearer(scim_token_, {{"Content-Type", "application/scim+json"}}));
  }

  std::string LogIn(const std::string& email) {
    auto r = http().Request("POST", "/api/v1/auth/login",
                            Json{{"email", email}, {"password", kPassword}});
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json["session_token"];
  }

  // A refresh token for `organization` (a slug), by the code flow with PKCE's plain-text twin
  // left out: a public client with S256.
  std::string RefreshTokenFor(const std::string& session, const std::string& organization) {
    constexpr char kVerifier[] = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    constexpr char kChallenge[] = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
    std::string target =
        "/oauth2/authorize?" + Form({{"response_type", "code"},
                                     {"client_id", client_id_},
                                     {"redirect_uri", kRedirect},
                                     {"scope", "openid organization offline_access"},
                                     {"state", "s"},
                                     {"nonce", "n"},
                                     {"code_challenge", kChallenge},
                                     {"code_challenge_method", "S256"},
                                     {"organization", organization}});
    auto r =
        http().Request("GET", target, std::nullopt, {{"Cookie", "bulkhead_session=" + session}});
    EXPECT_EQ(r.status, 303) << r.body;
    auto code = QueryParam(r.Header("location"), "code");
    auto tokens = http().RequestRaw("POST", "/oauth2/token",
                                    Form({{"grant_type", "authorization_code"},
                                          {"code", code},
                                          {"redirect_uri", kRedirect},
                                          {"client_id", client_id_},
                                          {"code_verifier", kVerifier}}),
                                    {{"Content-Type", "application/x-www-form-urlencoded"}});
    EXPECT_EQ(tokens.status, 200) << tokens.body;
    return tokens.json.value("refresh_token", "");
  }

  HttpResponse Refresh(const std::string& token) {
    return http().RequestRaw(
        "POST", "/oauth2/token",
        Form(
            {{"grant_type", "refresh_token"}, {"refresh_token", token}, {"client_id", client_id_}}),
        {{"Content-Type", "application/x-www-form-urlencoded"}});
  }

  HttpResponse SetActive(const std::string& user_id, const char* value) {
    // Entra ID's shape: a capitalized op and the boolean as a string.
    return Scim("PATCH", "/Users/" + user_id,
                Json{{"schemas", {kPatchOp}},
                     {"Operations", {{{"op", "Replace"}, {"path", "active"}, {"value", value}}}}});
  }

  std::unique_ptr<ServerProcess> server_;
  std::string client_id_;
  Account ann_;
  Json team_;
  std::string org_;
  std::string scim_token_;
  std::string scim_;
};

TEST_F(ScimDeprovisioningTest, DeactivationEndsTheOrganizationsTokensAndSsoSessionsOnly) {
  auto bob = SignUp(http(), "Bob");
  auto created = Scim("POST", "/Users",
                      Json{{"schemas", {"urn:ietf:params:scim:schemas:core:2.0:User"}},
                           {"userName", bob.email},
                           {"active", true}});
  ASSERT_EQ(created.status, 201) << created.body;
  ASSERT_EQ(created.json["id"], bob.user_id) << "the existing account is linked";
  // Bob's sessions so far came from the organization's SSO (as its sign-in marks them); the
  // next one is a password login of his own.
  std::string sso_session = LogIn(bob.email);
  ExecuteSql(*server_, "",
             "UPDATE sessions SET sso_organization_id = '" + team_["id"].get<std::string>() +
                 "' WHERE user_id = '" + bob.user_id + "'");
  std::string own_session = LogIn(bob.email);
  std::string team_refresh = RefreshTokenFor(own_session, team_["slug"]);
  std::string own_refresh = RefreshTokenFor(own_session, bob.personal_organization["slug"]);
  ASSERT_FALSE(team_refresh.empty());
  ASSERT_FALSE(own_refresh.empty());

  auto off = SetActive(bob.user_id, "False");
  ASSERT_EQ(off.status, 200) << off.body;
  EXPECT_EQ(off.json["active"], false);

  auto revoked = QuerySql(*server_, "",
                          "SELECT organization_id, revoked_at FROM oauth_refresh_tokens WHERE "
                          "user_id = '" +
                              bob.user_id + "'");
  ASSERT_FALSE(revoked.empty());
  for (const auto& row : revoked) {
    bool team_token = row[0] == team_["id"].get<std::string>();
    EXPECT_EQ(!row[1].empty(), team_token) << row[0];
  }
  EXPECT_EQ(http().Request("GET", "/api/v1/user", std::nullopt, Bearer(sso_session)).status, 401);
  EXPECT_EQ(http().Request("GET", "/api/v1/user", std::nullopt, Bearer(own_session)).status, 200);
  EXPECT_EQ(Refresh(own_refresh).status, 200);

  // Reactivated: a member again, but the organization's old refresh tokens stay revoked.
  auto on = SetActive(bob.user_id, "True");
  ASSERT_EQ(on.status, 200) << on.body;
  auto members = http().Request("GET", org_ + "/members", std::nullopt, Bearer(ann_.token));
  ASSERT_EQ(members.status, 200);
  auto& data = members.json["data"];
  EXPECT_TRUE(std::any_of(data.begin(), data.end(), [&](const Json& m) {
    return m.contains("user") ? m["user"]["id"] == bob.user_id : m["user_id"] == bob.user_id;
  }));
  auto refused = Refresh(team_refresh);
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_EQ(refused.json["error"], "invalid_grant");

  auto audit = QuerySql(*server_, "",
                        "SELECT actor_type, details FROM audit_events WHERE action = "
                        "'scim.user_deprovisioned' AND target_id = '" +
                            bob.user_id + "'");
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0][0], "scim_token");
  auto details = Json::parse(audit[0][1]);
  EXPECT_EQ(details["sessions_deleted"], 2);  // the sign-up's session and the first login
  EXPECT_GE(details["refresh_tokens_revoked"].get<int>(), 1);
}

TEST_F(ScimDeprovisioningTest, DeleteOfAnUnknownUserChangesNothing) {
  auto before = QuerySql(*server_, "", "SELECT COUNT(*) FROM memberships");
  auto r = Scim("DELETE", "/Users/0193aaaa-0000-7000-8000-000000000000");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.json["schemas"][0], "urn:ietf:params:scim:api:messages:2.0:Error");
  EXPECT_EQ(QuerySql(*server_, "", "SELECT COUNT(*) FROM memberships"), before);
}

}  // namespace
}  // namespace bulkhead::testing
