#include "service/login_throttle.hpp"

#include <gtest/gtest.h>

namespace bulkhead::service {
namespace {

constexpr int64_t kMinute = 60 * 1000;

TEST(LoginThrottle, AllowsUpToTenFailures) {
  LoginThrottle throttle(10, 15 * kMinute);
  for (int i = 0; i < 9; ++i) throttle.RecordFailure("a@x.io", i * 1000);
  EXPECT_EQ(throttle.RetryAfterSeconds("a@x.io", 10'000), 0);
  throttle.RecordFailure("a@x.io", 10'000);
  EXPECT_GT(throttle.RetryAfterSeconds("a@x.io", 11'000), 0);
}

TEST(LoginThrottle, RetryAfterIsWhenTheOldestFailureLeavesTheWindow) {
  LoginThrottle throttle(10, 15 * kMinute);
  for (int i = 0; i < 10; ++i) throttle.RecordFailure("a@x.io", 0);
  EXPECT_EQ(throttle.RetryAfterSeconds("a@x.io", 60'000), 14 * 60);
  EXPECT_EQ(throttle.RetryAfterSeconds("a@x.io", 15 * kMinute), 0);
}

TEST(LoginThrottle, EmailsAreCountedSeparately) {
  LoginThrottle throttle(2, kMinute);
  throttle.RecordFailure("a@x.io", 0);
  throttle.RecordFailure("a@x.io", 0);
  EXPECT_GT(throttle.RetryAfterSeconds("a@x.io", 1), 0);
  EXPECT_EQ(throttle.RetryAfterSeconds("b@x.io", 1), 0);
}

TEST(LoginThrottle, ResetClearsFailures) {
  LoginThrottle throttle(2, kMinute);
  throttle.RecordFailure("a@x.io", 0);
  throttle.Reset("a@x.io");
  throttle.RecordFailure("a@x.io", 0);
  EXPECT_EQ(throttle.RetryAfterSeconds("a@x.io", 1), 0);
}

}  // namespace
}  // namespace bulkhead::service
