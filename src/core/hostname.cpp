#include "core/hostname.hpp"

#include <arpa/inet.h>
#include <idn2.h>

#include <cstdlib>

#include "core/text.hpp"

namespace bulkhead::core {
namespace {

Error Invalid(std::string message) { return Error::Validation("hostname", std::move(message)); }

bool IsAsciiLdh(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

Status CheckLabels(std::string_view name) {
  if (name.empty()) return Invalid("is required");
  if (name.size() > kMaxHostnameLength) return Invalid("must be at most 253 characters");
  std::size_t start = 0;
  while (true) {
    std::size_t dot = name.find('.', start);
    std::string_view label = name.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (label.empty()) return Invalid("must not have an empty label");
    if (label.size() > 63) return Invalid("labels must be at most 63 characters");
    if (label.front() == '-' || label.back() == '-') {
      return Invalid("labels must not start or end with '-'");
    }
    for (char c : label) {
      if (!IsAsciiLdh(c)) return Invalid("may contain only letters, digits, '-' and '.'");
    }
    if (dot == std::string_view::npos) return Ok();
    start = dot + 1;
  }
}

}  // namespace

std::string_view HostWithoutPort(std::string_view host) {
  if (!host.empty() && host.front() == '[') {
    auto close = host.find(']');
    return close == std::string_view::npos ? host : host.substr(1, close - 1);
  }
  // More than one ':' is a bare IPv6 address, which has no port.
  auto colon = host.find(':');
  if (colon != std::string_view::npos && host.find(':', colon + 1) == std::string_view::npos) {
    return host.substr(0, colon);
  }
  return host;
}

bool IsIpAddress(std::string_view normalized) {
  std::string text(normalized);
  unsigned char buffer[16];
  return ::inet_pton(AF_INET, text.c_str(), buffer) == 1 ||
         ::inet_pton(AF_INET6, text.c_str(), buffer) == 1;
}

Result<std::string> NormalizeHostname(std::string_view input) {
  std::string_view host = HostWithoutPort(input);
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  if (host.empty()) return Invalid("is required");
  if (host.size() > 1024) return Invalid("must be at most 253 characters");
  if (!IsValidUtf8(host)) return Invalid("is not valid UTF-8");

  bool ascii = true;
  std::string lowered(host);
  for (auto& c : lowered) {
    if (static_cast<unsigned char>(c) >= 0x80) ascii = false;
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  if (IsIpAddress(lowered)) return lowered;
  if (!ascii) {
    // UTS #46 mapping (case folding, width) then IDNA2008 to punycode, label by label.
    char* converted = nullptr;
    int rc = idn2_to_ascii_8z(lowered.c_str(), &converted,
                              IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);
    if (rc != IDN2_OK) {
      return Invalid(std::string("is not a valid internationalized domain name (") +
                     idn2_strerror(rc) + ")");
    }
    lowered = converted;
    idn2_free(converted);
    for (auto& c : lowered) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
  }
  BULKHEAD_TRY(CheckLabels(lowered));
  return lowered;
}

Status ValidateCustomDomain(std::string_view name, std::string_view base_domain) {
  if (IsIpAddress(name)) return Invalid("must be a domain name, not an IP address");
  auto last_dot = name.rfind('.');
  if (last_dot == std::string_view::npos) {
    return Invalid("must have at least two labels, such as app.example.com");
  }
  std::string_view top = name.substr(last_dot + 1);
  bool numeric = !top.empty();
  for (char c : top) numeric = numeric && c >= '0' && c <= '9';
  if (numeric) return Invalid("must not end in a numeric label");
  if (!base_domain.empty()) {
    bool under_base = name.size() > base_domain.size() && name.ends_with(base_domain) &&
                      name[name.size() - base_domain.size() - 1] == '.';
    if (name == base_domain || under_base) {
      return Invalid("must not be the base domain or a name under it: those are subdomains");
    }
  }
  return Ok();
}

}  // namespace bulkhead::core
