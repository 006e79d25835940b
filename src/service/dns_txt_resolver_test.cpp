#include "service/dns_txt_resolver.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <string>
#include <vector>

#include "support/dnsmasq.hpp"

namespace bulkhead::service {
namespace {

using namespace std::chrono_literals;
using bulkhead::testing::Dnsmasq;
using Clock = std::chrono::steady_clock;

// A UDP socket on loopback that takes queries and never answers: a server that is down without
// saying so (no ICMP "port unreachable"), the case the timeout is for.
class SilentServer {
 public:
  explicit SilentServer(int family) : family_(family) {
    sockaddr_storage address{};
    socklen_t length = 0;
    if (family == AF_INET6) {
      auto* v6 = reinterpret_cast<sockaddr_in6*>(&address);
      v6->sin6_family = AF_INET6;
      v6->sin6_addr = in6addr_loopback;
      length = sizeof(sockaddr_in6);
    } else {
      auto* v4 = reinterpret_cast<sockaddr_in*>(&address);
      v4->sin_family = AF_INET;
      v4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      length = sizeof(sockaddr_in);
    }
    auto* any = reinterpret_cast<sockaddr*>(&address);
    fd_ = ::socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0 || ::bind(fd_, any, length) != 0 || ::getsockname(fd_, any, &length) != 0) return;
    port_ = ntohs(family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&address)->sin6_port
                                     : reinterpret_cast<sockaddr_in*>(&address)->sin_port);
  }
  ~SilentServer() {
    if (fd_ >= 0) ::close(fd_);
  }
  SilentServer(const SilentServer&) = delete;
  SilentServer& operator=(const SilentServer&) = delete;

  bool ok() const { return port_ != 0; }
  DnsServerAddress address() const { return {family_ == AF_INET6 ? "::1" : "127.0.0.1", port_}; }
  bool ReceivedAQuery() const {
    std::array<char, 512> buffer{};
    return ::recv(fd_, buffer.data(), buffer.size(), MSG_DONTWAIT) > 0;
  }

 private:
  int family_;
  int fd_ = -1;
  uint16_t port_ = 0;
};

TEST(DnsTxtResolverServer, ParsesIpv4WithOrWithoutPort) {
  auto with_port = ParseDnsServer("127.0.0.1:5353");
  ASSERT_TRUE(with_port.ok());
  EXPECT_EQ(with_port->host, "127.0.0.1");
  EXPECT_EQ(with_port->port, 5353);
  auto default_port = ParseDnsServer("10.0.0.2");
  ASSERT_TRUE(default_port.ok());
  EXPECT_EQ(default_port->host, "10.0.0.2");
  EXPECT_EQ(default_port->port, 53);
}

TEST(DnsTxtResolverServer, ParsesBracketedIpv6WithOrWithoutPort) {
  auto with_port = ParseDnsServer("[::1]:5353");
  ASSERT_TRUE(with_port.ok());
  EXPECT_EQ(with_port->host, "::1");
  EXPECT_EQ(with_port->port, 5353);
  auto default_port = ParseDnsServer("[2001:db8::53]");
  ASSERT_TRUE(default_port.ok());
  EXPECT_EQ(default_port->host, "2001:db8::53");
  EXPECT_EQ(default_port->port, 53);
}

TEST(DnsTxtResolverServer, RefusesWhatIsNotAnAddress) {
  for (const char* bad :
       {"", ":53", "dns.example.com", "dns.example.com:53", "127.0.0.1:", "127.0.0.1:0",
        "127.0.0.1:70000", "127.0.0.1:53x", "127.0.0.1:-1", "1.2.3:53", "::1", "2001:db8::1:53",
        "[::1", "[::1]:", "[::1]53", "[127.0.0.1]:53", "[dns.example.com]:53"}) {
    auto parsed = ParseDnsServer(bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.error().code, core::ErrorCode::kValidationFailed);
    EXPECT_EQ(parsed.error().fields.at(0).field, "dns_server");
  }
}

// Against a real DNS server.
class DnsTxtResolver : public ::testing::Test {
 protected:
  Dnsmasq dns_;
  TxtResolver resolver_{*ParseDnsServer(dns_.address()), 3000ms};

  std::vector<std::string> Lookup(const std::string& name) {
    auto records = resolver_.Lookup(name);
    EXPECT_TRUE(records.ok()) << name << ": " << (records.ok() ? "" : records.error().message);
    if (!records.ok()) return {};
    std::sort(records->begin(), records->end());  // DNS answers come in any order
    return *records;
  }
};

TEST_F(DnsTxtResolver, FindsARecord) {
  dns_.SetTxt("_bulkhead-challenge.shop.example.com", {"bulkhead-verification=abc"});
  EXPECT_EQ(Lookup("_bulkhead-challenge.shop.example.com"),
            std::vector<std::string>{"bulkhead-verification=abc"});
  EXPECT_EQ(Lookup("_bulkhead-challenge.shop.example.com."),
            std::vector<std::string>{"bulkhead-verification=abc"});
}

TEST_F(DnsTxtResolver, FindsEveryRecordOfAName) {
  dns_.SetTxt("_bulkhead-challenge.shop.example.com",
              {"v=spf1 -all", "bulkhead-verification=abc", "bulkhead-verification=def"});
  EXPECT_EQ(Lookup("_bulkhead-challenge.shop.example.com"),
            (std::vector<std::string>{"bulkhead-verification=abc", "bulkhead-verification=def",
                                      "v=spf1 -all"}));
}

TEST_F(DnsTxtResolver, JoinsTheStringsOfOneRecord) {
  std::string long_value(300, 'x');  // published as two strings of 255 and 45 bytes
  dns_.SetTxt("long.example.com", {long_value});
  dns_.SetTxt("split.example.com", {"bulkhead-,verification=abc"});  // ',' splits for dnsmasq
  EXPECT_EQ(Lookup("long.example.com"), std::vector<std::string>{long_value});
  EXPECT_EQ(Lookup("split.example.com"), std::vector<std::string>{"bulkhead-verification=abc"});
}

TEST_F(DnsTxtResolver, AMissingNameHasNoRecords) {
  dns_.SetTxt("_bulkhead-challenge.shop.example.com", {"bulkhead-verification=abc"});
  EXPECT_TRUE(Lookup("_bulkhead-challenge.nothing-here.example.com").empty());  // NXDOMAIN
  EXPECT_TRUE(Lookup("shop.example.com").empty());  // exists (has a child), no TXT: NODATA
}

TEST_F(DnsTxtResolver, SeesChangedAndRemovedRecords) {
  const std::string name = "_bulkhead-challenge.shop.example.com";
  dns_.SetTxt(name, {"old"});
  EXPECT_EQ(Lookup(name), std::vector<std::string>{"old"});
  dns_.SetTxt(name, {"new"});
  EXPECT_EQ(Lookup(name), std::vector<std::string>{"new"});
  dns_.RemoveTxt(name);
  EXPECT_TRUE(Lookup(name).empty());
}

TEST(DnsTxtResolverDown, AClosedPortIsUnavailableAtOnce) {
  DnsServerAddress closed;
  {
    SilentServer server(AF_INET);
    ASSERT_TRUE(server.ok());
    closed = server.address();
  }
  TxtResolver resolver(closed, 3000ms);
  auto started = Clock::now();
  auto records = resolver.Lookup("_bulkhead-challenge.example.com");
  ASSERT_FALSE(records.ok());
  EXPECT_EQ(records.error().code, core::ErrorCode::kUnavailable);
  EXPECT_LT(Clock::now() - started, 3s);
}

TEST(DnsTxtResolverDown, ASilentServerIsUnavailableWithinTheTimeout) {
  SilentServer server(AF_INET);
  ASSERT_TRUE(server.ok());
  TxtResolver resolver(server.address(), 1000ms);
  auto started = Clock::now();
  auto records = resolver.Lookup("_bulkhead-challenge.example.com");
  auto elapsed = Clock::now() - started;
  ASSERT_FALSE(records.ok());
  EXPECT_EQ(records.error().code, core::ErrorCode::kUnavailable);
  EXPECT_EQ(records.error().message, "no DNS server answered in time");
  EXPECT_TRUE(server.ReceivedAQuery());
  EXPECT_GE(elapsed, 500ms);
  EXPECT_LT(elapsed, 2500ms);
}

TEST(DnsTxtResolverDown, AnIpv6ServerIsAsked) {
  SilentServer server(AF_INET6);
  if (!server.ok()) GTEST_SKIP() << "no IPv6 loopback here";
  TxtResolver resolver(*ParseDnsServer("[::1]:" + std::to_string(server.address().port)), 1000ms);
  auto records = resolver.Lookup("_bulkhead-challenge.example.com");
  ASSERT_FALSE(records.ok());
  EXPECT_EQ(records.error().code, core::ErrorCode::kUnavailable);
  EXPECT_TRUE(server.ReceivedAQuery());
}

TEST(DnsTxtResolverDown, NamesThatCannotBeQueriedAreInvalid) {
  TxtResolver resolver(DnsServerAddress{"127.0.0.1", 9}, 1000ms);  // never reached
  for (const std::string& name : {std::string(254, 'a'), std::string(64, 'a') + ".com",
                                  std::string("a..com"), std::string()}) {
    auto records = resolver.Lookup(name);
    ASSERT_FALSE(records.ok()) << name;
    EXPECT_EQ(records.error().code, core::ErrorCode::kValidationFailed) << name;
  }
}

}  // namespace
}  // namespace bulkhead::service
