#include "core/time.hpp"

#include <gtest/gtest.h>

namespace bulkhead::core {
namespace {

TEST(Time, FormatsRfc3339WithMilliseconds) {
  EXPECT_EQ(FormatRfc3339(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatRfc3339(1795403726123), "2026-11-23T03:15:26.123Z");
}

TEST(Time, ParsesWhatItFormats) {
  for (int64_t ms : {int64_t{0}, int64_t{1795403726123}, int64_t{951782400000}}) {
    auto parsed = ParseRfc3339("since", FormatRfc3339(ms));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, ms);
  }
}

TEST(Time, ParsesOffsetsAndFractions) {
  EXPECT_EQ(*ParseRfc3339("t", "2026-01-01T01:00:00+01:00"),
            *ParseRfc3339("t", "2026-01-01T00:00:00Z"));
  EXPECT_EQ(
      *ParseRfc3339("t", "2026-01-01T00:00:00.5Z") - *ParseRfc3339("t", "2026-01-01T00:00:00Z"),
      500);
  EXPECT_TRUE(ParseRfc3339("t", "2026-01-01t00:00:00z").ok());
}

TEST(Time, RejectsMalformedTimes) {
  for (const char* s :
       {"", "yesterday", "2026-01-01", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z",
        "2026-01-01T24:00:00Z", "2026-01-01T00:00:00", "2026-01-01T00:00:00.Z",
        "2026-01-01T00:00:00Zjunk", "2026-01-01 00:00:00Z"}) {
    auto r = ParseRfc3339("since", s);
    ASSERT_FALSE(r.ok()) << s;
    EXPECT_EQ(r.error().fields.at(0).field, "since");
  }
  EXPECT_TRUE(ParseRfc3339("t", "2024-02-29T00:00:00Z").ok());
}

}  // namespace
}  // namespace bulkhead::core
