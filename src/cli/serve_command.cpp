// `bulkhead serve`: the flags parsed (serve_config.cpp), the storage opened and migrated, then
// the App (app.hpp) built and served until SIGTERM.

#include <cstdio>

#include <nlohmann/json.hpp>

#include "cli/app.hpp"
#include "cli/commands.hpp"
#include "cli/data_dir.hpp"
#include "cli/master_key.hpp"
#include "cli/serve_config.hpp"
#include "core/time.hpp"
#include "service/change_feed.hpp"
#include "service/event_relay.hpp"
#include "service/tenant_migrator.hpp"
#include "service/webhook_dispatcher.hpp"
#include "store/change_listener.hpp"

namespace bulkhead::cli {
namespace {

constexpr int kRoutingLogsKept = 5;

void Event(http::LineWriter& out, nlohmann::json fields) {
  fields["ts"] = core::FormatRfc3339(core::NowMs());
  out.Write(fields.dump());
}

// The storage `serve` runs on: opened, its keys checked against the master key, and every
// tenant migrated under the migration lock. nullopt after printing why (`exit_code` set).
std::optional<DataDirectory> OpenServeStorage(const ServeConfig& config, int& exit_code) {
  exit_code = 1;
  auto refuse = [](const std::string& why) {
    Fail(why);
    return std::nullopt;
  };
  auto data = OpenDataDirectory(config.storage, config.service);  // migrates the catalog
  if (!data.ok()) return refuse(data.error().message);
  // Data keys sealed by a master this server was not given would fail at their first use;
  // refuse now, naming the keys (instances on one database must share the master key).
  if (auto unknown = data->env->keys.UnknownMasters(*data->catalog); !unknown.ok()) {
    return refuse(unknown.error().message);
  } else if (!unknown->empty()) {
    std::string ids;
    for (const auto& id : *unknown) ids += (ids.empty() ? "" : ", ") + id;
    exit_code = Fail("organization data keys in this database are sealed by master key " + ids +
                         ", but this server's master key is " + data->env->keys.master_key_id() +
                         ". Start it with that key (--master-key-file or " + kMasterKeyVariable +
                         "), or add it as --previous-master-key-file during a rotation.",
                     2);
    return std::nullopt;
  }
  // Tenants too, under the same lock as `bulkhead migrate`.
  auto lock = LockMigrations(*data, config.storage);
  if (!lock.ok()) return refuse(lock.error().message);
  service::TenantMigrator migrator(*data->env);
  auto summary = migrator.MigrateAll(4);
  if (!summary.ok() || !summary->failed.empty()) {
    return refuse("tenant migrations failed: " +
                  (!summary.ok() ? summary.error().message : summary->failed.front()));
  }
  return std::move(*data);
}

// Events and webhooks while the server runs: catalog events relayed into each organization's
// log, and every commit that appended events waking the dispatcher. Started before the server
// listens (so no request sees a half-set hook) and stopped after it has stopped.
class EventDelivery {
 public:
  EventDelivery(App& app, const ServeConfig& config)
      : env_(*app.data.env), relay_(env_), dispatcher_(env_, app.outbox, config.webhooks) {}
  ~EventDelivery() { Stop(); }
  EventDelivery(const EventDelivery&) = delete;
  EventDelivery& operator=(const EventDelivery&) = delete;

  void Start() {
    running_ = true;
    env_.events_committed = [this](const std::string& organization_id) {
      dispatcher_.Wake(organization_id);
    };
    dispatcher_.Start();
    relay_.Start();
  }
  void Stop() {
    if (!running_) return;
    running_ = false;
    relay_.Stop();
    dispatcher_.Stop();
    env_.events_committed = nullptr;
  }

 private:
  service::Environment& env_;
  service::EventRelay relay_;
  service::WebhookDispatcher dispatcher_;
  bool running_ = false;
};

// Serves `app` until SIGTERM, with the background work a server does (usage flushes, change
// feed, mail, events and webhooks). The exit status.
int Serve(App& app, const ServeOptions& options, const ServeConfig& config, http::LineWriter& log) {
  // Tokens are signed from the first request on: every algorithm has a key before we listen.
  if (auto st = app.signing_keys.EnsureKeys(); !st.ok()) {
    return Fail("cannot prepare the token signing keys: " + st.error().message);
  }
  // The web console's own OpenID Connect client, for this --public-url.
  if (auto client = app.oauth_clients.EnsureConsoleClient(config.service.public_url);
      !client.ok()) {
    return Fail("cannot register the web console's client: " + client.error().message);
  }
  app.outbox.Start();
  app.meter.Start(std::chrono::seconds(options.usage_flush_seconds));
  // Changes made by other processes on this data (the CLI) reach the caches within 200 ms.
  service::ChangeFeed change_feed(*app.data.env,
                                  app.data.postgres()
                                      ? store::PostgresListener(options.database_url)
                                      : store::PollingListener(),
                                  std::chrono::milliseconds(200));
  if (auto st = change_feed.Start(); !st.ok()) return Fail(st.error().message);
  EventDelivery events(app, config);
  events.Start();
  try {
    http::Server& server = app.MakeServer(config.server);
    server.Listen();
    // Written directly and flushed: tests and scripts wait for this line to learn the port.
    nlohmann::json listening = {
        {"ts", core::FormatRfc3339(core::NowMs())},
        {"event", "listening"},
        {"address", config.server.host + ":" + std::to_string(server.port())},
        {"data", options.data},
        {"database", app.data.postgres() ? "postgresql" : "sqlite"},
        {"base_domain", config.service.base_domain},
        {"routing_log", config.routing_log.string()},
        {"master_key", config.master_key_source},
        {"tls", config.tls},
        {"threads", config.server.io_threads},
        {"max_connections", server.max_connections()}};
    std::printf("%s\n", listening.dump().c_str());
    std::fflush(stdout);
    server.Run();
  } catch (const std::exception& e) {
    Event(log, {{"event", "fatal"}, {"error", e.what()}});
    log.Stop();
    return Fail(e.what());
  }
  events.Stop();
  change_feed.Stop();
  app.meter.Stop();  // flushes what is pending
  app.outbox.Stop();
  return 0;
}

}  // namespace

int RunServe(const ServeOptions& options) {
  auto config = ParseServeConfig(options);
  if (!config.ok()) return Fail(config.error().message, 2);
  if (config->master_key_source == "development") {
    std::fprintf(stderr,
                 "bulkhead: WARNING: no --master-key-file or %s: using the development master key "
                 "%s. Anyone who can read the data directory can open every secret in it. "
                 "For production, create a key with `bulkhead keys init FILE` and keep it apart "
                 "from the data.\n",
                 kMasterKeyVariable, (std::filesystem::path(options.data) / "master.key").c_str());
  }
  int exit_code = 0;
  auto data = OpenServeStorage(*config, exit_code);
  if (!data) return exit_code;
  http::LineWriter log(stdout);
  std::unique_ptr<http::LineWriter> routing_log;
  try {
    routing_log = std::make_unique<http::LineWriter>(std::make_unique<http::RotatingFileSink>(
        config->routing_log, static_cast<std::uintmax_t>(options.routing_log_max_bytes),
        kRoutingLogsKept));
  } catch (const std::exception& e) {
    return Fail(std::string("--routing-log: ") + e.what());
  }
  int status;
  {
    App app(std::move(*data), {.dns_server = config->dns_server,
                               .mail = config->mail,
                               .session_ttl_seconds = options.session_ttl_seconds,
                               .access_log = &log,
                               .routing_log = routing_log.get(),
                               .console_dir = options.console_dir});
    if (!app.console.built()) {
      std::fprintf(stderr,
                   "bulkhead: WARNING: the web console is not built (no index.html in %s): "
                   "/console/ answers 503 until it is. Run `make` (it builds console/dist with "
                   "npm), or pass --console-dir.\n",
                   options.console_dir.c_str());
    }
    status = Serve(app, options, *config, log);
  }  // the server, services and databases close here, in reverse order
  if (status != 0) return status;
  routing_log->Stop();
  Event(log, {{"event", "stopped"}});
  log.Stop();
  return 0;
}

}  // namespace bulkhead::cli
