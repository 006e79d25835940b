#pragma once
// Request and Response as the pipeline sees them: plain values, independent of Beast, so that
// request handling is a function from Request to Response that tests can call without a socket.
// Not thread-safe; each belongs to one request.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bulkhead::http {

struct Header {
  std::string name;  // as received; compared case-insensitively
  std::string value;
};

// Where a request runs. Each lane has its own threads and a bounded queue, so that one kind of
// work (a login flood's argon2id hashes, slow DNS lookups) cannot take the threads another
// kind (a neighbour's writes) needs. A full lane refuses at once with 503 and Retry-After.
enum class Lane {
  kInline,    // on the I/O thread: cheap reads that never wait
  kWorker,    // the general worker pool: writes, fsync, a writer's lock
  kHashing,   // password hashing (argon2id): sign-up, login; few threads, lower CPU priority
  kOutbound,  // calls to other hosts (DNS lookups of domain verification)
};

// Which route a request matched (router.hpp), with its path parameters. Routes are named by
// their index in the table the router was built from: what a route carries beyond its method
// and pattern is the application's (api/route.hpp), not this layer's.
struct RouteMatch {
  static constexpr std::size_t kNone = static_cast<std::size_t>(-1);
  std::size_t route = kNone;  // kNone: no route for this method
  std::vector<std::pair<std::string, std::string>> params;
  std::vector<std::string> allowed_methods;  // when the path matched but the method did not

  bool found() const { return route != kNone; }
};

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path and query as received, e.g. "/api/v1/x?limit=2"
  std::vector<Header> headers;
  std::string body;
  std::string remote_address;  // peer IP, for logs
  bool secure = false;         // arrived over TLS
  // Set by Pipeline::LaneOf, which routes the request to decide, so that Handle does not
  // route it a second time.
  std::optional<RouteMatch> match;

  // First header with that name (case-insensitive), or empty.
  std::string_view HeaderValue(std::string_view name) const;
  bool HasHeader(std::string_view name) const;
  std::string_view Path() const;   // target without the query
  std::string_view Query() const;  // after '?', without it
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<Header> headers;  // extra headers (X-Request-Id is added by the pipeline)
  std::string body;
  bool close = false;  // close the connection after this response

  void SetHeader(std::string name, std::string value);
};

}  // namespace bulkhead::http
