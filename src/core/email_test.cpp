#include "core/email.hpp"

#include <gtest/gtest.h>

namespace bulkhead::core {
namespace {

TEST(Email, LowercasesValidAddresses) {
  auto r = NormalizeEmail("Jane.Doe+Tag@Example.COM");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "jane.doe+tag@example.com");
}

TEST(Email, AcceptsCommonForms) {
  for (const char* e : {"a@b.co", "first.last@sub.example.org", "x_y-z@ex-ample.io",
                        "o'brien@example.ie", "1234@example.com"}) {
    EXPECT_TRUE(NormalizeEmail(e).ok()) << e;
  }
}

TEST(Email, RejectsMalformedAddresses) {
  for (const char* e : {"", "plain", "@example.com", "a@", "a@b", "a@@b.com", "a@b@c.com",
                        ".a@b.com", "a.@b.com", "a..b@b.com", "a b@b.com", "a@-b.com", "a@b-.com",
                        "a@b..com", "a@b.com.", "a@b_c.com", "\"q\"@b.com"}) {
    auto r = NormalizeEmail(e);
    ASSERT_FALSE(r.ok()) << e;
    EXPECT_EQ(r.error().code, ErrorCode::kValidationFailed);
    EXPECT_EQ(r.error().fields.at(0).field, "email");
  }
}

TEST(Email, EnforcesLengthLimits) {
  EXPECT_TRUE(NormalizeEmail(std::string(64, 'a') + "@example.com").ok());
  EXPECT_FALSE(NormalizeEmail(std::string(65, 'a') + "@example.com").ok());
  std::string domain;
  for (int i = 0; i < 5; ++i) domain += std::string(60, 'd') + ".";
  EXPECT_FALSE(NormalizeEmail("a@" + domain + "com").ok());                 // over 254 characters
  EXPECT_FALSE(NormalizeEmail("a@" + std::string(64, 'd') + ".com").ok());  // label over 63
}

}  // namespace
}  // namespace bulkhead::core
