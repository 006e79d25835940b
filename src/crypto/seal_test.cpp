#include "crypto/seal.hpp"

#include <gtest/gtest.h>

namespace bulkhead::crypto {
namespace {

TEST(Seal, OpensWithTheSameKeyAndAssociatedDataOnly) {
  std::string key = NewKey();
  ASSERT_EQ(key.size(), kKeyBytes);
  std::string sealed = Seal(key, "marker-7f3a", "org:1|ws:2|name:db");
  EXPECT_EQ(sealed.find("marker-7f3a"), std::string::npos);
  EXPECT_EQ(Open(key, sealed, "org:1|ws:2|name:db"), "marker-7f3a");
  EXPECT_EQ(Open(key, sealed, "org:1|ws:3|name:db"), std::nullopt);  // moved to another workspace
  EXPECT_EQ(Open(NewKey(), sealed, "org:1|ws:2|name:db"), std::nullopt);
  std::string flipped = sealed;
  flipped[flipped.size() / 2] ^= 1;
  EXPECT_EQ(Open(key, flipped, "org:1|ws:2|name:db"), std::nullopt);
  EXPECT_EQ(Open(key, sealed.substr(0, 10), "org:1|ws:2|name:db"), std::nullopt);
}

TEST(Seal, EachSealingUsesAFreshNonce) {
  std::string key = NewKey();
  EXPECT_NE(Seal(key, "same", "ad"), Seal(key, "same", "ad"));
  EXPECT_EQ(Open(key, Seal(key, "", "ad"), "ad"), "");
}

}  // namespace
}  // namespace bulkhead::crypto
