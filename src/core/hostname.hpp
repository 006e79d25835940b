#pragma once
// Hostnames as Bulkhead compares them. The Host header, custom domains and the base domain are
// all normalized first (no port, no trailing dot, lowercase, IDNA2008 to punycode), so that two
// spellings of one name can never belong to two organizations. Pure functions, thread-safe.

#include <cstddef>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace bulkhead::core {

inline constexpr std::size_t kMaxHostnameLength = 253;
inline constexpr std::size_t kMaxLabelLength = 63;

// The host part of a Host header value: "a.com:8080" -> "a.com", "[::1]:8080" -> "::1",
// "::1" -> "::1" (a bare IPv6 address has no port). Does not validate anything.
std::string_view HostWithoutPort(std::string_view host);

// The normalized form of a hostname given as UTF-8, possibly with a ":port": port and one
// trailing dot removed, lowercase, Unicode labels as punycode (IDNA2008 with the UTS #46
// non-transitional mapping, so "ÉCOLE.fr" and "école.fr" are one name), then checked: at most
// 253 characters, labels of 1-63 of a-z 0-9 '-' not starting or ending with '-', "xn--" labels
// valid punycode. IPv4 and IPv6 literals are valid hosts and come back in canonical form
// ("[::0:1]:80" -> "::1"); ValidateCustomDomain refuses them. Errors are kValidationFailed on
// field "hostname".
Result<std::string> NormalizeHostname(std::string_view input);

// Whether a normalized host is an IPv4 or IPv6 literal.
bool IsIpAddress(std::string_view normalized);

// Whether an organization may claim `hostname` as its custom domain: not an IP address, at
// least two labels, no all-numeric top-level label, and neither the base domain nor a name
// under it (those are Bulkhead's own subdomains). Both arguments are normalized first, so a
// caller that forgot cannot slip "ACME.Example.com:443" past the base-domain check.
// kValidationFailed on field "hostname".
Status ValidateCustomDomain(std::string_view hostname, std::string_view base_domain);

}  // namespace bulkhead::core
