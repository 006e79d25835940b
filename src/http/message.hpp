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

struct Route;

// Where a request runs. Each lane has its own threads and a bounded queue, so that one kind of
// work (a login flood's argon2id hashes, slow DNS lookups) cannot take the threads another
// kind (a neighbour's writes) needs. A full lane refuses at once with 503 and Retry-After.
enum class Lane {
  kInline,    // on the I/O thread: cheap reads that never wait
  kWorker,    // the general worker pool: writes, fsync, a writer's lock
  kHashing,   // password hashing (argon2id): sign-up, login; few threads, lower CPU priority
  kOutbound,  // calls to other hosts (DNS lookups of domain verification)
};

// Which route a request matched (router.hpp), with its path parameters.
struct RouteMatch {
  const Route* route = nullptr;  // nullptr: no route for this method
  std::vector<std::pair<std::string, std::string>> params;
  std::vector<std::string> allowed_methods;  // when the path matched but the method did not
};

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path and query as received, e.g. "/api/v1/x?limit=2"
  std::vector<Header> headers;
  std::string body;
  std::string remote_address;  // peer IP, for logs
  bool secure = false;         // arrived over TLS
  // Set by Handler::LaneOf, which routes the request to decide, so that Handle does not
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

// The pipeline entry point the server calls for every request. Must be thread-safe.
class Handler {
 public:
  virtual ~Handler() = default;
  // The lane the request runs on (password hashing, durable writes and outbound calls never
  // run on an I/O thread). Cheap; called on the I/O thread.
  // May remember what it learned on the request (its route) for Handle.
  virtual Lane LaneOf(Request& request) const = 0;
  virtual Response Handle(Request& request) = 0;
  // A response for a request the server refused before it was complete (oversized body,
  // too many headers, malformed HTTP, a full lane or budget). `status` is 400, 413, 431 or 503;
  // `code` the problem code.
  virtual Response Refuse(const Request& partial, int status, std::string_view code,
                          std::string_view detail) = 0;
};

}  // namespace bulkhead::http
