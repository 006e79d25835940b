#include "crypto/token.hpp"

#include <gtest/gtest.h>

#include <set>

namespace bulkhead::crypto {
namespace {

TEST(Token, Has256BitsAfterThePrefix) {
  std::string t = NewToken("bks_");
  EXPECT_EQ(t.rfind("bks_", 0), 0u);
  EXPECT_EQ(t.size(), 4u + 43u);  // 32 bytes in unpadded base64url
  for (char c : t.substr(4)) {
    EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') << c;
  }
}

TEST(Token, IsUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(seen.insert(NewToken("bk_")).second);
}

TEST(Token, HashIsSha256Hex) {
  EXPECT_EQ(HashToken("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(HashToken("").size(), 64u);
  EXPECT_NE(HashToken("bks_a"), HashToken("bks_b"));
}

TEST(Token, ConstantTimeEquals) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
  EXPECT_TRUE(ConstantTimeEquals("", ""));
}

TEST(Token, RandomBytesAndHex) {
  EXPECT_EQ(RandomBytes(16).size(), 16u);
  EXPECT_NE(RandomBytes(16), RandomBytes(16));
  EXPECT_EQ(ToHex(std::string("\x00\xff\x10", 3)), "00ff10");
}

}  // namespace
}  // namespace bulkhead::crypto
