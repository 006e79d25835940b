#include "http/pipeline.hpp"

#include <strings.h>

#include <chrono>

#include <nlohmann/json.hpp>

#include "core/time.hpp"
#include "core/uuid.hpp"
#include "http/json_line.hpp"
#include "http/problem.hpp"

namespace bulkhead::http {

using core::Error;
using core::ErrorCode;

namespace {

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

}  // namespace

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

bool IsStateChanging(std::string_view method) {
  return method != "GET" && method != "HEAD" && method != "OPTIONS";
}

Pipeline::Pipeline(const Router& router, Application& application, LineWriter& access_log,
                   PipelineOptions options)
    : router_(router), application_(application), access_log_(access_log), options_(options) {}

bool Pipeline::Mounted(std::string_view path) const {
  if (!options_.mount) return false;
  std::string_view prefix = options_.mount->prefix();
  return path.starts_with(prefix) && (path.size() == prefix.size() || path[prefix.size()] == '/');
}

Lane Pipeline::LaneOf(Request& request) const {
  if (Mounted(request.Path())) return Lane::kInline;
  // The application says where each route runs; what matches no route is answered inline.
  request.match = router_.Match(request.method, request.Path());
  return request.match->found() ? application_.LaneOf(request.match->route) : Lane::kInline;
}

Response Pipeline::Handle(Request& request) {
  auto started = std::chrono::steady_clock::now();
  std::string request_id = RequestIdFor(request);
  bool mounted = Mounted(request.Path());
  RouteMatch match = request.match ? std::move(*request.match)
                     : mounted     ? RouteMatch{}
                                   : router_.Match(request.method, request.Path());
  Response response;
  std::string_view route_pattern;
  std::string mount_pattern;
  if (mounted) {
    mount_pattern = std::string(options_.mount->prefix()) + "/*";
    route_pattern = mount_pattern;
    try {
      response = options_.mount->Serve(request, request_id);
    } catch (const std::exception& e) {
      LogError("internal_error", request_id, route_pattern, e.what());
      response = ProblemResponse(Error::Internal(e.what()), request_id);
    }
  } else if (!match.found()) {
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
    application_.Undispatched(request, request_id, nullptr);
  } else {
    route_pattern = router_.routes()[match.route].pattern;
    try {
      auto result = application_.Dispatch(request, request_id, match);
      if (!result.ok() && IsServerError(result.error().code)) {
        // The caller sees "internal error"; the operator needs the cause.
        LogError("internal_error", request_id, route_pattern, result.error().message);
      }
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
  SetCommonHeaders(response, request_id, request.secure);
  double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  LogAccess(request, response, request_id, route_pattern, ms);
  if (options_.metrics) options_.metrics->Observe(match.route, response.status, ms / 1000.0);
  return response;
}

Response Pipeline::Refuse(const Request& partial, const core::Error& refusal) {
  std::string request_id = RequestIdFor(partial);
  Response response = ProblemResponse(refusal, request_id);
  SetCommonHeaders(response, request_id, partial.secure);
  response.close = true;
  LogAccess(partial, response, request_id, "", 0);
  application_.Undispatched(partial, request_id, &refusal);
  return response;
}

void Pipeline::LogError(std::string_view event, std::string_view request_id, std::string_view route,
                        std::string_view what) {
  access_log_.Write(JsonLine()
                        .Add("ts", core::FormatRfc3339(core::NowMs()))
                        .Add("level", "error")
                        .Add("event", event)
                        .Add("request_id", request_id)
                        .Add("route", route)
                        .Add("error", what)
                        .Finish());
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
