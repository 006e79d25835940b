#pragma once
// TXT lookups for custom-domain verification: a real DNS query through glibc's resolver, to the
// name servers of /etc/resolv.conf or to one configured server. Blocking for up to about the
// timeout: callers run it on a worker thread. Thread-safety: Lookup is const and works on a
// resolver state of its own per call (never the global `_res`), so threads may share one
// TxtResolver.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"

namespace bulkhead::service {

struct DnsServerAddress {
  std::string host;  // an IPv4 or IPv6 literal, without brackets
  uint16_t port = 53;
};

// "10.0.0.2", "10.0.0.2:5353", "[2001:db8::53]" or "[2001:db8::53]:5353"; the port defaults to
// 53. An IPv6 address needs its brackets: "2001:db8::1:53" could mean either. Errors are
// kValidationFailed on field "dns_server".
core::Result<DnsServerAddress> ParseDnsServer(std::string_view text);

class TxtResolver {
 public:
  // No server: the name servers of /etc/resolv.conf, read at each lookup. `timeout` bounds a
  // lookup whose server does not answer; glibc counts in whole seconds, at least one per
  // server. (glibc's TCP fallback, used only after a truncated UDP answer, has no timeout.)
  explicit TxtResolver(std::optional<DnsServerAddress> server, std::chrono::milliseconds timeout)
      : server_(std::move(server)), timeout_(timeout) {}

  // The TXT records at `name`, each record's character-strings joined into one string, in the
  // order of the answer. No such name, or no TXT record there: an empty list. kUnavailable
  // when no server answers in time, a server fails, or its answer is malformed;
  // kValidationFailed (field "name") when `name` cannot be put in a DNS query.
  core::Result<std::vector<std::string>> Lookup(const std::string& name) const;

 private:
  std::optional<DnsServerAddress> server_;
  std::chrono::milliseconds timeout_;
};

}  // namespace bulkhead::service
