#include <cstdio>
#include <thread>

#include <nlohmann/json.hpp>

#include "api/handlers.hpp"
#include "api/routes.hpp"
#include "cli/commands.hpp"
#include "cli/data_dir.hpp"
#include "core/time.hpp"
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
  server_options.worker_threads = std::max(4, server_options.io_threads * 2);

  service::ServiceConfig config;
  config.session_ttl_ms = options.session_ttl_seconds * 1000;
  config.base_domain = options.base_domain;
  // One catalog connection per thread that can touch it, so nobody waits for a connection.
  int pool = server_options.io_threads + server_options.worker_threads;
  auto data = OpenDataDirectory(options.data, pool, config);
  if (!data.ok()) {
    std::fprintf(stderr, "bulkhead: %s\n", data.error().message.c_str());
    return 1;
  }

  service::OrganizationService organizations(*data->env);
  service::AccountService accounts(*data->env, organizations);
  service::MemberService members(*data->env);
  service::AuditService audit(*data->env);
  service::TenantResolver resolver(*data->env);
  api::Services services{*data->env, accounts, organizations, members, audit,
                         options.session_ttl_seconds};
  http::Router router(api::BuildRoutes(services));
  http::LineWriter log(stdout);
  http::Pipeline pipeline(router, accounts, resolver, log, {options.base_domain});

  try {
    http::Server server(server_options, pipeline);
    server.Listen();
    // Written directly and flushed: tests and scripts wait for this line to learn the port.
    nlohmann::json listening = {{"ts", core::FormatRfc3339(core::NowMs())},
                                {"event", "listening"},
                                {"address", server_options.host + ":" + std::to_string(server.port())},
                                {"data", options.data},
                                {"base_domain", options.base_domain},
                                {"threads", server_options.io_threads}};
    std::printf("%s\n", listening.dump().c_str());
    std::fflush(stdout);
    server.Run();
  } catch (const std::exception& e) {
    Event(log, {{"event", "fatal"}, {"error", e.what()}});
    log.Stop();
    std::fprintf(stderr, "bulkhead: %s\n", e.what());
    return 1;
  }
  Event(log, {{"event", "stopped"}});
  log.Stop();
  return 0;  // databases close as `data` goes out of scope
}

}  // namespace bulkhead::cli
