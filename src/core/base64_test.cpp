#include "core/base64.hpp"

#include <gtest/gtest.h>

namespace bulkhead::core {
namespace {

TEST(Base64Url, EncodesWithoutPadding) {
  EXPECT_EQ(Base64UrlEncode(""), "");
  EXPECT_EQ(Base64UrlEncode("f"), "Zg");
  EXPECT_EQ(Base64UrlEncode("fo"), "Zm8");
  EXPECT_EQ(Base64UrlEncode("foo"), "Zm9v");
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
}

TEST(Base64Url, RoundTripsEveryByte) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  for (std::size_t n = 0; n <= all.size(); n += 17) {
    auto decoded = Base64UrlDecode(Base64UrlEncode(all.substr(0, n)));
    ASSERT_TRUE(decoded);
    EXPECT_EQ(*decoded, all.substr(0, n));
  }
}

TEST(Base64Url, RejectsForeignCharactersPaddingAndBadLengths) {
  EXPECT_FALSE(Base64UrlDecode("Zg=="));
  EXPECT_FALSE(Base64UrlDecode("Zm9v+"));
  EXPECT_FALSE(Base64UrlDecode("Zm9v/"));
  EXPECT_FALSE(Base64UrlDecode("Z"));
  EXPECT_FALSE(Base64UrlDecode("Zh"));  // non-zero leftover bits: not a canonical encoding
}

}  // namespace
}  // namespace bulkhead::core
