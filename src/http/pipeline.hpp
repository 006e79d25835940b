#pragma once
// The request pipeline: request id -> route -> authenticate -> resolve tenant -> authorize ->
// handler -> render, then one access-log line. It is the Handler the server calls, and a plain
// function from Request to Response that tests can call without a socket.
// Thread-safety: thread-safe (all state is immutable or owned by thread-safe services).

#include <string>

#include "http/access_log.hpp"
#include "http/message.hpp"
#include "http/router.hpp"
#include "service/account_service.hpp"
#include "service/tenant_resolver.hpp"

namespace bulkhead::http {

struct PipelineOptions {
  std::string base_domain = "localhost";
};

class Pipeline final : public Handler {
 public:
  Pipeline(const Router& router, service::AccountService& accounts,
           service::TenantResolver& resolver, LineWriter& access_log, PipelineOptions options);

  bool IsBlocking(const Request& request) const override;
  Response Handle(Request& request) override;
  Response Refuse(const Request& partial, int status, std::string_view code,
                  std::string_view detail) override;

 private:
  core::Result<Response> Dispatch(RequestContext& context, const Route& route);
  core::Status Authenticate(RequestContext& context, const Route& route);
  service::TenantSignals Signals(const RequestContext& context) const;
  void LogAccess(const Request& request, const Response& response, std::string_view request_id,
                 std::string_view route, double duration_ms);

  const Router& router_;
  service::AccountService& accounts_;
  service::TenantResolver& resolver_;
  LineWriter& access_log_;
  PipelineOptions options_;
};

// The request id to use: the client's X-Request-Id when it is 1-128 of [A-Za-z0-9._:-],
// otherwise a new one.
std::string RequestIdFor(const Request& request);
// The value of cookie `name` in a Cookie header, or empty.
std::string_view CookieValue(std::string_view cookie_header, std::string_view name);
// The organization slug that a Host names under `base_domain` ("acme.example.com:8080" ->
// "acme" for base "example.com"), or empty: the base domain itself and other hosts name none.
std::string SubdomainOf(std::string_view host, std::string_view base_domain);

}  // namespace bulkhead::http
