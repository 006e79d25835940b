#include "service/organization_service.hpp"

#include "core/email.hpp"

#include "core/settings.hpp"
#include "core/slug.hpp"
#include "core/text.hpp"
#include "core/time.hpp"
#include "core/uuid.hpp"
#include "service/event_relay.hpp"
#include "service/events.hpp"
#include "service/views.hpp"
#include "service/webhook_final.hpp"
#include "store/catalog_store.hpp"
#include "store/event_store.hpp"

namespace bulkhead::service {

using core::Error;
using core::ErrorCode;
using core::Result;

namespace {
constexpr std::size_t kMaxOrganizationName = 200;
constexpr int kMaxSlugAttempts = 1000;

Error SlugTaken() {
  return Error::Make(ErrorCode::kSlugTaken, "this slug is already taken");
}
}  // namespace

store::AuditEventRecord MakeAuditEvent(const std::string& organization_id, const Actor& actor,
                                       std::string action, std::string target_type,
                                       std::string target_id, const nlohmann::json& details) {
  std::string text;
  if (actor.details.empty()) {
    text = details.dump();
  } else {
    nlohmann::json merged = details.is_object() ? details : nlohmann::json::object();
    for (const auto& [name, value] : actor.details) merged[name] = value;
    text = merged.dump();
  }
  return {core::NewUuidV7(), organization_id,   core::NowMs(),          actor.type,
          actor.id,          std::move(action), std::move(target_type), std::move(target_id),
          actor.request_id,  std::move(text)};
}

Result<PreparedTenant> OrganizationService::PrepareTenant(const std::string& owner_id,
                                                          const std::string& name,
                                                          const std::string& type,
                                                          const std::string& request_id) {
  int64_t now = core::NowMs();
  const std::string& plan =
      type == "personal" ? env_.config.plans.personal_plan : env_.config.plans.default_plan;
  store::OrganizationRecord org{
      core::NewUuidV7(), name, "", type, "active", plan, core::SettingsToJson({}).dump(), now, now,
      std::nullopt};
  PreparedTenant prepared{org, TenantAccess::KeyFor(org.id), owner_id, request_id, std::nullopt};
  if (type == "personal") {
    prepared.workspace = store::WorkspaceRecord{core::NewUuidV7(), "Personal", "", now, now};
  }
  if (env_.tenants.CreatesInCatalogTransaction()) return prepared;  // see InsertPrepared
  BULKHEAD_TRY(env_.tenants.Create(prepared.key));
  auto database = env_.tenants.Open(prepared.key);
  if (!database.ok()) {
    DiscardTenant(prepared);
    return database.error();
  }
  auto lease = (*database)->Acquire();
  store::Transaction txn(*lease, /*write=*/true);
  core::Status st = txn.begin_status();
  if (st.ok()) st = SeedTenant(*lease, prepared);
  if (st.ok()) st = txn.Commit();
  if (!st.ok()) {
    DiscardTenant(prepared);
    return st.error();
  }
  return prepared;
}

core::Status OrganizationService::SeedTenant(store::Connection& tenant,
                                             const PreparedTenant& prepared) {
  if (!prepared.workspace) return core::Ok();
  // The personal organization's default workspace, audited in the tenant's own store (its
  // event follows organization.created through the outbox: InsertPrepared).
  const store::WorkspaceRecord& workspace = *prepared.workspace;
  Actor actor{"user", prepared.owner_id, prepared.request_id};
  BULKHEAD_TRY(store::tenant::InsertWorkspace(tenant, workspace));
  return store::tenant::InsertAuditEvent(
      tenant, MakeAuditEvent(prepared.organization.id, actor, "workspace.created", "workspace",
                             workspace.id, {{"name", workspace.name}}));
}

Result<std::string> OrganizationService::ChooseSlug(store::Connection& c, const std::string& name,
                                                    const std::string& type) {
  std::string base = core::SlugFromName(name, type == "personal" ? "user" : "org");
  for (int n = 1; n <= kMaxSlugAttempts; ++n) {
    std::string candidate = n == 1 ? base : core::SlugWithSuffix(base, n);
    auto exists = store::catalog::SlugExists(c, candidate);
    if (!exists.ok()) return exists.error();
    if (!*exists) return candidate;
  }
  return Error::Make(ErrorCode::kSlugTaken, "no free slug could be derived from the name");
}

Result<store::OrganizationRecord> OrganizationService::InsertPrepared(
    store::Connection& c, PreparedTenant& prepared, const std::string& owner_id,
    const std::string& request_id, const std::optional<std::string>& slug) {
  auto& org = prepared.organization;
  if (slug) {
    auto exists = store::catalog::SlugExists(c, *slug);
    if (!exists.ok()) return exists.error();
    if (*exists) return SlugTaken();
    org.slug = *slug;
  } else {
    auto chosen = ChooseSlug(c, org.name, org.type);
    if (!chosen.ok()) return chosen.error();
    org.slug = *chosen;
  }
  if (auto st = store::catalog::InsertOrganization(c, org); !st.ok()) {
    return st.error().code == ErrorCode::kConflict ? SlugTaken() : st.error();
  }
  BULKHEAD_TRY(store::catalog::InsertMembership(c, {org.id, owner_id, "owner", org.created_at}));
  // Its data key commits with it (without a master key, it gets one on first use).
  if (env_.keys.has_master()) BULKHEAD_TRY(env_.keys.CreateWithin(c, org.id));
  Actor actor{"user", owner_id, request_id};
  BULKHEAD_TRY(store::catalog::InsertAuditEvent(
      c, MakeAuditEvent(org.id, actor, "organization.created", "organization", org.id,
                        {{"name", org.name}, {"slug", org.slug}, {"type", org.type}})));
  BULKHEAD_TRY(store::catalog::InsertAuditEvent(
      c,
      MakeAuditEvent(org.id, actor, "member.added", "membership", owner_id, {{"role", "owner"}})));
  // Its first events, in this order: the organization (sequence 1), its owner, its workspace.
  auto data = OrganizationEventData(env_, c, org);
  if (!data.ok()) return data.error();
  BULKHEAD_TRY(WriteOutboxEvent(c, MakeEvent(org.id, "organization.created", std::move(*data))));
  auto owner = store::catalog::FindUserById(c, owner_id);
  if (!owner.ok()) return owner.error();
  if (!*owner) return Error::NotFound("user");
  BULKHEAD_TRY(
      WriteOutboxEvent(c, MakeEvent(org.id, "member.added",
                                    MemberEventData({org.id, owner_id, "owner", org.created_at},
                                                    (*owner)->email, (*owner)->name))));
  if (prepared.workspace) {
    BULKHEAD_TRY(WriteOutboxEvent(
        c, MakeEvent(org.id, "workspace.created", WorkspaceJson(*prepared.workspace))));
  }
  if (env_.tenants.CreatesInCatalogTransaction()) {
    BULKHEAD_TRY(env_.tenants.CreateWithin(
        c, prepared.key, [&](store::Connection& tenant) { return SeedTenant(tenant, prepared); }));
  }
  return org;
}

void OrganizationService::Committed(const PreparedTenant& prepared) {
  // A "not a member" entry cached for this id would hide the new owner.
  env_.cache.memberships.ErasePrefix(prepared.organization.id + "/");
}

void OrganizationService::DiscardTenant(const PreparedTenant& prepared) {
  env_.tenants.Destroy(prepared.key);
}

Result<store::OrganizationRecord> OrganizationService::Create(const CreateOrganizationInput& input,
                                                              const Actor& actor) {
  std::vector<core::FieldError> errors;
  auto name = core::ValidateDisplayText("name", input.name, kMaxOrganizationName);
  if (!name.ok()) errors.push_back(name.error().fields.at(0));
  if (input.slug) {
    if (auto st = core::ValidateSlug(*input.slug); !st.ok())
      errors.push_back(st.error().fields.at(0));
  }
  std::optional<core::OrganizationSettings> settings;
  if (input.settings) {
    auto parsed = core::ApplySettingsPatch({}, *input.settings);
    if (!parsed.ok()) {
      for (const auto& f : parsed.error().fields) errors.push_back(f);
    } else {
      settings = std::move(*parsed);
    }
    const auto& plans = env_.config.plans;
    auto within = core::CheckSettingsWithinCeiling(
        plans, core::EntitlementCeiling(plans, plans.default_plan, {}), *input.settings);
    if (!within.ok()) {
      for (const auto& f : within.error().fields) errors.push_back(f);
    }
  }
  if (!errors.empty()) {
    return Error::Validation(std::move(errors));
  }
  // Refused before the tenant's database is made, so a refusal costs (and leaves) nothing.
  {
    auto lease = env_.catalog.Acquire();
    BULKHEAD_TRY(CheckOwnedOrganizations(*lease, actor.id));
  }
  if (int64_t per_hour = env_.config.organization_creation_per_hour; per_hour > 0) {
    if (auto retry_after = creations_.Take(actor.id, per_hour, std::chrono::hours(1))) {
      Error e =
          Error::Make(ErrorCode::kRateLimited, "this account creates organizations faster than " +
                                                   std::to_string(per_hour) + " an hour");
      e.retry_after_seconds = *retry_after;
      return e;
    }
  }

  auto prepared = PrepareTenant(actor.id, *name, "team", actor.request_id);
  if (!prepared.ok()) return prepared.error();
  if (settings) prepared->organization.settings = core::SettingsToJson(*settings).dump();
  auto org = [&]() -> Result<store::OrganizationRecord> {
    auto lease = env_.catalog.Acquire();
    store::Transaction txn(*lease, /*write=*/true);
    BULKHEAD_TRY(txn.begin_status());
    // Again under the write lock: concurrent creations cannot overshoot the limit.
    BULKHEAD_TRY(CheckOwnedOrganizations(*lease, actor.id));
    auto inserted = InsertPrepared(*lease, *prepared, actor.id, actor.request_id, input.slug);
    if (!inserted.ok()) return inserted;
    BULKHEAD_TRY(txn.Commit());
    return inserted;
  }();
  if (!org.ok()) {
    DiscardTenant(*prepared);
    return org.error();
  }
  Committed(*prepared);
  RelayOutbox(env_, org->id);  // its catalog connection is back in the pool
  return org;
}

Result<store::OrganizationRecord> OrganizationService::Update(const TenantContext& tenant,
                                                              const UpdateOrganizationInput& input,
                                                              const Actor& actor) {
  if (input.billing_email && !tenant.Can(core::Permission::kBilling)) {
    return Error::Forbidden("only an owner can change the billing contact");
  }
  std::vector<core::FieldError> errors;
  std::optional<std::string> name;
  if (input.name) {
    auto checked = core::ValidateDisplayText("name", *input.name, kMaxOrganizationName);
    if (checked.ok()) {
      name = *checked;
    } else {
      errors.push_back(checked.error().fields.at(0));
    }
  }
  if (input.slug) {
    if (auto st = core::ValidateSlug(*input.slug); !st.ok())
      errors.push_back(st.error().fields.at(0));
  }
  std::optional<std::string> billing_email;
  if (input.billing_email && *input.billing_email) {
    auto normalized = core::NormalizeEmail(**input.billing_email);
    if (normalized.ok()) {
      billing_email = *normalized;
    } else {
      errors.push_back({"billing_email", normalized.error().fields.at(0).message});
    }
  }
  if (!errors.empty()) {
    return Error::Validation(std::move(errors));
  }

  auto lease = env_.catalog.Acquire();
  store::Transaction txn(*lease, /*write=*/true);
  BULKHEAD_TRY(txn.begin_status());
  // Re-read under the write lock: the cached copy may predate a concurrent update.
  auto current = store::catalog::FindOrganizationById(*lease, tenant.organization.id);
  if (!current.ok()) return current.error();
  if (!*current) return Error::Make(ErrorCode::kOrganizationNotFound, "organization not found");
  store::OrganizationRecord org = **current;
  nlohmann::json changes = nlohmann::json::object();
  if (name && *name != org.name) {
    changes["name"] = {{"from", org.name}, {"to", *name}};
    org.name = *name;
  }
  if (input.slug && *input.slug != org.slug) {
    auto exists = store::catalog::SlugExists(*lease, *input.slug);
    if (!exists.ok()) return exists.error();
    if (*exists) return SlugTaken();
    changes["slug"] = {{"from", org.slug}, {"to", *input.slug}};
    org.slug = *input.slug;
  }
  if (input.settings) {
    auto current_settings = core::SettingsFromJson(nlohmann::json::parse(org.settings));
    auto patched = core::ApplySettingsPatch(current_settings, *input.settings);
    if (!patched.ok()) return patched.error();
    // Entitlements above the plan are the operator's: settings may only lower them.
    const auto& plans = env_.config.plans;
    BULKHEAD_TRY(core::CheckSettingsWithinCeiling(
        plans,
        core::EntitlementCeiling(plans, org.plan,
                                 core::OverridesFromJson(org.entitlement_overrides)),
        *input.settings));
    if (!(*patched == current_settings)) {
      changes["settings"] = *input.settings;
      org.settings = core::SettingsToJson(*patched).dump();
    }
  }
  // The billing contact has an audit action of its own, so billing history is one filter away.
  std::optional<nlohmann::json> billing_change;
  if (input.billing_email && billing_email != org.billing_email) {
    auto as_json = [](const std::optional<std::string>& v) {
      return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
    };
    billing_change = {{"from", as_json(org.billing_email)}, {"to", as_json(billing_email)}};
    org.billing_email = billing_email;
  }
  if (changes.empty() && !billing_change) return org;  // nothing changed: no write, no event
  org.updated_at = core::NowMs();
  if (auto st = store::catalog::UpdateOrganization(*lease, org); !st.ok()) {
    return st.error().code == ErrorCode::kConflict ? SlugTaken() : st.error();
  }
  if (!changes.empty()) {
    BULKHEAD_TRY(store::catalog::InsertAuditEvent(
        *lease,
        MakeAuditEvent(org.id, actor, "organization.updated", "organization", org.id, changes)));
  }
  if (billing_change) {
    BULKHEAD_TRY(store::catalog::InsertAuditEvent(
        *lease, MakeAuditEvent(org.id, actor, "organization.billing_contact_changed",
                               "organization", org.id, *billing_change)));
  }
  BULKHEAD_TRY(WriteOrganizationEvent(*lease, org, "organization.updated", {}));
  BULKHEAD_TRY(store::catalog::RecordChange(*lease, "organization", org.id));
  BULKHEAD_TRY(txn.Commit());
  env_.cache.Invalidate("organization", org.id);  // the old slug stops routing at once
  RelayOutbox(env_, org.id, lease);
  return org;
}

core::Status OrganizationService::Delete(const TenantContext& tenant, const std::string& confirm,
                                         const Actor& actor) {
  const auto& org = tenant.organization;
  if (confirm != org.slug) {
    return Error::Validation("confirm", "must equal the organization's slug");
  }
  {
    // Events still in the outbox reach the log (and its endpoints) before the last one.
    RelayOutbox(env_, org.id);
    auto lease = env_.catalog.Acquire();
    store::Transaction txn(*lease, /*write=*/true);
    BULKHEAD_TRY(txn.begin_status());
    // Queued for the organization's webhook endpoints before its store goes: its last event.
    auto data = OrganizationEventData(env_, *lease, org);
    if (!data.ok()) return data.error();
    BULKHEAD_TRY(QueueFinalEvent(env_, *lease, tenant,
                                 MakeEvent(org.id, "organization.deleted", std::move(*data))));
    BULKHEAD_TRY(store::catalog::DeleteOrganizationEventRows(*lease, org.id));
    BULKHEAD_TRY(store::catalog::DeleteAuditEvents(*lease, org.id));
    BULKHEAD_TRY(store::catalog::DeleteOrganization(*lease, org.id));  // memberships cascade
    BULKHEAD_TRY(env_.tenants.DropWithin(*lease, tenant.key));
    // The control plane keeps one line that the organization existed and who deleted it.
    BULKHEAD_TRY(store::catalog::InsertAuditEvent(
        *lease, MakeAuditEvent(org.id, actor, "organization.deleted", "organization", org.id,
                               {{"slug", org.slug}})));
    BULKHEAD_TRY(store::catalog::RecordChange(*lease, "organization", org.id));
    BULKHEAD_TRY(txn.Commit());
  }
  env_.tenants.Destroy(tenant.key);
  env_.keys.Forget(org.id);  // its data keys were deleted with it (cascade): crypto-shredding
  env_.cache.Invalidate("organization", org.id);  // its domains went with it (cascade)
  return core::Ok();
}

Result<store::OrganizationRecord> OrganizationService::ChangePlan(
    const std::string& organization_id, const std::string& plan, const Actor& actor) {
  if (!env_.config.plans.Find(plan)) {
    std::string known;
    for (const auto& [name, p] : env_.config.plans.plans)
      known += (known.empty() ? "" : ", ") + name;
    return Error::Validation("plan", "must be one of " + known);
  }
  auto lease = env_.catalog.Acquire();
  store::Transaction txn(*lease, /*write=*/true);
  BULKHEAD_TRY(txn.begin_status());
  auto found = store::catalog::FindOrganizationById(*lease, organization_id);
  if (!found.ok()) return found.error();
  if (!*found) return Error::Make(ErrorCode::kOrganizationNotFound, "organization not found");
  store::OrganizationRecord org = **found;
  if (org.plan == plan) return org;
  std::string from = org.plan;
  org.plan = plan;
  org.updated_at = core::NowMs();
  BULKHEAD_TRY(store::catalog::UpdateOrganization(*lease, org));
  BULKHEAD_TRY(store::catalog::InsertAuditEvent(
      *lease, MakeAuditEvent(org.id, actor, "organization.plan_changed", "organization", org.id,
                             {{"from", from}, {"to", plan}})));
  BULKHEAD_TRY(
      WriteOrganizationEvent(*lease, org, "organization.plan_changed", {{"previous_plan", from}}));
  BULKHEAD_TRY(store::catalog::RecordChange(*lease, "organization", org.id));
  BULKHEAD_TRY(txn.Commit());
  env_.cache.Invalidate("organization", org.id);
  RelayOutbox(env_, org.id, lease);
  return org;
}

Result<store::OrganizationRecord> OrganizationService::SetStatus(const std::string& slug,
                                                                 const std::string& status,
                                                                 const Actor& actor) {
  auto lease = env_.catalog.Acquire();
  store::Transaction txn(*lease, /*write=*/true);
  BULKHEAD_TRY(txn.begin_status());
  auto found = store::catalog::FindOrganizationBySlug(*lease, slug);
  if (!found.ok()) return found.error();
  if (!*found)
    return Error::Make(ErrorCode::kOrganizationNotFound, "no organization '" + slug + "'");
  store::OrganizationRecord org = **found;
  if (org.status == status) return org;
  org.status = status;
  org.updated_at = core::NowMs();
  BULKHEAD_TRY(store::catalog::UpdateOrganization(*lease, org));
  BULKHEAD_TRY(store::catalog::InsertAuditEvent(
      *lease,
      MakeAuditEvent(org.id, actor,
                     status == "suspended" ? "organization.suspended" : "organization.resumed",
                     "organization", org.id, {{"slug", org.slug}})));
  BULKHEAD_TRY(WriteOrganizationEvent(
      *lease, org, status == "suspended" ? "organization.suspended" : "organization.resumed", {}));
  BULKHEAD_TRY(store::catalog::RecordChange(*lease, "organization", org.id));
  BULKHEAD_TRY(txn.Commit());
  env_.cache.Invalidate("organization", org.id);
  RelayOutbox(env_, org.id, lease);
  return org;
}

core::Status OrganizationService::WriteOrganizationEvent(store::Connection& c,
                                                         const store::OrganizationRecord& org,
                                                         std::string type,
                                                         const nlohmann::json& extra) {
  auto data = OrganizationEventData(env_, c, org);
  if (!data.ok()) return data.error();
  for (const auto& [key, value] : extra.items()) (*data)[key] = value;
  return WriteOutboxEvent(c, MakeEvent(org.id, std::move(type), std::move(*data)));
}

core::Status OrganizationService::CheckOwnedOrganizations(store::Connection& c,
                                                          const std::string& user_id) {
  int64_t max = env_.config.max_organizations_per_user;
  if (max <= 0) return core::Ok();
  auto owned = store::catalog::CountOwnedTeamOrganizations(c, user_id);
  if (!owned.ok()) return owned.error();
  if (*owned >= max) return Error::LimitReached("max_organizations_per_user", *owned, max);
  return core::Ok();
}

Result<core::EntitlementOverrides> OrganizationService::WriteOverrides(
    const std::string& slug, const Actor& actor, const std::string& action,
    const nlohmann::json& details,
    const std::function<core::Status(core::EntitlementOverrides&)>& change) {
  auto lease = env_.catalog.Acquire();
  store::Transaction txn(*lease, /*write=*/true);
  BULKHEAD_TRY(txn.begin_status());
  auto found = store::catalog::FindOrganizationBySlug(*lease, slug);
  if (!found.ok()) return found.error();
  if (!*found)
    return Error::Make(ErrorCode::kOrganizationNotFound, "no organization '" + slug + "'");
  const auto& org = **found;
  core::EntitlementOverrides overrides = core::OverridesFromJson(org.entitlement_overrides);
  core::EntitlementOverrides before = overrides;
  BULKHEAD_TRY(change(overrides));
  if (overrides == before) return overrides;  // nothing changed: no write, no event
  nlohmann::json audit = details;
  audit["from"] = core::OverridesToJson(before);
  audit["to"] = core::OverridesToJson(overrides);
  BULKHEAD_TRY(store::catalog::SetOrganizationOverrides(
      *lease, org.id, core::OverridesToJson(overrides).dump(), core::NowMs()));
  BULKHEAD_TRY(store::catalog::InsertAuditEvent(
      *lease, MakeAuditEvent(org.id, actor, action, "organization", org.id, audit)));
  BULKHEAD_TRY(store::catalog::RecordChange(*lease, "organization", org.id));
  BULKHEAD_TRY(txn.Commit());
  env_.cache.Invalidate("organization", org.id);
  return overrides;
}

Result<core::EntitlementOverrides> OrganizationService::SetOverride(
    const std::string& slug, const std::optional<std::string>& feature,
    const std::optional<std::pair<std::string, int64_t>>& limit, const Actor& actor) {
  if (feature.has_value() == limit.has_value()) {
    return Error::Validation("override", "give exactly one of a feature or a limit");
  }
  if (feature && !core::IsValidFeatureName(*feature)) {
    return Error::Validation("feature", "must be 1-63 of a-z 0-9 _");
  }
  if (limit) BULKHEAD_TRY(core::ValidateOverrideLimit(limit->first, limit->second));
  nlohmann::json details = feature
                               ? nlohmann::json{{"feature", *feature}}
                               : nlohmann::json{{"limit", limit->first}, {"value", limit->second}};
  return WriteOverrides(slug, actor, "organization.override_set", details,
                        [&](core::EntitlementOverrides& o) -> core::Status {
                          if (feature) o.features.insert(*feature);
                          if (limit) o.limits[limit->first] = limit->second;
                          return core::Ok();
                        });
}

Result<core::EntitlementOverrides> OrganizationService::ClearOverride(
    const std::string& slug, const std::optional<std::string>& feature,
    const std::optional<std::string>& limit, const Actor& actor) {
  if (feature && limit) return Error::Validation("override", "give a feature, a limit, or neither");
  if (limit && !core::IsKnownLimitName(*limit))
    return Error::Validation("limit", "is not a known limit");
  nlohmann::json details = feature ? nlohmann::json{{"feature", *feature}}
                           : limit ? nlohmann::json{{"limit", *limit}}
                                   : nlohmann::json{{"all", true}};
  return WriteOverrides(slug, actor, "organization.override_cleared", details,
                        [&](core::EntitlementOverrides& o) -> core::Status {
                          if (feature) {
                            o.features.erase(*feature);
                          } else if (limit) {
                            o.limits.erase(*limit);
                          } else {
                            o = {};
                          }
                          return core::Ok();
                        });
}

std::shared_ptr<const core::Entitlements> OrganizationEntitlements(
    const Environment& env, const store::OrganizationRecord& org) {
  auto& cache = env.cache.entitlements;
  if (auto hit = cache.Get(org.id); hit && (*hit)->plan == org.plan &&
                                    (*hit)->settings == org.settings &&
                                    (*hit)->overrides == org.entitlement_overrides) {
    return {*hit, &(*hit)->entitlements};
  }
  uint64_t generation = cache.Generation();
  auto settings = core::SettingsFromJson(nlohmann::json::parse(org.settings));
  auto computed = std::make_shared<const CachedEntitlements>(CachedEntitlements{
      org.plan, org.settings, org.entitlement_overrides,
      core::EffectiveEntitlements(env.config.plans, org.plan, settings,
                                  core::OverridesFromJson(org.entitlement_overrides))});
  cache.Fill(generation, org.id, computed);
  return {computed, &computed->entitlements};
}

std::optional<int64_t> OrganizationLimit(const Environment& env,
                                         const store::OrganizationRecord& org,
                                         std::string_view name) {
  auto entitlements = OrganizationEntitlements(env, org);
  auto it = entitlements->limits.find(std::string(name));
  if (it == entitlements->limits.end()) return std::nullopt;
  return it->second;
}

bool OrganizationHasFeature(const Environment& env, const store::OrganizationRecord& org,
                            std::string_view feature) {
  return OrganizationEntitlements(env, org)->features.count(std::string(feature)) > 0;
}

Result<std::vector<store::OrganizationRecord>> OrganizationService::ListAll() {
  auto lease = env_.catalog.Acquire();
  return store::catalog::ListOrganizations(*lease);
}

Result<std::optional<store::OrganizationRecord>> OrganizationService::FindById(
    const std::string& id) {
  auto lease = env_.catalog.Acquire();
  return store::catalog::FindOrganizationById(*lease, id);
}

Result<SlugAvailability> OrganizationService::CheckSlug(const std::string& slug) {
  // Characters as typed: code points, or bytes of text that is not UTF-8 (invalid anyway).
  std::size_t length = core::IsValidUtf8(slug) ? core::CodePointCount(slug) : slug.size();
  if (length > kMaxSlugQueryLength) {
    return Error::Validation("slug", "must be at most 100 characters to be checked");
  }
  // Reserved before the rest of the rules, so that "www" reads as reserved, not as invalid.
  if (core::IsReservedSlug(slug)) return SlugAvailability{false, "reserved", "slug is reserved"};
  if (auto valid = core::ValidateSlug(slug); !valid.ok()) {
    return SlugAvailability{false, "invalid", valid.error().message};
  }
  auto lease = env_.catalog.Acquire();
  auto exists = store::catalog::SlugExists(*lease, slug);
  if (!exists.ok()) return exists.error();
  if (*exists) return SlugAvailability{false, "taken", "slug is taken"};
  return SlugAvailability{true, "", ""};
}

Result<std::optional<store::OrganizationRecord>> OrganizationService::FindBySlug(
    const std::string& slug) {
  auto lease = env_.catalog.Acquire();
  return store::catalog::FindOrganizationBySlug(*lease, slug);
}

}  // namespace bulkhead::service
