#include "service/webhook_dispatcher.hpp"

#include <gtest/gtest.h>

namespace bulkhead::service {
namespace {

constexpr int64_t kSecond = 1000;
constexpr int64_t kMinute = 60 * kSecond;
constexpr int64_t kHour = 60 * kMinute;

TEST(RetrySchedule, TheDefaultIsTheIssuesSchedule) {
  auto schedule = ParseRetrySchedule(kDefaultRetrySchedule);
  ASSERT_TRUE(schedule.ok());
  EXPECT_EQ(*schedule, (std::vector<int64_t>{0, 5 * kSecond, 5 * kMinute, 30 * kMinute, 2 * kHour,
                                             5 * kHour, 10 * kHour, 10 * kHour}));
}

TEST(RetrySchedule, AcceptsEveryUnitAndSpacesAroundEntries) {
  auto schedule = ParseRetrySchedule("250ms, 1s ,2m,3h,1d");
  ASSERT_TRUE(schedule.ok());
  EXPECT_EQ(*schedule, (std::vector<int64_t>{250, kSecond, 2 * kMinute, 3 * kHour, 24 * kHour}));
  EXPECT_EQ(*ParseRetrySchedule("0s"), std::vector<int64_t>{0});
}

TEST(RetrySchedule, RefusesWhatIsNotAListOfDurations) {
  for (const char* bad : {"", "5", "5x", "s", "-1s", "1s,", ",1s", "1s,,2s", "1.5s", "1 s", "5sec",
                          "99999999999999999d"}) {
    auto schedule = ParseRetrySchedule(bad);
    EXPECT_FALSE(schedule.ok()) << "'" << bad << "' was accepted";
    if (!schedule.ok()) {
      EXPECT_EQ(schedule.error().code, core::ErrorCode::kValidationFailed);
    }
  }
}

TEST(RetrySchedule, HasAnUpperBoundOnItsLength) {
  std::string many = "1s";
  for (int i = 0; i < 40; ++i) many += ",1s";
  EXPECT_FALSE(ParseRetrySchedule(many).ok());
}

TEST(Duration, NamesTheProblem) {
  EXPECT_EQ(*ParseDurationMs("30d"), 30 * 24 * kHour);
  auto bad = ParseDurationMs("10");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("unit"), std::string::npos) << bad.error().message;
}

}  // namespace
}  // namespace bulkhead::service
