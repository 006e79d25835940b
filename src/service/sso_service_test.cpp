// SsoService::CompleteSignIn's rules against a real catalog, on every storage backend (TEST_P):
// who an IdP's answer signs in (by the connection's subject, then by email only through a
// verified email domain linked to the connection, else a new account without a password),
// just-in-time membership on and off, group roles at each sign-in (never demoting the last
// owner), the session it opens, and test sign-ins that create nothing. The protocol code that
// verifies an IdP's response is tested with real IdPs elsewhere (tests/sso-oidc, tests/sso-saml);
// here the claims are given as a verified response would give them.

#include "service/sso_service.hpp"

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <filesystem>

#include "core/time.hpp"
#include "crypto/token.hpp"
#include "service/account_service.hpp"
#include "service/organization_service.hpp"
#include "service/tenant_resolver.hpp"
#include "store/catalog_store.hpp"
#include "store/migrations.hpp"
#include "store/postgres_database.hpp"
#include "store/postgres_tenants.hpp"
#include "store/sqlite_database.hpp"
#include "store/sso_store.hpp"

namespace bulkhead::service {
namespace {

namespace fs = std::filesystem;
using core::Result;
using Kind = SsoSignInResult::Kind;

class SsoSignInTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("bulkhead-sso-" + std::to_string(::getpid()) + "-" + std::to_string(++counter_));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "tenants");
    if (GetParam() == "postgres") {
      std::string admin = std::getenv("BULKHEAD_TEST_POSTGRES_URL");
      database_ = "sso_" + std::to_string(::getpid()) + "_" + std::to_string(counter_);
      AdminSql(admin, "CREATE DATABASE " + database_);
      auto pool = store::PostgresPool::Open(admin.substr(0, admin.rfind('/') + 1) + database_, 4);
      ASSERT_TRUE(pool.ok()) << pool.error().message;
      pool_ = *pool;
      catalog_ = pool_->Schema("bulkhead");
      auto lease = catalog_->Acquire();
      ASSERT_TRUE(lease->ExecuteScript("CREATE SCHEMA bulkhead").ok());
    } else {
      auto db = store::SqliteDatabase::Open(dir_ / "catalog.db", 4);
      ASSERT_TRUE(db.ok()) << db.error().message;
      catalog_ = std::move(db).value();
    }
    {
      auto lease = catalog_->Acquire();
      auto migrated = store::Migrate(*lease, store::CatalogMigrations());
      ASSERT_TRUE(migrated.ok()) << migrated.error().message;
    }
    if (pool_) {
      tenants_ = std::make_unique<store::PostgresTenantDatabases>(pool_, *catalog_);
    } else {
      tenants_ = std::make_unique<store::SqliteTenantDatabases>(*catalog_, dir_ / "tenants", 16);
    }
    env_ = std::make_unique<Environment>(
        Environment{*catalog_, *tenants_, cache_, throttle_, keys_, ServiceConfig{}});
    organizations_ = std::make_unique<OrganizationService>(*env_);
    accounts_ = std::make_unique<AccountService>(*env_, *organizations_);
    sso_ = std::make_unique<SsoService>(*env_);

    auto owner = accounts_->SignUp({"owner@corp.example", "correct horse battery", "Owner"}, "r");
    ASSERT_TRUE(owner.ok()) << owner.error().message;
    owner_id_ = owner->user.id;
    auto principal = accounts_->Authenticate(owner->session_token);
    ASSERT_TRUE(principal.ok());
    auto org = organizations_->Create({"Corp", std::string("corp"), std::nullopt},
                                      Actor{"user", owner_id_, "r"});
    ASSERT_TRUE(org.ok()) << org.error().message;
    org_id_ = org->id;
    auto tenant =
        TenantResolver(*env_).Resolve({.path = org_id_, .header = {}, .host = {}}, *principal);
    ASSERT_TRUE(tenant.ok()) << tenant.error().message;
    tenant_ = *tenant;
  }

  void TearDown() override {
    sso_.reset();
    accounts_.reset();
    organizations_.reset();
    env_.reset();
    tenants_.reset();
    catalog_.reset();
    pool_.reset();
    if (!database_.empty()) {
      AdminSql(std::getenv("BULKHEAD_TEST_POSTGRES_URL"),
               "DROP DATABASE " + database_ + " WITH (FORCE)");
    }
    fs::remove_all(dir_);
  }

  static void AdminSql(const std::string& url, const std::string& sql) {
    PGconn* conn = PQconnectdb(url.c_str());
    PGresult* r = PQexec(conn, sql.c_str());
    EXPECT_EQ(PQresultStatus(r), PGRES_COMMAND_OK)
        << PQresultErrorMessage(r) << PQerrorMessage(conn);
    PQclear(r);
    PQfinish(conn);
  }

  // An OIDC connection of the organization (the protocol does not matter to these rules).
  SsoConnection Connection(bool jit = true,
                           std::vector<std::pair<std::string, std::string>> mappings = {}) {
    SsoConnectionInput in;
    in.type = "oidc";
    in.issuer = "https://idp.corp.example";
    in.client_id = "bulkhead";
    in.client_secret = "the-client-secret";
    in.jit = jit;
    in.group_role_mappings = std::move(mappings);
    auto created = sso_->CreateConnection(*tenant_, in, Actor{"user", owner_id_, "r"});
    EXPECT_TRUE(created.ok()) << created.error().message;
    auto found = sso_->FindConnection(created->connection.id);
    EXPECT_TRUE(found.ok()) << found.error().message;
    return *found;
  }

  // An email domain of the organization, verified or not (the TXT check itself is covered by
  // the HTTP suite against a real DNS server), linked to `connection_id` when given.
  void Domain(const std::string& domain, bool verified, const std::string& connection_id) {
    auto lease = catalog_->Acquire();
    ASSERT_TRUE(store::catalog::InsertEmailDomain(
                    *lease, {org_id_, domain, "token", std::nullopt, false, core::NowMs()})
                    .ok());
    if (verified) {
      ASSERT_TRUE(
          store::catalog::MarkEmailDomainVerified(*lease, org_id_, domain, core::NowMs()).ok());
    }
    if (!connection_id.empty()) {
      ASSERT_TRUE(
          store::catalog::ReplaceEmailDomainConnections(*lease, org_id_, domain, {connection_id})
              .ok());
    }
  }

  Result<SsoSignInResult> SignIn(const SsoConnection& c, SsoClaims claims,
                                 const std::string& test_id = "") {
    auto login = sso_->BeginSignIn(c, "/console/after", test_id);
    EXPECT_TRUE(login.ok()) << login.error().message;
    auto taken = sso_->TakeSignIn(login->id);
    EXPECT_TRUE(taken.ok()) << taken.error().message;
    return sso_->CompleteSignIn(*taken, c, claims, "r");
  }

  static SsoClaims Claims(std::string subject, std::string email,
                          std::vector<std::string> groups = {}) {
    SsoClaims claims;
    claims.subject = std::move(subject);
    claims.email = std::move(email);
    claims.email_verified = true;
    claims.name = "Someone";
    claims.groups = std::move(groups);
    claims.raw = {{"sub", claims.subject}, {"email", claims.email}};
    return claims;
  }

  std::optional<store::UserRecord> UserByEmail(const std::string& email) {
    auto lease = catalog_->Acquire();
    auto found = store::catalog::FindUserByEmail(*lease, email);
    EXPECT_TRUE(found.ok());
    return found.ok() ? *found : std::nullopt;
  }
  std::optional<std::string> RoleOf(const std::string& user_id) {
    auto lease = catalog_->Acquire();
    auto found = store::catalog::FindMembership(*lease, org_id_, user_id);
    EXPECT_TRUE(found.ok());
    if (!found.ok() || !*found) return std::nullopt;
    return (*found)->role;
  }
  int64_t Count(const std::string& sql) {
    auto lease = catalog_->Acquire();
    auto rows = lease->Query(sql);
    EXPECT_TRUE(rows.ok()) << rows.error().message;
    return rows.ok() ? rows->at(0).Int(0) : -1;
  }
  // The user's id the session token signs in.
  std::string SessionUser(const std::string& token) {
    auto principal = accounts_->Authenticate(token);
    EXPECT_TRUE(principal.ok()) << principal.error().message;
    return principal.ok() ? principal->user_id : "";
  }
  std::string User(const std::string& token) { return SessionUser(token); }

  fs::path dir_;
  std::string database_;
  std::shared_ptr<store::PostgresPool> pool_;
  std::unique_ptr<store::Database> catalog_;
  std::unique_ptr<store::TenantDatabases> tenants_;
  CatalogCache cache_;
  LoginThrottle throttle_;
  KeyRing keys_{std::string(32, 'k')};
  std::unique_ptr<Environment> env_;
  std::unique_ptr<OrganizationService> organizations_;
  std::unique_ptr<AccountService> accounts_;
  std::unique_ptr<SsoService> sso_;
  std::string owner_id_, org_id_;
  std::optional<TenantContext> tenant_;
  static inline int counter_ = 0;
};

TEST_P(SsoSignInTest, ANewPersonBecomesAMemberWithTheDefaultRoleAndNoPassword) {
  auto c = Connection();
  auto result = SignIn(c, Claims("sub-1", "New.Person@Elsewhere.example"));
  ASSERT_TRUE(result.ok()) << result.error().message;
  ASSERT_EQ(result->kind, Kind::kSignedIn) << result->message;
  EXPECT_EQ(result->return_to, "/console/after");
  auto user = UserByEmail("new.person@elsewhere.example");
  ASSERT_TRUE(user);
  EXPECT_TRUE(user->password_hash.empty());
  EXPECT_EQ(RoleOf(user->id), "member");
  EXPECT_EQ(User(result->session_token), user->id);
  // The session names the organization whose connection opened it (SCIM revokes these).
  auto lease = catalog_->Acquire();
  auto org =
      store::catalog::SessionSsoOrganization(*lease, crypto::HashToken(result->session_token));
  ASSERT_TRUE(org.ok() && org->has_value());
  EXPECT_EQ(**org, org_id_);
  // No password signs in an account the IdP made.
  EXPECT_EQ(accounts_->LogIn("new.person@elsewhere.example", "any password at all").error().code,
            core::ErrorCode::kUnauthenticated);
}

TEST_P(SsoSignInTest, TheSubjectSignsInTheSameUserWhateverEmailTheIdpSendsLater) {
  auto c = Connection();
  auto first = SignIn(c, Claims("sub-2", "first@elsewhere.example"));
  ASSERT_TRUE(first.ok() && first->kind == Kind::kSignedIn);
  auto second = SignIn(c, Claims("sub-2", "renamed@elsewhere.example"));
  ASSERT_TRUE(second.ok() && second->kind == Kind::kSignedIn) << second->message;
  EXPECT_EQ(User(second->session_token), User(first->session_token));
  EXPECT_FALSE(UserByEmail("renamed@elsewhere.example"));  // no second account
}

TEST_P(SsoSignInTest, AnExistingAccountIsMatchedByEmailThroughAVerifiedLinkedDomain) {
  auto existing = accounts_->SignUp({"alice@corp.example", "correct horse battery", "Alice"}, "r");
  ASSERT_TRUE(existing.ok());
  auto c = Connection();
  Domain("corp.example", /*verified=*/true, c.id);
  auto result = SignIn(c, Claims("alice-at-idp", "alice@corp.example"));
  ASSERT_TRUE(result.ok()) << result.error().message;
  ASSERT_EQ(result->kind, Kind::kSignedIn) << result->message;
  EXPECT_EQ(User(result->session_token), existing->user.id);
  EXPECT_EQ(RoleOf(existing->user.id), "member");
}

TEST_P(SsoSignInTest, NoEmailMatchThroughAnUnverifiedLinkedDomain) {
  auto existing = accounts_->SignUp({"bob@corp.example", "correct horse battery", "Bob"}, "r");
  ASSERT_TRUE(existing.ok());
  auto c = Connection();
  Domain("corp.example", /*verified=*/false, c.id);
  auto result = SignIn(c, Claims("bob-at-idp", "bob@corp.example"));
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->kind, Kind::kRefused);
  // Nothing was created: no membership, no identity, no session for Bob.
  EXPECT_FALSE(RoleOf(existing->user.id));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM sso_identities"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM sessions WHERE sso_organization_id IS NOT NULL"), 0);
}

TEST_P(SsoSignInTest, NoEmailMatchThroughAVerifiedDomainNotLinkedToTheConnection) {
  auto existing = accounts_->SignUp({"carol@corp.example", "correct horse battery", "Carol"}, "r");
  ASSERT_TRUE(existing.ok());
  auto linked = Connection();
  auto other = Connection();
  Domain("corp.example", /*verified=*/true, linked.id);
  auto result = SignIn(other, Claims("carol-at-other-idp", "carol@corp.example"));
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->kind, Kind::kRefused);
  EXPECT_FALSE(RoleOf(existing->user.id));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM sso_identities"), 0);
}

TEST_P(SsoSignInTest, WithJitOffANonMemberIsRefusedAndNothingIsCreated) {
  auto c = Connection(/*jit=*/false);
  int64_t users = Count("SELECT COUNT(*) FROM users");
  auto result = SignIn(c, Claims("sub-3", "stranger@elsewhere.example"));
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->kind, Kind::kRefused);
  EXPECT_FALSE(result->message.empty());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM users"), users);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM sso_identities"), 0);
}

TEST_P(SsoSignInTest, WithJitOffAnExistingMemberSignsIn) {
  auto c = Connection(/*jit=*/false);
  Domain("corp.example", /*verified=*/true, c.id);
  // The owner signed up with corp.example: matched through the verified linked domain.
  auto result = SignIn(c, Claims("owner-at-idp", "owner@corp.example"));
  ASSERT_TRUE(result.ok()) << result.error().message;
  ASSERT_EQ(result->kind, Kind::kSignedIn) << result->message;
  EXPECT_EQ(User(result->session_token), owner_id_);
  EXPECT_EQ(RoleOf(owner_id_), "owner");
}

TEST_P(SsoSignInTest, GroupsSetTheRoleAtEverySignIn) {
  auto c = Connection(true, {{"engineering-admins", "admin"}, {"staff", "member"}});
  auto first =
      SignIn(c, Claims("sub-4", "dana@elsewhere.example", {"staff", "engineering-admins"}));
  ASSERT_TRUE(first.ok() && first->kind == Kind::kSignedIn);
  std::string dana = User(first->session_token);
  EXPECT_EQ(RoleOf(dana), "admin");  // the best mapped role
  auto second = SignIn(c, Claims("sub-4", "dana@elsewhere.example", {"staff"}));
  ASSERT_TRUE(second.ok() && second->kind == Kind::kSignedIn);
  EXPECT_EQ(RoleOf(dana), "member");
  // No mapped group: the role stays what it is.
  auto third = SignIn(c, Claims("sub-4", "dana@elsewhere.example", {"unmapped"}));
  ASSERT_TRUE(third.ok() && third->kind == Kind::kSignedIn);
  EXPECT_EQ(RoleOf(dana), "member");
}

TEST_P(SsoSignInTest, GroupsNeverDemoteTheLastOwner) {
  auto c = Connection(true, {{"staff", "member"}});
  Domain("corp.example", /*verified=*/true, c.id);
  auto result = SignIn(c, Claims("owner-at-idp", "owner@corp.example", {"staff"}));
  ASSERT_TRUE(result.ok() && result->kind == Kind::kSignedIn) << result->message;
  EXPECT_EQ(RoleOf(owner_id_), "owner");
}

TEST_P(SsoSignInTest, ATestSignInReportsTheClaimsAndCreatesNothing) {
  auto c = Connection();
  auto test = sso_->StartTest(tenant_.value(), c.id, Actor{"user", owner_id_, "r"});
  ASSERT_TRUE(test.ok()) << test.error().message;
  EXPECT_NE(test->url.find("/sso/oidc/" + c.id + "/start?test=" + test->test_id), std::string::npos)
      << test->url;
  int64_t users = Count("SELECT COUNT(*) FROM users");
  int64_t sessions = Count("SELECT COUNT(*) FROM sessions");
  auto result = SignIn(c, Claims("sub-5", "tester@elsewhere.example", {"g"}), test->test_id);
  ASSERT_TRUE(result.ok()) << result.error().message;
  ASSERT_EQ(result->kind, Kind::kTested);
  EXPECT_EQ(result->claims["email"], "tester@elsewhere.example");
  EXPECT_TRUE(result->session_token.empty());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM users"), users);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM sessions"), sessions);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM sso_identities"), 0);
  auto report = sso_->GetTest(tenant_.value(), c.id, test->test_id);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->status, "succeeded");
  EXPECT_EQ(report->claims["subject"], "sub-5");
  EXPECT_EQ(report->claims["groups"], nlohmann::json::array({"g"}));
}

TEST_P(SsoSignInTest, APendingSignInIsTakenOnce) {
  auto c = Connection();
  auto login = sso_->BeginSignIn(c, "", "");
  ASSERT_TRUE(login.ok());
  EXPECT_FALSE(login->nonce.empty());
  EXPECT_GE(login->code_verifier.size(), 43u);  // RFC 7636: 43-128 characters
  ASSERT_TRUE(sso_->SetSamlRequestId(login->id, "_req1").ok());
  auto taken = sso_->TakeSignIn(login->id);
  ASSERT_TRUE(taken.ok());
  EXPECT_EQ(taken->saml_request_id, "_req1");
  EXPECT_EQ(sso_->TakeSignIn(login->id).error().code, core::ErrorCode::kNotFound);
  EXPECT_EQ(sso_->TakeSignIn("unknown").error().code, core::ErrorCode::kNotFound);
}

TEST_P(SsoSignInTest, AnAssertionIdIsRememberedPerConnection) {
  auto c = Connection();
  auto other = Connection();
  int64_t later = core::NowMs() + 60'000;
  EXPECT_TRUE(*sso_->RememberAssertion(c.id, "_a1", later));
  EXPECT_FALSE(*sso_->RememberAssertion(c.id, "_a1", later));
  EXPECT_TRUE(*sso_->RememberAssertion(other.id, "_a1", later));
}

TEST_P(SsoSignInTest, TheClientSecretIsSealedAtRestAndOpenedForTheProtocol) {
  auto c = Connection();
  EXPECT_EQ(c.client_secret, "the-client-secret");
  auto lease = catalog_->Acquire();
  auto rows =
      lease->Query("SELECT secret_sealed, config FROM sso_connections WHERE id = $1", {c.id});
  ASSERT_TRUE(rows.ok() && rows->size() == 1);
  EXPECT_EQ(rows->at(0).Text(0).find("the-client-secret"), std::string::npos);
  EXPECT_EQ(rows->at(0).Text(1).find("the-client-secret"), std::string::npos);
  auto listed = sso_->ListConnections(tenant_.value());
  ASSERT_TRUE(listed.ok());
  for (const auto& v : *listed) EXPECT_TRUE(v.connection.client_secret.empty());
}

TEST_P(SsoSignInTest, DeletingTheOrganizationDeletesItsSsoRows) {
  auto c = Connection();
  Domain("corp.example", /*verified=*/true, c.id);
  ASSERT_TRUE(SignIn(c, Claims("sub-6", "erin@elsewhere.example")).ok());
  ASSERT_TRUE(organizations_->Delete(tenant_.value(), "corp", Actor{"user", owner_id_, "r"}).ok());
  for (const char* table : {"sso_connections", "email_domains", "email_domain_connections",
                            "sso_identities", "sso_logins", "sso_tests"}) {
    EXPECT_EQ(Count(std::string("SELECT COUNT(*) FROM ") + table), 0) << table;
  }
}

std::vector<std::string> Engines() {
  std::vector<std::string> engines = {"sqlite"};
  if (const char* url = std::getenv("BULKHEAD_TEST_POSTGRES_URL"); url && *url) {
    engines.push_back("postgres");
  }
  return engines;
}

INSTANTIATE_TEST_SUITE_P(Engines, SsoSignInTest, ::testing::ValuesIn(Engines()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace bulkhead::service
