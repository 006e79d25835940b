#include "core/json_bounds.hpp"

#include <string>

#include <gtest/gtest.h>

namespace bulkhead::core {
namespace {

std::string Nested(std::size_t depth, char open = '[', char close = ']') {
  return std::string(depth, open) + std::string(depth, close);
}

std::string NestedObjects(std::size_t depth) {
  std::string s;
  for (std::size_t i = 0; i < depth; ++i) s += "{\"a\":";
  s += "1";
  s += std::string(depth, '}');
  return s;
}

void ExpectMalformed(std::string_view text, std::string_view why) {
  auto st = CheckJsonBounds(text);
  ASSERT_FALSE(st.ok()) << why;
  EXPECT_EQ(st.error().code, ErrorCode::kMalformedJson) << why;
}

TEST(JsonBounds, AcceptsFlatAndModerateDocuments) {
  EXPECT_TRUE(CheckJsonBounds("").ok());
  EXPECT_TRUE(CheckJsonBounds("{}").ok());
  EXPECT_TRUE(CheckJsonBounds(R"({"a": [1, 2, {"b": "c"}], "d": null})").ok());
}

TEST(JsonBounds, AcceptsExactlyTheLimit) {
  EXPECT_TRUE(CheckJsonBounds(Nested(kMaxJsonDepth)).ok());
  EXPECT_TRUE(CheckJsonBounds(NestedObjects(kMaxJsonDepth)).ok());
  EXPECT_TRUE(CheckJsonBounds(Nested(3), 3).ok());
}

TEST(JsonBounds, RefusesOneLevelTooDeep) {
  ExpectMalformed(Nested(kMaxJsonDepth + 1), "arrays");
  ExpectMalformed(NestedObjects(kMaxJsonDepth + 1), "objects");
  ExpectMalformed(Nested(60'000), "the reported 60,000 levels");
  EXPECT_FALSE(CheckJsonBounds(Nested(4), 3).ok());
  auto st = CheckJsonBounds(Nested(kMaxJsonDepth + 1));
  EXPECT_NE(st.error().message.find("64 levels"), std::string::npos) << st.error().message;
}

TEST(JsonBounds, DepthIsNestingNotTotalBrackets) {
  std::string wide = "[";
  for (int i = 0; i < 1000; ++i) wide += "[[]],";
  wide += "1]";
  EXPECT_TRUE(CheckJsonBounds(wide).ok());
}

TEST(JsonBounds, BracketsInsideStringsDoNotCount) {
  std::string text = "{\"a\": \"" + std::string(200, '[') + std::string(200, '{') + "\"}";
  EXPECT_TRUE(CheckJsonBounds(text).ok());
}

TEST(JsonBounds, EscapedQuotesDoNotEndStrings) {
  // The string holds: \" then 100 brackets; it ends only at the unescaped quote.
  std::string text = "[\"\\\"" + std::string(100, '[') + "\"]";
  EXPECT_TRUE(CheckJsonBounds(text).ok());
  // An escaped backslash does end before the quote: the brackets after it are real.
  std::string real = "[\"\\\\\"," + Nested(kMaxJsonDepth) + "]";
  ExpectMalformed(real, "brackets after an escaped backslash");
  // \u escapes are plain characters to the scan.
  EXPECT_TRUE(CheckJsonBounds("[\"\\u005b\\u0022\"]").ok());
}

TEST(JsonBounds, RefusesNulAnywhere) {
  using namespace std::string_literals;
  ExpectMalformed("{\"name\":\"x\"}\0garbage"s, "NUL after the document");
  ExpectMalformed("{\"name\":\"x\0y\"}"s, "NUL inside a string");
  ExpectMalformed("\0"s, "NUL alone");
  ExpectMalformed("{\"a\":1 \0}"s, "NUL between tokens");
}

TEST(JsonBounds, UnbalancedClosersDoNotUnderflow) {
  EXPECT_TRUE(CheckJsonBounds("]]]]}}}}").ok());  // the parser refuses it; depth stays at 0
  ExpectMalformed("]]]]" + Nested(kMaxJsonDepth + 1), "closers first");
}

}  // namespace
}  // namespace bulkhead::core
