#pragma once
// Organizations: creation (with their own database), update, deletion. Each use case is one
// catalog transaction that also writes its audit event.
// Thread-safety: thread-safe.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/plans.hpp"
#include "core/result.hpp"
#include "service/environment.hpp"
#include "service/rate_limiter.hpp"
#include "service/tenant_resolver.hpp"
#include "store/database.hpp"
#include "store/records.hpp"

namespace bulkhead::service {

// An organization whose database exists but whose catalog row is not yet committed.
struct PreparedTenant {
  store::OrganizationRecord organization;  // slug still empty
  store::TenantKey key;
  std::string owner_id;
  std::string request_id;
  std::optional<store::WorkspaceRecord> workspace;  // a personal organization's default one
};

struct CreateOrganizationInput {
  std::string name;
  std::optional<std::string> slug;
  std::optional<nlohmann::json> settings;
};

struct UpdateOrganizationInput {
  std::optional<std::string> name;
  std::optional<std::string> slug;
  std::optional<nlohmann::json> settings;  // merge patch
  // Owners only (billing). An empty inner optional clears it.
  std::optional<std::optional<std::string>> billing_email;
};

// Whether a slug could name a new organization now: `reason` "invalid" (with the validation
// message as `detail`), "reserved" or "taken" (by any organization, suspended ones and the
// caller's own included); both empty when it is available.
struct SlugAvailability {
  bool available = false;
  std::string reason;
  std::string detail;
};

class OrganizationService {
 public:
  explicit OrganizationService(Environment& env) : env_(env) {}

  // A user's new team organization. Past config.max_organizations_per_user owned team
  // organizations: kLimitReached ("max_organizations_per_user"); past
  // config.organization_creation_per_hour on this instance: kRateLimited. Settings may only
  // lower the default plan's limits (core::CheckSettingsWithinCeiling).
  core::Result<store::OrganizationRecord> Create(const CreateOrganizationInput& input,
                                                 const Actor& actor);
  core::Result<store::OrganizationRecord> Update(const TenantContext& tenant,
                                                 const UpdateOrganizationInput& input,
                                                 const Actor& actor);
  // `confirm` must equal the organization's slug.
  core::Status Delete(const TenantContext& tenant, const std::string& confirm, const Actor& actor);

  // For operators (CLI): every organization, or one by slug.
  core::Result<std::vector<store::OrganizationRecord>> ListAll();
  core::Result<std::optional<store::OrganizationRecord>> FindBySlug(const std::string& slug);
  core::Result<std::optional<store::OrganizationRecord>> FindById(const std::string& id);
  // For a form that asks while typing. kValidationFailed only for text over
  // kMaxSlugQueryLength characters (code points); any shorter text gets an answer.
  static constexpr std::size_t kMaxSlugQueryLength = 100;
  core::Result<SlugAvailability> CheckSlug(const std::string& slug);
  // Owners (billing) and operators: moves the organization to another plan. kValidationFailed
  // for a plan the catalog does not define. Audited as organization.plan_changed.
  core::Result<store::OrganizationRecord> ChangePlan(const std::string& organization_id,
                                                     const std::string& plan, const Actor& actor);
  // For operators (CLI): grants a feature (`feature`) or sets a limit (`limit`, replacing the
  // plan's) above what the plan gives, apart from the tenant's settings. Audited as
  // organization.override_set; running servers apply it through the change feed.
  core::Result<core::EntitlementOverrides> SetOverride(
      const std::string& slug, const std::optional<std::string>& feature,
      const std::optional<std::pair<std::string, int64_t>>& limit, const Actor& actor);
  // Removes one feature, one limit, or (both empty) every override. Audited as
  // organization.override_cleared.
  core::Result<core::EntitlementOverrides> ClearOverride(const std::string& slug,
                                                         const std::optional<std::string>& feature,
                                                         const std::optional<std::string>& limit,
                                                         const Actor& actor);
  // For operators (CLI): "suspended" or "active". Audited as organization.suspended or
  // organization.resumed; a server on the same data notices through the change feed.
  core::Result<store::OrganizationRecord> SetStatus(const std::string& slug,
                                                    const std::string& status, const Actor& actor);

  // Steps of creation, shared with sign-up (whose personal organization commits in the same
  // transaction as the user): make the tenant database, insert the catalog rows inside the
  // caller's transaction, then either Committed or DiscardTenant.
  core::Result<PreparedTenant> PrepareTenant(const std::string& owner_id, const std::string& name,
                                             const std::string& type,
                                             const std::string& request_id);
  core::Result<store::OrganizationRecord> InsertPrepared(
      store::Connection& c, PreparedTenant& prepared, const std::string& owner_id,
      const std::string& request_id, const std::optional<std::string>& slug = std::nullopt);
  void Committed(const PreparedTenant& prepared);
  void DiscardTenant(const PreparedTenant& prepared);

 private:
  // The first rows of a new tenant (a personal organization's workspace), in its own store.
  core::Status SeedTenant(store::Connection& tenant, const PreparedTenant& prepared);
  core::Result<std::string> ChooseSlug(store::Connection& c, const std::string& name,
                                       const std::string& type);
  // kLimitReached when the user owns config.max_organizations_per_user team organizations.
  core::Status CheckOwnedOrganizations(store::Connection& c, const std::string& user_id);
  // Writes `type` with the organization as data (plus `extra`'s keys) to the outbox, in `c`'s
  // transaction; the caller relays it after its commit.
  core::Status WriteOrganizationEvent(store::Connection& c, const store::OrganizationRecord& org,
                                      std::string type, const nlohmann::json& extra);
  core::Result<core::EntitlementOverrides> WriteOverrides(
      const std::string& slug, const Actor& actor, const std::string& action,
      const nlohmann::json& details,
      const std::function<core::Status(core::EntitlementOverrides&)>& change);
  Environment& env_;
  RateLimiter creations_;  // per user, per instance
};

// What the organization's plan and settings give it (core/plans.hpp); computed once per plan
// and settings and then shared from the cache.
std::shared_ptr<const core::Entitlements> OrganizationEntitlements(
    const Environment& env, const store::OrganizationRecord& org);
// The organization's effective limit `name` (e.g. "max_members"), if it has one.
std::optional<int64_t> OrganizationLimit(const Environment& env,
                                         const store::OrganizationRecord& org,
                                         std::string_view name);
bool OrganizationHasFeature(const Environment& env, const store::OrganizationRecord& org,
                            std::string_view feature);

// The audit event a use case writes in its own transaction.
store::AuditEventRecord MakeAuditEvent(const std::string& organization_id, const Actor& actor,
                                       std::string action, std::string target_type,
                                       std::string target_id, const nlohmann::json& details);

}  // namespace bulkhead::service
