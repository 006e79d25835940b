// Operator commands that act on a data directory, also while a server runs on it:
// `org suspend|resume|set-plan|set-override|clear-override`, `domains check` and `audit verify`.

#include <unistd.h>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "cli/await_servers.hpp"
#include "cli/commands.hpp"
#include "cli/data_dir.hpp"
#include "cli/master_key.hpp"
#include "core/hostname.hpp"
#include "service/audit_verifier.hpp"
#include "service/key_rotation.hpp"
#include "service/organization_service.hpp"
#include "service/tenant_migrator.hpp"
#include "store/catalog_store.hpp"

namespace bulkhead::cli {

int Fail(const std::string& message, int exit_code) {
  std::fprintf(stderr, "bulkhead: %s\n", message.c_str());
  return exit_code;
}

namespace {

core::Result<DataDirectory> OpenExisting(const StorageOptions& storage) {
  return OpenExistingStorage(storage);
}

// The organizations a deployment manifest assigns each hostname to, normalized.
struct ManifestClaim {
  std::string hostname;
  std::string slug;
};

core::Result<std::vector<ManifestClaim>> ReadManifest(const std::string& path) {
  std::ifstream in(path);
  if (!in) return core::Error::NotFound("cannot read manifest " + path);
  nlohmann::json manifest = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (manifest.is_discarded() || !manifest.is_object() || !manifest.contains("organizations") ||
      !manifest["organizations"].is_array()) {
    return core::Error::Validation(
        "manifest", "must be JSON {\"organizations\": [{\"slug\": ..., \"domains\": [...]}]}");
  }
  std::vector<ManifestClaim> claims;
  for (const auto& org : manifest["organizations"]) {
    if (!org.is_object() || !org.contains("slug") || !org["slug"].is_string() ||
        (org.contains("domains") && !org["domains"].is_array())) {
      return core::Error::Validation("manifest",
                                     "each organization needs a string slug and a domains array");
    }
    std::string slug = org["slug"];
    for (const auto& domain : org.value("domains", nlohmann::json::array())) {
      if (!domain.is_string()) return core::Error::Validation("manifest", "domains are strings");
      auto normalized = core::NormalizeHostname(domain.get<std::string>());
      if (!normalized.ok()) {
        return core::Error::Validation("manifest", "'" + domain.get<std::string>() + "' of " +
                                                       slug + ": " + normalized.error().message);
      }
      claims.push_back({*normalized, slug});
    }
  }
  return claims;
}

}  // namespace

int RunOrgSetStatus(const StorageOptions& storage, const std::string& slug, bool suspend) {
  service::ServiceConfig config;
  config.relay_events_after_commit = false;  // the running servers' sweep relays its event
  auto dir = OpenExistingStorage(storage, config);
  if (!dir.ok()) return Fail(dir.error().message);
  service::OrganizationService organizations(*dir->env);
  service::Actor operator_actor{"system", "cli", ""};
  auto org = organizations.SetStatus(slug, suspend ? "suspended" : "active", operator_actor);
  if (!org.ok()) return Fail(org.error().message);
  AwaitServers(*dir->env);
  std::printf("%s %s\n", org->slug.c_str(), org->status.c_str());
  return 0;
}

core::Result<core::PlanCatalog> LoadPlans(const std::string& path) {
  if (path.empty()) return core::BuiltInPlans();
  std::ifstream in(path);
  if (!in) return core::Error::NotFound("cannot read plans file " + path);
  auto document = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) return core::Error::Validation("plans", "is not valid JSON");
  return core::ParsePlans(document);
}

int RunKeysInit(const std::string& path) {
  auto written = WriteNewKeyFile(path);
  if (!written.ok()) return Fail(written.error().message);
  std::printf(
      "wrote a new master key to %s (mode 0600); start the server with "
      "--master-key-file %s\n",
      path.c_str(), path.c_str());
  return 0;
}

int RunKeysRotateMaster(StorageOptions storage, const std::string& master_key_file,
                        const std::vector<std::string>& previous_files) {
  auto key = LoadExistingMasterKey(master_key_file, storage.data);
  if (!key.ok()) return Fail(key.error().message, 2);
  auto previous = LoadPreviousMasterKeys(previous_files);
  if (!previous.ok()) return Fail(previous.error().message, 2);
  storage.master_key = std::move(key->key);
  storage.previous_master_keys = std::move(*previous);
  auto dir = OpenExistingStorage(storage);
  if (!dir.ok()) return Fail(dir.error().message);
  service::KeyRotation rotation(*dir->env);
  auto done = rotation.RotateMaster(
      [](int64_t n) { std::fprintf(stderr, "\rsealed again: %lld", static_cast<long long>(n)); });
  if (done.ok() && done->rewrapped > 0) std::fprintf(stderr, "\n");
  if (!done.ok()) return Fail(done.error().message);
  std::printf("%lld data keys sealed again with master key %s\n",
              static_cast<long long>(done->rewrapped), dir->env->keys.master_key_id().c_str());
  return 0;
}

int RunKeysRotateOrganization(StorageOptions storage, const std::string& master_key_file,
                              const std::string& slug) {
  auto key = LoadExistingMasterKey(master_key_file, storage.data);
  if (!key.ok()) return Fail(key.error().message, 2);
  storage.master_key = std::move(key->key);
  auto dir = OpenExistingStorage(storage);
  if (!dir.ok()) return Fail(dir.error().message);
  service::OrganizationService organizations(*dir->env);
  auto org = organizations.FindBySlug(slug);
  if (!org.ok()) return Fail(org.error().message);
  if (!*org) return Fail("no organization '" + slug + "'");
  service::KeyRotation rotation(*dir->env);
  auto done = rotation.RotateOrganization((*org)->id, service::Actor{"system", "cli", ""});
  if (!done.ok()) return Fail(done.error().message);
  std::printf(
      "%s: data key version %lld%s; %lld secrets sealed again; %lld integrations' credentials "
      "sealed again\n",
      slug.c_str(), static_cast<long long>(done->to_version),
      done->resumed ? " (finished an interrupted rotation)" : "",
      static_cast<long long>(done->resealed), static_cast<long long>(done->integrations_resealed));
  return 0;
}

int RunOrgSetPlan(const StorageOptions& storage, const std::string& slug, const std::string& plan,
                  const std::string& plans_file) {
  auto plans = LoadPlans(plans_file);
  if (!plans.ok()) return Fail(plans.error().message, 2);
  service::ServiceConfig config;
  config.plans = *plans;
  config.relay_events_after_commit = false;  // the running servers' sweep relays its event
  auto dir = OpenExistingStorage(storage, config);
  if (!dir.ok()) return Fail(dir.error().message);
  service::OrganizationService organizations(*dir->env);
  auto org = organizations.FindBySlug(slug);
  if (!org.ok()) return Fail(org.error().message);
  if (!*org) return Fail("no organization '" + slug + "'");
  auto changed = organizations.ChangePlan((*org)->id, plan, service::Actor{"system", "cli", ""});
  if (!changed.ok()) return Fail(changed.error().message);
  AwaitServers(*dir->env);
  std::printf("%s %s\n", changed->slug.c_str(), changed->plan.c_str());
  return 0;
}

namespace {

int PrintOverrides(const std::string& slug, const core::EntitlementOverrides& overrides) {
  std::printf("%s overrides %s\n", slug.c_str(), core::OverridesToJson(overrides).dump().c_str());
  return 0;
}

}  // namespace

int RunOrgSetOverride(const StorageOptions& storage, const std::string& slug,
                      const std::string& feature, const std::string& limit) {
  std::optional<std::string> feature_arg;
  if (!feature.empty()) feature_arg = feature;
  std::optional<std::pair<std::string, int64_t>> limit_arg;
  if (!limit.empty()) {
    auto eq = limit.find('=');
    if (eq == std::string::npos) return Fail("--limit takes NAME=VALUE", 2);
    std::string value = limit.substr(eq + 1);
    int64_t n = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
    if (ec != std::errc() || end != value.data() + value.size() || value.empty()) {
      return Fail("--limit " + limit + ": the value must be an integer", 2);
    }
    limit_arg = std::make_pair(limit.substr(0, eq), n);
  }
  if (feature_arg.has_value() == limit_arg.has_value()) {
    return Fail("give exactly one of --feature NAME or --limit NAME=VALUE", 2);
  }
  auto dir = OpenExisting(storage);
  if (!dir.ok()) return Fail(dir.error().message);
  service::OrganizationService organizations(*dir->env);
  auto done =
      organizations.SetOverride(slug, feature_arg, limit_arg, service::Actor{"system", "cli", ""});
  if (!done.ok())
    return Fail(done.error().message,
                done.error().code == core::ErrorCode::kValidationFailed ? 2 : 1);
  AwaitServers(*dir->env);
  return PrintOverrides(slug, *done);
}

int RunOrgClearOverride(const StorageOptions& storage, const std::string& slug,
                        const std::string& feature, const std::string& limit, bool all) {
  if ((!feature.empty()) + (!limit.empty()) + all != 1) {
    return Fail("give exactly one of --feature NAME, --limit NAME or --all", 2);
  }
  auto dir = OpenExisting(storage);
  if (!dir.ok()) return Fail(dir.error().message);
  service::OrganizationService organizations(*dir->env);
  auto done = organizations.ClearOverride(
      slug, feature.empty() ? std::nullopt : std::optional<std::string>(feature),
      limit.empty() ? std::nullopt : std::optional<std::string>(limit),
      service::Actor{"system", "cli", ""});
  if (!done.ok())
    return Fail(done.error().message,
                done.error().code == core::ErrorCode::kValidationFailed ? 2 : 1);
  AwaitServers(*dir->env);
  return PrintOverrides(slug, *done);
}

int RunDomainsCheck(const StorageOptions& storage, const std::string& manifest_path,
                    const std::string& base_domain) {
  auto claims = ReadManifest(manifest_path);
  if (!claims.ok()) return Fail(claims.error().message, 2);
  auto base = core::NormalizeHostname(base_domain);
  if (!base.ok()) return Fail("--base-domain: " + base.error().message, 2);
  auto dir = OpenExisting(storage);
  if (!dir.ok()) return Fail(dir.error().message, 2);

  // hostname -> every (owner, where) that claims it.
  std::map<std::string, std::set<std::pair<std::string, std::string>>> owners;
  {
    auto lease = dir->env->catalog.Acquire();
    auto orgs = store::catalog::ListOrganizations(*lease);
    if (!orgs.ok()) return Fail(orgs.error().message, 2);
    std::map<std::string, std::string> slug_of;
    for (const auto& o : *orgs) {
      slug_of[o.id] = o.slug;
      owners[o.slug + "." + *base].insert({o.slug, "database subdomain"});
    }
    auto domains = store::catalog::ListAllDomains(*lease);
    if (!domains.ok()) return Fail(domains.error().message, 2);
    for (const auto& d : *domains) {
      owners[d.hostname].insert(
          {slug_of[d.organization_id], d.verified_at ? "database" : "database, pending"});
    }
  }
  for (const auto& claim : *claims) owners[claim.hostname].insert({claim.slug, "manifest"});

  int conflicts = 0;
  for (const auto& [hostname, claimants] : owners) {
    // Several pending claims of a hostname are allowed (the first to verify wins and the
    // others are dropped), and a pending claim loses to a verified one: neither is a conflict.
    // What routes (subdomains, verified domains, the manifest) must name one organization, and
    // a pending claim conflicts with a manifest or subdomain that routes it elsewhere.
    std::set<std::string> routed, pending, planned;
    for (const auto& [slug, where] : claimants) {
      (where == "database, pending" ? pending : routed).insert(slug);
      if (where != "database" && where != "database, pending") planned.insert(slug);
    }
    bool conflict = routed.size() > 1;
    for (const auto& slug : pending)
      conflict = conflict || (!planned.empty() && !planned.count(slug));
    if (!conflict) continue;
    ++conflicts;
    std::string who;
    for (const auto& [slug, where] : claimants) {
      who += (who.empty() ? "" : ", ") + slug + " (" + where + ")";
    }
    std::fprintf(stderr, "ALERT %s is claimed by more than one organization: %s\n",
                 hostname.c_str(), who.c_str());
  }
  if (conflicts > 0) return 1;
  std::printf("ok: %zu hostnames checked, no hostname claimed twice\n", owners.size());
  return 0;
}

int RunAuditVerify(const StorageOptions& storage) {
  auto dir = OpenExisting(storage);
  if (!dir.ok()) return Fail(dir.error().message, 2);
  service::AuditVerifier verifier(*dir->env);
  auto result = verifier.VerifyAll();
  if (!result.ok()) return Fail(result.error().message, 2);
  if (result->broken) {
    const auto& b = *result->broken;
    std::fprintf(stderr, "BROKEN %s at %s (position %lld): %s\n", b.chain.c_str(),
                 b.event_id.empty() ? "the end of the chain" : ("event " + b.event_id).c_str(),
                 static_cast<long long>(b.seq), b.reason.c_str());
    return 1;
  }
  std::printf("ok: %d chains, %lld events verified\n", result->chains,
              static_cast<long long>(result->events));
  return 0;
}

int RunMigrate(const StorageOptions& storage, int jobs) {
  auto dir = OpenDataDirectory(storage, {});  // migrates the catalog
  if (!dir.ok()) return Fail(dir.error().message, 2);
  auto lock = LockMigrations(*dir, storage);
  if (!lock.ok()) return Fail(lock.error().message, 2);
  bool terminal = ::isatty(STDOUT_FILENO) == 1;
  auto started = std::chrono::steady_clock::now();
  service::TenantMigrator migrator(*dir->env);
  auto summary = migrator.MigrateAll(jobs, [&](int done, int pending) {
    if (terminal && (done % 10 == 0 || done == pending)) {
      int width = 40, filled = pending ? done * width / pending : width;
      std::printf("\r[%s%s] %d/%d tenants", std::string(filled, '#').c_str(),
                  std::string(width - filled, ' ').c_str(), done, pending);
      std::fflush(stdout);
    }
  });
  if (!summary.ok()) return Fail(summary.error().message, 2);
  if (terminal && summary->pending > 0) std::printf("\n");
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  for (const auto& failure : summary->failed) std::fprintf(stderr, "FAILED %s\n", failure.c_str());
  std::printf("%d tenants, %d pending, %d migrated, %zu failed in %.2f s\n", summary->total_tenants,
              summary->pending, summary->migrated, summary->failed.size(), seconds);
  return summary->failed.empty() ? 0 : 1;
}

}  // namespace bulkhead::cli
