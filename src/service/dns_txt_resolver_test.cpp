#include "service/dns_txt_resolver.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "support/dnsmasq.hpp"

namespace bulkhead::service {
namespace {

using testing::Dnsmasq;

TEST(DnsTxtResolver, ParsesServerAddresses) {
  auto with_port = ParseDnsServer("127.0.0.1:5353");
  ASSERT_TRUE(with_port.ok());
  EXPECT_EQ(with_port->host, "127.0.0.1");
  EXPECT_EQ(with_port->port, 5353);
  auto default_port = ParseDnsServer("10.0.0.2");
  ASSERT_TRUE(default_port.ok());
  EXPECT_EQ(default_port->port, 53);
  for (const char* bad : {"", "dns.example.com:53", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:70000",
                          "127.0.0.1:53x", "::1"}) {
    EXPECT_FALSE(ParseDnsServer(bad).ok()) << bad;
  }
}

class DnsTxtResolverTest : public ::testing::Test {
 protected:
  Dnsmasq dns_;
  TxtResolver Resolver() {
    return TxtResolver(*ParseDnsServer(dns_.address()), std::chrono::milliseconds(3000));
  }
};

TEST_F(DnsTxtResolverTest, FindsEveryTxtRecordOfAName) {
  dns_.SetTxt("_bulkhead-challenge.shop.example.com", {"first", "bulkhead-verification=abc"});
  auto records = Resolver().Lookup("_bulkhead-challenge.shop.example.com");
  ASSERT_TRUE(records.ok()) << records.error().message;
  std::sort(records->begin(), records->end());
  EXPECT_EQ(*records, (std::vector<std::string>{"bulkhead-verification=abc", "first"}));
}

TEST_F(DnsTxtResolverTest, AMissingNameHasNoRecords) {
  auto records = Resolver().Lookup("_bulkhead-challenge.nothing-here.example.com");
  ASSERT_TRUE(records.ok()) << records.error().message;
  EXPECT_TRUE(records->empty());
}

TEST(DnsTxtResolverDown, AServerThatDoesNotAnswerIsUnavailableWithinTheTimeout) {
  TxtResolver resolver(*ParseDnsServer("127.0.0.1:1"), std::chrono::milliseconds(2000));
  auto started = std::chrono::steady_clock::now();
  auto records = resolver.Lookup("_bulkhead-challenge.example.com");
  ASSERT_FALSE(records.ok());
  EXPECT_EQ(records.error().code, core::ErrorCode::kUnavailable);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
}

}  // namespace
}  // namespace bulkhead::service
