#include "core/webhook_url.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <array>
#include <cstdint>
#include <string>

#include "core/hostname.hpp"

namespace bulkhead::core {
namespace {

Error UrlRefused(std::string message) {
  return Error::Validation("url", std::move(message));
}

std::string LowercaseAscii(std::string_view s) {
  std::string out(s);
  for (auto& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

bool IsHexNumber(std::string_view s) {
  if (s.size() < 2 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X')) return false;
  for (char c : s.substr(2)) {
    bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (!hex) return false;
  }
  return true;
}

// A name whose last label is a number is an IPv4 address to WHATWG URL parsers, browsers and
// libcurl alike ("2130706433", "0x7f.1", "127.1", "0177.0.0.1" are all 127.0.0.1). Only the
// canonical dotted quad is checked against the blocked ranges, so every other spelling is
// refused rather than interpreted.
bool EndsInNumber(std::string_view host) {
  auto dot = host.rfind('.');
  std::string_view last = dot == std::string_view::npos ? host : host.substr(dot + 1);
  return AllDigits(last) || IsHexNumber(last) || last == "0x" || last == "0X";
}

bool BlockedV4(uint32_t a) {  // host byte order
  auto in = [a](uint32_t network, int bits) {
    uint32_t mask = bits == 0 ? 0 : ~uint32_t{0} << (32 - bits);
    return (a & mask) == network;
  };
  return in(0x00000000, 8) ||   // 0.0.0.0/8 "this network", the unspecified address
         in(0x0A000000, 8) ||   // 10.0.0.0/8 private
         in(0x64400000, 10) ||  // 100.64.0.0/10 carrier-grade NAT
         in(0x7F000000, 8) ||   // 127.0.0.0/8 loopback
         in(0xA9FE0000, 16) ||  // 169.254.0.0/16 link-local, cloud metadata (169.254.169.254)
         in(0xAC100000, 12) ||  // 172.16.0.0/12 private
         in(0xC0000000, 24) ||  // 192.0.0.0/24 IETF protocol assignments
         in(0xC0A80000, 16) ||  // 192.168.0.0/16 private
         in(0xC6120000, 15) ||  // 198.18.0.0/15 benchmarking, used inside networks
         in(0xE0000000, 3);     // 224.0.0.0/4 multicast, 240.0.0.0/4 reserved, broadcast
}

uint32_t V4At(const uint8_t* b) {
  return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | uint32_t{b[3]};
}

bool AllZeroBytes(const uint8_t* b, int n) {
  for (int i = 0; i < n; ++i) {
    if (b[i] != 0) return false;
  }
  return true;
}

bool BlockedV6(const uint8_t* b) {
  if (AllZeroBytes(b, 15) && (b[15] == 0 || b[15] == 1)) return true;  // :: and ::1
  if (b[0] == 0xff) return true;                                       // ff00::/8 multicast
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return true;              // fe80::/10 link-local
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) return true;              // fec0::/10 site-local
  if ((b[0] & 0xfe) == 0xfc) return true;  // fc00::/7 unique-local (AWS metadata fd00:ec2::254)
  if (b[0] == 0x01 && AllZeroBytes(b + 1, 7)) return true;  // 100::/64 discard-only
  // IPv6 addresses that carry an IPv4 address a stack may end up connecting to.
  if (AllZeroBytes(b, 10) && b[10] == 0xff && b[11] == 0xff)
    return BlockedV4(V4At(b + 12));                         // mapped
  if (AllZeroBytes(b, 12)) return BlockedV4(V4At(b + 12));  // IPv4-compatible (deprecated)
  static constexpr std::array<uint8_t, 4> kNat64 = {0x00, 0x64, 0xff, 0x9b};
  bool nat64 = b[0] == kNat64[0] && b[1] == kNat64[1] && b[2] == kNat64[2] && b[3] == kNat64[3];
  if (nat64 && AllZeroBytes(b + 4, 8)) return BlockedV4(V4At(b + 12));  // 64:ff9b::/96
  if (nat64 && b[4] == 0 && b[5] == 1) return true;  // 64:ff9b:1::/48, local-use NAT64
  if (b[0] == 0x20 && b[1] == 0x02) return BlockedV4(V4At(b + 2));  // 2002::/16 6to4
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 0) {     // 2001::/32 Teredo client
    std::array<uint8_t, 4> client = {
        static_cast<uint8_t>(b[12] ^ 0xff), static_cast<uint8_t>(b[13] ^ 0xff),
        static_cast<uint8_t>(b[14] ^ 0xff), static_cast<uint8_t>(b[15] ^ 0xff)};
    return BlockedV4(V4At(client.data()));
  }
  return false;
}

bool BlockedLiteral(const std::string& normalized) {
  in_addr v4{};
  if (::inet_pton(AF_INET, normalized.c_str(), &v4) == 1) return BlockedV4(ntohl(v4.s_addr));
  in6_addr v6{};
  if (::inet_pton(AF_INET6, normalized.c_str(), &v6) == 1) return BlockedV6(v6.s6_addr);
  return true;  // IsIpAddress said it was one: refuse what we cannot read
}

}  // namespace

bool IsBlockedAddress(const sockaddr* address) {
  if (address == nullptr) return true;
  if (address->sa_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(address);
    return BlockedV4(ntohl(v4->sin_addr.s_addr));
  }
  if (address->sa_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(address);
    return BlockedV6(v6->sin6_addr.s6_addr);
  }
  return true;
}

Status CheckWebhookUrl(std::string_view url, bool allow_private) {
  if (url.empty()) return UrlRefused("must not be empty");
  if (url.size() > kMaxWebhookUrlLength) return UrlRefused("must be at most 2048 characters");
  for (char c : url) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) {
      return UrlRefused(
          "must be printable ASCII without spaces: percent-encode the path, use punycode for "
          "an international name");
    }
    // WHATWG parsers read '\' as '/', others do not: two readings of one URL.
    if (c == '\\') return UrlRefused("must not contain a backslash");
  }
  auto separator = url.find("://");
  if (separator == std::string_view::npos) return UrlRefused("must be an https:// URL");
  std::string scheme = LowercaseAscii(url.substr(0, separator));
  if (scheme == "http") {
    if (!allow_private) return UrlRefused("must use https://");
  } else if (scheme != "https") {
    return UrlRefused("must be an https:// URL");
  }
  std::string_view rest = url.substr(separator + 3);
  if (rest.find('#') != std::string_view::npos) return UrlRefused("must not have a fragment");
  std::string_view authority = rest.substr(0, rest.find_first_of("/?"));
  if (authority.find('@') != std::string_view::npos) {
    return UrlRefused("must not contain a user name or password");
  }
  if (authority.empty()) return UrlRefused("must name a host");

  std::string_view host = authority;
  std::string_view port;
  if (authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return UrlRefused("has an unclosed IPv6 address");
    host = authority.substr(0, close + 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return UrlRefused("has text after the IPv6 address");
      port = after.substr(1);
      if (port.empty()) return UrlRefused("has an empty port");
    }
  } else if (auto colon = authority.find(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
    if (port.empty()) return UrlRefused("has an empty port");
  }
  if (!port.empty()) {
    if (!AllDigits(port) || port.size() > 5 || std::stoi(std::string(port)) < 1 ||
        std::stoi(std::string(port)) > 65535) {
      return UrlRefused("has an invalid port: use 1-65535");
    }
  }
  if (host.empty() || host == "[]") return UrlRefused("must name a host");
  // Zone ids ("[fe80::1%25eth0]") and percent-encoded names are refused by the name check.
  auto normalized = NormalizeHostname(host);
  if (!normalized.ok()) return UrlRefused("has an invalid host: " + normalized.error().message);
  if (allow_private) return Ok();

  if (IsIpAddress(*normalized)) {
    if (BlockedLiteral(*normalized)) {
      return UrlRefused(
          "must not point to a loopback, private, link-local, multicast or reserved address");
    }
    return Ok();
  }
  const std::string& name = *normalized;
  if (name == "localhost" || name.ends_with(".localhost")) {
    return UrlRefused("must not point to localhost");
  }
  if (name == "metadata.google.internal") {
    return UrlRefused("must not point to a cloud metadata service");
  }
  if (EndsInNumber(name)) {
    return UrlRefused("must write an IPv4 address as four decimal numbers (a.b.c.d)");
  }
  return Ok();
}

}  // namespace bulkhead::core
