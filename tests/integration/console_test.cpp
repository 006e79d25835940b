// The web console's server side over real HTTP: its OpenID Connect client registered by the
// server at every start; its access tokens accepted by the public API as the user, held to
// the organization they name; other clients' access tokens refused; and /console/ served from
// --console-dir with its cache, compression and security headers.

#include <algorithm>
#include <fstream>
#include <string>

#include "integration/harness.hpp"
#include "integration/oauth_forms.hpp"

namespace bulkhead::testing {
namespace {

namespace fs = std::filesystem;

constexpr char kIssuer[] = "https://id.example.test";
constexpr char kConsoleRedirect[] = "https://id.example.test/console/callback";
constexpr char kOtherRedirect[] = "http://localhost:5173/callback";
// A verifier and its S256 challenge (BASE64URL(SHA-256(verifier)), as in oauth_test.cpp).
constexpr char kVerifier[] = "bulkhead-pkce-verifier-0123456789-abcdefghijklmnop";
constexpr char kChallenge[] = "hBQsCxVL_ncW0G-7ZLsfmXbd-y9k1VEgkDEVNH_s2aA";

void WriteFile(const fs::path& path, const std::string& body) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << body;
}

class ConsoleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    console_dir_ = fs::temp_directory_path() /
                   ("bulkhead-console-" + std::to_string(::getpid()) + "-" +
                    ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(console_dir_);
    WriteFile(console_dir_ / "index.html", "<!doctype html><title>Bulkhead</title>");
    WriteFile(console_dir_ / "favicon.svg", "<svg xmlns='http://www.w3.org/2000/svg'/>");
    WriteFile(console_dir_ / "assets" / "index-Ab12Cd34.js", "console.log('console')");
    WriteFile(console_dir_ / "assets" / "index-Ab12Cd34.js.gz", "\x1f\x8b-pretend-gzip");
    server_ = std::make_unique<ServerProcess>(
        std::vector<std::string>{"--public-url", kIssuer, "--console-dir", console_dir_.string()});
    ann_ = SignUp(http(), "Ann");
    session_ = LogIn(ann_.email);
  }
  void TearDown() override {
    server_.reset();
    fs::remove_all(console_dir_);
  }

  HttpClient http() { return server_->client(); }

  std::string LogIn(const std::string& email) {
    auto r = http().Request("POST", "/api/v1/auth/login",
                            Json{{"email", email}, {"password", kPassword}});
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json["session_token"];
  }

  HttpResponse PostForm(const std::vector<std::pair<std::string, std::string>>& fields) {
    return http().RequestRaw("POST", "/oauth2/token", Form(fields),
                             {{"Content-Type", "application/x-www-form-urlencoded"}});
  }

  // The console's sign-in: authorization code with PKCE for `organization`, exchanged.
  Json ConsoleTokens(const std::string& organization, const std::string& session) {
    std::vector<std::pair<std::string, std::string>> params = {
        {"response_type", "code"},
        {"client_id", "bulkhead-console"},
        {"redirect_uri", kConsoleRedirect},
        {"scope", "openid profile email offline_access organization"},
        {"state", "st-1"},
        {"nonce", "n-1"},
        {"code_challenge", kChallenge},
        {"code_challenge_method", "S256"},
        {"organization", organization}};
    auto r = http().Request("GET", "/oauth2/authorize?" + Form(params), std::nullopt,
                            {{"Cookie", "bulkhead_session=" + session}});
    EXPECT_EQ(r.status, 303) << r.body;
    auto location = r.Header("location");
    EXPECT_EQ(location.rfind(kConsoleRedirect, 0), 0u) << location;
    auto tokens = PostForm({{"grant_type", "authorization_code"},
                            {"code", QueryParam(location, "code")},
                            {"redirect_uri", kConsoleRedirect},
                            {"client_id", "bulkhead-console"},
                            {"code_verifier", kVerifier}});
    EXPECT_EQ(tokens.status, 200) << tokens.body;
    return tokens.json;
  }

  HttpResponse Get(const std::string& target, const std::string& token) {
    return http().Request("GET", target, std::nullopt, Bearer(token));
  }

  fs::path console_dir_;
  std::unique_ptr<ServerProcess> server_;
  Account ann_;
  std::string session_;
};

TEST_F(ConsoleTest, TheServerRegistersTheConsoleClientAtEveryStartAndKeepsIt) {
  auto list = RunCli({"clients", "list"}, *server_);
  ASSERT_EQ(list.exit_code, 0) << list.err;
  auto clients = Json::parse(list.out);
  auto console = std::find_if(clients.begin(), clients.end(),
                              [](const Json& c) { return c["client_id"] == "bulkhead-console"; });
  ASSERT_NE(console, clients.end()) << list.out;
  EXPECT_EQ((*console)["public"], true);
  EXPECT_EQ((*console)["redirect_uris"], Json::array({kConsoleRedirect}));
  EXPECT_EQ((*console)["post_logout_redirect_uris"],
            Json::array({std::string(kIssuer) + "/console/"}));

  auto deleted = RunCli({"clients", "delete", "bulkhead-console"}, *server_);
  EXPECT_NE(deleted.exit_code, 0);
  EXPECT_NE(deleted.err.find("registers it again at every start"), std::string::npos)
      << deleted.err;

  // A restart registers it again (an upsert: no conflict with the row already there).
  server_->Stop();
  server_->Start();
  auto again = RunCli({"clients", "list"}, *server_);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("bulkhead-console"), std::string::npos);
}

TEST_F(ConsoleTest, ConsoleAccessTokensActAsTheUserInTheOrganizationTheyName) {
  Json a = CreateOrganization(http(), ann_.token, "Acme", UniqueSlug("acme"));
  Json b = CreateOrganization(http(), ann_.token, "Beta", UniqueSlug("beta"));
  std::string a_slug = a["slug"], b_slug = b["slug"];
  Json tokens = ConsoleTokens(a_slug, session_);
  std::string access = tokens["access_token"];
  ASSERT_EQ(Payload(access)["org_id"], a["id"]);

  // User routes, and the organization's own routes (organization and workspace scope).
  auto user = Get("/api/v1/user", access);
  EXPECT_EQ(user.status, 200) << user.body;
  EXPECT_EQ(user.json["id"], ann_.user_id);
  EXPECT_EQ(Get("/api/v1/user/organizations", access).status, 200);
  EXPECT_EQ(Get("/api/v1/organizations/" + a_slug, access).status, 200);
  EXPECT_EQ(Get("/api/v1/organizations/" + a_slug + "/members", access).status, 200);
  auto workspace = http().Request("POST", "/api/v1/organizations/" + a_slug + "/workspaces",
                                  Json{{"name", "Web"}}, Bearer(access));
  ASSERT_EQ(workspace.status, 201) << workspace.body;
  std::string ws = workspace.json["id"];
  EXPECT_EQ(
      Get("/api/v1/organizations/" + a_slug + "/workspaces/" + ws + "/resources", access).status,
      200);

  // Another organization of the same user: refused until the token is refreshed for it.
  auto other = Get("/api/v1/organizations/" + b_slug, access);
  EXPECT_EQ(other.status, 403) << other.body;
  EXPECT_EQ(other.Code(), "forbidden");
  EXPECT_NE(other.json["detail"].get<std::string>().find("organization=" + b_slug),
            std::string::npos)
      << other.body;
  EXPECT_EQ(http()
                .Request("GET", "/api/v1/organizations/" + a_slug + "/members", std::nullopt,
                         Bearer(access, {{"X-Organization", b_slug}}))
                .status,
            400);  // the path and the header disagree, before the token is asked
  auto switched = PostForm({{"grant_type", "refresh_token"},
                            {"refresh_token", tokens["refresh_token"]},
                            {"client_id", "bulkhead-console"},
                            {"organization", b_slug}});
  ASSERT_EQ(switched.status, 200) << switched.body;
  std::string for_b = switched.json["access_token"];
  EXPECT_EQ(Get("/api/v1/organizations/" + b_slug, for_b).status, 200);
  EXPECT_EQ(Get("/api/v1/organizations/" + a_slug, for_b).status, 403);
  // The first token is still good for its own organization (each tab keeps its own).
  EXPECT_EQ(Get("/api/v1/organizations/" + a_slug, access).status, 200);

  // Roles are read per request: demoted to member, Ann's token no longer manages members.
  Account bob = SignUp(http(), "Bob");
  AddMember(http(), ann_.token, a_slug, bob.user_id, "owner");
  auto demote =
      http().Request("PATCH", "/api/v1/organizations/" + a_slug + "/members/" + ann_.user_id,
                     Json{{"role", "member"}}, Bearer(bob.token));
  ASSERT_EQ(demote.status, 200) << demote.body;
  auto invite =
      http().Request("POST", "/api/v1/organizations/" + a_slug + "/invitations",
                     Json{{"email", UniqueEmail("carol")}, {"role", "member"}}, Bearer(access));
  EXPECT_EQ(invite.status, 403) << invite.body;

  // The API's logout ends sessions; a console token has none, and signs out at
  // /oauth2/logout: 204, nothing ended.
  auto logout = http().Request("POST", "/api/v1/auth/logout", std::nullopt, Bearer(access));
  EXPECT_EQ(logout.status, 204) << logout.body;
  EXPECT_EQ(Get("/api/v1/user", session_).status, 200);
}

TEST_F(ConsoleTest, OtherClientsAccessTokensAndForgedTokensAreRefused) {
  auto created =
      RunCli({"clients", "create", "--name", "Demo", "--redirect-uri", kOtherRedirect}, *server_);
  ASSERT_EQ(created.exit_code, 0) << created.err;
  Json client = Json::parse(created.out);
  std::vector<std::pair<std::string, std::string>> params = {
      {"response_type", "code"},
      {"client_id", client["client_id"]},
      {"redirect_uri", kOtherRedirect},
      {"scope", "openid organization"},
      {"state", "s"},
      {"organization", ann_.personal_organization["slug"]}};
  auto r = http().Request("GET", "/oauth2/authorize?" + Form(params), std::nullopt,
                          {{"Cookie", "bulkhead_session=" + session_}});
  ASSERT_EQ(r.status, 303) << r.body;
  auto tokens = PostForm({{"grant_type", "authorization_code"},
                          {"code", QueryParam(r.Header("location"), "code")},
                          {"redirect_uri", kOtherRedirect},
                          {"client_id", client["client_id"]},
                          {"client_secret", client["client_secret"]}});
  ASSERT_EQ(tokens.status, 200) << tokens.body;
  std::string access = tokens.json["access_token"];
  auto refused = Get("/api/v1/user", access);
  EXPECT_EQ(refused.status, 401);
  EXPECT_EQ(refused.Code(), "unauthenticated");
  EXPECT_NE(refused.json["detail"].get<std::string>().find("bulkhead-console"), std::string::npos);
  EXPECT_EQ(
      Get("/api/v1/organizations/" + ann_.personal_organization["slug"].get<std::string>(), access)
          .status,
      401);

  // An ID token (same keys, typ JWT) and a token with a forged signature are not access tokens.
  std::string console_access =
      ConsoleTokens(ann_.personal_organization["slug"], session_)["access_token"];
  std::string id_token = tokens.json["id_token"];
  EXPECT_EQ(Get("/api/v1/user", id_token).status, 401);
  std::string forged = console_access.substr(0, console_access.rfind('.') + 1) + "AAAA";
  EXPECT_EQ(Get("/api/v1/user", forged).status, 401);
  EXPECT_EQ(Get("/api/v1/user", "a.b.c").status, 401);
  EXPECT_EQ(Get("/api/v1/user", console_access).status, 200);
  // As a cookie, a JWT is not a session.
  EXPECT_EQ(http()
                .Request("GET", "/api/v1/user", std::nullopt,
                         {{"Cookie", "bulkhead_session=" + console_access}})
                .status,
            401);
}

TEST_F(ConsoleTest, ServesTheConsoleWithItsCacheCompressionAndSecurityHeaders) {
  constexpr char kCsp[] =
      "default-src 'self'; img-src 'self' https: data:; style-src 'self' 'unsafe-inline'; "
      "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
  auto bare = http().Request("GET", "/console");
  EXPECT_EQ(bare.status, 308);
  EXPECT_EQ(bare.Header("location"), "/console/");

  for (const char* target : {"/console/", "/console/o/acme/members", "/console/callback?code=x",
                             "/console/accept-invitation?token=bki_x"}) {
    auto page = http().Request("GET", target);
    EXPECT_EQ(page.status, 200) << target;
    EXPECT_EQ(page.body, "<!doctype html><title>Bulkhead</title>") << target;
    EXPECT_EQ(page.Header("content-type"), "text/html; charset=utf-8");
    EXPECT_EQ(page.Header("cache-control"), "no-cache") << target;
    EXPECT_EQ(page.Header("content-security-policy"), kCsp);
    EXPECT_EQ(page.Header("x-content-type-options"), "nosniff");
    EXPECT_EQ(page.Header("referrer-policy"), "no-referrer");
  }

  const std::string asset = "/console/assets/index-Ab12Cd34.js";
  auto plain = http().Request("GET", asset);
  EXPECT_EQ(plain.status, 200);
  EXPECT_EQ(plain.body, "console.log('console')");
  EXPECT_EQ(plain.Header("cache-control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(plain.Header("content-type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(plain.Header("vary"), "Accept-Encoding");
  EXPECT_EQ(plain.Header("content-encoding"), "");
  auto gz = http().Request("GET", asset, std::nullopt, {{"Accept-Encoding", "gzip, br"}});
  EXPECT_EQ(gz.status, 200);
  EXPECT_EQ(gz.body, "\x1f\x8b-pretend-gzip");
  EXPECT_EQ(gz.Header("content-encoding"), "gzip");
  EXPECT_EQ(gz.Header("vary"), "Accept-Encoding");
  auto cached = http().Request("GET", asset, std::nullopt,
                               {{"If-None-Match", gz.Header("etag")}, {"Accept-Encoding", "gzip"}});
  EXPECT_EQ(cached.status, 304);
  EXPECT_EQ(http().Request("GET", "/console/favicon.svg").Header("content-type"), "image/svg+xml");

  for (const char* target :
       {"/console/assets/index-Gone0000.js", "/console/missing.css",
        "/console/assets/../index.html", "/console/%2e%2e/%2e%2e/etc/passwd"}) {
    auto missing = http().Request("GET", target);
    if (missing.status == 200) {
      EXPECT_EQ(missing.body, "<!doctype html><title>Bulkhead</title>") << target;
    } else {
      EXPECT_EQ(missing.status, 404) << target;
      EXPECT_EQ(missing.Header("content-type"), "application/problem+json") << target;
      EXPECT_EQ(missing.Code(), "not_found") << target;
    }
  }
  auto post = http().Request("POST", "/console/", Json::object());
  EXPECT_EQ(post.status, 405);

  // The API is untouched by the mount beside it.
  EXPECT_EQ(http().Request("GET", "/api/v1/user").status, 401);
  EXPECT_EQ(http().Request("GET", "/consoles").status, 404);
}

TEST(ConsoleNotBuilt, TheConsoleAnswers503AndTheServerWarnsOnce) {
  fs::path empty =
      fs::temp_directory_path() / ("bulkhead-no-console-" + std::to_string(::getpid()));
  fs::create_directories(empty);
  ServerProcess server({"--console-dir", empty.string()});
  auto page = server.client().Request("GET", "/console/");
  EXPECT_EQ(page.status, 503);
  EXPECT_EQ(page.Code(), "console_not_built");
  EXPECT_NE(page.json["detail"].get<std::string>().find("make"), std::string::npos);
  EXPECT_EQ(server.client().Request("GET", "/healthz").status, 200);
  std::string err = server.ErrorOutput();
  auto first = err.find("the web console is not built");
  EXPECT_NE(first, std::string::npos) << err;
  EXPECT_EQ(err.find("the web console is not built", first + 1), std::string::npos);
  fs::remove_all(empty);
}

}  // namespace
}  // namespace bulkhead::testing
