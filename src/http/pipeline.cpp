#include "http/pipeline.hpp"

#include <strings.h>

#include <chrono>

#include <nlohmann/json.hpp>

#include "core/time.hpp"
#include "core/uuid.hpp"
#include "http/json_line.hpp"
#include "http/problem.hpp"
#include "service/organization_service.hpp"

namespace bulkhead::http {

using core::Error;
using core::ErrorCode;

namespace {

constexpr std::string_view kSessionCookie = "bulkhead_session";

bool IsStateChanging(std::string_view method) {
  return method != "GET" && method != "HEAD" && method != "OPTIONS";
}

// Headers every answer gets. Each answer is one caller's view, and some carry a credential
// shown only once (sign-up, login, API keys, invitations): no cache may keep any of them,
// unless a handler said otherwise. Over HTTPS, browsers are told to use nothing else for this
// host for two years.
void SetCommonHeaders(Response& response, std::string_view request_id, bool secure) {
  response.SetHeader("X-Request-Id", std::string(request_id));
  bool cache_control = false;
  for (const auto& h : response.headers) {
    if (h.name.size() == 13 && strncasecmp(h.name.data(), "Cache-Control", 13) == 0) {
      cache_control = true;
    }
  }
  if (!cache_control) response.headers.push_back({"Cache-Control", "no-store"});
  if (secure) response.SetHeader("Strict-Transport-Security", "max-age=63072000");
}

bool ValidRequestId(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace

std::string_view ScopeName(Scope scope) {
  switch (scope) {
    case Scope::kPublic: return "public";
    case Scope::kUser: return "user";
    case Scope::kOrganization: return "organization";
    case Scope::kWorkspace: return "workspace";
  }
  return "public";
}

std::string_view RequestContext::Param(std::string_view name) const {
  for (const auto& [k, v] : params) {
    if (k == name) return v;
  }
  return {};
}

service::Actor RequestContext::Actor() const {
  if (principal && principal->is_api_key()) {
    return service::Actor{"api_key", principal->api_key_id, request_id};
  }
  return service::Actor{"user", principal ? principal->user_id : "", request_id};
}

std::string RequestIdFor(const Request& request) {
  auto given = request.HeaderValue("X-Request-Id");
  if (ValidRequestId(given)) return std::string(given);
  return core::NewUuidV7();
}

std::string_view CookieValue(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    auto end = header.find(';');
    auto pair = header.substr(0, end);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    auto eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) return pair.substr(eq + 1);
    if (end == std::string_view::npos) break;
    header.remove_prefix(end + 1);
  }
  return {};
}

Pipeline::Pipeline(const Router& router, service::AccountService& accounts,
                   service::ApiKeyService& api_keys, service::TenantResolver& resolver,
                   service::WorkspaceService& workspaces, LineWriter& access_log,
                   LineWriter* routing_log, PipelineOptions options)
    : router_(router), accounts_(accounts), api_keys_(api_keys), resolver_(resolver),
      workspaces_(workspaces), access_log_(access_log), routing_log_(routing_log),
      options_(std::move(options)) {}

Lane Pipeline::LaneOf(Request& request) const {
  // The route table says where each request runs (route.hpp); what matches no route is
  // answered inline.
  request.match = router_.Match(request.method, request.Path());
  return request.match->route ? http::LaneOf(*request.match->route) : Lane::kInline;
}

core::Status Pipeline::Authenticate(RequestContext& context, const Route& route) {
  const Request& request = context.request;
  std::string_view token;
  bool from_cookie = false;
  auto authorization = request.HeaderValue("Authorization");
  if (!authorization.empty()) {
    constexpr std::string_view kBearer = "Bearer ";
    if (authorization.size() <= kBearer.size() ||
        Lower(authorization.substr(0, kBearer.size())) != "bearer ") {
      return Error::Make(ErrorCode::kUnauthenticated, "Authorization must be 'Bearer <token>'");
    }
    token = authorization.substr(kBearer.size());
  } else {
    token = CookieValue(request.HeaderValue("Cookie"), kSessionCookie);
    from_cookie = !token.empty();
  }
  if (token.empty()) {
    return Error::Make(ErrorCode::kUnauthenticated, "credentials are required");
  }
  bool api_key = token.starts_with(service::kApiKeyPrefix);
  if (api_key && from_cookie) {
    return Error::Make(ErrorCode::kUnauthenticated, "API keys go in the Authorization header");
  }
  auto principal = api_key ? api_keys_.Authenticate(token) : accounts_.Authenticate(token);
  if (!principal.ok()) return principal.error();
  if (principal->is_api_key() && route.scope == Scope::kUser && !route.api_keys) {
    return Error::Forbidden("an API key acts only on its organization's routes");
  }
  // CSRF guard: a browser sends cookies on cross-site requests, never this header.
  if (from_cookie && IsStateChanging(request.method) &&
      request.HeaderValue("X-Requested-With") != "bulkhead") {
    return Error::Forbidden("cookie-authenticated changes need the header X-Requested-With: bulkhead");
  }
  context.principal = std::move(*principal);
  return core::Ok();
}

service::TenantSignals Pipeline::Signals(
    const Request& request, const std::vector<std::pair<std::string, std::string>>& params) const {
  service::TenantSignals signals;
  for (const auto& [name, value] : params) {
    if (name == "org") signals.path = value;
  }
  if (auto header = request.HeaderValue("X-Organization"); !header.empty()) {
    signals.header = std::string(header);
  }
  if (auto host = request.HeaderValue("Host"); !host.empty()) signals.host = std::string(host);
  return signals;
}

core::Result<Response> Pipeline::Dispatch(RequestContext& context, const Route& route,
                                          RoutingRecord& routing) {
  bool tenant_scoped = route.scope == Scope::kOrganization || route.scope == Scope::kWorkspace;
  if (tenant_scoped) routing.outcome = "refused";  // until the tenant is resolved and authorized
  if (route.scope != Scope::kPublic) BULKHEAD_TRY(Authenticate(context, route));
  if (tenant_scoped) {
    auto tenant = resolver_.Resolve(routing.signals, *context.principal, &routing.trace);
    if (!tenant.ok()) return tenant.error();
    context.tenant.emplace(std::move(*tenant));
    // The organization's request budget (requests_per_minute), before any work for it; never
    // on the owners' settings and billing routes, so a budget cannot lock the owners out.
    bool owner_exempt = route.owner_ignores_budget && context.tenant->role == core::Role::kOwner;
    if (auto rpm = owner_exempt ? std::nullopt
                                : service::OrganizationLimit(resolver_.environment(),
                                                             context.tenant->organization,
                                                             "requests_per_minute")) {
      if (auto retry_after = rate_limiter_.Take(context.tenant->organization.id, *rpm)) {
        Error e = Error::Make(ErrorCode::kRateLimited,
                              "this organization is over its requests_per_minute limit");
        e.retry_after_seconds = *retry_after;
        if (options_.metrics) options_.metrics->CountRateLimited();
        return e;
      }
    }
    // A workspace the caller may not see is not found, before any permission is checked.
    if (route.scope == Scope::kWorkspace) {
      auto workspace = workspaces_.Resolve(*context.tenant, *context.principal,
                                           std::string(context.Param("ws")));
      if (!workspace.ok()) return workspace.error();
      context.workspace.emplace(std::move(*workspace));
    }
    bool acting_on_self = route.self_param && !context.principal->is_api_key() &&
                          context.Param(*route.self_param) == context.principal->user_id;
    if (route.permission && !acting_on_self &&
        !core::RoleHas(context.tenant->role, *route.permission)) {
      return Error::Forbidden("your role in this organization does not allow this");
    }
    if (route.feature &&
        !service::OrganizationHasFeature(resolver_.environment(), context.tenant->organization,
                                         *route.feature)) {
      return Error::Make(ErrorCode::kFeatureNotEnabled,
                         "this organization's plan does not include " + *route.feature);
    }
    if (route.workspace_role &&
        !core::WorkspaceRoleHas(context.workspace->role, *route.workspace_role)) {
      return Error::Forbidden("your role in this workspace does not allow this");
    }
    routing.outcome = "resolved";
  }
  return route.handler(context);
}

Response Pipeline::Handle(Request& request) {
  auto started = std::chrono::steady_clock::now();
  std::string request_id = RequestIdFor(request);
  RouteMatch match = request.match ? std::move(*request.match)
                                   : router_.Match(request.method, request.Path());
  Response response;
  std::string_view route_pattern;
  RoutingRecord routing;
  routing.signals = Signals(request, match.params);
  if (!match.route) {
    if (!match.allowed_methods.empty()) {
      std::string allow;
      for (const auto& m : match.allowed_methods) allow += (allow.empty() ? "" : ", ") + m;
      response = ProblemResponse(
          Error::Make(ErrorCode::kMethodNotAllowed, request.method + " is not allowed here"),
          request_id);
      response.SetHeader("Allow", allow);
    } else {
      response = ProblemResponse(Error::NotFound("route"), request_id);
    }
  } else {
    route_pattern = match.route->pattern;
    RequestContext context{request, request_id, std::move(match.params), {}, {}, {}, {}};
    try {
      auto result = Dispatch(context, *match.route, routing);
      if (!result.ok() && routing.outcome == "refused") {
        routing.reason = std::string(ProblemCode(result.error().code));
      }
      if (!result.ok() && StatusOf(result.error().code) >= 500) {
        // The caller sees "internal error"; the operator needs the cause.
        access_log_.Write(JsonLine()
                              .Add("ts", core::FormatRfc3339(core::NowMs()))
                              .Add("level", "error")
                              .Add("event", "internal_error")
                              .Add("request_id", request_id)
                              .Add("route", route_pattern)
                              .Add("error", result.error().message)
                              .Finish());
      }
      response = result.ok() ? std::move(*result) : ProblemResponse(result.error(), request_id);
      Meter(context, response);
    } catch (const std::exception& e) {
      response = ProblemResponse(Error::Internal(e.what()), request_id);
      nlohmann::json line = {{"ts", core::FormatRfc3339(core::NowMs())},
                             {"level", "error"},
                             {"event", "unhandled_exception"},
                             {"request_id", request_id},
                             {"what", e.what()}};
      access_log_.Write(line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    }
  }
  SetCommonHeaders(response, request_id, request.secure);
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
                  .count();
  LogAccess(request, response, request_id, route_pattern, ms);
  LogRouting(request, request_id, route_pattern, routing);
  if (options_.metrics) options_.metrics->Observe(match.route, response.status, ms / 1000.0);
  return response;
}

void Pipeline::Meter(const RequestContext& context, const Response& response) {
  // Requests the organization's budget refused cost it nothing; nor do those of callers it
  // was not resolved for (strangers cannot run up another organization's usage).
  if (!options_.usage || response.status == 429) return;
  const std::string& organization_id = context.tenant ? context.tenant->organization.id
                                                      : context.metered_organization_id;
  if (organization_id.empty()) return;
  bool write = IsStateChanging(context.request.method) && response.status >= 200 &&
               response.status < 300;
  options_.usage->Record(organization_id, write);
}

Response Pipeline::Refuse(const Request& partial, int status, std::string_view code,
                          std::string_view detail) {
  std::string request_id = RequestIdFor(partial);
  std::string_view title = status == 413   ? "Body too large"
                           : status == 431 ? "Headers too large"
                           : status == 503 ? "Service unavailable"
                           : status >= 500 ? "Internal error"
                                           : "Malformed request";
  Response response = ProblemResponse(status, code, title, detail, request_id);
  SetCommonHeaders(response, request_id, partial.secure);
  response.close = true;
  LogAccess(partial, response, request_id, "", 0);
  RoutingRecord routing;
  routing.reason = std::string(code);
  LogRouting(partial, request_id, "", routing);
  return response;
}

void Pipeline::LogRouting(const Request& request, std::string_view request_id,
                          std::string_view route, const RoutingRecord& routing) {
  if (!routing_log_) return;
  const auto& host = routing.trace.host;
  JsonLine line;
  line.Add("ts", core::FormatRfc3339(core::NowMs()))
      .Add("request_id", request_id)
      .Add("method", request.method)
      .Add("route", route)
      .Add("host", request.HeaderValue("Host"))
      .Open("signals")
      .Add("path", routing.signals.path)
      .Add("header", routing.signals.header)
      .Add("host", host ? std::optional<std::string>(host->organization_ref) : std::nullopt)
      .Close()
      .Add("host_matched_by", host ? std::optional<std::string>(host->matched_by) : std::nullopt)
      .Add("organization_id", routing.trace.organization_id.empty()
                                  ? std::nullopt
                                  : std::optional<std::string>(routing.trace.organization_id))
      .Add("outcome", routing.outcome)
      .Add("reason",
           routing.reason.empty() ? std::nullopt : std::optional<std::string>(routing.reason));
  routing_log_->Write(line.Finish());
}

void Pipeline::LogAccess(const Request& request, const Response& response,
                         std::string_view request_id, std::string_view route, double duration_ms) {
  // The query string is left out: it is the one part of a URL that may carry secrets.
  JsonLine line;
  line.Add("ts", core::FormatRfc3339(core::NowMs()))
      .Add("event", "access")
      .Add("request_id", request_id)
      .Add("method", request.method)
      .Add("path", request.Path())
      .Add("route", route)
      .Add("status", response.status)
      .AddMillis("duration_ms", duration_ms)
      .Add("remote", request.remote_address);
  access_log_.Write(line.Finish());
}

}  // namespace bulkhead::http
