#pragma once
// The `bulkhead` subcommands. Each returns the process exit code.

#include <cstdint>
#include <string>
#include <vector>

#include "cli/data_dir.hpp"
#include "core/plans.hpp"

namespace bulkhead::cli {

struct ServeOptions {
  std::string listen = "127.0.0.1:8080";
  std::string data = "./data";
  std::string base_domain = "localhost";
  int threads = 0;                               // 0: the number of cores
  int worker_queue = 1024;                       // writes waiting for a worker thread
  int hash_threads = 0;                          // 0: max(1, cores - 1)
  int hash_queue = 64;                           // password hashes waiting for a thread
  int outbound_queue = 32;                       // domain verifications waiting for a thread
  int64_t max_connections = 4096;                // clamped below RLIMIT_NOFILE minus a reserve
  int64_t max_connections_per_client = 256;      // per client address
  int64_t max_buffered_body_bytes = 64LL << 20;  // bodies over 16 KiB reserve their length
  int64_t session_ttl_seconds = 14 * 24 * 3600;
  std::string routing_log;                     // empty: DATA/logs/routing.jsonl
  int64_t routing_log_max_bytes = 64LL << 20;  // then rotated; 5 old files are kept
  std::string dns_server;                      // host:port; empty: the system resolver
  std::string database_url;                    // empty: SQLite under `data`
  int pool_size = 0;                           // 0: one connection per thread
  std::string public_url;                      // empty: http://<listen>
  std::string console_dir;                     // the built web console (main.cpp's default)
  std::string smtp_url;                        // empty: mail stays in DATA/outbox/
  std::string mail_from = "Bulkhead <bulkhead@localhost>";
  int64_t invitation_ttl_seconds = 7 * 24 * 3600;
  std::string plans_file;        // empty: the built-in plans
  int usage_flush_seconds = 10;  // usage a crash can lose at most
  std::string master_key_file;   // empty: BULKHEAD_MASTER_KEY, else DATA/master.key
  std::vector<std::string> previous_master_key_files;  // during a master rotation
  std::string tls_cert;                                // PEM; with tls_key, HTTPS only
  std::string tls_key;
  int64_t max_organizations_per_user = 100;  // owned team organizations; 0: no limit
  int64_t organization_creation_rate = 60;   // new organizations per user and hour; 0: no limit
  // The OpenID Provider's token lifetimes.
  int64_t access_token_ttl_seconds = 600;
  int64_t refresh_token_ttl_seconds = 30LL * 24 * 3600;
  int64_t refresh_token_idle_ttl_seconds = 14LL * 24 * 3600;
  // Events and webhooks (durations such as 5s, 30m, 30d).
  std::string webhook_retry_schedule = "0s,5s,5m,30m,2h,5h,10h,10h";
  bool allow_private_webhooks = false;  // http:// and internal addresses: tests only
  int webhook_workers = 16;
  std::string webhook_timeout = "10s";
  std::string event_retention = "30d";
};

// Prints "bulkhead: <message>" on stderr and returns `exit_code`, for commands that stop.
int Fail(const std::string& message, int exit_code = 1);

int RunServe(const ServeOptions& options);
int RunOrgList(const StorageOptions& storage, bool json);
int RunOrgShow(const StorageOptions& storage, const std::string& slug, bool json);
int RunOrgSetStatus(const StorageOptions& storage, const std::string& slug, bool suspend);
int RunOrgSetPlan(const StorageOptions& storage, const std::string& slug, const std::string& plan,
                  const std::string& plans_file);
// Entitlements above the plan for one organization (`org set-override SLUG --feature NAME |
// --limit NAME=VALUE`), or their removal (`org clear-override SLUG [--feature | --limit | --all]`).
// Both wait until running servers apply the change.
int RunOrgSetOverride(const StorageOptions& storage, const std::string& slug,
                      const std::string& feature, const std::string& limit);
int RunOrgClearOverride(const StorageOptions& storage, const std::string& slug,
                        const std::string& feature, const std::string& limit, bool all);
// The plans of a --plans file, or the built-in ones when `path` is empty.
core::Result<core::PlanCatalog> LoadPlans(const std::string& path);
// Exit 0: no hostname claimed twice; 1: ALERT lines on stderr; 2: unusable input.
int RunDomainsCheck(const StorageOptions& storage, const std::string& manifest,
                    const std::string& base_domain);
// Exit 0: every chain verifies; 1: the first broken event on stderr; 2: cannot read the data.
int RunAuditVerify(const StorageOptions& storage);
// Applies pending catalog and tenant migrations under the migration lock. Exit 0 when every
// tenant is current, 1 when some failed (named on stderr).
int RunMigrate(const StorageOptions& storage, int jobs);
// Usage per organization and day between two dates (YYYY-MM-DD, inclusive) as CSV or JSON on
// stdout. Exit 2 for unusable arguments.
// Writes a new master key file (32 random bytes, mode 0600); exit 1 if it exists.
int RunKeysInit(const std::string& path);
// Seals every organization's data keys with the current master key (--master-key-file), opening
// them with the previous ones; resumable.
int RunKeysRotateMaster(StorageOptions storage, const std::string& master_key_file,
                        const std::vector<std::string>& previous_files);
// A new data key for one organization, and its secrets sealed again with it; resumable.
int RunKeysRotateOrganization(StorageOptions storage, const std::string& master_key_file,
                              const std::string& slug);
// `bulkhead clients create|list|delete`: the OpenID Provider's clients. Create prints
// {"client_id", "client_secret"} (null for a public client); list prints them as JSON.
struct ClientsCreateOptions {
  std::string name;
  std::vector<std::string> redirect_uris;
  std::vector<std::string> post_logout_redirect_uris;
  bool is_public = false;
  std::string signing_alg = "RS256";
};
int RunClientsCreate(const StorageOptions& storage, const ClientsCreateOptions& options);
int RunClientsList(const StorageOptions& storage);
int RunClientsDelete(const StorageOptions& storage, const std::string& id);
// A new token signing key for `alg` (empty: every algorithm), published at once and signing
// after `publish_delay_seconds`; prints {"keys": [{kid, alg, published_at, signs_from}]}.
int RunKeysRotateSigning(StorageOptions storage, const std::string& master_key_file,
                         const std::string& alg, int64_t publish_delay_seconds);
int RunUsageExport(const StorageOptions& storage, const std::string& from, const std::string& to,
                   const std::string& format);

}  // namespace bulkhead::cli
