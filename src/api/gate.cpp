#include "api/gate.hpp"

#include <strings.h>

#include "core/time.hpp"
#include "http/json_line.hpp"
#include "http/problem.hpp"
#include "service/organization_service.hpp"

namespace bulkhead::api {

using core::Error;
using core::ErrorCode;

namespace {

constexpr std::string_view kSessionCookie = "bulkhead_session";

bool TenantScoped(const Route& route) {
  return route.scope == Scope::kOrganization || route.scope == Scope::kWorkspace;
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

service::TenantSignals SignalsOf(const Request& request,
                                 const std::vector<std::pair<std::string, std::string>>& params) {
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

namespace {

// An OpenID Connect access token (a JWT: three dot-separated parts) in the Authorization
// header. Only the web console's are accepted: the API acts as the user, like a session. A
// token that names an organization (org_id) is held to it in ResolveTenant.
core::Result<service::Principal> AuthenticateAccessToken(const GateServices& s,
                                                         std::string_view token) {
  auto invalid = [] {
    return Error::Make(ErrorCode::kUnauthenticated, "the access token is not valid or expired");
  };
  if (!s.oauth) return invalid();
  auto claims = s.oauth->VerifyAccessToken(token);
  if (!claims) return invalid();
  if ((*claims)["client_id"] != service::kConsoleClientId) {
    return Error::Make(ErrorCode::kUnauthenticated,
                       "the API accepts access tokens of the web console (bulkhead-console) "
                       "only; use a session or an API key");
  }
  service::Principal principal;
  principal.user_id = (*claims)["sub"].get<std::string>();
  // An account deleted since the token was issued no longer signs in.
  if (auto user = s.accounts->GetUser(principal.user_id); !user.ok()) return user.error();
  if (auto org = claims->find("org_id"); org != claims->end() && org->is_string()) {
    principal.token_organization_id = org->get<std::string>();
  }
  return principal;
}

bool IsJwt(std::string_view token) {
  auto first = token.find('.');
  return first != std::string_view::npos && token.find('.', first + 1) != std::string_view::npos;
}

}  // namespace

// Who is calling: a session (Authorization: Bearer, or the session cookie), an API key (the
// Authorization header only) or the web console's access token (the header only). Every
// scope but public.
core::Status Authenticate(Gate& gate, Passage& p) {
  if (p.route.scope == Scope::kPublic) return core::Ok();
  const Request& request = p.context.request;
  std::string_view token;
  bool from_cookie = false;
  auto authorization = request.HeaderValue("Authorization");
  if (!authorization.empty()) {
    constexpr std::string_view kBearer = "Bearer ";
    if (authorization.size() <= kBearer.size() ||
        strncasecmp(authorization.data(), kBearer.data(), kBearer.size()) != 0) {
      return Error::Make(ErrorCode::kUnauthenticated, "Authorization must be 'Bearer <token>'");
    }
    token = authorization.substr(kBearer.size());
  } else {
    token = http::CookieValue(request.HeaderValue("Cookie"), kSessionCookie);
    from_cookie = !token.empty();
  }
  if (token.empty()) {
    return Error::Make(ErrorCode::kUnauthenticated, "credentials are required");
  }
  bool api_key = token.starts_with(service::kApiKeyPrefix);
  if (api_key && from_cookie) {
    return Error::Make(ErrorCode::kUnauthenticated, "API keys go in the Authorization header");
  }
  const GateServices& s = gate.services();
  auto principal = api_key                        ? s.api_keys->Authenticate(token)
                   : !from_cookie && IsJwt(token) ? AuthenticateAccessToken(s, token)
                                                  : s.accounts->Authenticate(token);
  if (!principal.ok()) return principal.error();
  if (principal->is_api_key() && p.route.scope == Scope::kUser && !p.route.api_keys) {
    return Error::Forbidden("an API key acts only on its organization's routes");
  }
  // CSRF guard: a browser sends cookies on cross-site requests, never this header.
  if (from_cookie && http::IsStateChanging(request.method) &&
      request.HeaderValue("X-Requested-With") != "bulkhead") {
    return Error::Forbidden(
        "cookie-authenticated changes need the header X-Requested-With: bulkhead");
  }
  p.context.principal = std::move(*principal);
  return core::Ok();
}

// Which organization the request is for (path, X-Organization, Host), and the caller's role
// in it. Organization and workspace scopes.
core::Status ResolveTenant(Gate& gate, Passage& p) {
  if (!TenantScoped(p.route)) return core::Ok();
  auto tenant =
      gate.services().resolver->Resolve(p.routing.signals, *p.context.principal, &p.routing.trace);
  if (!tenant.ok()) return tenant.error();
  // The console's token and the URL must name the same organization: a tab that switched
  // organizations refreshes its token for the new one (organization=<slug>) first.
  const auto& token_org = p.context.principal->token_organization_id;
  if (token_org && *token_org != tenant->organization.id) {
    return Error::Forbidden(
        "this access token is for another organization; refresh it with "
        "organization=" +
        tenant->organization.slug + " to act here");
  }
  p.context.tenant.emplace(std::move(*tenant));
  return core::Ok();
}

// The organization's request budget (requests_per_minute), before any work for it; never on
// the owners' settings and billing routes, so that a budget cannot lock the owners out.
core::Status SpendBudget(Gate& gate, Passage& p) {
  if (!p.context.tenant) return core::Ok();
  const auto& tenant = *p.context.tenant;
  if (p.route.owner_ignores_budget && tenant.role == core::Role::kOwner) return core::Ok();
  auto rpm = service::OrganizationLimit(gate.services().resolver->environment(),
                                        tenant.organization, "requests_per_minute");
  if (!rpm) return core::Ok();
  if (auto retry_after = gate.rate_limiter().Take(tenant.organization.id, *rpm)) {
    Error e = Error::Make(ErrorCode::kRateLimited,
                          "this organization is over its requests_per_minute limit");
    e.retry_after_seconds = *retry_after;
    if (gate.services().metrics) gate.services().metrics->CountRateLimited();
    return e;
  }
  return core::Ok();
}

// The workspace {ws} names: one the caller may not see is not found, before any permission
// is checked. Workspace scope.
core::Status ResolveWorkspace(Gate& gate, Passage& p) {
  if (p.route.scope != Scope::kWorkspace || !p.context.tenant) return core::Ok();
  auto workspace = gate.services().workspaces->Resolve(*p.context.tenant, *p.context.principal,
                                                       std::string(p.context.Param("ws")));
  if (!workspace.ok()) return workspace.error();
  p.context.workspace.emplace(std::move(*workspace));
  return core::Ok();
}

// The caller's organization role allows the route's permission, unless the route waives it
// for a caller acting on themselves (a member leaving).
core::Status CheckPermission(Gate&, Passage& p) {
  if (!p.context.tenant || !p.route.permission) return core::Ok();
  const auto& principal = *p.context.principal;
  bool acting_on_self = p.route.self_param && !principal.is_api_key() &&
                        p.context.Param(*p.route.self_param) == principal.user_id;
  if (!acting_on_self && !p.context.tenant->Can(*p.route.permission)) {
    return Error::Forbidden("your role in this organization does not allow this");
  }
  return core::Ok();
}

// The organization's plan or settings include the route's feature.
core::Status CheckFeature(Gate& gate, Passage& p) {
  if (!p.context.tenant || !p.route.feature) return core::Ok();
  if (!service::OrganizationHasFeature(gate.services().resolver->environment(),
                                       p.context.tenant->organization, *p.route.feature)) {
    return Error::Make(ErrorCode::kFeatureNotEnabled,
                       "this organization's plan does not include " + *p.route.feature);
  }
  return core::Ok();
}

// The caller's role in the workspace is at least the route's.
core::Status CheckWorkspaceRole(Gate&, Passage& p) {
  if (!p.route.workspace_role || !p.context.workspace) return core::Ok();
  if (!core::WorkspaceRoleHas(p.context.workspace->role, *p.route.workspace_role)) {
    return Error::Forbidden("your role in this workspace does not allow this");
  }
  return core::Ok();
}

Gate::Gate(const RouteTable& table, GateServices services, http::LineWriter* routing_log,
           std::span<const GateStep> steps)
    : table_(table), services_(services), routing_log_(routing_log), steps_(steps) {}

http::Lane Gate::LaneOf(std::size_t route) const {
  return api::LaneOf(table_.routes[route]);
}

core::Result<Response> Gate::Run(Passage& p) {
  bool tenant_scoped = TenantScoped(p.route);
  if (tenant_scoped) p.routing.outcome = "refused";  // until the steps let it through
  BULKHEAD_TRY(RunSteps(steps_, *this, p));
  if (tenant_scoped) p.routing.outcome = "resolved";
  return p.route.handler(p.context);
}

core::Result<Response> Gate::Dispatch(Request& request, std::string_view request_id,
                                      http::RouteMatch& match) {
  const Route& route = table_.routes[match.route];
  RoutingRecord routing;
  routing.signals = SignalsOf(request, match.params);
  RequestContext context{request, std::string(request_id), std::move(match.params), {}, {}, {}, {}};
  Passage passage{route, context, routing};
  auto result = [&] {
    try {
      return Run(passage);
    } catch (...) {
      // The pipeline answers 500; the routing decision so far is still logged.
      LogRouting(request, request_id, route.pattern, routing);
      throw;
    }
  }();
  if (!result.ok() && routing.outcome == "refused") {
    routing.reason = std::string(http::ProblemCode(result.error().code));
  }
  LogRouting(request, request_id, route.pattern, routing);
  Meter(context, result);
  return result;
}

void Gate::Undispatched(const Request& request, std::string_view request_id,
                        const core::Error* refusal) {
  RoutingRecord routing;
  if (refusal) {
    routing.reason = std::string(http::ProblemCode(refusal->code));
  } else {
    routing.signals = SignalsOf(request, {});
  }
  LogRouting(request, request_id, "", routing);
}

void Gate::Meter(const RequestContext& context, const core::Result<Response>& result) {
  // Requests the organization's budget refused cost it nothing; nor do those of callers it
  // was not resolved for (strangers cannot run up another organization's usage).
  if (!services_.usage) return;
  if (!result.ok() && result.error().code == ErrorCode::kRateLimited) return;
  const std::string& organization_id =
      context.tenant ? context.tenant->organization.id : context.metered_organization_id;
  if (organization_id.empty()) return;
  bool write = http::IsStateChanging(context.request.method) && result.ok() &&
               http::IsSuccess(result->status);
  services_.usage->Record(organization_id, write);
}

void Gate::LogRouting(const Request& request, std::string_view request_id, std::string_view route,
                      const RoutingRecord& routing) {
  if (!routing_log_) return;
  const auto& host = routing.trace.host;
  http::JsonLine line;
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

}  // namespace bulkhead::api
