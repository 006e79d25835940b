// bulkhead: the server and its operator commands.

#include <sys/stat.h>

#include <CLI/CLI.hpp>

#include "cli/commands.hpp"

int main(int argc, char** argv) {
  using namespace bulkhead::cli;
  ::umask(077);  // every file and directory Bulkhead creates is private to its user
  CLI::App app{"Bulkhead: a multi-tenant organizations server"};
  app.require_subcommand(1);

  ServeOptions serve;
  auto* serve_cmd = app.add_subcommand("serve", "Serve the HTTP API");
  serve_cmd->add_option("--listen", serve.listen, "host:port to listen on (port 0: any free port)")
      ->capture_default_str();
  serve_cmd->add_option("--data", serve.data, "data directory (also logs and the mail outbox)")
      ->capture_default_str();
  serve_cmd->add_option("--database", serve.database_url,
                        "postgres://user:password@host:port/dbname (default: SQLite under --data)");
  serve_cmd->add_option("--pool-size", serve.pool_size, "database connections (0: one per thread)")
      ->check(CLI::Range(0, 1000))
      ->capture_default_str();
  serve_cmd
      ->add_option("--base-domain", serve.base_domain,
                   "organizations are served at <slug>.<base-domain>")
      ->capture_default_str();
  serve_cmd->add_option("--threads", serve.threads, "I/O threads (0: one per core)")
      ->check(CLI::Range(0, 256))
      ->capture_default_str();
  serve_cmd
      ->add_option("--worker-queue", serve.worker_queue,
                   "requests that may wait for a worker thread (writes); past it: 503")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  serve_cmd
      ->add_option("--hash-threads", serve.hash_threads,
                   "password-hashing threads, run at lower CPU priority (0: cores - 1, "
                   "at least 1)")
      ->check(CLI::Range(0, 256))
      ->capture_default_str();
  serve_cmd
      ->add_option("--hash-queue", serve.hash_queue,
                   "sign-ups and logins that may wait for a hashing thread; past it: 503")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  serve_cmd
      ->add_option("--outbound-queue", serve.outbound_queue,
                   "domain verifications that may wait for an outbound thread; past it: 503")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  serve_cmd
      ->add_option("--max-connections", serve.max_connections,
                   "open connections at once (clamped below the descriptor limit); past "
                   "it: 503 and close")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 24))
      ->capture_default_str();
  serve_cmd
      ->add_option("--max-connections-per-client", serve.max_connections_per_client,
                   "open connections from one client address (raise it behind a proxy)")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 24))
      ->capture_default_str();
  serve_cmd
      ->add_option("--max-buffered-body-bytes", serve.max_buffered_body_bytes,
                   "request-body bytes buffered at once by requests with bodies over "
                   "16 KiB; past it: 503")
      ->check(CLI::Range(int64_t{1} << 20, int64_t{1} << 40))
      ->capture_default_str();
  serve_cmd
      ->add_option("--session-ttl", serve.session_ttl_seconds,
                   "seconds of inactivity after which a session expires")
      ->check(CLI::Range(int64_t{1}, int64_t{365} * 24 * 3600))
      ->capture_default_str();
  serve_cmd->add_option("--routing-log", serve.routing_log,
                        "routing decisions, one JSON line each (default: DATA/logs/routing.jsonl)");
  serve_cmd
      ->add_option("--routing-log-max-bytes", serve.routing_log_max_bytes,
                   "rotate the routing log at this size (5 old files are kept)")
      ->check(CLI::Range(int64_t{4096}, int64_t{1} << 40))
      ->capture_default_str();
  serve_cmd->add_option("--public-url", serve.public_url,
                        "the URL people reach Bulkhead at, for links in mail (default: "
                        "http://<listen>)");
#ifdef BULKHEAD_CONSOLE_DIR
  serve.console_dir = BULKHEAD_CONSOLE_DIR;
#else
  serve.console_dir = "console/dist";
#endif
  serve_cmd
      ->add_option("--console-dir", serve.console_dir,
                   "the built web console served at /console/ (read at start)")
      ->capture_default_str();
  serve_cmd->add_option("--smtp-url", serve.smtp_url,
                        "smtp://host:port to deliver mail (default: write it to DATA/outbox/)");
  serve_cmd->add_option("--mail-from", serve.mail_from, "the From of outgoing mail")
      ->capture_default_str();
  serve_cmd
      ->add_option("--invitation-ttl", serve.invitation_ttl_seconds,
                   "seconds an invitation stays valid")
      ->check(CLI::Range(int64_t{1}, int64_t{365} * 24 * 3600))
      ->capture_default_str();
  serve_cmd->add_option("--plans", serve.plans_file,
                        "JSON file of plans, their features and limits (default: built-in free, "
                        "team, enterprise)");
  serve_cmd->add_option("--master-key-file", serve.master_key_file,
                        "32-byte key that seals every organization's data key (default: "
                        "$BULKHEAD_MASTER_KEY, else a development key in DATA/master.key)");
  serve_cmd->add_option("--tls-cert", serve.tls_cert,
                        "PEM certificate chain; with --tls-key the port serves HTTPS only");
  serve_cmd->add_option("--tls-key", serve.tls_key, "PEM private key of --tls-cert");
  serve_cmd->add_option("--previous-master-key-file", serve.previous_master_key_files,
                        "a former master key, to open data keys not yet sealed again by "
                        "`bulkhead keys rotate-master` (repeatable)");
  serve_cmd
      ->add_option("--usage-flush-interval", serve.usage_flush_seconds,
                   "seconds between writes of usage counts (a crash loses at most one)")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  serve_cmd
      ->add_option("--max-organizations-per-user", serve.max_organizations_per_user,
                   "team organizations one account may own (0: no limit)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  serve_cmd
      ->add_option("--organization-creation-rate", serve.organization_creation_rate,
                   "team organizations one account may create per hour (0: no limit)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  serve_cmd
      ->add_option("--access-token-ttl", serve.access_token_ttl_seconds,
                   "seconds an OpenID Connect access or ID token is valid")
      ->check(CLI::Range(int64_t{1}, int64_t{24} * 3600))
      ->capture_default_str();
  serve_cmd
      ->add_option("--refresh-token-ttl", serve.refresh_token_ttl_seconds,
                   "seconds a refresh token family lives from its sign-in, however used")
      ->check(CLI::Range(int64_t{1}, int64_t{365} * 24 * 3600))
      ->capture_default_str();
  serve_cmd
      ->add_option("--refresh-token-idle-ttl", serve.refresh_token_idle_ttl_seconds,
                   "seconds an unused refresh token stays valid")
      ->check(CLI::Range(int64_t{1}, int64_t{365} * 24 * 3600))
      ->capture_default_str();
  serve_cmd->add_option("--dns-server", serve.dns_server,
                        "host:port of the DNS server for domain verification (default: the "
                        "system resolver)");
  serve_cmd
      ->add_option("--webhook-retry-schedule", serve.webhook_retry_schedule,
                   "waits before each retry of a failed webhook delivery, comma-separated "
                   "(after the last, the event is given up)")
      ->capture_default_str();
  serve_cmd->add_flag("--allow-private-webhooks", serve.allow_private_webhooks,
                      "let webhook endpoints use http:// and private, loopback or link-local "
                      "addresses (tests and closed networks only)");
  serve_cmd
      ->add_option("--webhook-workers", serve.webhook_workers,
                   "threads that deliver webhooks (at most 2 per organization at a time)")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  serve_cmd
      ->add_option("--webhook-timeout", serve.webhook_timeout,
                   "how long one webhook attempt may take (connect, send, answer)")
      ->capture_default_str();
  serve_cmd
      ->add_option("--event-retention", serve.event_retention,
                   "how long events are kept for the events API, replays and deliveries")
      ->capture_default_str();

  StorageOptions storage;
  storage.pool_size = 1;
  auto storage_flags = [&storage](CLI::App* cmd) {
    cmd->add_option("--data", storage.data, "data directory")->capture_default_str();
    cmd->add_option("--database", storage.database_url,
                    "postgres://user:password@host:port/dbname (default: SQLite under --data)");
  };
  bool json = false;
  std::string slug;
  auto* org_cmd = app.add_subcommand("org", "Inspect organizations");
  org_cmd->require_subcommand(1);
  auto* list_cmd = org_cmd->add_subcommand("list", "List every organization");
  storage_flags(list_cmd);
  list_cmd->add_flag("--json", json, "print JSON");
  auto* show_cmd = org_cmd->add_subcommand("show", "Show one organization");
  show_cmd->add_option("slug", slug, "the organization's slug")->required();
  storage_flags(show_cmd);
  show_cmd->add_flag("--json", json, "print JSON");
  auto* suspend_cmd = org_cmd->add_subcommand("suspend", "Refuse every request to an organization");
  suspend_cmd->add_option("slug", slug, "the organization's slug")->required();
  storage_flags(suspend_cmd);
  std::string plan, plans_file;
  auto* set_plan_cmd = org_cmd->add_subcommand("set-plan", "Move an organization to another plan");
  set_plan_cmd->add_option("slug", slug, "the organization's slug")->required();
  set_plan_cmd->add_option("plan", plan, "the plan's name")->required();
  set_plan_cmd->add_option("--plans", plans_file, "the server's --plans file (default: built-in)");
  storage_flags(set_plan_cmd);
  std::string override_feature, override_limit;
  bool override_all = false;
  auto* set_override_cmd = org_cmd->add_subcommand(
      "set-override", "Grant an organization a feature or a limit above its plan");
  set_override_cmd->add_option("slug", slug, "the organization's slug")->required();
  set_override_cmd->add_option("--feature", override_feature, "a feature to grant");
  set_override_cmd->add_option("--limit", override_limit, "NAME=VALUE, replacing the plan's limit");
  storage_flags(set_override_cmd);
  auto* clear_override_cmd = org_cmd->add_subcommand(
      "clear-override", "Remove an organization's override (one feature, one limit, or all)");
  clear_override_cmd->add_option("slug", slug, "the organization's slug")->required();
  clear_override_cmd->add_option("--feature", override_feature, "the feature to remove");
  clear_override_cmd->add_option("--limit", override_limit, "the limit to remove");
  clear_override_cmd->add_flag("--all", override_all, "remove every override");
  storage_flags(clear_override_cmd);
  auto* resume_cmd = org_cmd->add_subcommand("resume", "Serve a suspended organization again");
  resume_cmd->add_option("slug", slug, "the organization's slug")->required();
  storage_flags(resume_cmd);

  std::string manifest;
  std::string base_domain = "localhost";
  auto* domains_cmd = app.add_subcommand("domains", "Custom domains");
  domains_cmd->require_subcommand(1);
  auto* check_cmd = domains_cmd->add_subcommand(
      "check",
      "Find hostnames claimed by two organizations (database and manifest); exit 1 if any");
  storage_flags(check_cmd);
  check_cmd
      ->add_option("--manifest", manifest,
                   "JSON {\"organizations\": [{\"slug\": ..., \"domains\": [...]}]}")
      ->required();
  check_cmd->add_option("--base-domain", base_domain, "the server's --base-domain")
      ->capture_default_str();

  auto* audit_cmd = app.add_subcommand("audit", "The audit log");
  audit_cmd->require_subcommand(1);
  auto* verify_cmd = audit_cmd->add_subcommand(
      "verify", "Check every audit hash chain; exit 1 naming the first broken event");
  storage_flags(verify_cmd);

  int jobs = 4;
  auto* migrate_cmd = app.add_subcommand(
      "migrate", "Apply pending catalog and tenant migrations (resumable, one run at a time)");
  storage_flags(migrate_cmd);
  migrate_cmd->add_option("--jobs", jobs, "tenants migrated in parallel")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();

  std::string from, to, format = "csv";
  auto* usage_cmd = app.add_subcommand("usage", "Usage per organization and day");
  usage_cmd->require_subcommand(1);
  auto* export_cmd = usage_cmd->add_subcommand(
      "export", "Every organization's usage per day, for billing (CSV or JSON on stdout)");
  storage_flags(export_cmd);
  export_cmd->add_option("--from", from, "first day, YYYY-MM-DD (UTC)")->required();
  export_cmd->add_option("--to", to, "last day, YYYY-MM-DD (UTC)")->required();
  export_cmd->add_option("--format", format, "csv or json")->capture_default_str();

  std::string key_path;
  auto* keys_cmd = app.add_subcommand("keys", "The master key and the token signing keys");
  keys_cmd->require_subcommand(1);
  auto* keys_init_cmd = keys_cmd->add_subcommand(
      "init", "Write a new random master key to FILE (mode 0600; never overwrites)");
  keys_init_cmd->add_option("file", key_path, "where to write it")->required();
  std::string master_key_file;
  std::vector<std::string> previous_key_files;
  auto* rotate_master_cmd = keys_cmd->add_subcommand(
      "rotate-master", "Seal every data key with the master key, opening them with previous ones");
  storage_flags(rotate_master_cmd);
  rotate_master_cmd->add_option("--master-key-file", master_key_file, "the new master key")
      ->required();
  rotate_master_cmd
      ->add_option("--previous-master-key-file", previous_key_files,
                   "the master key(s) being replaced")
      ->required();
  auto* rotate_org_cmd = keys_cmd->add_subcommand(
      "rotate", "Give one organization a new data key and seal its secrets again with it");
  storage_flags(rotate_org_cmd);
  rotate_org_cmd->add_option("--org", slug, "the organization's slug")->required();
  rotate_org_cmd->add_option(
      "--master-key-file", master_key_file,
      "the master key (default: $BULKHEAD_MASTER_KEY, else DATA/master.key)");
  std::string signing_alg;
  int64_t signing_key_publish_delay = 3600;
  auto* rotate_signing_cmd = keys_cmd->add_subcommand(
      "rotate-signing",
      "Add a token signing key per algorithm: published at once, signing after the delay");
  storage_flags(rotate_signing_cmd);
  rotate_signing_cmd->add_option("--alg", signing_alg, "RS256, ES256 or EdDSA (default: each)")
      ->check(CLI::IsMember({"RS256", "ES256", "EdDSA"}));
  rotate_signing_cmd
      ->add_option("--signing-key-publish-delay", signing_key_publish_delay,
                   "seconds between publishing the key and signing with it (relying parties "
                   "fetch it meanwhile)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  rotate_signing_cmd->add_option(
      "--master-key-file", master_key_file,
      "the master key (default: $BULKHEAD_MASTER_KEY, else DATA/master.key)");

  ClientsCreateOptions client;
  std::string client_id;
  auto* clients_cmd = app.add_subcommand("clients", "OpenID Connect clients (applications)");
  clients_cmd->require_subcommand(1);
  auto* clients_create_cmd =
      clients_cmd->add_subcommand("create", "Register a client; prints its id and secret");
  clients_create_cmd->add_option("--name", client.name, "the application's name")->required();
  clients_create_cmd
      ->add_option("--redirect-uri", client.redirect_uris, "an exact redirect URI (repeatable)")
      ->required();
  clients_create_cmd->add_option("--post-logout-redirect-uri", client.post_logout_redirect_uris,
                                 "an exact URI to return to after logout (repeatable)");
  clients_create_cmd->add_flag("--public", client.is_public,
                               "no secret (browser or native app): PKCE is required");
  clients_create_cmd->add_option("--signing-alg", client.signing_alg, "RS256, ES256 or EdDSA")
      ->check(CLI::IsMember({"RS256", "ES256", "EdDSA"}))
      ->capture_default_str();
  storage_flags(clients_create_cmd);
  auto* clients_list_cmd = clients_cmd->add_subcommand("list", "Every client, as JSON");
  storage_flags(clients_list_cmd);
  auto* clients_delete_cmd =
      clients_cmd->add_subcommand("delete", "Delete a client with its codes and refresh tokens");
  clients_delete_cmd->add_option("id", client_id, "the client_id")->required();
  storage_flags(clients_delete_cmd);

  CLI11_PARSE(app, argc, argv);
  if (clients_create_cmd->parsed()) return RunClientsCreate(storage, client);
  if (clients_list_cmd->parsed()) return RunClientsList(storage);
  if (clients_delete_cmd->parsed()) return RunClientsDelete(storage, client_id);
  if (serve_cmd->parsed()) return RunServe(serve);
  if (list_cmd->parsed()) return RunOrgList(storage, json);
  if (show_cmd->parsed()) return RunOrgShow(storage, slug, json);
  if (suspend_cmd->parsed()) return RunOrgSetStatus(storage, slug, true);
  if (resume_cmd->parsed()) return RunOrgSetStatus(storage, slug, false);
  if (set_plan_cmd->parsed()) return RunOrgSetPlan(storage, slug, plan, plans_file);
  if (set_override_cmd->parsed()) {
    return RunOrgSetOverride(storage, slug, override_feature, override_limit);
  }
  if (clear_override_cmd->parsed()) {
    return RunOrgClearOverride(storage, slug, override_feature, override_limit, override_all);
  }
  if (check_cmd->parsed()) return RunDomainsCheck(storage, manifest, base_domain);
  if (verify_cmd->parsed()) return RunAuditVerify(storage);
  if (keys_init_cmd->parsed()) return RunKeysInit(key_path);
  // A rotation holds a tenant connection while it reads keys from the catalog: on PostgreSQL
  // both come from one pool.
  if (rotate_master_cmd->parsed() || rotate_org_cmd->parsed()) storage.pool_size = 2;
  if (rotate_master_cmd->parsed())
    return RunKeysRotateMaster(storage, master_key_file, previous_key_files);
  if (rotate_org_cmd->parsed()) return RunKeysRotateOrganization(storage, master_key_file, slug);
  if (rotate_signing_cmd->parsed()) {
    return RunKeysRotateSigning(storage, master_key_file, signing_alg, signing_key_publish_delay);
  }
  if (export_cmd->parsed()) return RunUsageExport(storage, from, to, format);
  if (migrate_cmd->parsed()) {
    storage.pool_size = jobs + 1;
    return RunMigrate(storage, jobs);
  }
  return 2;
}
