#include <cstdio>
#include <thread>

#include <nlohmann/json.hpp>

#include "api/handlers.hpp"
#include "api/routes.hpp"
#include "cli/commands.hpp"
#include "cli/data_dir.hpp"
#include "cli/master_key.hpp"
#include "core/hostname.hpp"
#include "core/time.hpp"
#include "service/change_feed.hpp"
#include "store/change_listener.hpp"
#include "service/dns_txt_resolver.hpp"
#include "service/domain_service.hpp"
#include "service/tenant_migrator.hpp"
#include "http/access_log.hpp"
#include "http/pipeline.hpp"
#include "http/router.hpp"
#include "http/server.hpp"

namespace bulkhead::cli {
namespace {

bool ParseListen(const std::string& listen, std::string& host, uint16_t& port) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  try {
    int p = std::stoi(listen.substr(colon + 1));
    if (p < 0 || p > 65535) return false;
    port = static_cast<uint16_t>(p);
  } catch (...) {
    return false;
  }
  return true;
}

constexpr auto kDnsTimeout = std::chrono::seconds(3);
constexpr int kRoutingLogsKept = 5;

void Event(http::LineWriter& out, nlohmann::json fields) {
  fields["ts"] = core::FormatRfc3339(core::NowMs());
  out.Write(fields.dump());
}

}  // namespace

int RunServe(const ServeOptions& options) {
  http::ServerOptions server_options;
  if (!ParseListen(options.listen, server_options.host, server_options.port)) {
    std::fprintf(stderr, "bulkhead: --listen must be host:port, got '%s'\n",
                 options.listen.c_str());
    return 2;
  }
  int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  server_options.io_threads = options.threads > 0 ? options.threads : cores;
  // Workers mostly wait: for a group commit's fsync (the more writers wait together, the more
  // one fsync covers).
  server_options.worker_threads = std::max(32, server_options.io_threads * 8);
  server_options.worker_queue = static_cast<std::size_t>(options.worker_queue);
  // argon2id is CPU-bound: one core is always left to the I/O threads and the other lanes.
  server_options.hash_threads = options.hash_threads > 0 ? options.hash_threads
                                                         : std::max(1, cores - 1);
  server_options.hash_queue = static_cast<std::size_t>(options.hash_queue);
  // Outbound calls wait on other hosts (DNS, up to kDnsTimeout each), not on the CPU.
  server_options.outbound_threads = 4;
  server_options.outbound_queue = static_cast<std::size_t>(options.outbound_queue);
  server_options.max_connections = static_cast<std::size_t>(options.max_connections);
  server_options.max_connections_per_client =
      static_cast<std::size_t>(options.max_connections_per_client);
  server_options.max_buffered_body_bytes =
      static_cast<std::size_t>(options.max_buffered_body_bytes);

  auto base_domain = core::NormalizeHostname(options.base_domain);
  if (!base_domain.ok()) {
    std::fprintf(stderr, "bulkhead: --base-domain: %s\n", base_domain.error().message.c_str());
    return 2;
  }
  std::optional<service::DnsServerAddress> dns_server;
  if (!options.dns_server.empty()) {
    auto parsed = service::ParseDnsServer(options.dns_server);
    if (!parsed.ok()) {
      std::fprintf(stderr, "bulkhead: --dns-server: %s\n", parsed.error().message.c_str());
      return 2;
    }
    dns_server = *parsed;
  }

  service::ServiceConfig config;
  config.session_ttl_ms = options.session_ttl_seconds * 1000;
  config.base_domain = *base_domain;
  config.invitation_ttl_ms = options.invitation_ttl_seconds * 1000;
  config.max_organizations_per_user = options.max_organizations_per_user;
  config.organization_creation_per_hour = options.organization_creation_rate;
  auto plans = LoadPlans(options.plans_file);
  if (!plans.ok()) {
    std::fprintf(stderr, "bulkhead: --plans: %s\n", plans.error().message.c_str());
    return 2;
  }
  config.plans = *plans;
  if (options.tls_cert.empty() != options.tls_key.empty()) {
    std::fprintf(stderr, "bulkhead: --tls-cert and --tls-key go together\n");
    return 2;
  }
  server_options.tls_cert_file = options.tls_cert;
  server_options.tls_key_file = options.tls_key;
  bool tls = !options.tls_cert.empty();
  config.public_url = options.public_url.empty()
                          ? std::string(tls ? "https://" : "http://") + options.listen
                          : options.public_url;
  if (config.public_url.rfind("http://", 0) != 0 && config.public_url.rfind("https://", 0) != 0) {
    std::fprintf(stderr, "bulkhead: --public-url must start with http:// or https://\n");
    return 2;
  }
  if (!options.smtp_url.empty() && options.smtp_url.rfind("smtp://", 0) != 0 &&
      options.smtp_url.rfind("smtps://", 0) != 0) {
    std::fprintf(stderr, "bulkhead: --smtp-url must start with smtp:// or smtps://\n");
    return 2;
  }
  auto master_key = LoadMasterKey(options.master_key_file, options.data);
  if (!master_key.ok()) {
    std::fprintf(stderr, "bulkhead: master key: %s\n", master_key.error().message.c_str());
    return 2;
  }
  if (master_key->source == "development") {
    std::fprintf(stderr,
                 "bulkhead: WARNING: no --master-key-file or %s: using the development master key "
                 "%s. Anyone who can read the data directory can open every secret in it. "
                 "For production, create a key with `bulkhead keys init FILE` and keep it apart "
                 "from the data.\n",
                 kMasterKeyVariable, (std::filesystem::path(options.data) / "master.key").c_str());
  }
  // One catalog connection per thread that can touch it, so nobody waits for a connection.
  StorageOptions storage;
  storage.master_key = std::move(master_key->key);
  auto previous_keys = LoadPreviousMasterKeys(options.previous_master_key_files);
  if (!previous_keys.ok()) {
    std::fprintf(stderr, "bulkhead: --previous-master-key-file: %s\n",
                 previous_keys.error().message.c_str());
    return 2;
  }
  storage.previous_master_keys = std::move(*previous_keys);
  storage.data = options.data;
  storage.database_url = options.database_url;
  storage.pool_size = options.pool_size > 0
                          ? options.pool_size
                          : server_options.io_threads + server_options.worker_threads +
                                server_options.hash_threads + server_options.outbound_threads + 2;
  auto data = OpenDataDirectory(storage, config);  // migrates the catalog
  if (!data.ok()) {
    std::fprintf(stderr, "bulkhead: %s\n", data.error().message.c_str());
    return 1;
  }
  // Data keys sealed by a master this server was not given would fail at their first use;
  // refuse now, naming the keys (instances on one database must share the master key).
  if (auto unknown = data->env->keys.UnknownMasters(*data->catalog); !unknown.ok()) {
    std::fprintf(stderr, "bulkhead: %s\n", unknown.error().message.c_str());
    return 1;
  } else if (!unknown->empty()) {
    std::string ids;
    for (const auto& id : *unknown) ids += (ids.empty() ? "" : ", ") + id;
    std::fprintf(stderr,
                 "bulkhead: organization data keys in this database are sealed by master key %s, "
                 "but this server's master key is %s. Start it with that key (--master-key-file or "
                 "%s), or add it as --previous-master-key-file during a rotation.\n",
                 ids.c_str(), data->env->keys.master_key_id().c_str(), kMasterKeyVariable);
    return 2;
  }
  {
    // Tenants too, under the same lock as `bulkhead migrate`.
    auto lock = LockMigrations(*data, storage);
    if (!lock.ok()) {
      std::fprintf(stderr, "bulkhead: %s\n", lock.error().message.c_str());
      return 1;
    }
    service::TenantMigrator migrator(*data->env);
    auto summary = migrator.MigrateAll(4);
    if (!summary.ok() || !summary->failed.empty()) {
      std::fprintf(stderr, "bulkhead: tenant migrations failed: %s\n",
                   !summary.ok() ? summary.error().message.c_str() : summary->failed.front().c_str());
      return 1;
    }
  }

  service::OrganizationService organizations(*data->env);
  service::AccountService accounts(*data->env, organizations);
  service::MemberService members(*data->env);
  service::AuditService audit(*data->env);
  service::TenantResolver resolver(*data->env);
  service::TxtResolver dns(dns_server, kDnsTimeout);
  service::DomainService domains(*data->env, resolver, dns);
  service::WorkspaceService workspaces(*data->env);
  service::ResourceService resources(*data->env);
  service::MailOutbox outbox(service::MailConfig{
      std::filesystem::path(options.data) / "outbox",
      options.smtp_url.empty() ? std::nullopt : std::optional<std::string>(options.smtp_url),
      options.mail_from});
  outbox.Start();
  service::InvitationService invitations(*data->env, outbox);
  service::ApiKeyService api_keys(*data->env);
  service::UsageMeter meter(*data->env);
  service::UsageService usage(*data->env, &meter);
  api::Services services{*data->env, accounts,   organizations, members,     audit,
                         domains,    workspaces, resources,     invitations, api_keys,
                         options.session_ttl_seconds};
  services.usage = &usage;
  service::SecretService secrets(*data->env);
  services.secrets = &secrets;
  services.meter = &meter;
  services.started_ms = core::NowMs();
  http::Router router(api::BuildRoutes(services));
  http::HttpMetrics metrics(router);
  services.metrics = &metrics;
  http::LineWriter log(stdout);
  std::filesystem::path routing_path = options.routing_log.empty()
                                           ? std::filesystem::path(options.data) / "logs" / "routing.jsonl"
                                           : std::filesystem::path(options.routing_log);
  std::unique_ptr<http::LineWriter> routing_log;
  try {
    routing_log = std::make_unique<http::LineWriter>(std::make_unique<http::RotatingFileSink>(
        routing_path, static_cast<std::uintmax_t>(options.routing_log_max_bytes), kRoutingLogsKept));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bulkhead: --routing-log: %s\n", e.what());
    return 1;
  }
  http::Pipeline pipeline(router, accounts, api_keys, resolver, workspaces, log, routing_log.get(),
                          {*base_domain, &metrics, &meter});
  meter.Start(std::chrono::seconds(options.usage_flush_seconds));
  // Changes made by other processes on this data (the CLI) reach the caches within 200 ms.
  service::ChangeFeed change_feed(
      *data->env,
      data->postgres() ? store::PostgresListener(options.database_url) : store::PollingListener(),
      std::chrono::milliseconds(200));
  if (auto st = change_feed.Start(); !st.ok()) {
    std::fprintf(stderr, "bulkhead: %s\n", st.error().message.c_str());
    return 1;
  }

  try {
    http::Server server(server_options, pipeline);
    server.Listen();
    // Written directly and flushed: tests and scripts wait for this line to learn the port.
    nlohmann::json listening = {{"ts", core::FormatRfc3339(core::NowMs())},
                                {"event", "listening"},
                                {"address", server_options.host + ":" + std::to_string(server.port())},
                                {"data", options.data},
                                {"database", data->postgres() ? "postgresql" : "sqlite"},
                                {"base_domain", *base_domain},
                                {"routing_log", routing_path.string()},
                                {"master_key", master_key->source},
                                {"tls", tls},
                                {"threads", server_options.io_threads},
                                {"max_connections", server.max_connections()}};
    std::printf("%s\n", listening.dump().c_str());
    std::fflush(stdout);
    server.Run();
  } catch (const std::exception& e) {
    Event(log, {{"event", "fatal"}, {"error", e.what()}});
    log.Stop();
    std::fprintf(stderr, "bulkhead: %s\n", e.what());
    return 1;
  }
  change_feed.Stop();
  meter.Stop();  // flushes what is pending
  outbox.Stop();
  routing_log->Stop();
  Event(log, {{"event", "stopped"}});
  log.Stop();
  return 0;  // databases close as `data` goes out of scope
}

}  // namespace bulkhead::cli
