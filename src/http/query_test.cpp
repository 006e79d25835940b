#include "http/query.hpp"

#include <gtest/gtest.h>

namespace bulkhead::http {
namespace {

TEST(Query, DecodesPairs) {
  auto q = ParseQuery("limit=2&cursor=a%2Bb&action=member.added&x=a+b");
  ASSERT_TRUE(q);
  EXPECT_EQ(QueryValue(*q, "limit"), "2");
  EXPECT_EQ(QueryValue(*q, "cursor"), "a+b");
  EXPECT_EQ(QueryValue(*q, "x"), "a b");
  EXPECT_EQ(QueryValue(*q, "missing"), std::nullopt);
}

TEST(Query, RejectsMalformedEscapes) {
  EXPECT_FALSE(ParseQuery("a=%zz"));
  EXPECT_FALSE(ParseQuery("a=%4"));
  EXPECT_FALSE(ParseQuery("a=%"));
}

TEST(Query, EmptyQueryHasNoParameters) {
  auto q = ParseQuery("");
  ASSERT_TRUE(q);
  EXPECT_TRUE(q->empty());
}

TEST(Query, FirstValueWins) {
  auto q = ParseQuery("a=1&a=2&flag");
  ASSERT_TRUE(q);
  EXPECT_EQ(QueryValue(*q, "a"), "1");
  EXPECT_EQ(QueryValue(*q, "flag"), "");
}

}  // namespace
}  // namespace bulkhead::http
