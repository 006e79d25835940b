// The OpenID Provider over real HTTP: a session from the JSON API's login sent as the
// bulkhead_session cookie to /oauth2/authorize, the code exchanged, refreshed, used at
// userinfo, introspected, revoked, and the session ended by RP-initiated logout; and the
// server's own rules for bad input (an error page and never a redirect for an unknown client
// or redirect URI, OAuth error bodies on the token endpoint).

#include <algorithm>
#include <fstream>
#include <iterator>
#include <string>

#include "integration/harness.hpp"
#include "integration/oauth_forms.hpp"

namespace bulkhead::testing {
namespace {

constexpr char kIssuer[] = "https://id.example.test";
constexpr char kRedirect[] = "http://localhost:5173/callback";
constexpr char kAfterLogout[] = "http://localhost:5173/signed-out";

std::string Base64(const std::string& bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    uint32_t n = (uint8_t(bytes[i]) << 16) | (uint8_t(bytes[i + 1]) << 8) | uint8_t(bytes[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += kAlphabet[(n >> s) & 63];
  }
  if (i < bytes.size()) {
    uint32_t n = uint8_t(bytes[i]) << 16;
    if (i + 1 < bytes.size()) n |= uint8_t(bytes[i + 1]) << 8;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

struct Client {
  std::string id;
  std::string secret;  // empty: public
};

class OAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServerProcess>(std::vector<std::string>{"--public-url", kIssuer});
    client_ = Register({"--name", "Demo", "--redirect-uri", kRedirect, "--post-logout-redirect-uri",
                        kAfterLogout});
    ann_ = SignUp(http(), "Ann");
    session_ = LogIn(ann_.email);
  }

  HttpClient http() { return server_->client(); }

  Client Register(std::vector<std::string> args) {
    args.insert(args.begin(), {"clients", "create"});
    auto out = RunCli(args, *server_);
    EXPECT_EQ(out.exit_code, 0) << out.err;
    auto json = Json::parse(out.out);
    return {json["client_id"], json["client_secret"].is_null() ? "" : json["client_secret"]};
  }

  std::string LogIn(const std::string& email) {
    auto r = http().Request("POST", "/api/v1/auth/login",
                            Json{{"email", email}, {"password", kPassword}});
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json["session_token"];
  }

  std::string AuthorizeTarget(const std::vector<std::pair<std::string, std::string>>& extra = {},
                              const Client* client = nullptr) {
    std::vector<std::pair<std::string, std::string>> params = {
        {"response_type", "code"},   {"client_id", (client ? *client : client_).id},
        {"redirect_uri", kRedirect}, {"scope", "openid profile email organization offline_access"},
        {"state", "st-1"},           {"nonce", "n-1"}};
    for (const auto& p : extra) {
      auto it = std::find_if(params.begin(), params.end(),
                             [&](const auto& q) { return q.first == p.first; });
      if (it != params.end()) {
        it->second = p.second;
      } else {
        params.push_back(p);
      }
    }
    return "/oauth2/authorize?" + Form(params);
  }

  HttpResponse Authorize(const std::string& target, const std::string& session) {
    Headers headers;
    if (!session.empty()) headers.emplace_back("Cookie", "bulkhead_session=" + session);
    return http().Request("GET", target, std::nullopt, headers);
  }

  std::string Code(const std::vector<std::pair<std::string, std::string>>& extra = {}) {
    auto r = Authorize(AuthorizeTarget(extra), session_);
    EXPECT_EQ(r.status, 303) << r.body;
    auto location = r.Header("location");
    EXPECT_EQ(location.rfind(kRedirect, 0), 0u) << location;
    EXPECT_EQ(QueryParam(location, "state"), "st-1");
    EXPECT_EQ(QueryParam(location, "iss"), UrlEncode(kIssuer));
    return QueryParam(location, "code");
  }

  HttpResponse Post(const std::string& path,
                    const std::vector<std::pair<std::string, std::string>>& fields,
                    const Client* basic = nullptr) {
    Headers headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
    if (basic) {
      headers.emplace_back("Authorization", "Basic " + Base64(UrlEncode(basic->id) + ":" +
                                                              UrlEncode(basic->secret)));
    }
    return http().RequestRaw("POST", path, Form(fields), headers);
  }

  HttpResponse Exchange(const std::string& code) {
    return Post("/oauth2/token",
                {{"grant_type", "authorization_code"}, {"code", code}, {"redirect_uri", kRedirect}},
                &client_);
  }

  HttpResponse Refresh(const std::string& token, const std::string& organization = "") {
    std::vector<std::pair<std::string, std::string>> fields = {{"grant_type", "refresh_token"},
                                                               {"refresh_token", token}};
    if (!organization.empty()) fields.emplace_back("organization", organization);
    return Post("/oauth2/token", fields, &client_);
  }

  std::unique_ptr<ServerProcess> server_;
  Client client_;
  Account ann_;
  std::string session_;
};

TEST_F(OAuthTest, CodeFlowThroughRefreshUserinfoIntrospectRevokeAndLogout) {
  auto tokens = Exchange(Code());
  ASSERT_EQ(tokens.status, 200) << tokens.body;
  EXPECT_EQ(tokens.Header("cache-control"), "no-store");
  EXPECT_EQ(tokens.Header("pragma"), "no-cache");
  EXPECT_EQ(tokens.json["token_type"], "Bearer");
  EXPECT_EQ(tokens.json["expires_in"], 600);
  Json id = Payload(tokens.json["id_token"]);
  EXPECT_EQ(id["iss"], kIssuer);
  EXPECT_EQ(id["aud"], client_.id);
  EXPECT_EQ(id["sub"], ann_.user_id);
  EXPECT_EQ(id["nonce"], "n-1");
  EXPECT_EQ(id["email"], ann_.email);
  EXPECT_EQ(id["name"], "Ann");
  EXPECT_EQ(id["org_id"], ann_.personal_organization["id"]);
  Json access = Payload(tokens.json["access_token"]);
  EXPECT_EQ(access["client_id"], client_.id);
  EXPECT_EQ(access["org_role"], "owner");
  EXPECT_TRUE(access["permissions"].is_array());

  auto info =
      http().Request("GET", "/oauth2/userinfo", std::nullopt, Bearer(tokens.json["access_token"]));
  ASSERT_EQ(info.status, 200) << info.body;
  EXPECT_EQ(info.json["sub"], ann_.user_id);
  EXPECT_EQ(info.json["email_verified"], false);
  EXPECT_EQ(info.json["org_slug"], ann_.personal_organization["slug"]);

  auto refreshed = Refresh(tokens.json["refresh_token"]);
  ASSERT_EQ(refreshed.status, 200) << refreshed.body;
  std::string refresh = refreshed.json["refresh_token"];
  EXPECT_NE(refresh, tokens.json["refresh_token"]);

  auto live = Post("/oauth2/introspect", {{"token", refresh}}, &client_);
  ASSERT_EQ(live.status, 200) << live.body;
  EXPECT_EQ(live.json["active"], true);
  EXPECT_EQ(live.json["sub"], ann_.user_id);
  auto at = Post("/oauth2/introspect", {{"token", refreshed.json["access_token"]}}, &client_);
  EXPECT_EQ(at.json["active"], true);
  EXPECT_EQ(at.json["token_type"], "access_token");
  auto used = Post("/oauth2/introspect", {{"token", tokens.json["refresh_token"]}}, &client_);
  EXPECT_EQ(used.json, Json({{"active", false}}));

  auto revoked = Post("/oauth2/revoke", {{"token", refresh}}, &client_);
  EXPECT_EQ(revoked.status, 200);
  EXPECT_EQ(Post("/oauth2/introspect", {{"token", refresh}}, &client_).json["active"], false);
  EXPECT_EQ(Refresh(refresh).json["error"], "invalid_grant");
  EXPECT_EQ(Post("/oauth2/revoke", {{"token", "bhrt_unknown"}}, &client_).status, 200);

  // A new sign-in, then RP-initiated logout: back to the registered URI with state, the
  // session gone, its refresh tokens revoked.
  auto again = Exchange(Code());
  ASSERT_EQ(again.status, 200);
  auto logout = http().Request("GET",
                               "/oauth2/logout?" + Form({{"id_token_hint", again.json["id_token"]},
                                                         {"post_logout_redirect_uri", kAfterLogout},
                                                         {"state", "bye"}}),
                               std::nullopt, {{"Cookie", "bulkhead_session=" + session_}});
  EXPECT_EQ(logout.status, 303);
  EXPECT_EQ(logout.Header("location"), std::string(kAfterLogout) + "?state=bye");
  EXPECT_NE(logout.Header("set-cookie").find("Max-Age=0"), std::string::npos);
  EXPECT_EQ(Refresh(again.json["refresh_token"]).json["error"], "invalid_grant");
  EXPECT_EQ(http().Request("GET", "/api/v1/user", std::nullopt, Bearer(session_)).status, 401);
  auto login = Authorize(AuthorizeTarget(), session_);
  EXPECT_EQ(login.status, 303);
  EXPECT_EQ(login.Header("location").rfind("/login?return_to=", 0), 0u);

  // No code, token or secret in what the server wrote (access lines, routing log).
  std::string logs = server_->Output() + server_->ErrorOutput();
  std::ifstream routing(server_->data_dir() / "logs" / "routing.jsonl");
  logs.append(std::istreambuf_iterator<char>(routing), {});
  for (const char* secret : {"bhac_", "bhrt_", "bhcs_", "eyJ"}) {
    EXPECT_EQ(logs.find(secret), std::string::npos) << secret;
  }
}

TEST_F(OAuthTest, UnknownClientOrRedirectUriGetsAnErrorPageNeverARedirect) {
  Client unknown{"01a20000-0000-7000-8000-000000000000", ""};
  for (const auto& target :
       {AuthorizeTarget({}, &unknown), AuthorizeTarget({{"redirect_uri", "http://localhost/x"}}),
        AuthorizeTarget({{"redirect_uri", std::string(kRedirect) + "/"}}),
        AuthorizeTarget({{"client_id", ""}})}) {
    auto r = Authorize(target, session_);
    EXPECT_EQ(r.status, 400) << target;
    EXPECT_EQ(r.Header("location"), "");
    EXPECT_NE(r.Header("content-type").find("text/html"), std::string::npos);
    EXPECT_EQ(
        r.Header("content-security-policy").find("frame-ancestors 'none'") == std::string::npos,
        false);
  }
}

TEST_F(OAuthTest, ALogoutThatDoesNotNameTheBrowsersSessionIsConfirmedFirst) {
  auto cookie = [&](const std::string& more = "") {
    return std::vector<std::pair<std::string, std::string>>{
        {"Cookie", "bulkhead_session=" + session_ + more}};
  };
  auto signed_in = [&] {
    return http().Request("GET", "/api/v1/user", std::nullopt, Bearer(session_)).status == 200;
  };
  // Another site's link (no id_token_hint) signs nobody out: it asks, with a CSRF-bound form.
  auto asked =
      http().Request("GET", "/oauth2/logout?" + Form({{"state", "x"}}), std::nullopt, cookie());
  EXPECT_EQ(asked.status, 200);
  EXPECT_NE(asked.body.find("action=\"/oauth2/logout\""), std::string::npos);
  EXPECT_EQ(asked.Header("location"), "");
  EXPECT_TRUE(signed_in());
  auto set = asked.Header("set-cookie");
  auto at = set.find("bulkhead_csrf=");
  ASSERT_NE(at, std::string::npos);
  std::string csrf = set.substr(at + 14, set.find(';', at) - at - 14);

  // A forged POST (no CSRF pair) changes nothing.
  auto form = [&](std::vector<std::pair<std::string, std::string>> fields) {
    auto headers = cookie("; bulkhead_csrf=" + csrf);
    headers.push_back({"Content-Type", "application/x-www-form-urlencoded"});
    return http().RequestRaw("POST", "/oauth2/logout", Form(fields), headers);
  };
  EXPECT_EQ(form({{"csrf_token", "forged"}}).status, 403);
  EXPECT_TRUE(signed_in());

  // Confirmed: the session ends.
  auto confirmed = form({{"state", "x"}, {"csrf_token", csrf}});
  EXPECT_EQ(confirmed.status, 200);
  EXPECT_NE(confirmed.Header("set-cookie").find("Max-Age=0"), std::string::npos);
  EXPECT_FALSE(signed_in());
}

TEST_F(OAuthTest, LoginIsAskedWithoutASessionOrWithPromptLogin) {
  auto target = AuthorizeTarget();
  auto none = Authorize(target, "");
  EXPECT_EQ(none.status, 303);
  EXPECT_EQ(none.Header("location"), "/login?return_to=" + UrlEncode(target));
  auto forced = Authorize(AuthorizeTarget({{"prompt", "login"}}), session_);
  EXPECT_EQ(forced.Header("location").rfind("/login?return_to=", 0), 0u);
  auto silent = Authorize(AuthorizeTarget({{"prompt", "none"}}), "");
  EXPECT_EQ(silent.status, 303);
  EXPECT_EQ(QueryParam(silent.Header("location"), "error"), "login_required");
  EXPECT_EQ(QueryParam(silent.Header("location"), "state"), "st-1");
  // With a session, prompt=none signs in silently.
  auto quiet = Authorize(AuthorizeTarget({{"prompt", "none"}}), session_);
  EXPECT_NE(QueryParam(quiet.Header("location"), "code"), "");
}

TEST_F(OAuthTest, TheOrganizationIsPickedNamedOrRefused) {
  auto team = CreateOrganization(http(), ann_.token, "Acme", UniqueSlug("acme"));
  auto picker = Authorize(AuthorizeTarget(), session_);
  EXPECT_EQ(picker.status, 303);
  EXPECT_EQ(picker.Header("location").rfind("/organization?return_to=", 0), 0u);

  auto by_slug = Exchange(Code({{"organization", team["slug"]}}));
  EXPECT_EQ(Payload(by_slug.json["access_token"])["org_id"], team["id"]);
  auto by_id = Exchange(Code({{"organization", team["id"]}}));
  EXPECT_EQ(Payload(by_id.json["id_token"])["org_slug"], team["slug"]);

  // Another user's organization answers exactly as one that does not exist.
  auto bob = SignUp(http(), "Bob");
  auto foreign =
      Authorize(AuthorizeTarget({{"organization", bob.personal_organization["slug"]}}), session_);
  auto unknown = Authorize(AuthorizeTarget({{"organization", "no-such-org"}}), session_);
  EXPECT_EQ(QueryParam(foreign.Header("location"), "error"), "invalid_request");
  EXPECT_EQ(QueryParam(foreign.Header("location"), "error_description"),
            QueryParam(unknown.Header("location"), "error_description"));

  // Switching by refresh, and back; a non-member organization is refused.
  auto switched = Refresh(by_slug.json["refresh_token"], ann_.personal_organization["id"]);
  ASSERT_EQ(switched.status, 200) << switched.body;
  EXPECT_EQ(Payload(switched.json["access_token"])["org_id"], ann_.personal_organization["id"]);
  auto refused = Refresh(switched.json["refresh_token"], bob.personal_organization["id"]);
  EXPECT_EQ(refused.status, 400);
  EXPECT_EQ(refused.json["error"], "invalid_grant");
}

TEST_F(OAuthTest, RemovalFromTheOrganizationRefusesTheNextRefresh) {
  auto bob = SignUp(http(), "Bob");
  auto team = CreateOrganization(http(), ann_.token, "Acme", UniqueSlug("acme"));
  AddMember(http(), ann_.token, team["slug"], bob.user_id, "admin");
  std::string bob_session = LogIn(bob.email);
  auto r = Authorize(AuthorizeTarget({{"organization", team["slug"]}}), bob_session);
  auto tokens = Exchange(QueryParam(r.Header("location"), "code"));
  ASSERT_EQ(tokens.status, 200) << tokens.body;
  EXPECT_EQ(Payload(tokens.json["access_token"])["org_role"], "admin");
  auto removed = http().Request(
      "DELETE",
      "/api/v1/organizations/" + team["slug"].get<std::string>() + "/members/" + bob.user_id,
      std::nullopt, Bearer(ann_.token));
  ASSERT_EQ(removed.status, 204) << removed.body;
  auto refused = Refresh(tokens.json["refresh_token"]);
  EXPECT_EQ(refused.status, 400);
  EXPECT_EQ(refused.json["error"], "invalid_grant");
  auto info =
      http().Request("GET", "/oauth2/userinfo", std::nullopt, Bearer(tokens.json["access_token"]));
  EXPECT_EQ(info.status, 401);
  auto refusals = QuerySql(*server_, "",
                           "SELECT organization_id, details FROM audit_events"
                           " WHERE action = 'oauth.grant_refused'");
  ASSERT_EQ(refusals.size(), 1u);
  EXPECT_EQ(refusals[0][0], team["id"]);
  auto issued = QuerySql(*server_, "",
                         "SELECT details FROM audit_events WHERE action = 'oauth.token_issued'");
  ASSERT_FALSE(issued.empty());
  for (const auto& row : issued) {
    EXPECT_EQ(row[0].find(tokens.json["refresh_token"].get<std::string>()), std::string::npos);
    EXPECT_EQ(row[0].find("bhrt_"), std::string::npos);
  }
}

// Custom roles (issue 21): the tokens carry the role's key and exactly its permissions, and a
// refresh after the role changed carries the new set.
TEST_F(OAuthTest, ACustomRolesPermissionsAreTheTokensAndARefreshShowsTheirChange) {
  auto bob = SignUp(http(), "Bob");
  auto team = CreateOrganization(http(), ann_.token, "Acme", UniqueSlug("acme"));
  std::string org = "/api/v1/organizations/" + team["slug"].get<std::string>();
  auto role = http().Request("POST", org + "/roles",
                             Json{{"key", "auditor"},
                                  {"name", "Auditor"},
                                  {"permissions",
                                   {"organization:read", "audit_log:read", "usage:read",
                                    "workspaces:see_all", "resources:read_all"}}},
                             Bearer(ann_.token));
  ASSERT_EQ(role.status, 201) << role.body;
  AddMember(http(), ann_.token, team["slug"], bob.user_id, "auditor");
  auto r = Authorize(AuthorizeTarget({{"organization", team["slug"]}}), LogIn(bob.email));
  auto tokens = Exchange(QueryParam(r.Header("location"), "code"));
  ASSERT_EQ(tokens.status, 200) << tokens.body;
  Json access = Payload(tokens.json["access_token"]);
  EXPECT_EQ(access["org_role"], "auditor");
  EXPECT_EQ(access["permissions"], role.json["permissions"]);
  EXPECT_EQ(Payload(tokens.json["id_token"])["org_role"], "auditor");

  auto changed =
      http().Request("PATCH", org + "/roles/auditor",
                     Json{{"permissions", {"usage:read", "members:manage"}}}, Bearer(ann_.token));
  ASSERT_EQ(changed.status, 200) << changed.body;
  auto refreshed = Refresh(tokens.json["refresh_token"]);
  ASSERT_EQ(refreshed.status, 200) << refreshed.body;
  Json after = Payload(refreshed.json["access_token"]);
  EXPECT_EQ(after["org_role"], "auditor");
  EXPECT_EQ(after["permissions"], Json({"organization:read", "members:manage", "usage:read"}));
  EXPECT_EQ(after["permissions"], changed.json["permissions"]);
  auto info = http().Request("GET", "/oauth2/userinfo", std::nullopt,
                             Bearer(refreshed.json["access_token"]));
  ASSERT_EQ(info.status, 200) << info.body;
  EXPECT_EQ(info.json["permissions"], changed.json["permissions"]);
}

TEST_F(OAuthTest, ACodeIsSingleUseAndItsReplayRevokesWhatItIssued) {
  std::string code = Code();
  auto first = Exchange(code);
  ASSERT_EQ(first.status, 200);
  auto replay = Exchange(code);
  EXPECT_EQ(replay.status, 400);
  EXPECT_EQ(replay.json["error"], "invalid_grant");
  EXPECT_EQ(Refresh(first.json["refresh_token"]).json["error"], "invalid_grant");
}

TEST_F(OAuthTest, ARefreshTokenUsedTwiceRevokesItsFamily) {
  auto tokens = Exchange(Code());
  auto second = Refresh(tokens.json["refresh_token"]);
  ASSERT_EQ(second.status, 200);
  EXPECT_EQ(Refresh(tokens.json["refresh_token"]).json["error"], "invalid_grant");
  EXPECT_EQ(Refresh(second.json["refresh_token"]).json["error"], "invalid_grant");
}

TEST_F(OAuthTest, PublicClientsUsePkce) {
  Client spa = Register({"--name", "Spa", "--redirect-uri", kRedirect, "--public"});
  EXPECT_TRUE(spa.secret.empty());
  auto without = Authorize(AuthorizeTarget({}, &spa), session_);
  EXPECT_EQ(QueryParam(without.Header("location"), "error"), "invalid_request");
  // A verifier and its S256 challenge (BASE64URL(SHA-256(verifier)), computed independently).
  std::string verifier = "bulkhead-pkce-verifier-0123456789-abcdefghijklmnop";
  std::string challenge = "hBQsCxVL_ncW0G-7ZLsfmXbd-y9k1VEgkDEVNH_s2aA";
  auto r = Authorize(
      AuthorizeTarget({{"code_challenge", challenge}, {"code_challenge_method", "S256"}}, &spa),
      session_);
  std::string code = QueryParam(r.Header("location"), "code");
  ASSERT_NE(code, "") << r.Header("location");
  auto wrong = Post("/oauth2/token", {{"grant_type", "authorization_code"},
                                      {"code", code},
                                      {"redirect_uri", kRedirect},
                                      {"client_id", spa.id},
                                      {"code_verifier", verifier + "x"}});
  EXPECT_EQ(wrong.json["error"], "invalid_grant");
  auto r2 = Authorize(
      AuthorizeTarget({{"code_challenge", challenge}, {"code_challenge_method", "S256"}}, &spa),
      session_);
  auto ok = Post("/oauth2/token", {{"grant_type", "authorization_code"},
                                   {"code", QueryParam(r2.Header("location"), "code")},
                                   {"redirect_uri", kRedirect},
                                   {"client_id", spa.id},
                                   {"code_verifier", verifier}});
  EXPECT_EQ(ok.status, 200) << ok.body;
  // A public client cannot introspect.
  auto introspect = Post("/oauth2/introspect", {{"token", "x"}, {"client_id", spa.id}});
  EXPECT_EQ(introspect.status, 401);
}

TEST_F(OAuthTest, TheTokenEndpointRefusesBadInputInOAuthTerms) {
  // Wrong secret (Basic): 401 invalid_client with a challenge.
  Client wrong{client_.id, "bhcs_wrong"};
  auto r = Post("/oauth2/token", {{"grant_type", "authorization_code"}, {"code", "x"}}, &wrong);
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.json["error"], "invalid_client");
  EXPECT_NE(r.Header("www-authenticate").find("Basic"), std::string::npos);
  // client_secret_post with the right secret works as Basic does; a wrong one is refused.
  auto post = Post("/oauth2/token", {{"grant_type", "authorization_code"},
                                     {"code", Code()},
                                     {"redirect_uri", kRedirect},
                                     {"client_id", client_.id},
                                     {"client_secret", client_.secret}});
  EXPECT_EQ(post.status, 200) << post.body;
  EXPECT_EQ(Post("/oauth2/token", {{"grant_type", "refresh_token"},
                                   {"refresh_token", "x"},
                                   {"client_id", client_.id},
                                   {"client_secret", "nope"}})
                .status,
            401);
  // No client at all.
  EXPECT_EQ(Post("/oauth2/token", {{"grant_type", "refresh_token"}}).json["error"],
            "invalid_client");
  auto grant = Post("/oauth2/token", {{"grant_type", "password"}}, &client_);
  EXPECT_EQ(grant.status, 400);
  EXPECT_EQ(grant.json["error"], "unsupported_grant_type");
  EXPECT_EQ(grant.Header("content-type").find("problem"), std::string::npos);
  auto missing = Post("/oauth2/token", {{"grant_type", "authorization_code"}}, &client_);
  EXPECT_EQ(missing.json["error"], "invalid_request");
  auto no_grant = Post("/oauth2/token", {}, &client_);
  EXPECT_EQ(no_grant.json["error"], "invalid_request");
  // JSON instead of a form; a repeated parameter.
  auto json = http().Request("POST", "/oauth2/token", Json{{"grant_type", "refresh_token"}});
  EXPECT_EQ(json.status, 400);
  EXPECT_EQ(json.json["error"], "invalid_request");
  auto twice = http().RequestRaw("POST", "/oauth2/token",
                                 "grant_type=refresh_token&grant_type=authorization_code",
                                 {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(twice.json["error"], "invalid_request");
  // A code bound to another redirect URI.
  auto other = Post("/oauth2/token",
                    {{"grant_type", "authorization_code"},
                     {"code", Code()},
                     {"redirect_uri", "http://localhost:5173/other"}},
                    &client_);
  EXPECT_EQ(other.json["error"], "invalid_grant");
  // Userinfo without or with a bad token.
  auto bare = http().Request("GET", "/oauth2/userinfo");
  EXPECT_EQ(bare.status, 401);
  EXPECT_EQ(bare.Header("www-authenticate"), "Bearer");
  auto bad = http().Request("GET", "/oauth2/userinfo", std::nullopt, Bearer("a.b.c"));
  EXPECT_EQ(bad.status, 401);
  EXPECT_NE(bad.Header("www-authenticate").find("error=\"invalid_token\""), std::string::npos);
  // An ID token is not an access token.
  auto id_as_access =
      http().Request("GET", "/oauth2/userinfo", std::nullopt, Bearer(post.json["id_token"]));
  EXPECT_EQ(id_as_access.status, 401);
}

TEST_F(OAuthTest, ClientsAreManagedByTheCliAndSeenAtOnce) {
  auto bad = RunCli({"clients", "create", "--name", "X", "--redirect-uri", "http://example.com/cb"},
                    *server_);
  EXPECT_EQ(bad.exit_code, 2);
  auto list = RunCli({"clients", "list"}, *server_);
  ASSERT_EQ(list.exit_code, 0) << list.err;
  auto clients = Json::parse(list.out);
  // The web console's own client (registered by serve at start) and this test's.
  ASSERT_EQ(clients.size(), 2u);
  EXPECT_EQ(clients[0]["client_id"], "bulkhead-console");
  EXPECT_EQ(clients[1]["client_id"], client_.id);
  EXPECT_EQ(list.out.find("bhcs_"), std::string::npos);  // the secret is shown once
  EXPECT_EQ(Authorize(AuthorizeTarget(), session_).status, 303);
  ASSERT_EQ(RunCli({"clients", "delete", client_.id}, *server_).exit_code, 0);
  EXPECT_EQ(Authorize(AuthorizeTarget(), session_).status, 400);
  EXPECT_EQ(RunCli({"clients", "delete", client_.id}, *server_).exit_code, 1);
}

}  // namespace
}  // namespace bulkhead::testing
