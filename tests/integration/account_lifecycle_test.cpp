// The account lifecycle over real HTTP, with mail delivered to a real SMTP server on loopback:
// the verification link sign-up mails, forgotten-password links (which say nothing about
// whether an address has an account), and what a new password ends.

#include <chrono>
#include <thread>

#include "integration/harness.hpp"
#include "support/smtp_sink.hpp"

namespace bulkhead::testing {
namespace {

constexpr const char* kPublicUrl = "https://app.example.test";
constexpr const char* kNewPassword = "a brand new passphrase";

class AccountLifecycleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    smtp_ = std::make_unique<SmtpSink>();
    server_ = std::make_unique<ServerProcess>(
        std::vector<std::string>{"--smtp-url", smtp_->url(), "--public-url", kPublicUrl});
  }
  HttpClient client() { return server_->client(); }

  // The messages to `to`, once there are `n` of them (or after 10 seconds).
  std::vector<ReceivedMail> MailTo(const std::string& to, std::size_t n) {
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    std::size_t total = 1;
    while (true) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          until - std::chrono::steady_clock::now());
      auto all = smtp_->WaitFor(total, std::max(left, std::chrono::milliseconds(0)));
      std::vector<ReceivedMail> mine;
      for (auto& m : all) {
        if (m.recipients == std::vector<std::string>{to}) mine.push_back(std::move(m));
      }
      if (mine.size() >= n || std::chrono::steady_clock::now() >= until) return mine;
      total = all.size() + 1;
    }
  }
  // The token of the link to `path` in the `n`th message (from 1) to `to`.
  std::string LinkToken(const std::string& to, const std::string& path, std::size_t n = 1) {
    auto mail = MailTo(to, n);
    EXPECT_GE(mail.size(), n) << "no mail to " << to;
    if (mail.size() < n) return "";
    std::string marker = std::string(kPublicUrl) + path + "?token=";
    const std::string& data = mail[n - 1].data;
    auto at = data.find(marker);
    EXPECT_NE(at, std::string::npos) << data;
    if (at == std::string::npos) return "";
    return data.substr(at + marker.size(), 47);
  }
  HttpResponse Me(const std::string& token) {
    return client().Request("GET", "/api/v1/user", std::nullopt, Bearer(token));
  }
  HttpResponse LogIn(const std::string& email, const std::string& password) {
    return client().Request("POST", "/api/v1/auth/login",
                            Json{{"email", email}, {"password", password}});
  }
  HttpResponse Forgot(const std::string& email) {
    return client().Request("POST", "/api/v1/auth/forgot-password", Json{{"email", email}});
  }
  HttpResponse Reset(const std::string& token, const std::string& password) {
    return client().Request("POST", "/api/v1/auth/reset-password",
                            Json{{"token", token}, {"new_password", password}});
  }
  HttpResponse ChangePassword(const std::string& session, const std::string& current,
                              const std::string& next) {
    return client().Request("POST", "/api/v1/user/password",
                            Json{{"current_password", current}, {"new_password", next}},
                            Bearer(session));
  }
  // A refresh token of the user, as the OAuth token endpoint stores it.
  void InsertRefreshToken(const std::string& user_id, const std::string& name) {
    ExecuteSql(*server_, "",
               "INSERT INTO oauth_clients (id, name, secret_hash, redirect_uris,"
               " post_logout_redirect_uris, signing_alg, created_at) VALUES ('client-" +
                   name + "', 'App', NULL, '[]', '[]', 'RS256', 1)");
    ExecuteSql(*server_, "",
               "INSERT INTO oauth_refresh_tokens (token_hash, family_id, client_id, user_id,"
               " scope, sid, auth_time, family_created_at, created_at, expires_at) VALUES ('" +
                   name + "', 'family', 'client-" + name + "', '" + user_id +
                   "', 'openid', 'sid', 1, 1, 1, 9000000000000)");
  }
  std::size_t LiveRefreshTokens(const std::string& user_id) {
    return QuerySql(*server_, "",
                    "SELECT token_hash FROM oauth_refresh_tokens WHERE revoked_at IS NULL AND"
                    " user_id = '" +
                        user_id + "'")
        .size();
  }

  std::unique_ptr<SmtpSink> smtp_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(AccountLifecycleTest, SignUpMailsALinkAndFollowingItVerifiesTheAddress) {
  std::string email = UniqueEmail("verify");
  auto r = client().Request("POST", "/api/v1/auth/signup",
                            Json{{"email", email}, {"password", kPassword}, {"name", "Vera"}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.json["user"]["email_verified"], false);
  std::string session = r.json["session_token"];

  auto mail = MailTo(email, 1);
  ASSERT_EQ(mail.size(), 1u);
  EXPECT_NE(mail[0].data.find("Subject: Verify your email address"), std::string::npos);
  std::string token = LinkToken(email, "/verify-email");
  ASSERT_EQ(token.rfind("bkv_", 0), 0u);
  EXPECT_EQ(Me(session).json["email_verified"], false);

  // Following the link needs no session (it may be opened on another device).
  auto verified = client().Request("POST", "/api/v1/auth/verify-email", Json{{"token", token}});
  ASSERT_EQ(verified.status, 200) << verified.body;
  EXPECT_EQ(verified.json["email_verified"], true);
  EXPECT_EQ(verified.json["email"], email);
  EXPECT_EQ(Me(session).json["email_verified"], true);
  auto login = LogIn(email, kPassword);
  ASSERT_EQ(login.status, 200);
  EXPECT_EQ(login.json["user"]["email_verified"], true);

  auto again = client().Request("POST", "/api/v1/auth/verify-email", Json{{"token", token}});
  EXPECT_EQ(again.status, 410);
  EXPECT_EQ(again.Code(), "token_unusable");
  auto resend =
      client().Request("POST", "/api/v1/user/email-verification", std::nullopt, Bearer(session));
  EXPECT_EQ(resend.status, 409);
  EXPECT_EQ(resend.Code(), "conflict");
}

TEST_F(AccountLifecycleTest, ANewLinkCanBeAskedForAndUsingOneSpendsTheOther) {
  Account a = SignUp(client(), "Resend");
  std::string first = LinkToken(a.email, "/verify-email");
  auto resend =
      client().Request("POST", "/api/v1/user/email-verification", std::nullopt, Bearer(a.token));
  ASSERT_EQ(resend.status, 202) << resend.body;
  EXPECT_EQ(resend.json, Json({{"status", "accepted"}}));
  std::string second = LinkToken(a.email, "/verify-email", 2);
  ASSERT_FALSE(second.empty());
  EXPECT_NE(first, second);
  EXPECT_EQ(client().Request("POST", "/api/v1/auth/verify-email", Json{{"token", second}}).status,
            200);
  EXPECT_EQ(client().Request("POST", "/api/v1/auth/verify-email", Json{{"token", first}}).Code(),
            "token_unusable");
  // Without a session, no link is sent.
  EXPECT_EQ(client().Request("POST", "/api/v1/user/email-verification").status, 401);
}

TEST_F(AccountLifecycleTest, AcceptingAnInvitationProvesTheAddress) {
  Account owner = SignUp(client(), "Owner");
  std::string org = CreateOrganization(client(), owner.token, "Acme", UniqueSlug("acme"))["slug"];
  std::string email = UniqueEmail("invitee");
  auto invited = client().Request("POST", "/api/v1/organizations/" + org + "/invitations",
                                  Json{{"email", email}, {"role", "member"}}, Bearer(owner.token));
  ASSERT_EQ(invited.status, 201) << invited.body;
  Account invitee = SignUp(client(), "Invitee", email);
  EXPECT_EQ(Me(invitee.token).json["email_verified"], false);
  auto accepted = client().Request("POST", "/api/v1/invitations/accept",
                                   Json{{"token", invited.json["token"]}}, Bearer(invitee.token));
  ASSERT_EQ(accepted.status, 200) << accepted.body;
  EXPECT_EQ(Me(invitee.token).json["email_verified"], true);
  EXPECT_EQ(Me(owner.token).json["email_verified"], false);
}

TEST_F(AccountLifecycleTest, ForgotPasswordAnswersAlikeForAnyAddressAndMailsOnlyAnAccount) {
  Account a = SignUp(client(), "Known");
  ASSERT_EQ(MailTo(a.email, 1).size(), 1u);  // the verification link
  std::string nobody = UniqueEmail("nobody");
  auto unknown = Forgot(nobody);
  auto known = Forgot(a.email);
  ASSERT_EQ(unknown.status, 202) << unknown.body;
  EXPECT_EQ(known.status, unknown.status);
  EXPECT_EQ(known.body, unknown.body);
  EXPECT_EQ(known.Header("content-type"), unknown.Header("content-type"));
  EXPECT_EQ(known.json, Json({{"status", "accepted"}}));

  // The outbox delivers in order: mail to the unknown address would have come first.
  std::string token = LinkToken(a.email, "/reset-password", 2);
  ASSERT_EQ(token.rfind("bkr_", 0), 0u);
  for (const auto& m : smtp_->WaitFor(0, std::chrono::milliseconds(0))) {
    EXPECT_NE(m.recipients, std::vector<std::string>{nobody});
  }

  // Bad input: refused, and nothing is sent.
  EXPECT_EQ(Forgot("not an address").Code(), "validation_failed");
  EXPECT_EQ(client().Request("POST", "/api/v1/auth/forgot-password", Json::object()).status, 422);
  auto form = client().RequestRaw("POST", "/api/v1/auth/forgot-password", "email=" + a.email,
                                  {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(form.status, 415);
  EXPECT_EQ(form.Code(), "unsupported_media_type");
}

TEST_F(AccountLifecycleTest, AskingForResetMailIsThrottledPerAddressKnownOrNot) {
  Account a = SignUp(client(), "Throttled");
  for (const std::string& email : {a.email, UniqueEmail("ghost")}) {
    int accepted = 0;
    HttpResponse last;
    for (int i = 0; i < 11; ++i) {
      last = Forgot(email);
      if (last.status == 202) ++accepted;
    }
    EXPECT_EQ(accepted, 10) << email;
    EXPECT_EQ(last.status, 429) << last.body;
    EXPECT_EQ(last.Code(), "rate_limited");
    EXPECT_FALSE(last.Header("retry-after").empty());
  }
  EXPECT_EQ(LogIn(a.email, kPassword).status, 200);  // logins are counted apart
}

TEST_F(AccountLifecycleTest, AResetLinkWorksOnceAndEndsEverySessionAndRefreshToken) {
  Account a = SignUp(client(), "Resetter");
  auto second = LogIn(a.email, kPassword);
  ASSERT_EQ(second.status, 200);
  std::string other = second.json["session_token"];
  ASSERT_EQ(Me(a.token).status, 200);  // cached from here on
  ASSERT_EQ(Me(other).status, 200);
  InsertRefreshToken(a.user_id, "rt-reset");
  ASSERT_EQ(LiveRefreshTokens(a.user_id), 1u);
  ASSERT_EQ(Forgot(a.email).status, 202);
  std::string token = LinkToken(a.email, "/reset-password", 2);
  ASSERT_FALSE(token.empty());

  // Bad input changes nothing and leaves the link usable.
  auto weak = Reset(token, "short");
  EXPECT_EQ(weak.status, 422);
  EXPECT_EQ(weak.json["errors"][0]["field"], "new_password");
  EXPECT_EQ(Reset(std::string("bkr_") + std::string(43, 'A'), kNewPassword).Code(),
            "token_unusable");
  EXPECT_EQ(Reset("", kNewPassword).Code(), "token_unusable");
  EXPECT_EQ(client().Request("POST", "/api/v1/auth/reset-password", Json{{"token", token}}).status,
            422);
  EXPECT_EQ(Me(a.token).status, 200);
  EXPECT_EQ(LiveRefreshTokens(a.user_id), 1u);

  auto reset = Reset(token, kNewPassword);
  ASSERT_EQ(reset.status, 204) << reset.body;
  EXPECT_EQ(Me(a.token).status, 401);
  EXPECT_EQ(Me(other).status, 401);
  EXPECT_EQ(LiveRefreshTokens(a.user_id), 0u);
  EXPECT_EQ(LogIn(a.email, kPassword).status, 401);
  auto fresh = LogIn(a.email, kNewPassword);
  ASSERT_EQ(fresh.status, 200);
  EXPECT_EQ(fresh.json["user"]["email_verified"], true);  // the link reached the address

  auto again = Reset(token, "yet another passphrase");
  EXPECT_EQ(again.status, 410);
  EXPECT_EQ(again.Code(), "token_unusable");
  EXPECT_EQ(LogIn(a.email, kNewPassword).status, 200);
}

TEST_F(AccountLifecycleTest, AResetLinkExpires) {
  Account a = SignUp(client(), "Late");
  ASSERT_EQ(Forgot(a.email).status, 202);
  std::string token = LinkToken(a.email, "/reset-password", 2);
  ASSERT_FALSE(token.empty());
  auto issued = QuerySql(*server_, "",
                         "SELECT expires_at - created_at FROM account_tokens WHERE purpose ="
                         " 'reset_password'");
  ASSERT_EQ(issued.size(), 1u);
  EXPECT_EQ(issued[0][0], std::to_string(30 * 60 * 1000));
  // Thirty minutes later (the clock moved by editing the row).
  ExecuteSql(*server_, "", "UPDATE account_tokens SET expires_at = created_at - 1");
  auto r = Reset(token, kNewPassword);
  EXPECT_EQ(r.status, 410);
  EXPECT_EQ(r.Code(), "token_unusable");
  EXPECT_EQ(Me(a.token).status, 200);
  EXPECT_EQ(LogIn(a.email, kPassword).status, 200);
}

TEST_F(AccountLifecycleTest, ChangingThePasswordEndsOtherSessionsButNotTheCallers) {
  Account a = SignUp(client(), "Changer");
  auto second = LogIn(a.email, kPassword);
  ASSERT_EQ(second.status, 200);
  std::string other = second.json["session_token"];
  ASSERT_EQ(Me(other).status, 200);
  InsertRefreshToken(a.user_id, "rt-change");

  auto wrong = ChangePassword(a.token, "not the password", kNewPassword);
  EXPECT_EQ(wrong.status, 403);
  EXPECT_EQ(wrong.Code(), "wrong_password");
  auto weak = ChangePassword(a.token, kPassword, "short");
  EXPECT_EQ(weak.status, 422);
  EXPECT_EQ(weak.json["errors"][0]["field"], "new_password");
  EXPECT_EQ(client()
                .Request("POST", "/api/v1/user/password", Json{{"new_password", kNewPassword}},
                         Bearer(a.token))
                .status,
            422);
  EXPECT_EQ(ChangePassword("bks_" + std::string(43, 'A'), kPassword, kNewPassword).status, 401);
  EXPECT_EQ(Me(other).status, 200);
  EXPECT_EQ(LiveRefreshTokens(a.user_id), 1u);
  EXPECT_EQ(LogIn(a.email, kPassword).status, 200);

  auto changed = ChangePassword(a.token, kPassword, kNewPassword);
  ASSERT_EQ(changed.status, 204) << changed.body;
  EXPECT_EQ(Me(a.token).status, 200);
  EXPECT_EQ(Me(other).status, 401);
  EXPECT_EQ(LiveRefreshTokens(a.user_id), 0u);
  EXPECT_EQ(LogIn(a.email, kPassword).status, 401);
  EXPECT_EQ(LogIn(a.email, kNewPassword).status, 200);
}

TEST_F(AccountLifecycleTest, AnApiKeyCannotChangeItsCreatorsPassword) {
  Account a = SignUp(client(), "Keyed");
  std::string org = CreateOrganization(client(), a.token, "Keys", UniqueSlug("keys"))["slug"];
  auto key = client().Request("POST", "/api/v1/organizations/" + org + "/api-keys",
                              Json{{"name", "ci"}, {"role", "admin"}}, Bearer(a.token));
  ASSERT_EQ(key.status, 201) << key.body;
  auto r = ChangePassword(key.json["key"], kPassword, kNewPassword);
  EXPECT_GE(r.status, 400);
  EXPECT_LT(r.status, 500);
  EXPECT_EQ(LogIn(a.email, kPassword).status, 200);
}

TEST_F(AccountLifecycleTest, AnotherInstanceStopsServingTheEndedSessionsWithinASecond) {
  ServerProcess b(ServerProcess::SameStorageAs{*server_}, {"--smtp-url", smtp_->url()});
  Account a = SignUp(client(), "Two places");
  auto on_b = [&] {
    return b.client().Request("GET", "/api/v1/user", std::nullopt, Bearer(a.token));
  };
  ASSERT_EQ(on_b().status, 200);
  ASSERT_EQ(on_b().status, 200);  // cached on b
  ASSERT_EQ(Forgot(a.email).status, 202);
  std::string token = LinkToken(a.email, "/reset-password", 2);
  ASSERT_EQ(Reset(token, kNewPassword).status, 204);
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  int status = on_b().status;
  while (status != 401 && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    status = on_b().status;
  }
  EXPECT_EQ(status, 401);
}

}  // namespace
}  // namespace bulkhead::testing
