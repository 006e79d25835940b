#pragma once
// The tenancy and authorization gate: what runs between the router and a handler, as an
// ordered list of small steps (userver's middleware style). Each step has one job, may
// establish something on the request's context, and may answer early with an error:
//   authenticate -> resolve tenant -> budget -> workspace -> permission -> feature ->
//   workspace role -> (the route's handler)
// A step that does not apply to the route's scope passes. The steps are a fixed array of plain
// functions: no allocation, no virtual call, no std::function per step.
// The Gate is the http::Application the pipeline dispatches to: it runs the steps and the
// handler, writes the routing log (every routing decision: the signals, the organization they
// named, the outcome and why) and counts the request in its organization's usage.
// Thread-safety: thread-safe (the services and the rate limiter are).

#include <array>
#include <span>
#include <string>

#include "api/route.hpp"
#include "http/access_log.hpp"
#include "http/metrics.hpp"
#include "http/pipeline.hpp"
#include "service/account_service.hpp"
#include "service/api_key_service.hpp"
#include "service/oauth_provider.hpp"
#include "service/rate_limiter.hpp"
#include "service/tenant_resolver.hpp"
#include "service/usage_meter.hpp"
#include "service/workspace_service.hpp"

namespace bulkhead::api {

// What the routing log records of one request.
struct RoutingRecord {
  service::TenantSignals signals;
  service::ResolutionTrace trace;
  std::string outcome = "no_tenant";  // "no_tenant" | "resolved" | "refused"
  std::string reason;                 // the problem code when refused
};

// What the steps use. Null members are never reached by routes that do not need them (a
// public route needs none), so that a test can build a gate without a store.
struct GateServices {
  service::AccountService* accounts = nullptr;
  service::ApiKeyService* api_keys = nullptr;
  service::TenantResolver* resolver = nullptr;
  service::WorkspaceService* workspaces = nullptr;
  http::HttpMetrics* metrics = nullptr;  // counts budget refusals, when set
  service::UsageMeter* usage = nullptr;  // per-organization usage, when set
  // Verifies the web console's access tokens; none: only sessions and API keys authenticate.
  service::OAuthProvider* oauth = nullptr;
};

// One request going through the gate.
struct Passage {
  const Route& route;
  RequestContext& context;
  RoutingRecord& routing;
};

class Gate;
using GateStep = core::Status (*)(Gate& gate, Passage& passage);

// The steps in the order they run.
core::Status Authenticate(Gate& gate, Passage& passage);
core::Status ResolveTenant(Gate& gate, Passage& passage);
core::Status SpendBudget(Gate& gate, Passage& passage);
core::Status ResolveWorkspace(Gate& gate, Passage& passage);
core::Status CheckPermission(Gate& gate, Passage& passage);
core::Status CheckFeature(Gate& gate, Passage& passage);
core::Status CheckWorkspaceRole(Gate& gate, Passage& passage);

inline constexpr std::array<GateStep, 7> kGateSteps = {
    Authenticate,    ResolveTenant, SpendBudget,       ResolveWorkspace,
    CheckPermission, CheckFeature,  CheckWorkspaceRole};

// Runs `steps` in order; the first error answers.
inline core::Status RunSteps(std::span<const GateStep> steps, Gate& gate, Passage& passage) {
  for (GateStep step : steps) BULKHEAD_TRY(step(gate, passage));
  return core::Ok();
}

class Gate final : public http::Application {
 public:
  // `routing_log` may be null (no routing log). `steps` is kGateSteps but in tests.
  Gate(const RouteTable& table, GateServices services, http::LineWriter* routing_log,
       std::span<const GateStep> steps = kGateSteps);

  http::Lane LaneOf(std::size_t route) const override;
  core::Result<Response> Dispatch(Request& request, std::string_view request_id,
                                  http::RouteMatch& match) override;
  void Undispatched(const Request& request, std::string_view request_id,
                    const core::Error* refusal) override;

  const GateServices& services() const { return services_; }
  service::RateLimiter& rate_limiter() { return rate_limiter_; }

 private:
  core::Result<Response> Run(Passage& passage);
  void Meter(const RequestContext& context, const core::Result<Response>& result);
  void LogRouting(const Request& request, std::string_view request_id, std::string_view route,
                  const RoutingRecord& routing);

  const RouteTable& table_;
  GateServices services_;
  http::LineWriter* routing_log_;
  std::span<const GateStep> steps_;
  service::RateLimiter rate_limiter_;  // per instance, per organization
};

// What the request names as its organization: the {org} path parameter, X-Organization, Host.
service::TenantSignals SignalsOf(const Request& request,
                                 const std::vector<std::pair<std::string, std::string>>& params);

}  // namespace bulkhead::api
