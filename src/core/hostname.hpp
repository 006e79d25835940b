#pragma once
// Hostnames as Bulkhead compares them: the Host header, custom domains and the base domain are
// all normalized first (lowercase, IDNA2008 to punycode, no port, no trailing dot), so that
// two spellings of one name can never belong to two organizations. Pure functions.

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace bulkhead::core {

inline constexpr std::size_t kMaxHostnameLength = 253;

// The host part of a Host header value: "a.com:8080" -> "a.com", "[::1]:8080" -> "::1".
std::string_view HostWithoutPort(std::string_view host);

// The normalized form of a hostname (UTF-8 accepted): port and one trailing dot removed,
// lowercase, Unicode labels as punycode (IDNA2008, UTS #46 non-transitional mapping), then
// checked: at most 253 characters, labels of 1-63 of a-z 0-9 '-' not starting or ending with
// '-'. IPv4 and IPv6 literals are returned as they are (lowercase). Errors are
// kValidationFailed on field "hostname".
Result<std::string> NormalizeHostname(std::string_view input);

bool IsIpAddress(std::string_view normalized);

// Whether an organization may claim a normalized hostname as its custom domain: not an IP
// address, at least two labels, not all-numeric at the top, and neither the base domain nor a
// name under it (those are Bulkhead's own). kValidationFailed on field "hostname".
Status ValidateCustomDomain(std::string_view normalized, std::string_view base_domain);

}  // namespace bulkhead::core
