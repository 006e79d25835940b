#include "service/dns_txt_resolver.hpp"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdlib>

namespace bulkhead::service {
namespace {

using core::Error;
using core::ErrorCode;
using core::Result;

Error Unavailable(std::string why) {
  return Error::Make(ErrorCode::kUnavailable, std::move(why));
}

// Owns a private resolver state. res_nclose only after a successful res_ninit: on a state
// that res_ninit did not set up it would close descriptor 0.
class ResolverState {
 public:
  ResolverState() = default;
  ResolverState(const ResolverState&) = delete;
  ResolverState& operator=(const ResolverState&) = delete;
  ~ResolverState() {
    if (open_) ::res_nclose(&state_);
  }

  bool Init() {
    open_ = ::res_ninit(&state_) == 0;
    return open_;
  }
  res_state Get() { return &state_; }

 private:
  struct __res_state state_ {};
  bool open_ = false;
};

// Replaces the name servers read from resolv.conf with `server`. nsaddr_list[] holds only
// sockaddr_in; glibc keeps IPv6 servers in malloc'ed _u._ext.nsaddrs[] (used when the
// nsaddr_list entry's family is 0) and res_nclose frees them, but only those below nscount.
bool UseServer(res_state state, const DnsServerAddress& server) {
  for (auto*& address : state->_u._ext.nsaddrs) {
    std::free(address);
    address = nullptr;
  }
  state->nscount = 0;
  sockaddr_in v4{};
  if (::inet_pton(AF_INET, server.host.c_str(), &v4.sin_addr) == 1) {
    v4.sin_family = AF_INET;
    v4.sin_port = htons(server.port);
    state->nsaddr_list[0] = v4;
  } else {
    sockaddr_in6 v6{};
    if (::inet_pton(AF_INET6, server.host.c_str(), &v6.sin6_addr) != 1) return false;
    v6.sin6_family = AF_INET6;
    v6.sin6_port = htons(server.port);
    auto* copy = static_cast<sockaddr_in6*>(std::malloc(sizeof(sockaddr_in6)));
    if (copy == nullptr) return false;
    *copy = v6;
    state->nsaddr_list[0] = sockaddr_in{};
    state->_u._ext.nsaddrs[0] = copy;
  }
  state->nscount = 1;
  return true;
}

// glibc waits `retrans` seconds for an answer from the first server and about as long from
// each other one, and goes round all servers `retry` times.
void SetTimeout(res_state state, std::chrono::milliseconds timeout) {
  long long per_server = timeout.count() / 1000 / std::max(1, state->nscount);
  int rounds = per_server >= 2 ? 2 : 1;  // a second round covers one lost datagram
  state->retry = rounds;
  state->retrans = static_cast<int>(std::clamp<long long>(per_server / rounds, 1, RES_MAXRETRANS));
}

// What res_nmkquery accepts: at most 253 characters (255 bytes on the wire) and labels of 1-63.
bool FitsInAQuery(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  if (name.empty() || name.size() > 253) return false;
  std::size_t start = 0;
  while (true) {
    std::size_t dot = name.find('.', start);
    std::size_t length = (dot == std::string_view::npos ? name.size() : dot) - start;
    if (length == 0 || length > 63) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

// A TXT record's RDATA is one or more <length byte><bytes> character-strings.
bool JoinCharacterStrings(const unsigned char* data, std::size_t size, std::string& out) {
  const unsigned char* end = data + size;
  while (data < end) {
    std::size_t length = *data++;
    if (length > static_cast<std::size_t>(end - data)) return false;
    out.append(reinterpret_cast<const char*>(data), length);
    data += length;
  }
  return true;
}

}  // namespace

Result<DnsServerAddress> ParseDnsServer(std::string_view text) {
  auto invalid = [] {
    return Error::Validation("dns_server",
                             "must be an IP address with an optional port, such as 10.0.0.2:53 "
                             "or [2001:db8::53]:53");
  };
  std::string_view host = text;
  std::string_view port;
  bool has_port = false;
  bool v6 = false;
  if (text.starts_with('[')) {
    auto close = text.find(']');
    if (close == std::string_view::npos) return invalid();
    host = text.substr(1, close - 1);
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return invalid();
      port = rest.substr(1);
      has_port = true;
    }
    v6 = true;
  } else if (auto colon = text.find(':'); colon != std::string_view::npos) {
    if (text.find(':', colon + 1) != std::string_view::npos) {
      return Error::Validation("dns_server",
                               "must put an IPv6 address in brackets, such as [2001:db8::53]:53");
    }
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    has_port = true;
  }

  DnsServerAddress address{std::string(host), 53};
  in6_addr parsed{};  // large enough for either family
  if (::inet_pton(v6 ? AF_INET6 : AF_INET, address.host.c_str(), &parsed) != 1) return invalid();
  if (has_port) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value == 0 ||
        value > 65535) {
      return invalid();
    }
    address.port = static_cast<uint16_t>(value);
  }
  return address;
}

Result<std::vector<std::string>> TxtResolver::Lookup(const std::string& name) const {
  // Checked here because res_nquery reports a name it cannot encode like a failed server.
  if (!FitsInAQuery(name)) {
    return Error::Validation("name",
                             "is too long for a DNS query (at most 253 characters, "
                             "labels of 1-63)");
  }
  ResolverState resolver;
  if (!resolver.Init()) return Unavailable("the DNS resolver could not be initialized");
  res_state state = resolver.Get();
  if (server_ && !UseServer(state, *server_)) {
    return Unavailable("the configured DNS server " + server_->host + " is not an IP address");
  }
  SetTimeout(state, timeout_);

  std::vector<unsigned char> answer(NS_MAXMSG);
  errno = 0;
  int length = ::res_nquery(state, name.c_str(), ns_c_in, ns_t_txt, answer.data(),
                            static_cast<int>(answer.size()));
  if (length < 0) {
    switch (state->res_h_errno) {
      case HOST_NOT_FOUND:  // NXDOMAIN
      case NO_DATA:         // the name exists, without TXT records
        return std::vector<std::string>{};
      default:
        // glibc skips a server that answers SERVFAIL or REFUSED; errno ends as ETIMEDOUT
        // when some server did not answer at all, ECONNREFUSED otherwise.
        return Unavailable(errno == ETIMEDOUT ? "no DNS server answered in time"
                                              : "the DNS server refused or failed the query");
    }
  }

  int size = std::min(length, static_cast<int>(answer.size()));
  ns_msg message;
  if (::ns_initparse(answer.data(), size, &message) != 0) {
    return Unavailable("the DNS answer was malformed");
  }
  std::vector<std::string> records;
  for (int i = 0; i < ns_msg_count(message, ns_s_an); ++i) {
    ns_rr rr;
    if (::ns_parserr(&message, ns_s_an, i, &rr) != 0) {
      return Unavailable("the DNS answer was malformed");
    }
    if (ns_rr_type(rr) != ns_t_txt || ns_rr_class(rr) != ns_c_in) continue;  // e.g. a CNAME
    std::string text;
    if (!JoinCharacterStrings(ns_rr_rdata(rr), ns_rr_rdlen(rr), text)) {
      return Unavailable("the DNS answer held a malformed TXT record");
    }
    records.push_back(std::move(text));
  }
  return records;
}

}  // namespace bulkhead::service
