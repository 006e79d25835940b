// The hosted pages over real HTTP: forms, CSRF, sessions, the organization picker, branding
// and escaping, as a browser without JavaScript would use them.

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "integration/harness.hpp"

namespace bulkhead::testing {
namespace {

const std::string kAuthorize =
    "/oauth2/authorize?response_type=code&client_id=app&prompt=login&state=s%20t";
const std::string kAuthorizeWithoutPrompt =
    "/oauth2/authorize?response_type=code&client_id=app&state=s%20t";
constexpr const char* kBadCredentials = "The email or password is incorrect.";

std::string Encode(const std::string& text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

std::string FormBody(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string body;
  for (const auto& [k, v] : fields) {
    if (!body.empty()) body += '&';
    body += Encode(k) + "=" + Encode(v);
  }
  return body;
}

// The value a Set-Cookie header gives cookie `name`, or "" when it sets another or none.
std::string SetCookieValue(const HttpResponse& r, const std::string& name) {
  auto header = r.Header("set-cookie");
  if (header.rfind(name + "=", 0) != 0) return "";
  auto value = header.substr(name.size() + 1);
  return value.substr(0, value.find(';'));
}

std::string HiddenValue(const std::string& body, const std::string& name) {
  std::smatch m;
  std::regex re("<input type=\"hidden\" name=\"" + name + "\" value=\"([^\"]*)\">");
  return std::regex_search(body, m, re) ? m[1].str() : "";
}

std::string Unescape(std::string text) {
  for (auto [from, to] :
       {std::pair{"&quot;", "\""}, {"&#39;", "'"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&amp;", "&"}}) {
    std::string::size_type pos = 0;
    while ((pos = text.find(from, pos)) != std::string::npos) {
      text.replace(pos, std::string(from).size(), to);
      pos += std::string(to).size();
    }
  }
  return text;
}

// A browser's state across the pages: its cookies.
struct Browser {
  std::string csrf;
  std::string session;
  Headers Cookies() const {
    std::string cookie;
    if (!csrf.empty()) cookie += "bulkhead_csrf=" + csrf;
    if (!session.empty()) cookie += (cookie.empty() ? "" : "; ") + ("bulkhead_session=" + session);
    return cookie.empty() ? Headers{} : Headers{{"Cookie", cookie}};
  }
};

void ExpectPageHeaders(const HttpResponse& r) {
  EXPECT_NE(r.Header("content-security-policy").find("frame-ancestors 'none'"), std::string::npos);
  EXPECT_EQ(r.Header("x-frame-options"), "DENY");
  EXPECT_EQ(r.Header("cache-control"), "no-store");
  EXPECT_EQ(r.Header("content-type").rfind("text/html", 0), 0u) << r.Header("content-type");
}

// The token of the newest link to `path` mailed to `email` (the outbox, without SMTP), or "".
std::string MailedToken(const ServerProcess& server, const std::string& email,
                        const std::string& path) {
  std::string token;
  std::filesystem::file_time_type newest{};
  std::regex link(path + "\\?token=([A-Za-z0-9_-]+)");
  for (const auto& entry : std::filesystem::directory_iterator(server.data_dir() / "outbox")) {
    if (entry.path().extension() != ".eml") continue;
    std::ifstream in(entry.path());
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::smatch m;
    if (text.find("To: " + email) == std::string::npos || !std::regex_search(text, m, link)) {
      continue;
    }
    if (token.empty() || entry.last_write_time() >= newest) {
      token = m[1].str();
      newest = entry.last_write_time();
    }
  }
  return token;
}

// MailedToken once the link has been written: a forgotten-password link is stored and mailed by
// a background thread after the answer (so that a known address answers as fast as an unknown
// one). "" after 10 s.
std::string AwaitMailedToken(const ServerProcess& server, const std::string& email,
                             const std::string& path) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (true) {
    std::string token = MailedToken(server, email, path);
    if (!token.empty() || std::chrono::steady_clock::now() > deadline) return token;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

class HostedPagesTest : public ServerTest<HostedPagesTest> {
 protected:
  // GETs a page as `browser`, keeping the CSRF cookie it sets; returns the response.
  HttpResponse Get(Browser& browser, const std::string& target) {
    auto r = client().Request("GET", target, std::nullopt, browser.Cookies());
    if (auto csrf = SetCookieValue(r, "bulkhead_csrf"); !csrf.empty()) browser.csrf = csrf;
    return r;
  }
  // POSTs a form with the page's hidden CSRF field.
  HttpResponse Post(Browser& browser, const std::string& target,
                    std::vector<std::pair<std::string, std::string>> fields, Headers extra = {}) {
    Headers headers = browser.Cookies();
    headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    for (auto& h : extra) headers.push_back(std::move(h));
    auto r = client().RequestRaw("POST", target, FormBody(fields), headers);
    if (auto session = SetCookieValue(r, "bulkhead_session"); !session.empty()) {
      browser.session = session;
    }
    return r;
  }
  // Signs in through /login; returns the POST's response.
  HttpResponse LogIn(Browser& browser, const std::string& email, const std::string& password,
                     const std::string& return_to = "") {
    auto page =
        Get(browser, "/login" + (return_to.empty() ? "" : "?return_to=" + Encode(return_to)));
    EXPECT_EQ(page.status, 200);
    std::vector<std::pair<std::string, std::string>> fields = {
        {"email", email},
        {"password", password},
        {"csrf_token", HiddenValue(page.body, "csrf_token")}};
    if (!return_to.empty())
      fields.emplace_back("return_to", Unescape(HiddenValue(page.body, "return_to")));
    return Post(browser, "/login", fields);
  }
};

TEST_F(HostedPagesTest, TheLoginPageSetsTheCsrfCookieAndRendersTheHiddenFields) {
  Browser browser;
  auto r = Get(browser, "/login?return_to=" + Encode(kAuthorize));
  ASSERT_EQ(r.status, 200) << r.body;
  ExpectPageHeaders(r);
  auto set_cookie = r.Header("set-cookie");
  EXPECT_NE(set_cookie.find("; HttpOnly"), std::string::npos) << set_cookie;
  EXPECT_NE(set_cookie.find("; SameSite=Strict"), std::string::npos) << set_cookie;
  EXPECT_NE(set_cookie.find("; Path=/"), std::string::npos) << set_cookie;
  ASSERT_EQ(browser.csrf.size(), 43u);
  EXPECT_NE(
      r.body.find("<input type=\"hidden\" name=\"csrf_token\" value=\"" + browser.csrf + "\">"),
      std::string::npos);
  // return_to rides along, HTML-escaped, and the links to sign-up and reset carry it.
  EXPECT_EQ(
      HiddenValue(r.body, "return_to"),
      "/oauth2/authorize?response_type=code&amp;client_id=app&amp;prompt=login&amp;state=s%20t");
  EXPECT_NE(r.body.find("href=\"/signup?return_to=" + Encode(kAuthorize) + "\""),
            std::string::npos);
  EXPECT_NE(r.body.find("href=\"/forgot-password?return_to=" + Encode(kAuthorize) + "\""),
            std::string::npos);
  EXPECT_NE(r.body.find("autocomplete=\"email\""), std::string::npos);
  EXPECT_NE(r.body.find("autocomplete=\"current-password\""), std::string::npos);
  EXPECT_NE(r.body.find("<label for=\"f-password\">"), std::string::npos);

  // A second visit keeps the cookie the browser already has.
  auto again = Get(browser, "/login");
  EXPECT_EQ(again.Header("set-cookie"), "");
  EXPECT_EQ(HiddenValue(again.body, "csrf_token"), browser.csrf);
}

TEST_F(HostedPagesTest, ReturnToElsewhereIsIgnored) {
  for (const std::string bad :
       {"//evil.example", "/\\evil.example", "https://evil.example",
        "/oauth2/authorize@evil.example", "/%2F%2Fevil.example", "/console/../api/v1/user"}) {
    Browser browser;
    auto page = Get(browser, "/login?return_to=" + Encode(bad));
    ASSERT_EQ(page.status, 200);
    EXPECT_EQ(page.body.find("name=\"return_to\""), std::string::npos) << bad;
  }
  // A forged form field is ignored too: the login ends on the signed-in page.
  auto account = SignUp(client(), "Redirected");
  Browser browser;
  auto page = Get(browser, "/login");
  auto r = Post(browser, "/login",
                {{"email", account.email},
                 {"password", kPassword},
                 {"csrf_token", browser.csrf},
                 {"return_to", "//evil.example/oauth2/authorize?x"}});
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("location"), "");
  EXPECT_FALSE(browser.session.empty());
}

TEST_F(HostedPagesTest, LoginRedirectsToReturnToWithoutPromptAndSetsTheSession) {
  auto account = SignUp(client(), "Page Login");
  Browser browser;
  auto r = LogIn(browser, account.email, kPassword, kAuthorize);
  ASSERT_EQ(r.status, 303) << r.body;
  ExpectPageHeaders(r);
  EXPECT_EQ(r.Header("location"), kAuthorizeWithoutPrompt);
  auto set_cookie = r.Header("set-cookie");
  EXPECT_EQ(set_cookie.rfind("bulkhead_session=bks_", 0), 0u) << set_cookie;
  EXPECT_NE(set_cookie.find("; HttpOnly; SameSite=Lax"), std::string::npos) << set_cookie;
  auto me = client().Request("GET", "/api/v1/user", std::nullopt,
                             {{"Cookie", "bulkhead_session=" + browser.session}});
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(me.json["id"], account.user_id);

  // Without return_to: a page that says who signed in.
  Browser other;
  auto plain = LogIn(other, account.email, kPassword);
  EXPECT_EQ(plain.status, 200);
  EXPECT_NE(plain.body.find("signed in as " + account.email), std::string::npos) << plain.body;
  EXPECT_FALSE(other.session.empty());
}

TEST_F(HostedPagesTest, WrongPasswordAndUnknownAccountReadAlike) {
  auto account = SignUp(client(), "Careful");
  Browser browser;
  auto wrong = LogIn(browser, account.email, "not the password", kAuthorize);
  EXPECT_EQ(wrong.status, 401);
  ExpectPageHeaders(wrong);
  EXPECT_NE(wrong.body.find(kBadCredentials), std::string::npos) << wrong.body;
  EXPECT_EQ(wrong.body.find("not the password"), std::string::npos);
  EXPECT_EQ(wrong.Header("set-cookie"), "");
  EXPECT_TRUE(browser.session.empty());
  // The form comes back with the address, the return_to and a token that still works.
  EXPECT_NE(wrong.body.find("value=\"" + account.email + "\""), std::string::npos);
  EXPECT_EQ(Unescape(HiddenValue(wrong.body, "return_to")), kAuthorize);
  EXPECT_EQ(HiddenValue(wrong.body, "csrf_token"), browser.csrf);

  auto unknown = LogIn(browser, UniqueEmail("nobody"), "not the password");
  EXPECT_EQ(unknown.status, 401);
  EXPECT_NE(unknown.body.find(kBadCredentials), std::string::npos);
  auto malformed = LogIn(browser, "not an address", "not the password");
  EXPECT_EQ(malformed.status, 401);
  EXPECT_NE(malformed.body.find(kBadCredentials), std::string::npos);
}

TEST_F(HostedPagesTest, TheLoginThrottleAppliesToThePage) {
  auto account = SignUp(client(), "Throttled");
  Browser browser;
  int last = 0;
  for (int i = 0; i < 12 && last != 429; ++i) {
    last = LogIn(browser, account.email, "wrong password " + std::to_string(i)).status;
  }
  EXPECT_EQ(last, 429);
  auto r = LogIn(browser, account.email, kPassword);
  EXPECT_EQ(r.status, 429);
  EXPECT_FALSE(r.Header("retry-after").empty());
  EXPECT_TRUE(browser.session.empty());
}

TEST_F(HostedPagesTest, AFormWithoutAMatchingCsrfPairChangesNothing) {
  auto account = SignUp(client(), "Guarded");
  Browser browser;
  Get(browser, "/login");
  const std::string good = browser.csrf;
  const std::string other = std::string(43, 'A');
  struct Attempt {
    std::string cookie;  // bulkhead_csrf
    std::optional<std::string> field;
    Headers extra;
  };
  for (const auto& attempt : std::vector<Attempt>{
           {"", good, {}},                                    // no cookie
           {good, std::nullopt, {}},                          // no field
           {good, other, {}},                                 // mismatched
           {other, good, {}},                                 // mismatched the other way
           {"", std::string(""), {}},                         // both empty
           {good, good, {{"Sec-Fetch-Site", "cross-site"}}},  // another site's form
       }) {
    Browser attacker;
    attacker.csrf = attempt.cookie;
    std::vector<std::pair<std::string, std::string>> fields = {{"email", account.email},
                                                               {"password", kPassword}};
    if (attempt.field) fields.emplace_back("csrf_token", *attempt.field);
    auto r = Post(attacker, "/login", fields, attempt.extra);
    EXPECT_EQ(r.status, 403) << r.body;
    ExpectPageHeaders(r);
    EXPECT_EQ(r.Header("set-cookie"), "");
    EXPECT_TRUE(attacker.session.empty());
  }
  // Sign-up is guarded the same way: no account is created.
  Browser attacker;
  std::string email = UniqueEmail("forged");
  auto r =
      Post(attacker, "/signup",
           {{"name", "Forged"}, {"email", email}, {"password", kPassword}, {"csrf_token", good}});
  EXPECT_EQ(r.status, 403);
  auto login = client().Request("POST", "/api/v1/auth/login",
                                Json{{"email", email}, {"password", kPassword}});
  EXPECT_EQ(login.status, 401);
  // A JSON body is not a form.
  auto json = client().RequestRaw("POST", "/login",
                                  Json{{"email", account.email}, {"password", kPassword}}.dump(),
                                  {{"Cookie", "bulkhead_csrf=" + good}});
  EXPECT_EQ(json.status, 415);
  EXPECT_EQ(json.Header("set-cookie"), "");
}

TEST_F(HostedPagesTest, SignUpThroughThePageCreatesTheAccount) {
  Browser browser;
  auto page = Get(browser, "/signup?return_to=" + Encode(kAuthorize));
  ASSERT_EQ(page.status, 200);
  ExpectPageHeaders(page);
  EXPECT_NE(page.body.find("autocomplete=\"new-password\""), std::string::npos);
  EXPECT_NE(page.body.find("href=\"/login?return_to=" + Encode(kAuthorize) + "\""),
            std::string::npos);
  std::string email = UniqueEmail("paged");
  auto r = Post(browser, "/signup",
                {{"name", "Paged <User>"},
                 {"email", email},
                 {"password", kPassword},
                 {"csrf_token", HiddenValue(page.body, "csrf_token")},
                 {"return_to", kAuthorize}});
  ASSERT_EQ(r.status, 303) << r.body;
  EXPECT_EQ(r.Header("location"), kAuthorizeWithoutPrompt);
  auto me = client().Request("GET", "/api/v1/user", std::nullopt,
                             {{"Cookie", "bulkhead_session=" + browser.session}});
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(me.json["email"], email);
  EXPECT_EQ(me.json["name"], "Paged <User>");

  // The same address again: refused with the form back and no session.
  Browser second;
  Get(second, "/signup");
  auto taken = Post(
      second, "/signup",
      {{"name", "Again"}, {"email", email}, {"password", kPassword}, {"csrf_token", second.csrf}});
  EXPECT_EQ(taken.status, 409);
  EXPECT_TRUE(second.session.empty());
  // Bad fields: each named near the form, nothing created.
  auto bad = Post(second, "/signup",
                  {{"name", ""},
                   {"email", UniqueEmail("short")},
                   {"password", "short"},
                   {"csrf_token", second.csrf}});
  EXPECT_EQ(bad.status, 422);
  EXPECT_NE(bad.body.find("role=\"alert\""), std::string::npos);
  EXPECT_NE(bad.body.find("Password must be 10-256 characters."), std::string::npos) << bad.body;
  EXPECT_TRUE(second.session.empty());
}

TEST_F(HostedPagesTest, ThePickerNeedsASession) {
  Browser browser;
  auto r = Get(browser, "/organization?return_to=" + Encode(kAuthorize));
  EXPECT_EQ(r.status, 303);
  ExpectPageHeaders(r);
  EXPECT_EQ(r.Header("location"), "/login?return_to=" + Encode(kAuthorize));
  // A POST is checked for its CSRF pair first, then for the session.
  Get(browser, "/login");
  auto post = Post(browser, "/organization",
                   {{"organization", "0190a5d0-0000-7000-8000-000000000000"},
                    {"csrf_token", browser.csrf},
                    {"return_to", kAuthorize}});
  EXPECT_EQ(post.status, 303);
  EXPECT_EQ(post.Header("location"), "/login?return_to=" + Encode(kAuthorize));
}

TEST_F(HostedPagesTest, ThePickerListsTheCallersOrganizationsAndRedirectsWithTheChoice) {
  auto c = client();
  auto owner = SignUp(c, "Picker Owner");
  auto team = CreateOrganization(c, owner.token, "<script>alert('x')</script> & Co");
  auto stranger = SignUp(c, "Stranger");
  auto strangers = CreateOrganization(c, stranger.token, "Secret Stuff");

  Browser browser;
  ASSERT_EQ(LogIn(browser, owner.email, kPassword).status, 200);
  auto page = Get(browser, "/organization?return_to=" + Encode(kAuthorize));
  ASSERT_EQ(page.status, 200) << page.body;
  ExpectPageHeaders(page);
  EXPECT_NE(page.body.find("<legend>Personal</legend>"), std::string::npos);
  EXPECT_NE(page.body.find("<legend>Teams</legend>"), std::string::npos);
  EXPECT_NE(
      page.body.find("value=\"" + owner.personal_organization["id"].get<std::string>() + "\""),
      std::string::npos);
  EXPECT_NE(page.body.find("value=\"" + team["id"].get<std::string>() + "\""), std::string::npos);
  // The hostile name is text, never markup.
  EXPECT_EQ(page.body.find("<script>"), std::string::npos);
  EXPECT_NE(page.body.find("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; Co"),
            std::string::npos);
  EXPECT_NE(page.body.find("owner"), std::string::npos);
  EXPECT_EQ(page.body.find("Secret Stuff"), std::string::npos);

  auto pick = Post(browser, "/organization",
                   {{"organization", team["id"]},
                    {"csrf_token", browser.csrf},
                    {"return_to", kAuthorize + "&organization=someone-else"}});
  ASSERT_EQ(pick.status, 303) << pick.body;
  EXPECT_EQ(pick.Header("location"),
            kAuthorizeWithoutPrompt + "&organization=" + team["id"].get<std::string>());

  // Another user's organization and one that does not exist are refused alike.
  auto foreign = Post(
      browser, "/organization",
      {{"organization", strangers["id"]}, {"csrf_token", browser.csrf}, {"return_to", kAuthorize}});
  auto missing = Post(browser, "/organization",
                      {{"organization", "0190a5d0-0000-7000-8000-000000000000"},
                       {"csrf_token", browser.csrf},
                       {"return_to", kAuthorize}});
  EXPECT_EQ(foreign.status, 400);
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(foreign.Header("location"), "");
  EXPECT_NE(foreign.body.find("Choose one of your organizations."), std::string::npos);
  EXPECT_EQ(foreign.body.find("Secret Stuff"), std::string::npos);
  // Without a CSRF pair the pick is refused.
  Browser forged;
  forged.session = browser.session;
  auto no_csrf =
      Post(forged, "/organization", {{"organization", team["id"]}, {"return_to", kAuthorize}});
  EXPECT_EQ(no_csrf.status, 403);
  EXPECT_EQ(no_csrf.Header("location"), "");
}

TEST_F(HostedPagesTest, ThePickerSearchesAndShowsAtMostFifty) {
  auto c = client();
  auto owner = SignUp(c, "Many Orgs");
  for (int i = 0; i < 51; ++i) {
    CreateOrganization(c, owner.token, "Team " + std::to_string(i), UniqueSlug("team"));
  }
  CreateOrganization(c, owner.token, "Needle Works", UniqueSlug("needle"));
  Browser browser;
  ASSERT_EQ(LogIn(browser, owner.email, kPassword).status, 200);
  auto all = Get(browser, "/organization");
  ASSERT_EQ(all.status, 200);
  std::ptrdiff_t radios = 0;
  for (auto pos = all.body.find("type=\"radio\""); pos != std::string::npos;
       pos = all.body.find("type=\"radio\"", pos + 1)) {
    ++radios;
  }
  EXPECT_EQ(radios, 50);
  EXPECT_NE(all.body.find("Showing 50 of 53. Search to find the others."), std::string::npos);
  auto found = Get(browser, "/organization?q=needle");
  ASSERT_EQ(found.status, 200);
  EXPECT_NE(found.body.find("Needle Works"), std::string::npos);
  EXPECT_EQ(found.body.find("Team 1"), std::string::npos);
  EXPECT_EQ(found.body.find("Showing"), std::string::npos);
  auto none = Get(browser, "/organization?q=nothing-like-it");
  EXPECT_NE(none.body.find("No organization matches your search."), std::string::npos);
}

TEST_F(HostedPagesTest, EveryPageSendsFrameAncestorsNone) {
  Browser browser;
  for (const char* path : {"/login", "/signup", "/organization", "/forgot-password",
                           "/reset-password?token=x", "/verify-email?token=x", "/reset-password",
                           "/error?error=access_denied", "/error?error=%3Cscript%3E"}) {
    auto r = Get(browser, path);
    EXPECT_LT(r.status, 500) << path;
    ExpectPageHeaders(r);
  }
  auto error = Get(browser, "/error?error=%3Cscript%3Ealert(1)%3C/script%3E");
  EXPECT_EQ(error.body.find("<script>"), std::string::npos);
  auto denied = Get(browser, "/error?error=access_denied");
  EXPECT_NE(denied.body.find("Access was denied."), std::string::npos);
}

TEST_F(HostedPagesTest, PagesShowTheBrandingOfTheOrganizationTheyName) {
  auto c = client();
  auto owner = SignUp(c, "Brand Owner");
  std::string slug = UniqueSlug("acme");
  auto org = CreateOrganization(c, owner.token, "Acme", slug);
  auto patched = c.Request("PATCH", "/api/v1/organizations/" + slug,
                           Json{{"settings",
                                 {{"branding",
                                   {{"display_name", "Acme <b>Corp</b> & \"Sons\""},
                                    {"logo_url", "https://cdn.example/logo.png?a=1&b=2"},
                                    {"primary_color", "#ff6600"}}}}}},
                           Bearer(owner.token));
  ASSERT_EQ(patched.status, 200) << patched.body;

  Browser browser;
  for (const std::string& target :
       {"/login?organization=" + slug, "/login?organization=" + org["id"].get<std::string>(),
        "/signup?return_to=" + Encode(kAuthorize + "&organization=" + slug)}) {
    auto r = Get(browser, target);
    ASSERT_EQ(r.status, 200) << target;
    EXPECT_NE(r.body.find("Acme &lt;b&gt;Corp&lt;/b&gt; &amp; &quot;Sons&quot;"), std::string::npos)
        << target;
    EXPECT_EQ(r.body.find("<b>Corp</b>"), std::string::npos);
    EXPECT_NE(r.body.find("--brand:#ff6600"), std::string::npos) << target;
    EXPECT_NE(r.body.find("src=\"https://cdn.example/logo.png?a=1&amp;b=2\""), std::string::npos);
  }
  // The form posts back to the same branding.
  auto page = Get(browser, "/login?organization=" + slug);
  EXPECT_NE(page.body.find("action=\"/login?organization=" + slug + "\""), std::string::npos);
  auto failed =
      Post(browser, "/login?organization=" + slug,
           {{"email", owner.email}, {"password", "wrong password"}, {"csrf_token", browser.csrf}});
  EXPECT_EQ(failed.status, 401);
  EXPECT_NE(failed.body.find("--brand:#ff6600"), std::string::npos);

  // Unknown: the default look, no error.
  auto unknown = Get(browser, "/login?organization=no-such-organization");
  EXPECT_EQ(unknown.status, 200);
  EXPECT_NE(unknown.body.find("<strong>Bulkhead</strong>"), std::string::npos);
  EXPECT_EQ(unknown.body.find("#ff6600"), std::string::npos);

  // Suspended: the default look too.
  auto suspend = RunCli({"org", "suspend", slug}, server());
  ASSERT_EQ(suspend.exit_code, 0) << suspend.err;
  auto suspended = Get(browser, "/login?organization=" + slug);
  EXPECT_EQ(suspended.status, 200);
  EXPECT_EQ(suspended.body.find("#ff6600"), std::string::npos);
  EXPECT_NE(suspended.body.find("<strong>Bulkhead</strong>"), std::string::npos);
}

TEST_F(HostedPagesTest, AForgottenPasswordIsResetThroughTheMailedLink) {
  auto account = SignUp(client(), "Forgetful");
  Browser browser;
  auto page = Get(browser, "/forgot-password?return_to=" + Encode(kAuthorize));
  ASSERT_EQ(page.status, 200);
  ExpectPageHeaders(page);
  EXPECT_NE(page.body.find("autocomplete=\"email\""), std::string::npos);
  auto sent =
      Post(browser, "/forgot-password", {{"email", account.email}, {"csrf_token", browser.csrf}});
  ASSERT_EQ(sent.status, 200) << sent.body;
  // An address without an account gets the same answer.
  std::string nobody = UniqueEmail("nobody");
  auto unknown =
      Post(browser, "/forgot-password", {{"email", nobody}, {"csrf_token", browser.csrf}});
  EXPECT_EQ(unknown.status, 200);
  auto without_address = [](std::string body, const std::string& email) {
    return body.replace(body.find(email), email.size(), "");
  };
  EXPECT_EQ(without_address(sent.body, account.email), without_address(unknown.body, nobody));

  std::string token = AwaitMailedToken(server(), account.email, "/reset-password");
  ASSERT_FALSE(token.empty());
  EXPECT_EQ(MailedToken(server(), nobody, "/reset-password"), "");
  // Following the link shows a form; it changes nothing by itself.
  Browser mailed;
  auto form = Get(mailed, "/reset-password?token=" + token);
  ASSERT_EQ(form.status, 200) << form.body;
  ExpectPageHeaders(form);
  EXPECT_EQ(HiddenValue(form.body, "token"), token);
  EXPECT_NE(form.body.find("autocomplete=\"new-password\""), std::string::npos);
  auto too_short = Post(mailed, "/reset-password",
                        {{"token", token}, {"password", "short"}, {"csrf_token", mailed.csrf}});
  EXPECT_EQ(too_short.status, 422);
  EXPECT_NE(too_short.body.find("Password must be 10-256 characters."), std::string::npos)
      << too_short.body;
  auto forged = Post(mailed, "/reset-password",
                     {{"token", token}, {"password", "a new password 1"}, {"csrf_token", ""}});
  EXPECT_EQ(forged.status, 403);

  const std::string new_password = "a new password 1";
  auto reset = Post(mailed, "/reset-password",
                    {{"token", token}, {"password", new_password}, {"csrf_token", mailed.csrf}});
  ASSERT_EQ(reset.status, 200) << reset.body;
  // Every session ended; the old password is gone and the new one works.
  EXPECT_EQ(client().Request("GET", "/api/v1/user", std::nullopt, Bearer(account.token)).status,
            401);
  Browser later;
  EXPECT_EQ(LogIn(later, account.email, kPassword).status, 401);
  EXPECT_EQ(LogIn(later, account.email, new_password).status, 200);
  // The link works once.
  auto again =
      Post(mailed, "/reset-password",
           {{"token", token}, {"password", "another password"}, {"csrf_token", mailed.csrf}});
  EXPECT_EQ(again.status, 410);
  auto bogus = Get(mailed, "/reset-password?token=bkr_not-a-token");
  EXPECT_EQ(bogus.status, 200);  // the form; the POST finds out
  EXPECT_EQ(Post(mailed, "/reset-password",
                 {{"token", "bkr_not-a-token"},
                  {"password", "another password"},
                  {"csrf_token", mailed.csrf}})
                .status,
            410);
}

TEST_F(HostedPagesTest, AnEmailIsVerifiedByTheButtonNotByFollowingTheLink) {
  Browser browser;
  Get(browser, "/signup");
  std::string email = UniqueEmail("verify");
  auto created = Post(browser, "/signup",
                      {{"name", "Verifier"},
                       {"email", email},
                       {"password", kPassword},
                       {"csrf_token", browser.csrf}});
  ASSERT_EQ(created.status, 201) << created.body;
  auto me = [&] {
    return client().Request("GET", "/api/v1/user", std::nullopt,
                            {{"Cookie", "bulkhead_session=" + browser.session}});
  };
  EXPECT_EQ(me().json["email_verified"], false);
  std::string token = AwaitMailedToken(server(), email, "/verify-email");
  ASSERT_FALSE(token.empty());

  // A mail scanner fetching the link verifies nothing.
  Browser scanner;
  auto page = Get(scanner, "/verify-email?token=" + token);
  ASSERT_EQ(page.status, 200);
  ExpectPageHeaders(page);
  EXPECT_EQ(HiddenValue(page.body, "token"), token);
  EXPECT_EQ(me().json["email_verified"], false);

  auto verified = Post(scanner, "/verify-email", {{"token", token}, {"csrf_token", scanner.csrf}});
  ASSERT_EQ(verified.status, 200) << verified.body;
  EXPECT_NE(verified.body.find(email), std::string::npos);
  EXPECT_EQ(me().json["email_verified"], true);
  EXPECT_EQ(Post(scanner, "/verify-email", {{"token", token}, {"csrf_token", scanner.csrf}}).status,
            410);
}

}  // namespace
}  // namespace bulkhead::testing
