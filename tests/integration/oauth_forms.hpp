#pragma once
// What the OAuth tests send and read: form bodies, a redirect's query parameters, and a JWT's
// claims (unverified: the server's own tests read what it wrote; signatures are the relying
// party suite's to check, with openid-client and jose). The integration tests link none of the
// server's code: they speak HTTP to its binary.

#include <cctype>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "integration/harness.hpp"

namespace bulkhead::testing {

// RFC 3986 percent-encoding of everything but the unreserved characters.
inline std::string UrlEncode(const std::string& text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char ch : text) {
    if (std::isalnum(ch) || ch == '-' || ch == '.' || ch == '_' || ch == '~') {
      out += static_cast<char>(ch);
    } else {
      out += '%';
      out += kHex[ch >> 4];
      out += kHex[ch & 15];
    }
  }
  return out;
}

// application/x-www-form-urlencoded, in the order given.
inline std::string Form(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  for (const auto& [k, v] : fields) {
    if (!out.empty()) out += '&';
    out += UrlEncode(k) + "=" + UrlEncode(v);
  }
  return out;
}

// The raw (still percent-encoded) value of `name` in a URL's query, or "".
inline std::string QueryParam(const std::string& url, const std::string& name) {
  for (char sep : {'?', '&'}) {
    auto at = url.find(std::string(1, sep) + name + "=");
    if (at == std::string::npos) continue;
    auto start = at + name.size() + 2;
    return url.substr(start, url.find('&', start) - start);
  }
  return "";
}

// The claims of a compact JWS; a null Json when the payload is not base64url JSON.
inline Json Payload(const std::string& jwt) {
  auto first = jwt.find('.');
  auto second = jwt.find('.', first + 1);
  if (first == std::string::npos || second == std::string::npos) return Json();
  std::string bytes;
  uint32_t bits = 0;
  int count = 0;
  for (char ch : jwt.substr(first + 1, second - first - 1)) {
    int v = ch >= 'A' && ch <= 'Z'   ? ch - 'A'
            : ch >= 'a' && ch <= 'z' ? ch - 'a' + 26
            : ch >= '0' && ch <= '9' ? ch - '0' + 52
            : ch == '-'              ? 62
            : ch == '_'              ? 63
                                     : -1;
    if (v < 0) return Json();
    bits = (bits << 6) | static_cast<uint32_t>(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      bytes += static_cast<char>((bits >> count) & 0xff);
    }
  }
  return Json::parse(bytes, nullptr, false);
}

}  // namespace bulkhead::testing
