#include "service/dns_txt_resolver.hpp"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>

namespace bulkhead::service {

using core::Error;
using core::ErrorCode;
using core::Result;

Result<DnsServerAddress> ParseDnsServer(std::string_view text) {
  auto invalid = [] {
    return Error::Validation("dns_server", "must be an IPv4 address with an optional :port");
  };
  DnsServerAddress address;
  std::string_view host = text;
  auto colon = text.find(':');
  if (colon != std::string_view::npos) {
    host = text.substr(0, colon);
    std::string_view port = text.substr(colon + 1);
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value == 0 ||
        value > 65535) {
      return invalid();
    }
    address.port = static_cast<uint16_t>(value);
  }
  address.host = std::string(host);
  in_addr parsed{};
  if (::inet_pton(AF_INET, address.host.c_str(), &parsed) != 1) return invalid();
  return address;
}

namespace {

// Owns a private resolver state: res_nclose on every path.
class ResolverState {
 public:
  ResolverState() { std::memset(&state_, 0, sizeof(state_)); }
  ~ResolverState() {
    if (open_) ::res_nclose(&state_);
  }
  bool Init() {
    open_ = ::res_ninit(&state_) == 0;
    return open_;
  }
  res_state get() { return &state_; }

 private:
  struct __res_state state_;
  bool open_ = false;
};

}  // namespace

Result<std::vector<std::string>> TxtResolver::Lookup(const std::string& name) const {
  ResolverState resolver;
  if (!resolver.Init()) return Error::Make(ErrorCode::kUnavailable, "the DNS resolver could not start");
  res_state state = resolver.get();
  if (server_) {
    sockaddr_in v4{};
    if (::inet_pton(AF_INET, server_->host.c_str(), &v4.sin_addr) != 1) {
      return Error::Make(ErrorCode::kUnavailable, "the DNS server address is not IPv4");
    }
    v4.sin_family = AF_INET;
    v4.sin_port = htons(server_->port);
    state->nsaddr_list[0] = v4;
    state->nscount = 1;
  }
  // Each try waits `retrans` seconds per server; two tries fit the timeout.
  int seconds = std::max(1, static_cast<int>(timeout_.count() / 2000));
  state->retrans = seconds;
  state->retry = 2;
  state->options &= ~static_cast<unsigned long>(RES_DNSRCH | RES_DEFNAMES);

  std::vector<unsigned char> answer(65536);
  errno = 0;
  int length = ::res_nquery(state, name.c_str(), ns_c_in, ns_t_txt, answer.data(),
                            static_cast<int>(answer.size()));
  if (length < 0) {
    switch (state->res_h_errno) {
      case HOST_NOT_FOUND:  // NXDOMAIN
      case NO_DATA:         // the name exists without TXT records
        return std::vector<std::string>{};
      case TRY_AGAIN:
      default:
        return Error::Make(ErrorCode::kUnavailable, "no DNS server answered");
    }
  }
  ns_msg message;
  if (::ns_initparse(answer.data(), length, &message) != 0) {
    return Error::Make(ErrorCode::kUnavailable, "the DNS answer could not be parsed");
  }
  std::vector<std::string> records;
  int count = ns_msg_count(message, ns_s_an);
  for (int i = 0; i < count; ++i) {
    ns_rr rr;
    if (::ns_parserr(&message, ns_s_an, i, &rr) != 0) continue;
    if (ns_rr_type(rr) != ns_t_txt) continue;  // e.g. a CNAME on the way
    const unsigned char* data = ns_rr_rdata(rr);
    const unsigned char* end = data + ns_rr_rdlen(rr);
    std::string joined;
    while (data < end) {
      std::size_t n = *data++;
      if (data + n > end) break;
      joined.append(reinterpret_cast<const char*>(data), n);
      data += n;
    }
    records.push_back(std::move(joined));
  }
  return records;
}

}  // namespace bulkhead::service
