#pragma once
// The request pipeline: request id -> route -> authenticate -> resolve tenant -> authorize ->
// handler -> render, then one access-log line and one routing-log line (every routing
// decision: the signals, the organization they named, the outcome and why), and the request
// counted in the metrics and in its organization's usage. It is the Handler
// the server calls, and a plain function from Request to Response that tests can call without
// a socket.
// Thread-safety: thread-safe (all state is immutable or owned by thread-safe services).

#include <string>

#include "http/access_log.hpp"
#include "http/message.hpp"
#include "http/metrics.hpp"
#include "http/router.hpp"
#include "service/account_service.hpp"
#include "service/api_key_service.hpp"
#include "service/rate_limiter.hpp"
#include "service/tenant_resolver.hpp"
#include "service/usage_meter.hpp"
#include "service/workspace_service.hpp"

namespace bulkhead::http {

struct PipelineOptions {
  std::string base_domain = "localhost";
  HttpMetrics* metrics = nullptr;         // request counts and latencies, when set
  service::UsageMeter* usage = nullptr;   // per-organization usage, when set
};

// What the routing log records of one request.
struct RoutingRecord {
  service::TenantSignals signals;
  service::ResolutionTrace trace;
  std::string outcome = "no_tenant";  // "no_tenant" | "resolved" | "refused"
  std::string reason;                 // the problem code when refused
};

class Pipeline final : public Handler {
 public:
  // `routing_log` may be null (no routing log).
  Pipeline(const Router& router, service::AccountService& accounts,
           service::ApiKeyService& api_keys, service::TenantResolver& resolver,
           service::WorkspaceService& workspaces, LineWriter& access_log, LineWriter* routing_log,
           PipelineOptions options);

  Lane LaneOf(Request& request) const override;
  Response Handle(Request& request) override;
  Response Refuse(const Request& partial, int status, std::string_view code,
                  std::string_view detail) override;

 private:
  core::Result<Response> Dispatch(RequestContext& context, const Route& route,
                                  RoutingRecord& routing);
  core::Status Authenticate(RequestContext& context, const Route& route);
  service::TenantSignals Signals(const Request& request,
                                 const std::vector<std::pair<std::string, std::string>>& params) const;
  void Meter(const RequestContext& context, const Response& response);
  void LogAccess(const Request& request, const Response& response, std::string_view request_id,
                 std::string_view route, double duration_ms);
  void LogRouting(const Request& request, std::string_view request_id, std::string_view route,
                  const RoutingRecord& routing);

  const Router& router_;
  service::AccountService& accounts_;
  service::ApiKeyService& api_keys_;
  service::TenantResolver& resolver_;
  service::WorkspaceService& workspaces_;
  LineWriter& access_log_;
  LineWriter* routing_log_;
  PipelineOptions options_;
  service::RateLimiter rate_limiter_;  // per instance, per organization
};

// The request id to use: the client's X-Request-Id when it is 1-128 of [A-Za-z0-9._:-],
// otherwise a new one.
std::string RequestIdFor(const Request& request);
// The value of cookie `name` in a Cookie header, or empty.
std::string_view CookieValue(std::string_view cookie_header, std::string_view name);

}  // namespace bulkhead::http
