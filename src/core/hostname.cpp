#include "core/hostname.hpp"

#include <arpa/inet.h>
#include <idn2.h>
#include <netinet/in.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <memory>
#include <optional>

#include "core/text.hpp"

namespace bulkhead::core {
namespace {

// Bounds the work handed to libidn2; UTF-8 needs more bytes than the punycode it becomes.
constexpr std::size_t kMaxInputLength = 1024;
constexpr std::string_view kAcePrefix = "xn--";

Error Invalid(std::string message) {
  return Error::Validation("hostname", std::move(message));
}

struct HostPort {
  std::string_view host;
  std::string_view port;  // without the ':'; empty when absent
  bool bracketed = false;
  bool well_formed = true;  // brackets closed, and nothing but ":port" after them
};

HostPort SplitHostPort(std::string_view input) {
  HostPort out;
  out.host = input;
  if (!input.empty() && input.front() == '[') {
    auto close = input.find(']');
    if (close == std::string_view::npos) {
      out.well_formed = false;
      return out;
    }
    out.host = input.substr(1, close - 1);
    out.bracketed = true;
    std::string_view rest = input.substr(close + 1);
    if (!rest.empty()) {
      out.well_formed = rest.front() == ':';
      out.port = rest.substr(1);
    }
    return out;
  }
  // More than one ':' is a bare IPv6 address, which cannot carry a port.
  auto colon = input.find(':');
  if (colon != std::string_view::npos && input.find(':', colon + 1) == std::string_view::npos) {
    out.host = input.substr(0, colon);
    out.port = input.substr(colon + 1);
  }
  return out;
}

// RFC 3986 allows an empty port ("a.com:"); anything else must be a decimal 0-65535.
bool IsValidPort(std::string_view port) {
  if (port.size() > 5) return false;
  unsigned value = 0;
  for (char c : port) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  return value <= 65535;
}

// The inet_ntop spelling of an address literal of `family`, which is unique per address.
std::optional<std::string> CanonicalIp(const std::string& text, int family) {
  in6_addr address{};  // large enough for either family
  std::array<char, INET6_ADDRSTRLEN> buffer{};
  if (::inet_pton(family, text.c_str(), &address) != 1) return std::nullopt;
  if (::inet_ntop(family, &address, buffer.data(), buffer.size()) == nullptr) return std::nullopt;
  return std::string(buffer.data());
}

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// IDNA2008 through libidn2: UTS #46 mapping (case folding, full-width forms, '。' as a dot),
// NFC, then punycode per label. Also validates any "xn--" label it is given.
Result<std::string> ToAscii(const std::string& name) {
  char* raw = nullptr;
  int rc = ::idn2_to_ascii_8z(name.c_str(), &raw, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);
  std::unique_ptr<char, decltype(&::idn2_free)> converted(raw, &::idn2_free);
  if (rc != IDN2_OK) {
    return Invalid(std::string("is not a valid internationalized domain name: ") +
                   ::idn2_strerror(rc));
  }
  return AsciiLower(converted.get());
}

std::string Describe(char c) {
  auto byte = static_cast<unsigned char>(c);
  if (byte > 0x20 && byte < 0x7F) return std::string("'") + c + "'";
  std::array<char, 8> hex{};
  std::snprintf(hex.data(), hex.size(), "0x%02X", byte);
  return hex.data();
}

Status CheckLabels(std::string_view name) {
  if (name.empty()) return Invalid("is required");
  if (name.size() > kMaxHostnameLength) return Invalid("must be at most 253 characters");
  std::size_t start = 0;
  while (true) {
    std::size_t dot = name.find('.', start);
    std::string_view label = name.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (label.empty()) return Invalid("must not have an empty label (a leading dot or '..')");
    if (label.size() > kMaxLabelLength) {
      return Invalid("must have labels (the parts between dots) of at most 63 characters");
    }
    for (char c : label) {
      bool ldh = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
      if (!ldh) return Invalid("may contain only letters, digits, '-' and '.', not " + Describe(c));
    }
    if (label.front() == '-' || label.back() == '-') {
      return Invalid("must not have a label that starts or ends with '-'");
    }
    if (dot == std::string_view::npos) return Ok();
    start = dot + 1;
  }
}

// An ASCII "xn--" label must be the punycode that IDNA2008 itself would produce; otherwise
// a hand-made encoding (say, of a non-NFC spelling) would be a second name for one domain.
Status CheckPunycodeLabels(std::string_view name) {
  for (std::size_t start = 0; start <= name.size();) {
    std::size_t dot = std::min(name.find('.', start), name.size());
    std::string label(name.substr(start, dot - start));
    if (label.starts_with(kAcePrefix)) {
      auto converted = ToAscii(label);
      if (!converted.ok() || *converted != label) {
        return Invalid("has an invalid punycode label '" + label + "'");
      }
    }
    start = dot + 1;
  }
  return Ok();
}

bool IsUnder(std::string_view name, std::string_view parent) {
  return name.size() > parent.size() && name.ends_with(parent) &&
         name[name.size() - parent.size() - 1] == '.';
}

}  // namespace

std::string_view HostWithoutPort(std::string_view host) {
  return SplitHostPort(host).host;
}

bool IsIpAddress(std::string_view normalized) {
  std::string text(normalized);
  return CanonicalIp(text, AF_INET) || CanonicalIp(text, AF_INET6);
}

Result<std::string> NormalizeHostname(std::string_view input) {
  HostPort split = SplitHostPort(input);
  if (!split.well_formed) {
    return Invalid("must be a name, or an IPv6 address in brackets such as [::1]:8080");
  }
  if (!IsValidPort(split.port)) return Invalid("has an invalid port: use digits, as in a.com:8080");
  std::string_view host = split.host;
  if (split.bracketed || host.find(':') != std::string_view::npos) {
    auto ip = CanonicalIp(std::string(host), AF_INET6);
    if (!ip) return Invalid("is neither a name nor a valid IPv6 address");
    return *ip;
  }
  if (host.empty()) return Invalid("is required");
  if (host.size() > kMaxInputLength) return Invalid("must be at most 253 characters");
  if (!IsValidUtf8(host)) return Invalid("is not valid UTF-8");
  // libidn2 stops at a NUL and would silently drop the rest of the name.
  if (std::any_of(host.begin(), host.end(), [](char c) { return c == '\0'; })) {
    return Invalid("must not contain a NUL character");
  }

  std::string name = AsciiLower(host);
  bool ascii = std::all_of(name.begin(), name.end(),
                           [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  if (!ascii) {
    // Not for ASCII names: IDNA2008 refuses "--" in positions 3-4, which DNS allows.
    auto converted = ToAscii(name);
    if (!converted.ok()) return converted.error();
    name = std::move(*converted);
  }
  // After the mapping, which may have turned a final '。' into '.'.
  if (!name.empty() && name.back() == '.') name.pop_back();
  // Also after it: full-width digits and dots map to an IPv4 literal.
  if (auto ip = CanonicalIp(name, AF_INET)) return *ip;
  BULKHEAD_TRY(CheckLabels(name));
  BULKHEAD_TRY(CheckPunycodeLabels(name));
  return name;
}

Status ValidateCustomDomain(std::string_view hostname, std::string_view base_domain) {
  auto name = NormalizeHostname(hostname);
  if (!name.ok()) return name.error();
  if (IsIpAddress(*name)) return Invalid("must be a domain name, not an IP address");
  auto last_dot = name->rfind('.');
  if (last_dot == std::string::npos) {
    return Invalid("must have at least two labels, such as app.example.com");
  }
  std::string_view top = std::string_view(*name).substr(last_dot + 1);
  if (std::all_of(top.begin(), top.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return Invalid("must not end in an all-numeric label");
  }
  if (!base_domain.empty()) {
    auto normalized_base = NormalizeHostname(base_domain);
    std::string base = normalized_base.ok() ? *normalized_base : AsciiLower(base_domain);
    if (*name == base || IsUnder(*name, base)) {
      return Invalid("must not be " + base +
                     " or a name under it: those are Bulkhead's own subdomains");
    }
  }
  return Ok();
}

}  // namespace bulkhead::core
