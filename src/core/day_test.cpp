#include "core/day.hpp"

#include <gtest/gtest.h>

namespace bulkhead::core {
namespace {

TEST(DayTest, TheDayOfAnInstantIsItsUtcDate) {
  EXPECT_EQ(DayOf(0), 0);
  EXPECT_EQ(DayOf(86'399'999), 0);
  EXPECT_EQ(DayOf(86'400'000), 1);
  EXPECT_EQ(DayOf(-1), -1);
  EXPECT_EQ(FormatDay(0), "1970-01-01");
  EXPECT_EQ(FormatDay(DayOf(1'795'410'926'000)), "2026-11-23");  // 2026-11-23T05:15:26Z
}

TEST(DayTest, ParsingAndFormattingRoundTrip) {
  for (int64_t day : {0LL, 1LL, 10'957LL, 20'415LL, 20'513LL, -1LL}) {
    auto parsed = ParseDay("from", FormatDay(day));
    ASSERT_TRUE(parsed.ok()) << FormatDay(day);
    EXPECT_EQ(*parsed, day);
  }
  EXPECT_EQ(*ParseDay("from", "2024-02-29"), *ParseDay("from", "2024-02-28") + 1);
  EXPECT_EQ(*ParseDay("from", "2024-03-01"), *ParseDay("from", "2024-02-29") + 1);
}

TEST(DayTest, AnythingButARealYyyyMmDdDateIsRefusedOnTheField) {
  for (const char* bad :
       {"", "2026-11-3", "2026/11/23", "2026-13-01", "2026-02-29", "2026-11-23T00:00:00Z",
        "20261123", "2026-00-10", "2026-11-00", "+026-11-23", "2026-1a-23"}) {
    auto parsed = ParseDay("to", bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.error().code, ErrorCode::kValidationFailed);
    EXPECT_EQ(parsed.error().fields.at(0).field, "to");
  }
}

}  // namespace
}  // namespace bulkhead::core
