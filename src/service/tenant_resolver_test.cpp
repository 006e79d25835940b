#include "service/tenant_resolver.hpp"

#include <gtest/gtest.h>

namespace bulkhead::service {
namespace {

TEST(SubdomainLabel, IsTheOneLabelUnderTheBaseDomain) {
  EXPECT_EQ(SubdomainLabel("acme.example.com", "example.com"), "acme");
  EXPECT_EQ(SubdomainLabel("acme.localhost", "localhost"), "acme");
}

TEST(SubdomainLabel, BaseDomainDeeperNamesAndOtherHostsHaveNone) {
  EXPECT_EQ(SubdomainLabel("example.com", "example.com"), std::nullopt);
  EXPECT_EQ(SubdomainLabel("a.b.example.com", "example.com"), std::nullopt);
  EXPECT_EQ(SubdomainLabel("notexample.com", "example.com"), std::nullopt);
  EXPECT_EQ(SubdomainLabel("acme.example.org", "example.com"), std::nullopt);
  EXPECT_EQ(SubdomainLabel("127.0.0.1", "localhost"), std::nullopt);
  EXPECT_EQ(SubdomainLabel(".example.com", "example.com"), std::nullopt);
}

}  // namespace
}  // namespace bulkhead::service
