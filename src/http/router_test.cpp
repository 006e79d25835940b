#include "http/router.hpp"

#include <gtest/gtest.h>

namespace bulkhead::http {
namespace {

RoutePattern MakeRoute(std::string method, std::string pattern) {
  return {std::move(method), std::move(pattern)};
}

Router TestRouter() {
  return Router({MakeRoute("GET", "/api/v1/organizations/{org}"),
                 MakeRoute("PATCH", "/api/v1/organizations/{org}"),
                 MakeRoute("GET", "/api/v1/organizations/{org}/members"),
                 MakeRoute("DELETE", "/api/v1/organizations/{org}/members/{user_id}"),
                 MakeRoute("GET", "/api/v1/user"), MakeRoute("GET", "/api/v1/{anything}")});
}

TEST(Router, ExtractsPathParameters) {
  auto router = TestRouter();
  auto m = router.Match("DELETE", "/api/v1/organizations/acme/members/u1");
  ASSERT_TRUE(m.found());
  EXPECT_EQ(router.routes()[m.route].pattern, "/api/v1/organizations/{org}/members/{user_id}");
  ASSERT_EQ(m.params.size(), 2u);
  EXPECT_EQ(m.params[0], (std::pair<std::string, std::string>{"org", "acme"}));
  EXPECT_EQ(m.params[1], (std::pair<std::string, std::string>{"user_id", "u1"}));
}

TEST(Router, LiteralSegmentsWinOverParameters) {
  auto router = TestRouter();
  auto m = router.Match("GET", "/api/v1/user");
  ASSERT_TRUE(m.found());
  EXPECT_EQ(router.routes()[m.route].pattern, "/api/v1/user");
  EXPECT_TRUE(m.params.empty());
}

TEST(Router, ReportsAllowedMethodsForAKnownPath) {
  auto router = TestRouter();
  auto m = router.Match("DELETE", "/api/v1/organizations/acme");
  EXPECT_FALSE(m.found());
  EXPECT_EQ(m.allowed_methods, (std::vector<std::string>{"GET", "PATCH"}));
}

TEST(Router, UnknownPathMatchesNothing) {
  auto router = TestRouter();
  auto m = router.Match("GET", "/nope");
  EXPECT_FALSE(m.found());
  EXPECT_TRUE(m.allowed_methods.empty());
}

TEST(Router, RejectsEmptySegmentsAndTrailingSlash) {
  auto router = TestRouter();
  EXPECT_FALSE(router.Match("GET", "/api/v1/organizations//members").found());
  EXPECT_FALSE(router.Match("GET", "/api/v1/organizations/acme/").found());
  EXPECT_FALSE(router.Match("GET", "api/v1/user").found());
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
