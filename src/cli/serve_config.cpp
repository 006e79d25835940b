#include "cli/serve_config.hpp"

#include <algorithm>
#include <thread>

#include "cli/master_key.hpp"
#include "core/hostname.hpp"
#include "service/event_relay.hpp"

namespace bulkhead::cli {
namespace {

using core::Error;
using core::ErrorCode;

Error FlagError(std::string message) {
  return Error::Make(ErrorCode::kValidationFailed, std::move(message));
}

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

http::ServerOptions ServerOptionsFor(const ServeOptions& options) {
  http::ServerOptions server;
  int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  server.io_threads = options.threads > 0 ? options.threads : cores;
  // Workers mostly wait: for a group commit's fsync (the more writers wait together, the more
  // one fsync covers).
  server.worker_threads = std::max(32, server.io_threads * 8);
  server.worker_queue = static_cast<std::size_t>(options.worker_queue);
  // argon2id is CPU-bound: one core is always left to the I/O threads and the other lanes.
  server.hash_threads = options.hash_threads > 0 ? options.hash_threads : std::max(1, cores - 1);
  server.hash_queue = static_cast<std::size_t>(options.hash_queue);
  // Outbound calls wait on other hosts (DNS, up to 3 s each), not on the CPU.
  server.outbound_threads = 4;
  server.outbound_queue = static_cast<std::size_t>(options.outbound_queue);
  server.max_connections = static_cast<std::size_t>(options.max_connections);
  server.max_connections_per_client = static_cast<std::size_t>(options.max_connections_per_client);
  server.max_buffered_body_bytes = static_cast<std::size_t>(options.max_buffered_body_bytes);
  server.tls_cert_file = options.tls_cert;
  server.tls_key_file = options.tls_key;
  return server;
}

}  // namespace

core::Result<ServeConfig> ParseServeConfig(const ServeOptions& options) {
  ServeConfig c;
  c.server = ServerOptionsFor(options);
  if (!ParseListen(options.listen, c.server.host, c.server.port)) {
    return FlagError("--listen must be host:port, got '" + options.listen + "'");
  }
  auto base_domain = core::NormalizeHostname(options.base_domain);
  if (!base_domain.ok()) return FlagError("--base-domain: " + base_domain.error().message);
  if (!options.dns_server.empty()) {
    auto parsed = service::ParseDnsServer(options.dns_server);
    if (!parsed.ok()) return FlagError("--dns-server: " + parsed.error().message);
    c.dns_server = *parsed;
  }

  c.service.session_ttl_ms = options.session_ttl_seconds * 1000;
  c.service.base_domain = *base_domain;
  c.service.invitation_ttl_ms = options.invitation_ttl_seconds * 1000;
  c.service.max_organizations_per_user = options.max_organizations_per_user;
  c.service.organization_creation_per_hour = options.organization_creation_rate;
  c.service.access_token_ttl_ms = options.access_token_ttl_seconds * 1000;
  c.service.refresh_token_ttl_ms = options.refresh_token_ttl_seconds * 1000;
  c.service.refresh_token_idle_ttl_ms = options.refresh_token_idle_ttl_seconds * 1000;
  auto plans = LoadPlans(options.plans_file);
  if (!plans.ok()) return FlagError("--plans: " + plans.error().message);
  c.service.plans = *plans;
  if (options.tls_cert.empty() != options.tls_key.empty()) {
    return FlagError("--tls-cert and --tls-key go together");
  }
  c.tls = !options.tls_cert.empty();
  c.service.public_url = options.public_url.empty()
                             ? std::string(c.tls ? "https://" : "http://") + options.listen
                             : options.public_url;
  if (c.service.public_url.rfind("http://", 0) != 0 &&
      c.service.public_url.rfind("https://", 0) != 0) {
    return FlagError("--public-url must start with http:// or https://");
  }
  if (!options.smtp_url.empty() && options.smtp_url.rfind("smtp://", 0) != 0 &&
      options.smtp_url.rfind("smtps://", 0) != 0) {
    return FlagError("--smtp-url must start with smtp:// or smtps://");
  }
  c.mail = service::MailConfig{
      std::filesystem::path(options.data) / "outbox",
      options.smtp_url.empty() ? std::nullopt : std::optional<std::string>(options.smtp_url),
      options.mail_from};

  auto master_key = LoadMasterKey(options.master_key_file, options.data);
  if (!master_key.ok()) return FlagError("master key: " + master_key.error().message);
  c.master_key_source = master_key->source;
  c.storage.master_key = std::move(master_key->key);
  auto previous_keys = LoadPreviousMasterKeys(options.previous_master_key_files);
  if (!previous_keys.ok()) {
    return FlagError("--previous-master-key-file: " + previous_keys.error().message);
  }
  c.storage.previous_master_keys = std::move(*previous_keys);
  c.storage.data = options.data;
  c.storage.database_url = options.database_url;
  // One catalog connection per thread that can touch it, so nobody waits for a connection.
  c.storage.pool_size = options.pool_size > 0
                            ? options.pool_size
                            : c.server.io_threads + c.server.worker_threads +
                                  c.server.hash_threads + c.server.outbound_threads + 2;
  auto retry_schedule = service::ParseRetrySchedule(options.webhook_retry_schedule);
  if (!retry_schedule.ok()) {
    return FlagError("--webhook-retry-schedule: " + retry_schedule.error().message);
  }
  auto webhook_timeout = service::ParseDurationMs(options.webhook_timeout);
  if (!webhook_timeout.ok() || *webhook_timeout < 1 || *webhook_timeout > 300'000) {
    return FlagError("--webhook-timeout: must be a duration from 1ms to 5m, such as 10s; got '" +
                     options.webhook_timeout + "'");
  }
  auto event_retention = service::ParseDurationMs(options.event_retention);
  if (!event_retention.ok() || *event_retention < 60'000) {
    return FlagError("--event-retention: must be a duration of at least 1m, such as 30d; got '" +
                     options.event_retention + "'");
  }
  c.webhooks = {.workers = options.webhook_workers,
                .timeout_ms = *webhook_timeout,
                .retry_schedule_ms = std::move(*retry_schedule),
                .allow_private = options.allow_private_webhooks};
  c.service.allow_private_webhooks = options.allow_private_webhooks;
  c.service.event_retention_ms = *event_retention;
  // The webhook workers and their sweeper read the catalog too, and the event relay's sweep
  // writes several organizations at once (its first is among the two above).
  c.storage.pool_size +=
      options.pool_size > 0 ? 0 : options.webhook_workers + 1 + service::kEventSweepThreads - 1;
  c.routing_log = options.routing_log.empty()
                      ? std::filesystem::path(options.data) / "logs" / "routing.jsonl"
                      : std::filesystem::path(options.routing_log);
  return c;
}

}  // namespace bulkhead::cli
