#include "api/csrf.hpp"

#include <gtest/gtest.h>

namespace bulkhead::api {
namespace {

http::Request WithCookie(std::string cookie) {
  http::Request r;
  r.method = "POST";
  if (!cookie.empty()) r.headers.push_back({"Cookie", std::move(cookie)});
  return r;
}

TEST(CsrfTest, NewTokensAreRandomAndWellFormed) {
  auto a = NewCsrfToken();
  auto b = NewCsrfToken();
  EXPECT_NE(a, b);
  EXPECT_TRUE(IsCsrfTokenShape(a));
  EXPECT_EQ(a.size(), 43u);
  EXPECT_FALSE(IsCsrfTokenShape(""));
  EXPECT_FALSE(IsCsrfTokenShape(a.substr(1)));
  EXPECT_FALSE(IsCsrfTokenShape(a.substr(1) + ";"));
  EXPECT_FALSE(IsCsrfTokenShape(a + "A"));
}

TEST(CsrfTest, AGetWithoutTheCookieGetsANewOneSetStrictAndHttpOnly) {
  http::Request get;
  get.method = "GET";
  auto token = CsrfTokenFor(get);
  ASSERT_TRUE(token.set_cookie);
  EXPECT_TRUE(IsCsrfTokenShape(token.value));
  EXPECT_EQ(*token.set_cookie,
            "bulkhead_csrf=" + token.value + "; Path=/; HttpOnly; SameSite=Strict");
  get.secure = true;
  EXPECT_TRUE(CsrfTokenFor(get).set_cookie->ends_with("; Secure"));
}

TEST(CsrfTest, AGetWithTheCookieKeepsIt) {
  auto value = NewCsrfToken();
  auto token = CsrfTokenFor(WithCookie("a=b; bulkhead_csrf=" + value + "; c=d"));
  EXPECT_EQ(token.value, value);
  EXPECT_FALSE(token.set_cookie);
}

TEST(CsrfTest, ACookieOfAnotherShapeIsReplaced) {
  auto token = CsrfTokenFor(WithCookie("bulkhead_csrf=short"));
  EXPECT_NE(token.value, "short");
  EXPECT_TRUE(token.set_cookie);
}

TEST(CsrfTest, APostMustCarryTheSameTokenInCookieAndForm) {
  auto value = NewCsrfToken();
  auto other = NewCsrfToken();
  auto post = WithCookie("bulkhead_session=x; bulkhead_csrf=" + value);
  EXPECT_TRUE(CsrfMatches(post, value));
  EXPECT_FALSE(CsrfMatches(post, other));
  EXPECT_FALSE(CsrfMatches(post, ""));
  EXPECT_FALSE(CsrfMatches(post, value.substr(0, 42)));
  EXPECT_FALSE(CsrfMatches(WithCookie(""), value));
  EXPECT_FALSE(CsrfMatches(WithCookie("bulkhead_csrf="), ""));
  // Both empty or both malformed never match.
  EXPECT_FALSE(CsrfMatches(WithCookie("bulkhead_csrf=abc"), "abc"));
}

TEST(CsrfTest, TheHiddenFieldIsExactlyTheAgreedInput) {
  EXPECT_EQ(CsrfField("abc-_"), "<input type=\"hidden\" name=\"csrf_token\" value=\"abc-_\">");
  EXPECT_EQ(CsrfField("\"><x"),
            "<input type=\"hidden\" name=\"csrf_token\" value=\"&quot;&gt;&lt;x\">");
}

}  // namespace
}  // namespace bulkhead::api
