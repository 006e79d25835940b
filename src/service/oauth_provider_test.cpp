// The OpenID Provider's rules on a real SQLite catalog: codes are single use (a replay revokes
// what they issued), PKCE binds the code, refresh tokens rotate (reuse revokes the family),
// claims are re-derived at every refresh (removal and suspension refuse), the organization
// switches by refresh, and refresh tokens expire when idle and in all.

#include "service/oauth_provider.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "core/base64.hpp"
#include "core/time.hpp"
#include "crypto/token.hpp"
#include "service/account_service.hpp"
#include "service/organization_service.hpp"
#include "store/catalog_store.hpp"
#include "store/migrations.hpp"
#include "store/sqlite_database.hpp"

namespace bulkhead::service {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr char kRedirect[] = "https://app.example.com/callback";
constexpr int64_t kDay = 24LL * 3600 * 1000;

std::string QueryParam(const std::string& url, const std::string& name) {
  auto at = url.find(name + "=");
  if (at == std::string::npos) return "";
  auto start = at + name.size() + 1;
  return url.substr(start, url.find('&', start) - start);
}

json Payload(const std::string& jwt) {
  auto first = jwt.find('.');
  auto second = jwt.find('.', first + 1);
  auto decoded = core::Base64UrlDecode(jwt.substr(first + 1, second - first - 1));
  return decoded ? json::parse(*decoded) : json();
}

// A PKCE pair: the verifier and its S256 challenge.
std::pair<std::string, std::string> Pkce() {
  std::string verifier = crypto::NewToken("v") + "xxxxxxxx";
  std::string hex = crypto::HashToken(verifier);
  std::string bytes;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    bytes += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  }
  return {verifier, core::Base64UrlEncode(bytes)};
}

class OAuthProviderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("bulkhead-oauth-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "tenants");
    auto opened = store::SqliteDatabase::Open(dir_ / "catalog.db", 4);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    catalog_ = std::move(opened).value();
    {
      auto lease = catalog_->Acquire();
      ASSERT_TRUE(store::Migrate(*lease, store::CatalogMigrations()).ok());
    }
    tenants_ = std::make_unique<store::SqliteTenantDatabases>(*catalog_, dir_ / "tenants", 16);
    ServiceConfig config;
    config.public_url = "https://id.example.com/";
    env_ = std::make_unique<Environment>(
        Environment{*catalog_, *tenants_, cache_, throttle_, keys_, config});
    organizations_ = std::make_unique<OrganizationService>(*env_);
    accounts_ = std::make_unique<AccountService>(*env_, *organizations_);
    clients_ = std::make_unique<OAuthClients>(*env_);
    signing_ = std::make_unique<SigningKeys>(*env_);
    ASSERT_TRUE(signing_->EnsureKeys().ok());
    provider_ = std::make_unique<OAuthProvider>(*env_, *clients_, *signing_);
    provider_->SetClockForTesting([this] { return now_; });

    auto created = clients_->Create({"App", {kRedirect}, {}, false, "RS256"});
    ASSERT_TRUE(created.ok()) << created.error().message;
    client_ = created->client;
    auto signed_up = accounts_->SignUp({"ann@example.com", "correct horse battery", "Ann"}, "r1");
    ASSERT_TRUE(signed_up.ok()) << signed_up.error().message;
    user_id_ = signed_up->user.id;
    personal_ = signed_up->personal_organization;
    auto principal = accounts_->Authenticate(signed_up->session_token);
    ASSERT_TRUE(principal.ok());
    session_ = BrowserSession{principal->user_id, principal->session_hash};
  }
  void TearDown() override {
    provider_.reset();
    signing_.reset();
    clients_.reset();
    accounts_.reset();
    organizations_.reset();
    env_.reset();
    tenants_.reset();
    catalog_.reset();
    fs::remove_all(dir_);
  }

  AuthorizationRequest Request(std::string scope = "openid organization offline_access") {
    AuthorizationRequest r;
    r.response_type = "code";
    r.client_id = client_.id;
    r.redirect_uri = kRedirect;
    r.scope = std::move(scope);
    r.state = "s";
    return r;
  }

  std::string Code(const AuthorizationRequest& r) {
    auto outcome = provider_->Authorize(r, session_);
    EXPECT_EQ(outcome.kind, AuthorizationOutcome::Kind::kRedirect) << outcome.message;
    EXPECT_EQ(QueryParam(outcome.location, "error"), "") << outcome.location;
    return QueryParam(outcome.location, "code");
  }

  OAuthResult<json> Exchange(const std::string& code, const std::string& verifier = "") {
    TokenRequest t;
    t.grant_type = "authorization_code";
    t.code = code;
    t.redirect_uri = kRedirect;
    t.code_verifier = verifier;
    return provider_->Token(client_, t, "req");
  }

  OAuthResult<json> Refresh(const std::string& token, const std::string& organization = "") {
    TokenRequest t;
    t.grant_type = "refresh_token";
    t.refresh_token = token;
    t.organization = organization;
    return provider_->Token(client_, t, "req");
  }

  // The first tokens of a sign-in into the user's only organization.
  json SignIn() {
    auto tokens = Exchange(Code(Request()));
    EXPECT_TRUE(tokens.ok()) << (tokens.ok() ? "" : tokens.error().description);
    return tokens.ok() ? *tokens : json();
  }

  store::OrganizationRecord TeamOrganization(const std::string& name) {
    auto org =
        organizations_->Create({name, std::nullopt, std::nullopt}, Actor{"user", user_id_, "r"});
    EXPECT_TRUE(org.ok()) << org.error().message;
    return *org;
  }

  fs::path dir_;
  std::unique_ptr<store::Database> catalog_;
  std::unique_ptr<store::TenantDatabases> tenants_;
  CatalogCache cache_;
  LoginThrottle throttle_;
  KeyRing keys_{std::string(32, 'k')};
  std::unique_ptr<Environment> env_;
  std::unique_ptr<OrganizationService> organizations_;
  std::unique_ptr<AccountService> accounts_;
  std::unique_ptr<OAuthClients> clients_;
  std::unique_ptr<SigningKeys> signing_;
  std::unique_ptr<OAuthProvider> provider_;
  int64_t now_ = core::NowMs();
  store::oauth::ClientRecord client_;
  std::string user_id_;
  store::OrganizationRecord personal_;
  std::optional<BrowserSession> session_;
};

TEST_F(OAuthProviderTest, TokensCarryTheOrganizationAndTheIssuerWithoutTrailingSlash) {
  json tokens = SignIn();
  json access = Payload(tokens["access_token"]);
  EXPECT_EQ(access["iss"], "https://id.example.com");
  EXPECT_EQ(access["aud"], client_.id);
  EXPECT_EQ(access["sub"], user_id_);
  EXPECT_EQ(access["org_id"], personal_.id);
  EXPECT_EQ(access["org_role"], "owner");
  EXPECT_LE(access["exp"].get<int64_t>() - access["iat"].get<int64_t>(), 600);
  EXPECT_EQ(access["sid"], SessionId(session_->session_hash));
  EXPECT_TRUE(tokens.contains("refresh_token"));
  EXPECT_TRUE(tokens.contains("id_token"));
}

TEST_F(OAuthProviderTest, ACodeIsSingleUseAndItsReplayRevokesTheRefreshFamily) {
  std::string code = Code(Request());
  auto first = Exchange(code);
  ASSERT_TRUE(first.ok());
  auto replay = Exchange(code);
  ASSERT_FALSE(replay.ok());
  EXPECT_EQ(replay.error().error, "invalid_grant");
  auto refreshed = Refresh((*first)["refresh_token"]);
  ASSERT_FALSE(refreshed.ok());
  EXPECT_EQ(refreshed.error().error, "invalid_grant");
}

TEST_F(OAuthProviderTest, ACodeExpiresAfterSixtySeconds) {
  std::string code = Code(Request());
  now_ += kAuthorizationCodeTtlMs + 1;
  auto late = Exchange(code);
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().error, "invalid_grant");
}

TEST_F(OAuthProviderTest, PkceBindsTheCode) {
  auto [verifier, challenge] = Pkce();
  auto r = Request();
  r.code_challenge = challenge;
  r.code_challenge_method = "S256";
  auto wrong = Exchange(Code(r), Pkce().first);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().error, "invalid_grant");
  auto missing = Exchange(Code(r));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().error, "invalid_grant");
  EXPECT_TRUE(Exchange(Code(r), verifier).ok());
  // A verifier for a code that had no challenge is refused too (downgrade).
  auto unexpected = Exchange(Code(Request()), verifier);
  EXPECT_FALSE(unexpected.ok());
}

TEST_F(OAuthProviderTest, APublicClientMustSendAChallenge) {
  auto created = clients_->Create({"Spa", {kRedirect}, {}, true, "ES256"});
  ASSERT_TRUE(created.ok());
  EXPECT_FALSE(created->secret.has_value());
  auto r = Request();
  r.client_id = created->client.id;
  auto outcome = provider_->Authorize(r, session_);
  ASSERT_EQ(outcome.kind, AuthorizationOutcome::Kind::kRedirect);
  EXPECT_EQ(QueryParam(outcome.location, "error"), "invalid_request");
}

TEST_F(OAuthProviderTest, RefreshRotatesAndReuseRevokesTheFamily) {
  json tokens = SignIn();
  auto second = Refresh(tokens["refresh_token"]);
  ASSERT_TRUE(second.ok());
  EXPECT_NE((*second)["refresh_token"], tokens["refresh_token"]);
  auto reuse = Refresh(tokens["refresh_token"]);
  ASSERT_FALSE(reuse.ok());
  EXPECT_EQ(reuse.error().error, "invalid_grant");
  // The rotated one, never used, is revoked with its family.
  auto after = Refresh((*second)["refresh_token"]);
  ASSERT_FALSE(after.ok());
  EXPECT_EQ(after.error().error, "invalid_grant");
}

TEST_F(OAuthProviderTest, ARoleChangeReachesTheNextRefresh) {
  auto team = TeamOrganization("Acme");
  auto r = Request();
  r.organization = team.slug;
  auto tokens = Exchange(Code(r));
  ASSERT_TRUE(tokens.ok());
  EXPECT_EQ(Payload((*tokens)["access_token"])["org_role"], "owner");
  {
    auto lease = catalog_->Acquire();
    ASSERT_TRUE(store::catalog::UpdateMembershipRole(*lease, team.id, user_id_, "member").ok());
  }
  auto next = Refresh((*tokens)["refresh_token"]);
  ASSERT_TRUE(next.ok());
  json access = Payload((*next)["access_token"]);
  EXPECT_EQ(access["org_role"], "member");
  EXPECT_EQ(access["permissions"], json::array({"organization:read"}));
}

TEST_F(OAuthProviderTest, RemovalRefusesTheRefreshAndRevokesTheFamily) {
  auto team = TeamOrganization("Acme");
  auto r = Request();
  r.organization = team.id;
  auto tokens = Exchange(Code(r));
  ASSERT_TRUE(tokens.ok());
  {
    auto lease = catalog_->Acquire();
    ASSERT_TRUE(store::catalog::DeleteMembership(*lease, team.id, user_id_).ok());
  }
  auto refused = Refresh((*tokens)["refresh_token"]);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().error, "invalid_grant");
  {
    auto lease = catalog_->Acquire();
    auto events = store::catalog::ListAuditEvents(*lease, team.id, "", "oauth.grant_refused", 0, 5);
    ASSERT_TRUE(events.ok());
    EXPECT_EQ(events->size(), 1u);
  }
  // Membership back: the family stays revoked.
  {
    auto lease = catalog_->Acquire();
    ASSERT_TRUE(store::catalog::InsertMembership(*lease, {team.id, user_id_, "owner", now_}).ok());
  }
  EXPECT_FALSE(Refresh((*tokens)["refresh_token"]).ok());
}

TEST_F(OAuthProviderTest, ASuspendedOrganizationRefusesTheRefresh) {
  json tokens = SignIn();
  {
    auto lease = catalog_->Acquire();
    auto org = store::catalog::FindOrganizationById(*lease, personal_.id);
    ASSERT_TRUE(org.ok() && *org);
    auto suspended = **org;
    suspended.status = "suspended";
    ASSERT_TRUE(store::catalog::UpdateOrganization(*lease, suspended).ok());
  }
  auto refused = Refresh(tokens["refresh_token"]);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().error, "invalid_grant");
}

TEST_F(OAuthProviderTest, RefreshSwitchesToAnotherOrganizationOfTheUserOnly) {
  json tokens = SignIn();
  auto team = TeamOrganization("Acme");
  auto switched = Refresh(tokens["refresh_token"], team.slug);
  ASSERT_TRUE(switched.ok());
  EXPECT_EQ(Payload((*switched)["access_token"])["org_id"], team.id);
  EXPECT_EQ(Payload((*switched)["id_token"])["org_slug"], team.slug);

  // Someone else's organization and an unknown one: the same answer, the token still valid.
  auto other = accounts_->SignUp({"bob@example.com", "correct horse battery", "Bob"}, "r2");
  ASSERT_TRUE(other.ok());
  auto foreign = Refresh((*switched)["refresh_token"], other->personal_organization.slug);
  auto unknown = Refresh((*switched)["refresh_token"], "no-such-organization");
  ASSERT_FALSE(foreign.ok());
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(foreign.error().error, unknown.error().error);
  EXPECT_EQ(foreign.error().description, unknown.error().description);
  auto back = Refresh((*switched)["refresh_token"], personal_.id);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(Payload((*back)["access_token"])["org_id"], personal_.id);
}

TEST_F(OAuthProviderTest, RefreshTokensExpireWhenIdleAndInAll) {
  json tokens = SignIn();
  // Used every 13 days: alive past the 14-day idle limit...
  std::string token = tokens["refresh_token"];
  for (int i = 0; i < 2; ++i) {
    now_ += 13 * kDay;
    auto next = Refresh(token);
    ASSERT_TRUE(next.ok()) << next.error().description;
    token = (*next)["refresh_token"];
  }
  // ...but never past 30 days from the sign-in.
  now_ += 5 * kDay;
  auto expired = Refresh(token);
  ASSERT_FALSE(expired.ok());
  EXPECT_EQ(expired.error().error, "invalid_grant");

  json fresh = SignIn();
  now_ += 14 * kDay + 1;
  auto idle = Refresh(fresh["refresh_token"]);
  ASSERT_FALSE(idle.ok());
  EXPECT_EQ(idle.error().error, "invalid_grant");
}

TEST_F(OAuthProviderTest, LogoutRevokesTheRefreshTokensOfTheSession) {
  json tokens = SignIn();
  auto outcome = provider_->Logout({}, session_->session_hash);
  EXPECT_FALSE(outcome.error.has_value());
  EXPECT_FALSE(Refresh(tokens["refresh_token"]).ok());
}

TEST(RedirectUris, AreAbsoluteWithoutFragmentAndHttpOnlyOnLoopback) {
  EXPECT_TRUE(ValidateRedirectUri("u", "https://app.example.com/cb?x=1").ok());
  EXPECT_TRUE(ValidateRedirectUri("u", "http://localhost:3000/cb").ok());
  EXPECT_TRUE(ValidateRedirectUri("u", "http://127.0.0.1/cb").ok());
  EXPECT_TRUE(ValidateRedirectUri("u", "http://[::1]:8080/cb").ok());
  EXPECT_TRUE(ValidateRedirectUri("u", "com.example.app:/cb").ok());
  EXPECT_FALSE(ValidateRedirectUri("u", "http://app.example.com/cb").ok());
  EXPECT_FALSE(ValidateRedirectUri("u", "https://app.example.com/cb#frag").ok());
  EXPECT_FALSE(ValidateRedirectUri("u", "/relative").ok());
  EXPECT_FALSE(ValidateRedirectUri("u", "https://user@app.example.com/cb").ok());
  EXPECT_FALSE(ValidateRedirectUri("u", "javascript:alert(1)").ok());
  EXPECT_FALSE(ValidateRedirectUri("u", "https:///cb").ok());
}

}  // namespace
}  // namespace bulkhead::service
