#pragma once
// The server as one object, built in construction order: store -> services -> routes ->
// pipeline -> server (the server last, and only by `serve`). `bulkhead serve`, the benchmarks
// and any test that wants the real wiring in-process build this same App, so that none of them
// wires the layers its own way. Members are destroyed in reverse: the server first, the store
// last.
// Thread-safety: built and torn down on one thread; its parts are thread-safe as documented.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>

#include "api/console_assets.hpp"
#include "api/gate.hpp"
#include "api/handlers.hpp"
#include "api/route.hpp"
#include "cli/data_dir.hpp"
#include "http/access_log.hpp"
#include "http/metrics.hpp"
#include "http/pipeline.hpp"
#include "http/server.hpp"
#include "service/account_lifecycle.hpp"
#include "service/dns_txt_resolver.hpp"
#include "service/grant_service.hpp"
#include "service/integration_service.hpp"
#include "service/mail_outbox.hpp"
#include "service/oauth_clients.hpp"
#include "service/oauth_provider.hpp"
#include "service/oidc_upstream.hpp"
#include "service/role_service.hpp"
#include "service/scim_service.hpp"
#include "service/signing_keys.hpp"
#include "service/usage_meter.hpp"

namespace bulkhead::cli {

struct AppOptions {
  std::optional<service::DnsServerAddress> dns_server;  // none: /etc/resolv.conf's
  std::chrono::milliseconds dns_timeout = std::chrono::seconds(3);
  service::MailConfig mail;  // its outbox directory: DATA/outbox for `serve`
  int64_t session_ttl_seconds = 14 * 24 * 3600;
  http::LineWriter* access_log = nullptr;   // none: access lines are dropped
  http::LineWriter* routing_log = nullptr;  // none: no routing log
  std::filesystem::path console_dir;        // the built web console; none: not built (503)
};

class App {
 public:
  // `data` is opened (and its catalog migrated) by the caller: OpenDataDirectory.
  App(DataDirectory data, AppOptions options);
  App(const App&) = delete;
  App& operator=(const App&) = delete;

  // The server on this App's pipeline (once).
  http::Server& MakeServer(http::ServerOptions options);

 private:
  AppOptions options_;
  std::unique_ptr<http::LineWriter> discarded_log_;  // when no access log is given

 public:
  // Store.
  DataDirectory data;
  // Services.
  service::OrganizationService organizations;
  service::AccountService accounts;
  service::MemberService members;
  service::AuditService audit;
  service::TenantResolver resolver;
  service::TxtResolver dns;
  service::DomainService domains;
  service::WorkspaceService workspaces;
  service::ResourceService resources;
  service::MailOutbox outbox;
  service::InvitationService invitations;
  // Built after the outbox it mails through; `accounts` holds its address from the start (and
  // calls it only once requests arrive).
  service::AccountLifecycle lifecycle;
  service::ApiKeyService api_keys;
  service::UsageMeter meter;
  service::UsageService usage;
  service::SecretService secrets;
  // The OpenID Provider.
  service::SigningKeys signing_keys;  // serve calls EnsureKeys before it listens
  service::OAuthClients oauth_clients;
  service::OAuthProvider oauth_provider;
  // SCIM provisioning (/scim/v2/).
  service::ScimService scim;
  // Enterprise SSO's OpenID Connect relying party (its discovery and JWKS caches).
  service::OidcUpstream oidc_upstream;
  // Sharing grants (…/grants, …/incoming-grants, …/shared).
  service::GrantService grants;
  // Custom roles.
  service::RoleService roles;
  // Organization integrations (cloud connections, credentials sealed).
  service::IntegrationService integrations;
  api::Services services;
  // Routes.
  api::RouteTable routes;
  http::HttpMetrics metrics;
  // Pipeline.
  api::Gate gate;
  api::ConsoleAssets console;  // /console/, answered before the router
  http::Pipeline pipeline;
  // Server (serve only).
  std::unique_ptr<http::Server> server;
};

}  // namespace bulkhead::cli
