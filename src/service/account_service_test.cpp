#include "service/account_service.hpp"

#include <gtest/gtest.h>

namespace bulkhead::service {
namespace {

ServiceConfig WithTtl(int64_t ttl_ms) {
  ServiceConfig config;
  config.session_ttl_ms = ttl_ms;
  return config;
}

TEST(SessionRefreshStep, IsAQuarterOfAShortTtl) {
  // A fixed hour would never move a session shorter than an hour: it would die in use.
  EXPECT_EQ(SessionRefreshStep(WithTtl(60'000)), 15'000);
  EXPECT_EQ(SessionRefreshStep(WithTtl(3'000)), 750);
  EXPECT_LT(SessionRefreshStep(WithTtl(60'000)), 60'000);
}

TEST(SessionRefreshStep, IsAtMostTheConfiguredIntervalForLongTtls) {
  ServiceConfig config = WithTtl(14LL * 24 * 3600 * 1000);
  EXPECT_EQ(SessionRefreshStep(config), config.session_refresh_ms);
  EXPECT_EQ(SessionRefreshStep(WithTtl(4LL * 3600 * 1000)), 3600LL * 1000);
}

TEST(SessionRefreshStep, IsNeverZero) {
  EXPECT_EQ(SessionRefreshStep(WithTtl(1)), 1);
  EXPECT_EQ(SessionRefreshStep(WithTtl(0)), 1);
}

}  // namespace
}  // namespace bulkhead::service
