#pragma once
// Where a webhook may be sent. An organization admin names any URL, and the server then POSTs
// to it from inside the deployment's network: without these checks a webhook is a way to make
// the server call its own loopback, the private network or a cloud metadata service (SSRF).
// CheckWebhookUrl refuses such URLs when they are saved; IsBlockedAddress is asked again for
// every address a delivery connects to, since a name can resolve elsewhere later (DNS
// rebinding). Pure functions, thread-safe.

#include <sys/socket.h>

#include <cstddef>
#include <string_view>

#include "core/result.hpp"

namespace bulkhead::core {

inline constexpr std::size_t kMaxWebhookUrlLength = 2048;

// `https://host[:port][/path][?query]`, at most 2048 characters of printable ASCII, no userinfo
// and no fragment. Unless `allow_private` (the operator's --allow-private-webhooks, which also
// allows `http://`), the host must not be `localhost`, a name under `.localhost`,
// `metadata.google.internal`, an IP literal in a blocked range (IsBlockedAddress), nor a
// number-ending name that URL parsers read as an IPv4 address in another spelling
// (`2130706433`, `0x7f.1`, `127.1`, `0177.0.0.1`). kValidationFailed on field `url`.
Status CheckWebhookUrl(std::string_view url, bool allow_private);

// Whether a webhook must not connect to this address: unspecified, loopback, RFC 1918 private,
// CGNAT (100.64.0.0/10), link-local (169.254.0.0/16: cloud metadata at 169.254.169.254;
// fe80::/10), unique-local (fc00::/7), site-local (fec0::/10), multicast, reserved and
// broadcast, benchmarking (198.18.0.0/15), IETF protocol assignments (192.0.0.0/24), and any
// IPv6 address that carries one of those IPv4 addresses (IPv4-mapped ::ffff:0:0/96,
// IPv4-compatible ::/96, NAT64 64:ff9b::/96, 6to4 2002::/16). Families other than AF_INET and
// AF_INET6 are blocked.
bool IsBlockedAddress(const sockaddr* address);

}  // namespace bulkhead::core
