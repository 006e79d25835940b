#include "core/hostname.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace bulkhead::core {
namespace {

std::string Normalized(std::string_view input) {
  auto r = NormalizeHostname(input);
  EXPECT_TRUE(r.ok()) << input;
  return r.ok() ? *r : "";
}

TEST(Hostname, LowercasesAndDropsPortAndTrailingDot) {
  EXPECT_EQ(Normalized("App.Example.COM"), "app.example.com");
  EXPECT_EQ(Normalized("app.example.com."), "app.example.com");
  EXPECT_EQ(Normalized("app.example.com:8443"), "app.example.com");
  EXPECT_EQ(Normalized("APP.example.com.:80"), "app.example.com");
}

TEST(Hostname, ConvertsInternationalNamesToPunycode) {
  EXPECT_EQ(Normalized("b\xC3\xBC" "cher.example"), "xn--bcher-kva.example");
  EXPECT_EQ(Normalized("B\xC3\x9C" "CHER.example"), "xn--bcher-kva.example");  // BÜCHER
  EXPECT_EQ(Normalized("xn--bcher-kva.example"), "xn--bcher-kva.example");
}

TEST(Hostname, KeepsIpLiterals) {
  EXPECT_EQ(Normalized("127.0.0.1:8080"), "127.0.0.1");
  EXPECT_EQ(Normalized("[::1]:8080"), "::1");
  EXPECT_EQ(Normalized("::1"), "::1");
  EXPECT_TRUE(IsIpAddress("10.0.0.1"));
  EXPECT_TRUE(IsIpAddress("2001:db8::1"));
  EXPECT_FALSE(IsIpAddress("example.com"));
}

TEST(Hostname, RefusesWhatIsNotAHostname) {
  const std::vector<std::string> bad = {"",
                                        ".",
                                        "a..b.com",
                                        "-a.com",
                                        "a-.com",
                                        "a_b.com",
                                        "a b.com",
                                        "a/b.com",
                                        std::string(64, 'a') + ".com",
                                        std::string(250, 'a').replace(60, 1, ".") + ".com",
                                        "bad\xFF.com"};
  for (const auto& input : bad) {
    auto r = NormalizeHostname(input);
    ASSERT_FALSE(r.ok()) << "'" << input << "'";
    EXPECT_EQ(r.error().code, ErrorCode::kValidationFailed);
    EXPECT_EQ(r.error().fields.at(0).field, "hostname");
  }
}

TEST(Hostname, AcceptsTheLongestLabels) {
  std::string label(63, 'a');
  EXPECT_EQ(Normalized(label + ".example.com"), label + ".example.com");
}

TEST(Hostname, HostWithoutPort) {
  EXPECT_EQ(HostWithoutPort("a.com:80"), "a.com");
  EXPECT_EQ(HostWithoutPort("a.com"), "a.com");
  EXPECT_EQ(HostWithoutPort("[::1]:80"), "::1");
  EXPECT_EQ(HostWithoutPort("::1"), "::1");
}

TEST(Hostname, CustomDomainsExcludeIpsSingleLabelsAndTheBaseDomain) {
  for (const char* bad : {"127.0.0.1", "::1", "intranet", "localhost", "example.com",
                          "acme.example.com", "a.b.example.com", "host.123"}) {
    auto st = ValidateCustomDomain(bad, "example.com");
    EXPECT_FALSE(st.ok()) << bad;
  }
  for (const char* good : {"app.acme.com", "acme.io", "notexample.com", "example.com.au",
                           "xn--bcher-kva.example"}) {
    EXPECT_TRUE(ValidateCustomDomain(good, "example.com").ok()) << good;
  }
}

}  // namespace
}  // namespace bulkhead::core
