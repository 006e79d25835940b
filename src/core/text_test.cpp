#include "core/text.hpp"

#include <gtest/gtest.h>

namespace bulkhead::core {
namespace {

TEST(Utf8, AcceptsWellFormedText) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain"));
  EXPECT_TRUE(IsValidUtf8("Zoë Ærø 日本語 😀"));
  EXPECT_TRUE(IsValidUtf8("\xf4\x8f\xbf\xbf"));  // U+10FFFF
}

TEST(Utf8, RejectsMalformedSequences) {
  EXPECT_FALSE(IsValidUtf8("\xff"));
  EXPECT_FALSE(IsValidUtf8("\x80"));              // lone continuation
  EXPECT_FALSE(IsValidUtf8("\xc3"));              // truncated
  EXPECT_FALSE(IsValidUtf8("\xe6\x97"));          // truncated
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xe0\x80\xaf"));      // overlong
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // surrogate U+D800
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("ok\xc3(bad"));
}

TEST(DisplayText, TrimsAndCountsCodePoints) {
  auto r = ValidateDisplayText("name", "  Zoë  ", 3);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "Zoë");
  EXPECT_FALSE(ValidateDisplayText("name", "Zoëy", 3).ok());
  EXPECT_EQ(CodePointCount("日本語"), 3u);
}

TEST(DisplayText, RejectsBlankControlAndInvalidText) {
  for (std::string bad :
       {std::string(""), std::string("   "), std::string("a\tb"), std::string("a\nb"),
        std::string("a\x7f"), std::string("a\xc2\x85"), std::string("a\xff")}) {
    auto r = ValidateDisplayText("name", bad, 100);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().fields.at(0).field, "name");
  }
}

}  // namespace
}  // namespace bulkhead::core
