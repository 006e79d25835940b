#pragma once
// TXT lookups for domain verification: a real DNS query (glibc's resolver, on a private
// resolver state per call) to the system's name servers or to one given server. Blocking: run
// it on a worker thread. Thread-safety: Lookup is thread-safe.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace bulkhead::service {

struct DnsServerAddress {
  std::string host;  // an IPv4 literal
  uint16_t port = 53;
};

// "127.0.0.1:5353" or "10.0.0.2" (port 53). kValidationFailed otherwise.
core::Result<DnsServerAddress> ParseDnsServer(std::string_view text);

class TxtResolver {
 public:
  // No server: the name servers of /etc/resolv.conf. `timeout` bounds the whole lookup.
  TxtResolver(std::optional<DnsServerAddress> server, std::chrono::milliseconds timeout)
      : server_(std::move(server)), timeout_(timeout) {}

  // The TXT records at `name`, each record's strings joined. No such name or no TXT records:
  // an empty list. kUnavailable when no server answers in time or the answer is unusable.
  core::Result<std::vector<std::string>> Lookup(const std::string& name) const;

 private:
  std::optional<DnsServerAddress> server_;
  std::chrono::milliseconds timeout_;
};

}  // namespace bulkhead::service
