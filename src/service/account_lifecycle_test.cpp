// The account lifecycle on a real SQLite catalog and a real outbox directory: the links that
// sign-up and a forgotten password mail, what following them does (once), and what a new
// password ends.

#include "service/account_lifecycle.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "core/time.hpp"
#include "crypto/token.hpp"
#include "service/account_service.hpp"
#include "service/organization_service.hpp"
#include "store/migrations.hpp"
#include "store/sqlite_database.hpp"

namespace bulkhead::service {
namespace {

namespace fs = std::filesystem;
using core::ErrorCode;

constexpr const char* kPassword = "correct horse battery";
constexpr const char* kNewPassword = "a new password, long enough";

class AccountLifecycleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("bulkhead-lifecycle-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "tenants");
    auto opened = store::SqliteDatabase::Open(dir_ / "catalog.db", 4);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    catalog_ = std::move(opened).value();
    {
      auto lease = catalog_->Acquire();
      auto migrated = store::Migrate(*lease, store::CatalogMigrations());
      ASSERT_TRUE(migrated.ok()) << migrated.error().message;
    }
    tenants_ = std::make_unique<store::SqliteTenantDatabases>(*catalog_, dir_ / "tenants", 16);
    ServiceConfig config;
    config.public_url = "https://id.example.test/";
    env_ = std::make_unique<Environment>(
        Environment{*catalog_, *tenants_, cache_, throttle_, keys_, config});
    outbox_ = std::make_unique<MailOutbox>(MailConfig{.outbox = dir_ / "outbox"});
    organizations_ = std::make_unique<OrganizationService>(*env_);
    lifecycle_ = std::make_unique<AccountLifecycle>(*env_, *outbox_);
    accounts_ = std::make_unique<AccountService>(*env_, *organizations_, lifecycle_.get());

    auto signed_up = accounts_->SignUp({"Ann@Example.com", kPassword, "Ann"}, "r1");
    ASSERT_TRUE(signed_up.ok()) << signed_up.error().message;
    user_id_ = signed_up->user.id;
    session_ = signed_up->session_token;
  }
  void TearDown() override {
    accounts_.reset();
    lifecycle_.reset();
    organizations_.reset();
    outbox_.reset();
    env_.reset();
    tenants_.reset();
    catalog_.reset();
    fs::remove_all(dir_);
  }

  // Every queued message's text, oldest first (file names are UUIDv7s).
  std::vector<std::string> Mail() {
    std::set<fs::path> files;
    if (fs::exists(dir_ / "outbox")) {
      for (const auto& e : fs::directory_iterator(dir_ / "outbox")) {
        if (e.path().extension() == ".eml") files.insert(e.path());
      }
    }
    std::vector<std::string> out;
    for (const auto& f : files) {
      std::ifstream in(f);
      out.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    return out;
  }
  // Whether `n` messages are queued within 5 seconds (reset links are mailed after the answer).
  bool WaitForMail(std::size_t n) {
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (Mail().size() < n && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return Mail().size() >= n;
  }
  // The token of the link to `path` in the newest message, "" when none.
  std::string LinkToken(const std::string& path) {
    auto mail = Mail();
    if (mail.empty()) return "";
    std::string marker = "https://id.example.test" + path + "?token=";
    auto at = mail.back().find(marker);
    if (at == std::string::npos) return "";
    return mail.back().substr(at + marker.size(), 47);
  }
  void Sql(const std::string& sql) {
    auto lease = catalog_->Acquire();
    auto done = lease->Execute(sql);
    ASSERT_TRUE(done.ok()) << done.error().message;
  }
  int64_t Count(const std::string& sql) {
    auto lease = catalog_->Acquire();
    auto rows = lease->Query(sql);
    EXPECT_TRUE(rows.ok());
    return rows.ok() ? rows->at(0).Int(0) : -1;
  }
  bool Verified() {
    auto user = accounts_->GetUser(user_id_);
    EXPECT_TRUE(user.ok());
    return user.ok() && user->email_verified_at.has_value();
  }
  // A refresh token of the user, as the OAuth grant stores it.
  void InsertRefreshToken(const std::string& hash) {
    Sql("INSERT INTO oauth_clients (id, name, secret_hash, redirect_uris,"
        " post_logout_redirect_uris, signing_alg, created_at) VALUES ('c-" +
        hash + "', 'App', NULL, '[]', '[]', 'RS256', 1)");
    Sql("INSERT INTO oauth_refresh_tokens (token_hash, family_id, client_id, user_id, scope, sid,"
        " auth_time, family_created_at, created_at, expires_at) VALUES ('" +
        hash + "', 'f', 'c-" + hash + "', '" + user_id_ + "', 'openid', 'sid', 1, 1, 1, " +
        std::to_string(core::NowMs() + 3600000) + ")");
  }
  int64_t LiveRefreshTokens() {
    return Count("SELECT COUNT(*) FROM oauth_refresh_tokens WHERE revoked_at IS NULL");
  }
  bool Authenticates(const std::string& session) { return accounts_->Authenticate(session).ok(); }
  Principal PrincipalOf(const std::string& session) {
    auto p = accounts_->Authenticate(session);
    EXPECT_TRUE(p.ok());
    return p.ok() ? *p : Principal{};
  }

  fs::path dir_;
  std::unique_ptr<store::SqliteDatabase> catalog_;
  std::unique_ptr<store::SqliteTenantDatabases> tenants_;
  CatalogCache cache_;
  LoginThrottle throttle_;
  KeyRing keys_{std::string(32, 'k')};
  std::unique_ptr<Environment> env_;
  std::unique_ptr<MailOutbox> outbox_;
  std::unique_ptr<OrganizationService> organizations_;
  std::unique_ptr<AccountLifecycle> lifecycle_;
  std::unique_ptr<AccountService> accounts_;
  std::string user_id_;
  std::string session_;
};

TEST_F(AccountLifecycleTest, SignUpMailsALinkThatVerifiesTheAddressOnce) {
  auto mail = Mail();
  ASSERT_EQ(mail.size(), 1u);
  EXPECT_NE(mail[0].find("To: ann@example.com"), std::string::npos);
  EXPECT_NE(mail[0].find("Subject: Verify your email address"), std::string::npos);
  std::string token = LinkToken("/verify-email");
  ASSERT_EQ(token.rfind("bkv_", 0), 0u) << mail[0];
  EXPECT_EQ(
      Count("SELECT COUNT(*) FROM account_tokens WHERE token_hash = '" + crypto::HashToken(token) +
            "' AND expires_at - created_at = " + std::to_string(kVerifyEmailTtlMs)),
      1);
  EXPECT_FALSE(Verified());  // read once, so that the cache holds the unverified user

  auto verified = lifecycle_->VerifyEmail(token);
  ASSERT_TRUE(verified.ok()) << verified.error().message;
  EXPECT_TRUE(verified->email_verified_at.has_value());
  EXPECT_TRUE(verified->password_hash.empty());
  EXPECT_TRUE(Verified());

  auto again = lifecycle_->VerifyEmail(token);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kTokenUnusable);
  auto resend = lifecycle_->SendVerification(user_id_);
  ASSERT_FALSE(resend.ok());
  EXPECT_EQ(resend.error().code, ErrorCode::kConflict);
  EXPECT_EQ(Mail().size(), 1u);
}

TEST_F(AccountLifecycleTest, UnknownMalformedExpiredAndForeignLinksVerifyNothing) {
  std::string token = LinkToken("/verify-email");
  for (const std::string& bad :
       {std::string("bkv_") + std::string(43, 'A'), std::string("nonsense"), std::string(""),
        "bkr_" + token.substr(4)}) {
    auto r = lifecycle_->VerifyEmail(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kTokenUnusable) << bad;
  }
  // A reset link is no verification link, and the reverse.
  ASSERT_TRUE(lifecycle_->RequestPasswordReset("ann@example.com").ok());
  ASSERT_TRUE(WaitForMail(2));
  std::string reset = LinkToken("/reset-password");
  ASSERT_FALSE(reset.empty());
  EXPECT_EQ(lifecycle_->VerifyEmail(reset).error().code, ErrorCode::kTokenUnusable);
  EXPECT_EQ(lifecycle_->ResetPassword(token, kNewPassword).error().code, ErrorCode::kTokenUnusable);

  Sql("UPDATE account_tokens SET expires_at = " + std::to_string(core::NowMs() - 1) +
      " WHERE purpose = 'verify_email'");
  EXPECT_EQ(lifecycle_->VerifyEmail(token).error().code, ErrorCode::kTokenUnusable);
  EXPECT_FALSE(Verified());
}

TEST_F(AccountLifecycleTest, ALinkSentToAnOldAddressDoesNothing) {
  std::string token = LinkToken("/verify-email");
  Sql("UPDATE users SET email = 'ann@elsewhere.example' WHERE id = '" + user_id_ + "'");
  auto r = lifecycle_->VerifyEmail(token);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kTokenUnusable);
  EXPECT_FALSE(Verified());
  // Nothing was spent either: the link is still unused.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM account_tokens WHERE used_at IS NULL"), 1);
}

TEST_F(AccountLifecycleTest, ANewVerificationLinkIsMailedOnRequest) {
  std::string first = LinkToken("/verify-email");
  ASSERT_TRUE(lifecycle_->SendVerification(user_id_).ok());
  ASSERT_EQ(Mail().size(), 2u);
  std::string second = LinkToken("/verify-email");
  EXPECT_NE(first, second);
  ASSERT_TRUE(lifecycle_->VerifyEmail(second).ok());
  // Following one spends the others.
  EXPECT_EQ(lifecycle_->VerifyEmail(first).error().code, ErrorCode::kTokenUnusable);
  EXPECT_EQ(lifecycle_->SendVerification("no-such-user").error().code, ErrorCode::kNotFound);
}

TEST_F(AccountLifecycleTest, AForgottenPasswordMailsALinkOnlyForAKnownAddress) {
  ASSERT_TRUE(lifecycle_->RequestPasswordReset("nobody@example.com").ok());
  EXPECT_EQ(Mail().size(), 1u);  // only sign-up's
  EXPECT_EQ(Count("SELECT COUNT(*) FROM account_tokens WHERE purpose = 'reset_password'"), 0);

  ASSERT_TRUE(lifecycle_->RequestPasswordReset("ANN@Example.com").ok());
  ASSERT_TRUE(WaitForMail(2));
  auto mail = Mail();
  ASSERT_EQ(mail.size(), 2u);
  EXPECT_NE(mail[1].find("To: ann@example.com"), std::string::npos);
  EXPECT_NE(mail[1].find("Subject: Reset your password"), std::string::npos);
  std::string token = LinkToken("/reset-password");
  ASSERT_EQ(token.rfind("bkr_", 0), 0u) << mail[1];
  EXPECT_EQ(
      Count("SELECT COUNT(*) FROM account_tokens WHERE token_hash = '" + crypto::HashToken(token) +
            "' AND expires_at - created_at = " + std::to_string(kResetPasswordTtlMs)),
      1);
  // Only the hash is stored.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM account_tokens WHERE token_hash LIKE 'bk%'"), 0);
  // Links are mailed in the order asked: one for the unknown address would be here by now.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM account_tokens WHERE purpose = 'reset_password'"), 1);
  for (const auto& m : Mail()) EXPECT_EQ(m.find("nobody@"), std::string::npos);

  auto bad = lifecycle_->RequestPasswordReset("not an address");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kValidationFailed);
}

TEST_F(AccountLifecycleTest, RequestsForResetMailAreThrottledPerAddressKnownOrNot) {
  for (const std::string email : {"ann@example.com", "nobody@example.com"}) {
    core::Status last = core::Ok();
    int accepted = 0;
    for (int i = 0; i < 12; ++i) {
      last = lifecycle_->RequestPasswordReset(email);
      if (last.ok()) ++accepted;
    }
    EXPECT_EQ(accepted, 10) << email;
    ASSERT_FALSE(last.ok());
    EXPECT_EQ(last.error().code, ErrorCode::kRateLimited);
    EXPECT_GT(last.error().retry_after_seconds, 0);
  }
  // The login of the address is not locked by it.
  EXPECT_TRUE(accounts_->LogIn("ann@example.com", kPassword).ok());
}

TEST_F(AccountLifecycleTest, AResetLinkSetsThePasswordOnceAndEndsEverySessionAndRefreshToken) {
  auto second = accounts_->LogIn("ann@example.com", kPassword);
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(Authenticates(session_));  // cached now
  EXPECT_TRUE(Authenticates(second->session_token));
  InsertRefreshToken("rt1");
  ASSERT_TRUE(lifecycle_->RequestPasswordReset("ann@example.com").ok());
  ASSERT_TRUE(WaitForMail(2));
  std::string token = LinkToken("/reset-password");

  // A bad password changes nothing and spends nothing.
  auto weak = lifecycle_->ResetPassword(token, "short");
  ASSERT_FALSE(weak.ok());
  EXPECT_EQ(weak.error().code, ErrorCode::kValidationFailed);
  EXPECT_EQ(weak.error().fields.at(0).field, "new_password");
  EXPECT_TRUE(Authenticates(session_));
  EXPECT_EQ(LiveRefreshTokens(), 1);

  auto reset = lifecycle_->ResetPassword(token, kNewPassword);
  ASSERT_TRUE(reset.ok()) << reset.error().message;
  EXPECT_FALSE(Authenticates(session_));
  EXPECT_FALSE(Authenticates(second->session_token));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM sessions"), 0);
  EXPECT_EQ(LiveRefreshTokens(), 0);
  EXPECT_FALSE(accounts_->LogIn("ann@example.com", kPassword).ok());
  EXPECT_TRUE(accounts_->LogIn("ann@example.com", kNewPassword).ok());
  EXPECT_TRUE(Verified());  // the link reached the address

  auto again = lifecycle_->ResetPassword(token, "yet another password");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kTokenUnusable);
  EXPECT_TRUE(accounts_->LogIn("ann@example.com", kNewPassword).ok());
}

TEST_F(AccountLifecycleTest, AResetLinkExpiresAfterThirtyMinutesAndOneUseSpendsTheOthers) {
  ASSERT_TRUE(lifecycle_->RequestPasswordReset("ann@example.com").ok());
  ASSERT_TRUE(WaitForMail(2));
  std::string old_link = LinkToken("/reset-password");
  Sql("UPDATE account_tokens SET expires_at = " + std::to_string(core::NowMs() - 1) +
      " WHERE purpose = 'reset_password'");
  auto expired = lifecycle_->ResetPassword(old_link, kNewPassword);
  ASSERT_FALSE(expired.ok());
  EXPECT_EQ(expired.error().code, ErrorCode::kTokenUnusable);
  EXPECT_TRUE(Authenticates(session_));

  ASSERT_TRUE(lifecycle_->RequestPasswordReset("ann@example.com").ok());
  ASSERT_TRUE(WaitForMail(3));
  std::string first = LinkToken("/reset-password");
  ASSERT_TRUE(lifecycle_->RequestPasswordReset("ann@example.com").ok());
  ASSERT_TRUE(WaitForMail(4));
  std::string second = LinkToken("/reset-password");
  ASSERT_TRUE(lifecycle_->ResetPassword(second, kNewPassword).ok());
  EXPECT_EQ(lifecycle_->ResetPassword(first, "an attacker's password").error().code,
            ErrorCode::kTokenUnusable);
  // Issuing a link forgot the expired one.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM account_tokens WHERE token_hash = '" +
                  crypto::HashToken(old_link) + "'"),
            0);
}

TEST_F(AccountLifecycleTest, ChangingThePasswordEndsTheOtherSessionsButTheCallers) {
  auto other = accounts_->LogIn("ann@example.com", kPassword);
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE(Authenticates(other->session_token));
  InsertRefreshToken("rt2");
  Principal me = PrincipalOf(session_);

  auto wrong = lifecycle_->ChangePassword(me, "not my password", kNewPassword);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, ErrorCode::kWrongPassword);
  auto weak = lifecycle_->ChangePassword(me, kPassword, "short");
  ASSERT_FALSE(weak.ok());
  EXPECT_EQ(weak.error().code, ErrorCode::kValidationFailed);
  EXPECT_TRUE(Authenticates(other->session_token));
  EXPECT_EQ(LiveRefreshTokens(), 1);
  EXPECT_TRUE(accounts_->LogIn("ann@example.com", kPassword).ok());

  ASSERT_TRUE(lifecycle_->ChangePassword(me, kPassword, kNewPassword).ok());
  EXPECT_TRUE(Authenticates(session_));
  EXPECT_FALSE(Authenticates(other->session_token));
  EXPECT_EQ(LiveRefreshTokens(), 0);
  EXPECT_TRUE(accounts_->LogIn("ann@example.com", kNewPassword).ok());
  EXPECT_FALSE(accounts_->LogIn("ann@example.com", kPassword).ok());

  Principal key;
  key.api_key_id = "k";
  key.user_id = user_id_;
  EXPECT_EQ(lifecycle_->ChangePassword(key, kNewPassword, kPassword).error().code,
            ErrorCode::kForbidden);
}

TEST_F(AccountLifecycleTest, GuessingTheCurrentPasswordIsThrottledLikeLogins) {
  Principal me = PrincipalOf(session_);
  core::Status last = core::Ok();
  for (int i = 0; i < 11; ++i)
    last = lifecycle_->ChangePassword(me, "a guess " + std::to_string(i), kNewPassword);
  ASSERT_FALSE(last.ok());
  EXPECT_EQ(last.error().code, ErrorCode::kRateLimited);
  // Even the right one is refused while throttled, and nothing changed.
  EXPECT_EQ(lifecycle_->ChangePassword(me, kPassword, kNewPassword).error().code,
            ErrorCode::kRateLimited);
  throttle_.Reset("ann@example.com");
  EXPECT_TRUE(accounts_->LogIn("ann@example.com", kPassword).ok());
}

}  // namespace
}  // namespace bulkhead::service
