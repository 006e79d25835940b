#include "cli/app.hpp"

#include <cstdio>

#include "api/routes.hpp"
#include "core/time.hpp"

namespace bulkhead::cli {
namespace {

// Where access lines go when nobody reads them (the benchmarks).
class DiscardSink final : public http::LineSink {
 public:
  void Append(const std::vector<std::string>&) override {}
};

}  // namespace

App::App(DataDirectory data_directory, AppOptions options)
    : options_(std::move(options)),
      discarded_log_(options_.access_log
                         ? nullptr
                         : std::make_unique<http::LineWriter>(std::make_unique<DiscardSink>())),
      data(std::move(data_directory)),
      organizations(*data.env),
      accounts(*data.env, organizations, &lifecycle),
      members(*data.env),
      audit(*data.env),
      resolver(*data.env),
      dns(options_.dns_server, options_.dns_timeout),
      domains(*data.env, resolver, dns),
      workspaces(*data.env),
      resources(*data.env),
      outbox(options_.mail),
      invitations(*data.env, outbox),
      lifecycle(*data.env, outbox),
      api_keys(*data.env),
      meter(*data.env),
      usage(*data.env, &meter),
      secrets(*data.env),
      signing_keys(*data.env),
      oauth_clients(*data.env),
      oauth_provider(*data.env, oauth_clients, signing_keys),
      scim(*data.env, organizations, members, workspaces, resolver),
      oidc_upstream({.allow_private = data.env->config.allow_private_webhooks}),
      grants(*data.env, resolver, workspaces, resources),
      roles(*data.env),
      integrations(*data.env),
      services{.env = *data.env,
               .accounts = accounts,
               .organizations = organizations,
               .members = members,
               .audit = audit,
               .domains = domains,
               .workspaces = workspaces,
               .resources = resources,
               .invitations = invitations,
               .api_keys = api_keys,
               .session_ttl_seconds = options_.session_ttl_seconds,
               .usage = &usage,
               .secrets = &secrets,
               .metrics = &metrics,
               .meter = &meter,
               .started_ms = core::NowMs(),
               .lifecycle = &lifecycle,
               .oauth_clients = &oauth_clients,
               .oauth = &oauth_provider,
               .signing_keys = &signing_keys,
               .scim = &scim,
               .dns = &dns,
               .oidc_upstream = &oidc_upstream,
               .grants = &grants,
               .roles = &roles,
               .integrations = &integrations},
      routes(api::BuildRoutes(services)),
      metrics(routes.router),
      gate(routes,
           {.accounts = &accounts,
            .api_keys = &api_keys,
            .resolver = &resolver,
            .workspaces = &workspaces,
            .metrics = &metrics,
            .usage = &meter,
            .oauth = &oauth_provider},
           options_.routing_log),
      console(api::ConsoleAssets::Load(options_.console_dir)),
      pipeline(routes.router, gate, options_.access_log ? *options_.access_log : *discarded_log_,
               {.metrics = &metrics, .mount = &console}) {}

http::Server& App::MakeServer(http::ServerOptions options) {
  server = std::make_unique<http::Server>(std::move(options), pipeline);
  return *server;
}

}  // namespace bulkhead::cli
