#include "crypto/password.hpp"

#include <gtest/gtest.h>

namespace bulkhead::crypto {
namespace {

TEST(Password, HashesWithArgon2idAndVerifies) {
  std::string hash = HashPassword("correct horse battery");
  EXPECT_EQ(hash.rfind("$argon2id$", 0), 0u);
  EXPECT_TRUE(VerifyPassword(hash, "correct horse battery"));
  EXPECT_FALSE(VerifyPassword(hash, "correct horse batterY"));
  EXPECT_FALSE(VerifyPassword(hash, ""));
}

TEST(Password, SaltsEveryHash) {
  EXPECT_NE(HashPassword("same password"), HashPassword("same password"));
}

TEST(Password, MalformedHashesNeverVerify) {
  EXPECT_FALSE(VerifyPassword("", "x"));
  EXPECT_FALSE(VerifyPassword("$argon2id$garbage", "x"));
  EXPECT_FALSE(VerifyPassword(std::string(1000, 'a'), "x"));
}

TEST(Password, DummyHashIsValidAndMatchesNothingUsual) {
  const auto& dummy = DummyPasswordHash();
  EXPECT_EQ(dummy.rfind("$argon2id$", 0), 0u);
  EXPECT_FALSE(VerifyPassword(dummy, "correct horse battery"));
  EXPECT_EQ(&dummy, &DummyPasswordHash());
}

}  // namespace
}  // namespace bulkhead::crypto
