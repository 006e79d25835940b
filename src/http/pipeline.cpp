#include "http/pipeline.hpp"

#include <chrono>

#include <nlohmann/json.hpp>

#include "core/time.hpp"
#include "core/uuid.hpp"
#include "http/problem.hpp"

namespace bulkhead::http {

using core::Error;
using core::ErrorCode;

namespace {

constexpr std::string_view kSessionCookie = "bulkhead_session";

bool IsStateChanging(std::string_view method) {
  return method != "GET" && method != "HEAD" && method != "OPTIONS";
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

std::string SubdomainOf(std::string_view host, std::string_view base_domain) {
  std::string h = Lower(host);
  if (!h.empty() && h.front() == '[') return {};  // IPv6 literal
  if (auto colon = h.find(':'); colon != std::string::npos) h.resize(colon);
  if (!h.empty() && h.back() == '.') h.pop_back();
  std::string suffix = "." + Lower(base_domain);
  if (h.size() <= suffix.size() || h.compare(h.size() - suffix.size(), suffix.size(), suffix) != 0) {
    return {};
  }
  std::string label = h.substr(0, h.size() - suffix.size());
  if (label.find('.') != std::string::npos) return {};  // only one level names an organization
  return label;
}

Pipeline::Pipeline(const Router& router, service::AccountService& accounts,
                   service::TenantResolver& resolver, LineWriter& access_log,
                   PipelineOptions options)
    : router_(router), accounts_(accounts), resolver_(resolver), access_log_(access_log),
      options_(std::move(options)) {}

bool Pipeline::IsBlocking(const Request& request) const {
  // Writes fsync and sign-up/login hash passwords: keep both off the I/O threads.
  return IsStateChanging(request.method);
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
  auto principal = accounts_.Authenticate(token);
  if (!principal.ok()) return principal.error();
  // CSRF guard: a browser sends cookies on cross-site requests, never this header.
  if (from_cookie && IsStateChanging(request.method) &&
      request.HeaderValue("X-Requested-With") != "bulkhead") {
    return Error::Forbidden("cookie-authenticated changes need the header X-Requested-With: bulkhead");
  }
  context.principal = std::move(*principal);
  return core::Ok();
}

service::TenantSignals Pipeline::Signals(const RequestContext& context) const {
  service::TenantSignals signals;
  if (auto org = context.Param("org"); !org.empty()) signals.path = std::string(org);
  if (auto header = context.request.HeaderValue("X-Organization"); !header.empty()) {
    signals.header = std::string(header);
  }
  if (auto sub = SubdomainOf(context.request.HeaderValue("Host"), options_.base_domain);
      !sub.empty()) {
    signals.host = std::move(sub);
  }
  return signals;
}

core::Result<Response> Pipeline::Dispatch(RequestContext& context, const Route& route) {
  if (route.scope != Scope::kPublic) BULKHEAD_TRY(Authenticate(context, route));
  if (route.scope == Scope::kOrganization || route.scope == Scope::kWorkspace) {
    auto tenant = resolver_.Resolve(Signals(context), context.principal->user_id);
    if (!tenant.ok()) return tenant.error();
    context.tenant.emplace(std::move(*tenant));
    if (route.permission && !core::RoleHas(context.tenant->role, *route.permission)) {
      return Error::Forbidden("your role in this organization does not allow this");
    }
  }
  return route.handler(context);
}

Response Pipeline::Handle(Request& request) {
  auto started = std::chrono::steady_clock::now();
  std::string request_id = RequestIdFor(request);
  auto match = router_.Match(request.method, request.Path());
  Response response;
  std::string_view route_pattern;
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
    RequestContext context{request, request_id, std::move(match.params), {}, {}};
    try {
      auto result = Dispatch(context, *match.route);
      response = result.ok() ? std::move(*result) : ProblemResponse(result.error(), request_id);
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
  response.SetHeader("X-Request-Id", request_id);
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
                  .count();
  LogAccess(request, response, request_id, route_pattern, ms);
  return response;
}

Response Pipeline::Refuse(const Request& partial, int status, std::string_view code,
                          std::string_view detail) {
  std::string request_id = RequestIdFor(partial);
  std::string_view title = status == 413   ? "Body too large"
                           : status == 431 ? "Headers too large"
                           : status >= 500 ? "Internal error"
                                           : "Malformed request";
  Response response = ProblemResponse(status, code, title, detail, request_id);
  response.SetHeader("X-Request-Id", request_id);
  response.close = true;
  LogAccess(partial, response, request_id, "", 0);
  return response;
}

void Pipeline::LogAccess(const Request& request, const Response& response,
                         std::string_view request_id, std::string_view route, double duration_ms) {
  // The query string is left out: it is the one part of a URL that may carry secrets.
  nlohmann::json line = {{"ts", core::FormatRfc3339(core::NowMs())},
                         {"event", "access"},
                         {"request_id", request_id},
                         {"method", request.method},
                         {"path", request.Path()},
                         {"route", route},
                         {"status", response.status},
                         {"duration_ms", static_cast<int64_t>(duration_ms * 1000) / 1000.0},
                         {"remote", request.remote_address}};
  access_log_.Write(line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace bulkhead::http
