// bulkhead: the server and its operator commands.

#include <CLI/CLI.hpp>

#include "cli/commands.hpp"

int main(int argc, char** argv) {
  using namespace bulkhead::cli;
  CLI::App app{"Bulkhead: a multi-tenant organizations server"};
  app.require_subcommand(1);

  ServeOptions serve;
  auto* serve_cmd = app.add_subcommand("serve", "Serve the HTTP API");
  serve_cmd->add_option("--listen", serve.listen, "host:port to listen on (port 0: any free port)")
      ->capture_default_str();
  serve_cmd->add_option("--data", serve.data, "data directory")->capture_default_str();
  serve_cmd->add_option("--base-domain", serve.base_domain,
                        "organizations are served at <slug>.<base-domain>")
      ->capture_default_str();
  serve_cmd->add_option("--threads", serve.threads, "I/O threads (0: one per core)")
      ->check(CLI::Range(0, 256))
      ->capture_default_str();
  serve_cmd->add_option("--session-ttl", serve.session_ttl_seconds,
                        "seconds of inactivity after which a session expires")
      ->check(CLI::Range(int64_t{60}, int64_t{365} * 24 * 3600))
      ->capture_default_str();

  std::string data = "./data";
  bool json = false;
  std::string slug;
  auto* org_cmd = app.add_subcommand("org", "Inspect organizations");
  org_cmd->require_subcommand(1);
  auto* list_cmd = org_cmd->add_subcommand("list", "List every organization");
  list_cmd->add_option("--data", data, "data directory")->capture_default_str();
  list_cmd->add_flag("--json", json, "print JSON");
  auto* show_cmd = org_cmd->add_subcommand("show", "Show one organization");
  show_cmd->add_option("slug", slug, "the organization's slug")->required();
  show_cmd->add_option("--data", data, "data directory")->capture_default_str();
  show_cmd->add_flag("--json", json, "print JSON");

  CLI11_PARSE(app, argc, argv);
  if (serve_cmd->parsed()) return RunServe(serve);
  if (list_cmd->parsed()) return RunOrgList(data, json);
  if (show_cmd->parsed()) return RunOrgShow(data, slug, json);
  return 2;
}
