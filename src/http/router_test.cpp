#include "http/router.hpp"

#include <gtest/gtest.h>

namespace bulkhead::http {
namespace {

Route MakeRoute(std::string method, std::string pattern) {
  Route r;
  r.method = std::move(method);
  r.pattern = std::move(pattern);
  return r;
}

Router TestRouter() {
  return Router({MakeRoute("GET", "/api/v1/organizations/{org}"),
                 MakeRoute("PATCH", "/api/v1/organizations/{org}"),
                 MakeRoute("GET", "/api/v1/organizations/{org}/members"),
                 MakeRoute("DELETE", "/api/v1/organizations/{org}/members/{user_id}"),
                 MakeRoute("GET", "/api/v1/user"),
                 MakeRoute("GET", "/api/v1/{anything}")});
}

TEST(Router, ExtractsPathParameters) {
  auto router = TestRouter();
  auto m = router.Match("DELETE", "/api/v1/organizations/acme/members/u1");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->pattern, "/api/v1/organizations/{org}/members/{user_id}");
  ASSERT_EQ(m.params.size(), 2u);
  EXPECT_EQ(m.params[0], (std::pair<std::string, std::string>{"org", "acme"}));
  EXPECT_EQ(m.params[1], (std::pair<std::string, std::string>{"user_id", "u1"}));
}

TEST(Router, LiteralSegmentsWinOverParameters) {
  auto router = TestRouter();
  auto m = router.Match("GET", "/api/v1/user");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->pattern, "/api/v1/user");
  EXPECT_TRUE(m.params.empty());
}

TEST(Router, ReportsAllowedMethodsForAKnownPath) {
  auto router = TestRouter();
  auto m = router.Match("DELETE", "/api/v1/organizations/acme");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_EQ(m.allowed_methods, (std::vector<std::string>{"GET", "PATCH"}));
}

TEST(Router, UnknownPathMatchesNothing) {
  auto router = TestRouter();
  auto m = router.Match("GET", "/nope");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_TRUE(m.allowed_methods.empty());
}

TEST(Router, RejectsEmptySegmentsAndTrailingSlash) {
  auto router = TestRouter();
  EXPECT_EQ(router.Match("GET", "/api/v1/organizations//members").route, nullptr);
  EXPECT_EQ(router.Match("GET", "/api/v1/organizations/acme/").route, nullptr);
  EXPECT_EQ(router.Match("GET", "api/v1/user").route, nullptr);
}

TEST(SplitPath, SplitsSegments) {
  std::vector<std::string_view> parts;
  ASSERT_TRUE(SplitPath("/a/bc/d", parts));
  EXPECT_EQ(parts, (std::vector<std::string_view>{"a", "bc", "d"}));
  ASSERT_TRUE(SplitPath("/", parts));
  EXPECT_TRUE(parts.empty());
  EXPECT_FALSE(SplitPath("", parts));
}

}  // namespace
}  // namespace bulkhead::http
