#include "service/rate_limiter.hpp"

#include <gtest/gtest.h>

namespace bulkhead::service {
namespace {

TEST(RateLimiter, AdmitsAMinutesWorthThenRefusesWithRetryAfter) {
  RateLimiter limiter;
  for (int i = 0; i < 60; ++i) EXPECT_EQ(limiter.Take("a", 60), std::nullopt) << i;
  auto refused = limiter.Take("a", 60);
  ASSERT_TRUE(refused.has_value());
  EXPECT_GE(*refused, 1);
  EXPECT_LE(*refused, 2);
}

TEST(RateLimiter, OrganizationsHaveBucketsOfTheirOwn) {
  RateLimiter limiter;
  for (int i = 0; i < 10; ++i) (void)limiter.Take("noisy", 10);
  EXPECT_TRUE(limiter.Take("noisy", 10).has_value());
  EXPECT_EQ(limiter.Take("quiet", 10), std::nullopt);
}

TEST(RateLimiter, AChangedLimitStartsAFullBucketAndZeroAdmitsNothing) {
  RateLimiter limiter;
  for (int i = 0; i < 5; ++i) (void)limiter.Take("a", 5);
  EXPECT_TRUE(limiter.Take("a", 5).has_value());
  EXPECT_EQ(limiter.Take("a", 100), std::nullopt);
  EXPECT_TRUE(limiter.Take("b", 0).has_value());
}

TEST(RateLimiter, AnHourlyBucketHoldsAnHoursWorthAndSaysWhenTheNextIsDue) {
  RateLimiter limiter;
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(limiter.Take("user", 3, std::chrono::hours(1)), std::nullopt) << i;
  }
  auto refused = limiter.Take("user", 3, std::chrono::hours(1));
  ASSERT_TRUE(refused.has_value());
  EXPECT_GT(*refused, 1000);  // one token refills every 1,200 s
  EXPECT_LE(*refused, 1200);
}

}  // namespace
}  // namespace bulkhead::service
