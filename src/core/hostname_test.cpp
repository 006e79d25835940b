#include "core/hostname.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace bulkhead::core {
namespace {

std::string Normalized(std::string_view input) {
  auto r = NormalizeHostname(input);
  EXPECT_TRUE(r.ok()) << "'" << input << "': " << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : "";
}

void ExpectRefused(std::string_view input) {
  auto r = NormalizeHostname(input);
  ASSERT_FALSE(r.ok()) << "'" << input << "' -> '" << *r << "'";
  EXPECT_EQ(r.error().code, ErrorCode::kValidationFailed);
  EXPECT_EQ(r.error().fields.at(0).field, "hostname");
}

void ExpectNotClaimable(std::string_view hostname, std::string_view base_domain) {
  auto st = ValidateCustomDomain(hostname, base_domain);
  ASSERT_FALSE(st.ok()) << hostname;
  EXPECT_EQ(st.error().code, ErrorCode::kValidationFailed);
  EXPECT_EQ(st.error().fields.at(0).field, "hostname");
}

TEST(Hostname, Lowercases) {
  EXPECT_EQ(Normalized("App.Example.COM"), "app.example.com");
  EXPECT_EQ(Normalized("app.example.com"), "app.example.com");
}

TEST(Hostname, DropsOneTrailingDot) {
  EXPECT_EQ(Normalized("app.example.com."), "app.example.com");
  ExpectRefused("app.example.com..");
  ExpectRefused(".");
}

TEST(Hostname, DropsThePort) {
  EXPECT_EQ(Normalized("app.example.com:8443"), "app.example.com");
  EXPECT_EQ(Normalized("APP.example.com.:80"), "app.example.com");
  EXPECT_EQ(Normalized("app.example.com:"), "app.example.com");  // an empty port is allowed
  ExpectRefused("app.example.com:http");
  ExpectRefused("app.example.com:65536");
  ExpectRefused("app.example.com:8080:1");
}

TEST(Hostname, ConvertsInternationalNamesToPunycode) {
  EXPECT_EQ(Normalized("Bücher.example"), "xn--bcher-kva.example");
  EXPECT_EQ(Normalized("BÜCHER.example"), "xn--bcher-kva.example");
  EXPECT_EQ(Normalized("ÉCOLE.fr"), "xn--cole-9oa.fr");
  EXPECT_EQ(Normalized("école.fr."), "xn--cole-9oa.fr");
  EXPECT_EQ(Normalized("Bücher.example:8080"), "xn--bcher-kva.example");
  EXPECT_EQ(Normalized("faß.de"), "xn--fa-hia.de");  // IDNA2008 keeps the ß
  EXPECT_EQ(Normalized("XN--BCHER-KVA.example"), "xn--bcher-kva.example");
}

TEST(Hostname, MapsUnicodeLookalikesOfAsciiToAscii) {
  // Full-width letters and the ideographic full stop are the same name as plain ASCII.
  EXPECT_EQ(Normalized("ｅｘａ.com"), "exa.com");
  EXPECT_EQ(Normalized("bücher.example。"), "xn--bcher-kva.example");
}

TEST(Hostname, RefusesInvalidPunycode) {
  ExpectRefused("xn--zz.com");
  ExpectRefused("xn--bucher-xyd.com");  // punycode of a non-NFC "bu\u0308cher"
}

TEST(Hostname, RefusesInternationalNamesThatIdnaForbids) {
  ExpectRefused("☃.com");  // symbols are not allowed in IDNA2008
  ExpectRefused("-bücher.example");
}

TEST(Hostname, RefusesInvalidUtf8) {
  ExpectRefused("bad\xFF.com");
  ExpectRefused("b\xC3.com");               // a truncated sequence
  ExpectRefused("a.\xC0\xAE.example.com");  // an overlong '.'
  // libidn2 would stop at the NUL and silently drop ".evil.com".
  ExpectRefused(std::string("bücher.com\0.evil.com", 21));
}

TEST(Hostname, RefusesOverlongLabelsAndNames) {
  std::string label63(63, 'a');
  EXPECT_EQ(Normalized(label63 + ".example.com"), label63 + ".example.com");
  ExpectRefused(std::string(64, 'a') + ".com");

  std::string name253 = label63 + "." + label63 + "." + label63 + "." + std::string(61, 'a');
  ASSERT_EQ(name253.size(), 253u);
  EXPECT_EQ(Normalized(name253), name253);
  EXPECT_EQ(Normalized(name253 + "."), name253);
  ExpectRefused(name253 + "a");
  ExpectRefused(std::string(5000, 'a'));
}

TEST(Hostname, RefusesCharactersOutsideTheAlphabet) {
  for (const char* s : {"", "a_b.com", "a..b", "a..b.com", ".a.com", "-a.com", "a-.com", "a b.com",
                        "a/b.com", "a@b.com", "a\tb.com", "*.example.com"}) {
    ExpectRefused(s);
  }
}

TEST(Hostname, ExplainsWhatIsWrong) {
  auto r = NormalizeHostname("a_b.com");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "hostname may contain only letters, digits, '-' and '.', not '_'");
}

TEST(Hostname, KeepsIpLiteralsInCanonicalForm) {
  EXPECT_EQ(Normalized("127.0.0.1:8080"), "127.0.0.1");
  EXPECT_EQ(Normalized("127.0.0.1."), "127.0.0.1");
  EXPECT_EQ(Normalized("[::1]:8080"), "::1");
  EXPECT_EQ(Normalized("[::1]"), "::1");
  EXPECT_EQ(Normalized("::1"), "::1");
  EXPECT_EQ(Normalized("[2001:DB8:0:0::1]"), "2001:db8::1");
  EXPECT_EQ(Normalized("１２７.0.0.1"), "127.0.0.1");  // full-width digits
  ExpectRefused("[::1");
  ExpectRefused("[::1]x");
  ExpectRefused("[example.com]:80");
  ExpectRefused("[::1]:port");
  EXPECT_TRUE(IsIpAddress("10.0.0.1"));
  EXPECT_TRUE(IsIpAddress("2001:db8::1"));
  EXPECT_FALSE(IsIpAddress("example.com"));
}

TEST(Hostname, HostWithoutPort) {
  EXPECT_EQ(HostWithoutPort("a.com:80"), "a.com");
  EXPECT_EQ(HostWithoutPort("a.com"), "a.com");
  EXPECT_EQ(HostWithoutPort("[::1]:80"), "::1");
  EXPECT_EQ(HostWithoutPort("[::1]"), "::1");
  EXPECT_EQ(HostWithoutPort("::1"), "::1");
  EXPECT_EQ(HostWithoutPort(""), "");
}

TEST(Hostname, CustomDomainsAreNotIpAddresses) {
  for (const char* ip : {"127.0.0.1", "10.1.2.3", "::1", "2001:db8::1", "[::1]:443"}) {
    ExpectNotClaimable(ip, "example.com");
  }
}

TEST(Hostname, CustomDomainsHaveAtLeastTwoLabels) {
  for (const char* single : {"localhost", "intranet", "com", "localhost."}) {
    ExpectNotClaimable(single, "example.com");
  }
}

TEST(Hostname, CustomDomainsHaveNoNumericTopLevelLabel) {
  for (const char* numeric : {"host.123", "1.2.3", "999.1.1.1", "0x7f.1"}) {
    ExpectNotClaimable(numeric, "example.com");
  }
  EXPECT_TRUE(ValidateCustomDomain("host.a1", "example.com").ok());
}

TEST(Hostname, CustomDomainsAreNotTheBaseDomainOrUnderIt) {
  for (const char* own :
       {"localhost", "acme.localhost", "a.b.localhost", "ACME.Localhost:8080", "acme.localhost."}) {
    ExpectNotClaimable(own, "localhost");
  }
  for (const char* own :
       {"example.com", "acme.example.com", "a.b.example.com", "Acme.EXAMPLE.com:443"}) {
    ExpectNotClaimable(own, "example.com");
  }
  // A base domain given in another spelling is still the same name.
  ExpectNotClaimable("acme.xn--bcher-kva.example", "Bücher.example:8080");
}

TEST(Hostname, CustomDomainsMayBeAnyOtherName) {
  for (const char* good :
       {"app.acme.com", "acme.io", "notexample.com", "example.com.au", "example.co",
        "xn--bcher-kva.example", "localhost.example", "Bücher.example"}) {
    EXPECT_TRUE(ValidateCustomDomain(good, "example.com").ok()) << good;
  }
  EXPECT_TRUE(ValidateCustomDomain("shop.acme.com", "localhost").ok());
}

TEST(Hostname, CustomDomainsMustBeHostnames) {
  ExpectNotClaimable("a_b.example", "example.com");
  ExpectNotClaimable("", "example.com");
}

}  // namespace
}  // namespace bulkhead::core
