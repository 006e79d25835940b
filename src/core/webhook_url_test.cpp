#include "core/webhook_url.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <string>

#include <gtest/gtest.h>

namespace bulkhead::core {
namespace {

// The reason a URL is refused ("" when it is accepted); every refusal names the field `url`.
std::string Refusal(std::string_view url, bool allow_private = false) {
  auto checked = CheckWebhookUrl(url, allow_private);
  if (checked.ok()) return "";
  EXPECT_EQ(checked.error().code, ErrorCode::kValidationFailed) << url;
  EXPECT_EQ(checked.error().fields.at(0).field, "url") << url;
  return checked.error().fields.at(0).message;
}

bool Blocked(const std::string& text) {
  sockaddr_storage storage{};
  if (text.find(':') != std::string::npos) {
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
    v6->sin6_family = AF_INET6;
    EXPECT_EQ(::inet_pton(AF_INET6, text.c_str(), &v6->sin6_addr), 1) << text;
  } else {
    auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
    v4->sin_family = AF_INET;
    EXPECT_EQ(::inet_pton(AF_INET, text.c_str(), &v4->sin_addr), 1) << text;
  }
  return IsBlockedAddress(reinterpret_cast<const sockaddr*>(&storage));
}

TEST(WebhookUrl, AcceptsHttpsUrlsOfPublicHosts) {
  for (const char* url :
       {"https://example.com", "https://example.com/", "https://hooks.example.com/in?x=1&y=2",
        "https://EXAMPLE.com:8443/path/to", "HTTPS://example.com/a%20b", "https://8.8.8.8/hook",
        "https://[2001:4860:4860::8888]/hook", "https://[2001:db8::1]:443/",
        "https://xn--bcher-kva.example/", "https://example.com./trailing-dot",
        "https://a.example:65535/"}) {
    EXPECT_EQ(Refusal(url), "") << url;
  }
}

TEST(WebhookUrl, RefusesOtherSchemesAndPlainHttp) {
  for (const char* url :
       {"http://example.com/", "ftp://example.com/", "file:///etc/passwd", "gopher://example.com/",
        "example.com/hook", "//example.com/", "https:/example.com", "javascript:alert(1)"}) {
    EXPECT_NE(Refusal(url), "") << url;
  }
  EXPECT_EQ(Refusal("http://example.com/"), "must use https://");
}

TEST(WebhookUrl, RefusesUserinfoFragmentsAndBadPorts) {
  EXPECT_EQ(Refusal("https://user:pass@example.com/"), "must not contain a user name or password");
  EXPECT_EQ(Refusal("https://user@example.com/"), "must not contain a user name or password");
  // The classic confusion: the real host is after the '@'.
  EXPECT_NE(Refusal("https://example.com@127.0.0.1/"), "");
  EXPECT_EQ(Refusal("https://example.com/hook#frag"), "must not have a fragment");
  EXPECT_EQ(Refusal("https://example.com/#"), "must not have a fragment");
  for (const char* url :
       {"https://example.com:0/", "https://example.com:65536/", "https://example.com:http/",
        "https://example.com:/", "https://example.com:-1/", "https://example.com:123456/",
        "https://[2001:db8::1]:/", "https://[2001:db8::1]x/"}) {
    EXPECT_NE(Refusal(url), "") << url;
  }
}

TEST(WebhookUrl, RefusesMalformedAndOverlongUrls) {
  for (const char* url :
       {"", "https://", "https:///path", "https://:443/", "https://[]/", "https://[::1/",
        "https://exa mple.com/", "https://example.com/a b", "https://example.com/\ttab",
        "https://ex\\ample.com/", "https://example.com\\@127.0.0.1/", "https://exa_mple.com/",
        "https://-example.com/", "https://%6c%6f%63%61%6c%68%6f%73%74/",
        "https://b\xc3\xbc"
        "cher.example/"}) {
    EXPECT_NE(Refusal(url), "") << url;
  }
  std::string longest = "https://example.com/" + std::string(2048 - 20, 'a');
  ASSERT_EQ(longest.size(), kMaxWebhookUrlLength);
  EXPECT_EQ(Refusal(longest), "");
  EXPECT_EQ(Refusal(longest + "a"), "must be at most 2048 characters");
}

TEST(WebhookUrl, RefusesLocalAndMetadataNames) {
  for (const char* url :
       {"https://localhost/", "https://LOCALHOST:8443/", "https://localhost./",
        "https://api.localhost/", "https://a.b.localhost/x", "https://metadata.google.internal/",
        "https://METADATA.google.internal./computeMetadata/v1/"}) {
    EXPECT_NE(Refusal(url), "") << url;
  }
  // Names that only look alike are someone's domains.
  EXPECT_EQ(Refusal("https://localhost.example.com/"), "");
  EXPECT_EQ(Refusal("https://notlocalhost/"), "");
}

TEST(WebhookUrl, RefusesBlockedIpv4Literals) {
  for (const char* host : {"127.0.0.1", "127.255.255.254", "0.0.0.0", "10.0.0.1", "172.16.0.1",
                           "172.31.255.255", "192.168.1.1", "100.64.0.1", "100.127.255.255",
                           "169.254.169.254", "169.254.0.1", "224.0.0.1", "239.255.255.250",
                           "240.0.0.1", "255.255.255.255", "192.0.0.8", "198.18.0.1"}) {
    EXPECT_NE(Refusal(std::string("https://") + host + "/"), "") << host;
  }
  for (const char* host : {"172.15.255.255", "172.32.0.1", "100.63.255.255", "100.128.0.1",
                           "169.253.255.255", "11.0.0.1", "1.1.1.1"}) {
    EXPECT_EQ(Refusal(std::string("https://") + host + "/"), "") << host;
  }
}

TEST(WebhookUrl, RefusesOtherSpellingsOfIpv4Addresses) {
  // Decimal, octal, hexadecimal and shortened forms: all 127.0.0.1 to a URL parser.
  for (const char* url :
       {"https://2130706433/", "https://0x7f.1/", "https://0x7f000001/", "https://0177.0.0.1/",
        "https://127.1/", "https://127.0.1/", "https://0x7f.0x0.0x0.0x1/", "https://017700000001/",
        "https://127.0.0.01/", "https://0/", "https://169.254.43518/", "https://3232235777/",
        "https://example.123/", "https://0x/"}) {
    EXPECT_NE(Refusal(url), "") << url;
  }
  // Also the public ones: only the dotted quad is read, so nothing is left to interpretation.
  EXPECT_NE(Refusal("https://134744072/"), "");  // 8.8.8.8
  EXPECT_EQ(Refusal("https://8.8.8.8/"), "");
  // A hexadecimal-looking label that is not the last one is a name.
  EXPECT_EQ(Refusal("https://0x7f.example.com/"), "");
}

TEST(WebhookUrl, RefusesBlockedIpv6LiteralsAndMappedIpv4) {
  for (const char* host : {"[::1]",
                           "[::]",
                           "[0:0:0:0:0:0:0:1]",
                           "[fe80::1]",
                           "[FE80::abcd]",
                           "[febf::1]",
                           "[fc00::1]",
                           "[fd00:ec2::254]",
                           "[fec0::1]",
                           "[ff02::1]",
                           "[::ffff:127.0.0.1]",
                           "[::ffff:7f00:1]",
                           "[::ffff:10.0.0.1]",
                           "[::ffff:169.254.169.254]",
                           "[::ffff:0.0.0.0]",
                           "[::127.0.0.1]",
                           "[::10.1.2.3]",
                           "[64:ff9b::7f00:1]",
                           "[64:ff9b::a9fe:a9fe]",
                           "[64:ff9b:1::1]",
                           "[2002:7f00:1::]",
                           "[2002:c0a8:101::1]",
                           "[100::1]",
                           "[fe80::1%25eth0]"}) {
    EXPECT_NE(Refusal(std::string("https://") + host + "/"), "") << host;
  }
  for (const char* host :
       {"[2001:4860:4860::8888]", "[::ffff:8.8.8.8]", "[64:ff9b::808:808]", "[2002:808:808::1]"}) {
    EXPECT_EQ(Refusal(std::string("https://") + host + "/"), "") << host;
  }
}

TEST(WebhookUrl, AllowPrivateAcceptsHttpAndAnyHostButStillTheShape) {
  for (const char* url :
       {"http://127.0.0.1:8080/hook", "http://localhost/", "https://[::1]/", "http://10.0.0.1/",
        "https://metadata.google.internal/", "http://2130706433/", "HTTP://Receiver:9000/in"}) {
    EXPECT_EQ(Refusal(url, true), "") << url;
  }
  for (const char* url : {"ftp://127.0.0.1/", "http://u:p@127.0.0.1/", "http://127.0.0.1/#x",
                          "http://127.0.0.1:0/", "http:///x"}) {
    EXPECT_NE(Refusal(url, true), "") << url;
  }
}

TEST(WebhookUrl, BlockedAddressesAtConnectTime) {
  for (const char* a : {"127.0.0.1",
                        "0.0.0.0",
                        "10.1.2.3",
                        "172.20.0.1",
                        "192.168.0.1",
                        "100.64.0.1",
                        "169.254.169.254",
                        "224.0.0.251",
                        "255.255.255.255",
                        "::1",
                        "::",
                        "fe80::1",
                        "fc00::1",
                        "fd12:3456::1",
                        "ff02::fb",
                        "::ffff:127.0.0.1",
                        "::ffff:192.168.0.1",
                        "::ffff:100.64.0.1",
                        "::ffff:169.254.169.254",
                        "64:ff9b::a00:1",
                        "2002:a00:1::1",
                        "2001:0:4136:e378:8000:63bf:80ff:fffe"}) {
    EXPECT_TRUE(Blocked(a)) << a;
  }
  for (const char* a : {"8.8.8.8", "1.1.1.1", "93.184.216.34", "2606:4700:4700::1111",
                        "::ffff:8.8.8.8", "2001:4860:4860::8888"}) {
    EXPECT_FALSE(Blocked(a)) << a;
  }
  sockaddr unknown{};
  unknown.sa_family = AF_UNIX;
  EXPECT_TRUE(IsBlockedAddress(&unknown));
  EXPECT_TRUE(IsBlockedAddress(nullptr));
}

}  // namespace
}  // namespace bulkhead::core
