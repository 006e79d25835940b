#pragma once
// The request pipeline, generic: request id -> route -> the application (which runs its own
// steps and the handler) -> problem rendering -> common headers, then one access-log line and
// the request counted in the metrics. The server calls it for every request; tests call it
// as a plain function from Request to Response, without a socket. It knows nothing of
// tenants or credentials: that is the application's (api/gate.hpp).
// Thread-safety: thread-safe (all state is immutable or owned by thread-safe parts).

#include <cstddef>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "http/access_log.hpp"
#include "http/message.hpp"
#include "http/metrics.hpp"
#include "http/router.hpp"

namespace bulkhead::http {

// What answers the routes the router matched. One virtual call per request reaches it; the
// server calls the Pipeline itself directly.
class Application {
 public:
  // The lane route `route` (a router index) runs on. Cheap; called on the I/O thread.
  virtual Lane LaneOf(std::size_t route) const = 0;
  // Answers a request that matched `match.route` (its params may be moved from). An error
  // is rendered as a problem by the pipeline; an exception becomes a 500.
  virtual core::Result<Response> Dispatch(Request& request, std::string_view request_id,
                                          RouteMatch& match) = 0;
  // A request that reached no route: unmatched (`refusal` null) or refused by the server
  // before it was complete. For the application's own records (its routing log).
  virtual void Undispatched(const Request& request, std::string_view request_id,
                            const core::Error* refusal) = 0;

 protected:
  ~Application() = default;
};

// What answers every request under one path prefix by itself, before the router: static
// files (the web console). It runs inline, on the I/O thread, so it must never wait.
class Mount {
 public:
  // "/console": the mount answers that path and every path under "/console/".
  virtual std::string_view prefix() const = 0;
  virtual Response Serve(const Request& request, std::string_view request_id) const = 0;

 protected:
  ~Mount() = default;
};

struct PipelineOptions {
  HttpMetrics* metrics = nullptr;  // request counts and latencies, when set
  const Mount* mount = nullptr;    // answers its prefix before the router, when set
};

class Pipeline final {
 public:
  Pipeline(const Router& router, Application& application, LineWriter& access_log,
           PipelineOptions options = {});

  // The lane the request runs on; remembers its route on the request for Handle.
  Lane LaneOf(Request& request) const;
  Response Handle(Request& request);
  // The answer to a request the server refused before it was complete (oversized body or
  // headers, malformed HTTP, a full lane or connection cap): `refusal` says which. The
  // connection is closed after it.
  Response Refuse(const Request& partial, const core::Error& refusal);

 private:
  void LogAccess(const Request& request, const Response& response, std::string_view request_id,
                 std::string_view route, double duration_ms);
  bool Mounted(std::string_view path) const;
  void LogError(std::string_view event, std::string_view request_id, std::string_view route,
                std::string_view what);

  const Router& router_;
  Application& application_;
  LineWriter& access_log_;
  PipelineOptions options_;
};

// The request id to use: the client's X-Request-Id when it is 1-128 of [A-Za-z0-9._:-],
// otherwise a new one.
std::string RequestIdFor(const Request& request);
// The value of cookie `name` in a Cookie header, or empty.
std::string_view CookieValue(std::string_view cookie_header, std::string_view name);
// Whether a request with this method may change state (not GET, HEAD or OPTIONS).
bool IsStateChanging(std::string_view method);

}  // namespace bulkhead::http
