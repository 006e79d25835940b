// Accounts over real HTTP: sign-up, login, logout, sessions, cookies and throttling.

#include <chrono>
#include <set>
#include <thread>

#include "integration/harness.hpp"

namespace bulkhead::testing {
namespace {

class AccountsTest : public ServerTest<AccountsTest> {};

TEST_F(AccountsTest, SignUpCreatesUserSessionAndPersonalOrganization) {
  auto c = client();
  std::string email = UniqueEmail("jane");
  auto r = c.Request("POST", "/api/v1/auth/signup",
                     Json{{"email", email}, {"password", kPassword}, {"name", "Jane Doe"}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.json["user"]["email"], email);
  EXPECT_EQ(r.json["user"]["name"], "Jane Doe");
  EXPECT_TRUE(r.json["user"].contains("id"));
  EXPECT_TRUE(r.json["user"].contains("created_at"));
  EXPECT_FALSE(r.json["user"].contains("password_hash"));
  std::string token = r.json["session_token"];
  EXPECT_EQ(token.rfind("bks_", 0), 0u);
  const auto& org = r.json["personal_organization"];
  EXPECT_EQ(org["type"], "personal");
  EXPECT_EQ(org["slug"], "jane-doe");
  EXPECT_EQ(org["status"], "active");

  auto me = c.Request("GET", "/api/v1/user", std::nullopt, Bearer(token));
  ASSERT_EQ(me.status, 200);
  EXPECT_EQ(me.json["id"], r.json["user"]["id"]);

  auto orgs = c.Request("GET", "/api/v1/user/organizations", std::nullopt, Bearer(token));
  ASSERT_EQ(orgs.status, 200);
  ASSERT_EQ(orgs.json["data"].size(), 1u);
  EXPECT_EQ(orgs.json["data"][0]["role"], "owner");
  EXPECT_EQ(orgs.json["data"][0]["organization"]["id"], org["id"]);
}

TEST_F(AccountsTest, PersonalSlugsAreDerivedFoldedAndNumbered) {
  auto c = client();
  EXPECT_EQ(SignUp(c, "Jane Doe").personal_organization["slug"], "jane-doe");
  EXPECT_EQ(SignUp(c, "Jane Doe").personal_organization["slug"], "jane-doe-2");
  EXPECT_EQ(SignUp(c, "jane doe").personal_organization["slug"], "jane-doe-3");
  EXPECT_EQ(SignUp(c, "Zoë Ærøskøbing").personal_organization["slug"], "zoe-aeroskobing");
  std::string nothing_usable = SignUp(c, "日本語").personal_organization["slug"];
  EXPECT_GE(nothing_usable.size(), 3u);
}

TEST_F(AccountsTest, EmailIsTakenCaseInsensitively) {
  auto c = client();
  std::string email = UniqueEmail("case");
  SignUp(c, "First", email);
  std::string upper = email;
  for (auto& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  auto r = c.Request("POST", "/api/v1/auth/signup",
                     Json{{"email", upper}, {"password", kPassword}, {"name", "Second"}});
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(r.Code(), "email_taken");
  EXPECT_EQ(r.Header("content-type"), "application/problem+json");
  auto login =
      c.Request("POST", "/api/v1/auth/login", Json{{"email", upper}, {"password", kPassword}});
  EXPECT_EQ(login.status, 200) << login.body;
}

TEST_F(AccountsTest, LoginChecksThePassword) {
  auto c = client();
  auto a = SignUp(c, "Login User");
  auto ok =
      c.Request("POST", "/api/v1/auth/login", Json{{"email", a.email}, {"password", kPassword}});
  ASSERT_EQ(ok.status, 200);
  EXPECT_EQ(ok.json["user"]["id"], a.user_id);
  EXPECT_NE(ok.json["session_token"], a.token);
  auto wrong = c.Request("POST", "/api/v1/auth/login",
                         Json{{"email", a.email}, {"password", "wrong password!"}});
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(wrong.Code(), "unauthenticated");
  auto unknown = c.Request("POST", "/api/v1/auth/login",
                           Json{{"email", UniqueEmail("nobody")}, {"password", kPassword}});
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(unknown.Code(), "unauthenticated");
}

TEST_F(AccountsTest, LogoutEndsTheSessionAtOnce) {
  auto c = client();
  auto a = SignUp(c, "Logout User");
  ASSERT_EQ(c.Request("GET", "/api/v1/user", std::nullopt, Bearer(a.token)).status, 200);
  auto out = c.Request("POST", "/api/v1/auth/logout", std::nullopt, Bearer(a.token));
  EXPECT_EQ(out.status, 204);
  auto after = c.Request("GET", "/api/v1/user", std::nullopt, Bearer(a.token));
  EXPECT_EQ(after.status, 401);
  EXPECT_EQ(after.Code(), "unauthenticated");
}

TEST_F(AccountsTest, MissingOrGarbageCredentialsAreUnauthenticated) {
  auto c = client();
  for (const Headers& h :
       {Headers{}, Bearer("bks_nonsense"), Headers{{"Authorization", "Basic abc"}}, Bearer("")}) {
    auto r = c.Request("GET", "/api/v1/user", std::nullopt, h);
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(r.Code(), "unauthenticated");
  }
}

TEST_F(AccountsTest, CookieSessionsNeedTheCsrfHeaderForChanges) {
  auto c = client();
  auto a = SignUp(c, "Cookie User");
  Headers cookie = {{"Cookie", "theme=dark; bulkhead_session=" + a.token}};
  auto read = c.Request("GET", "/api/v1/user", std::nullopt, cookie);
  EXPECT_EQ(read.status, 200);
  auto no_header = c.Request("POST", "/api/v1/organizations", Json{{"name", "Cookie Org"}}, cookie);
  EXPECT_EQ(no_header.status, 403);
  EXPECT_EQ(no_header.Code(), "forbidden");
  auto orgs = c.Request("GET", "/api/v1/user/organizations", std::nullopt, cookie);
  EXPECT_EQ(orgs.json["data"].size(), 1u) << "the refused request changed nothing";
  Headers with_header = cookie;
  with_header.emplace_back("X-Requested-With", "bulkhead");
  auto ok = c.Request("POST", "/api/v1/organizations", Json{{"name", "Cookie Org"}}, with_header);
  EXPECT_EQ(ok.status, 201) << ok.body;
}

TEST_F(AccountsTest, LoginSetsAnHttpOnlySessionCookie) {
  auto c = client();
  auto a = SignUp(c, "Set Cookie");
  auto r =
      c.Request("POST", "/api/v1/auth/login", Json{{"email", a.email}, {"password", kPassword}});
  std::string cookie = r.Header("set-cookie");
  EXPECT_NE(cookie.find("bulkhead_session=bks_"), std::string::npos);
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("SameSite=Lax"), std::string::npos);
}

TEST_F(AccountsTest, TenFailedLoginsLockTheEmailWithRetryAfter) {
  auto c = client();
  auto a = SignUp(c, "Throttled");
  for (int i = 0; i < 10; ++i) {
    auto r =
        c.Request("POST", "/api/v1/auth/login",
                  Json{{"email", a.email}, {"password", "wrong password " + std::to_string(i)}});
    ASSERT_EQ(r.status, 401) << "attempt " << i;
  }
  auto locked =
      c.Request("POST", "/api/v1/auth/login", Json{{"email", a.email}, {"password", kPassword}});
  EXPECT_EQ(locked.status, 429);
  EXPECT_EQ(locked.Code(), "rate_limited");
  ASSERT_FALSE(locked.Header("retry-after").empty());
  int retry = std::stoi(locked.Header("retry-after"));
  EXPECT_GT(retry, 0);
  EXPECT_LE(retry, 15 * 60);
  // Another email is unaffected, and the existing session still works.
  auto other = SignUp(c, "Not Throttled");
  auto ok = c.Request("POST", "/api/v1/auth/login",
                      Json{{"email", other.email}, {"password", kPassword}});
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(c.Request("GET", "/api/v1/user", std::nullopt, Bearer(a.token)).status, 200);
}

// Sliding sessions slide whatever the TTL: the refresh step is a fraction of it (a fixed hour
// left a session under an hour to die at its TTL however often it was used).
TEST(SlidingSessions, ASessionUsedRegularlyOutlivesAShortTtlAndAnIdleOneExpires) {
  ServerProcess server({"--session-ttl", "3"});
  auto c = server.client();
  Account a = SignUp(c, "Busy");
  auto start = std::chrono::steady_clock::now();
  int uses = 0;
  while (std::chrono::steady_clock::now() - start < std::chrono::milliseconds(7500)) {
    auto r = c.Request("GET", "/api/v1/user", std::nullopt, Bearer(a.token));
    ASSERT_EQ(r.status, 200) << "use " << uses << " after "
                             << std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::steady_clock::now() - start)
                                    .count()
                             << " ms: " << r.body;
    ++uses;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  EXPECT_GE(uses, 10);
  // Left alone for longer than the TTL, it expires.
  std::this_thread::sleep_for(std::chrono::milliseconds(3500));
  auto idle = c.Request("GET", "/api/v1/user", std::nullopt, Bearer(a.token));
  EXPECT_EQ(idle.status, 401) << idle.body;
  EXPECT_EQ(idle.Code(), "unauthenticated");
}

// GET /api/v1/user/organizations is a list like every other: ?limit and ?cursor, oldest
// membership first, bad values refused.
TEST_F(AccountsTest, TheCallersOrganizationsArePaginated) {
  auto c = client();
  Account a = SignUp(c, "Many Orgs");
  std::vector<std::string> created = {a.personal_organization["id"]};
  for (int i = 0; i < 6; ++i) {
    created.push_back(CreateOrganization(c, a.token, "Org " + std::to_string(i))["id"]);
  }
  // Another user's organizations never appear, whatever the page.
  Account other = SignUp(c, "Other");
  CreateOrganization(c, other.token, "Not Mine");

  auto all = c.Request("GET", "/api/v1/user/organizations", std::nullopt, Bearer(a.token));
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_EQ(all.json["data"].size(), 7u);
  EXPECT_TRUE(all.json["next_cursor"].is_null());

  std::vector<std::string> walked;
  std::string cursor;
  int pages = 0;
  do {
    std::string target = "/api/v1/user/organizations?limit=2";
    if (!cursor.empty()) target += "&cursor=" + cursor;
    auto page = c.Request("GET", target, std::nullopt, Bearer(a.token));
    ASSERT_EQ(page.status, 200) << page.body;
    EXPECT_LE(page.json["data"].size(), 2u);
    for (const auto& row : page.json["data"]) {
      walked.push_back(row["organization"]["id"]);
      EXPECT_EQ(row["role"], "owner");
    }
    cursor = page.json["next_cursor"].is_null() ? "" : page.json["next_cursor"].get<std::string>();
    ASSERT_LT(++pages, 10) << "the walk does not end";
  } while (!cursor.empty());
  EXPECT_EQ(pages, 4);
  EXPECT_EQ(walked, created) << "every organization once, oldest membership first";

  auto first =
      c.Request("GET", "/api/v1/user/organizations?limit=1", std::nullopt, Bearer(a.token));
  ASSERT_EQ(first.json["data"].size(), 1u);
  EXPECT_EQ(first.json["data"][0]["organization"]["id"], created[0]);
  EXPECT_EQ(first.json["data"][0]["organization"]["type"], "personal");
  EXPECT_TRUE(first.json["next_cursor"].is_string());

  const std::vector<std::string> bad_queries = {
      "limit=abc",
      "limit=0",
      "limit=201",
      "limit=-1",
      "limit=1.5",
      "cursor=abc",
      "cursor=bWVtYmVyczoxLzI",               // another list's cursor ("members:1/2")
      "cursor=dXNlci1vcmdhbml6YXRpb25zOng"};  // "user-organizations:x"
  for (const std::string& bad : bad_queries) {
    auto r = c.Request("GET", "/api/v1/user/organizations?" + bad, std::nullopt, Bearer(a.token));
    EXPECT_EQ(r.status, 422) << bad << ": " << r.body;
    EXPECT_EQ(r.Code(), "validation_failed") << bad;
  }
  auto max =
      c.Request("GET", "/api/v1/user/organizations?limit=200", std::nullopt, Bearer(a.token));
  EXPECT_EQ(max.status, 200);
}

TEST_F(AccountsTest, RequestIdIsEchoedOrGenerated) {
  auto c = client();
  auto echoed = c.Request("GET", "/healthz", std::nullopt, {{"X-Request-Id", "trace-abc.123"}});
  EXPECT_EQ(echoed.Header("x-request-id"), "trace-abc.123");
  auto generated = c.Request("GET", "/healthz");
  EXPECT_FALSE(generated.Header("x-request-id").empty());
  auto problem = c.Request("GET", "/api/v1/user", std::nullopt, {{"X-Request-Id", "trace-xyz"}});
  EXPECT_EQ(problem.json["request_id"], "trace-xyz");
}

}  // namespace
}  // namespace bulkhead::testing
