#pragma once
// Plans: named sets of features and limits that the operator defines (a JSON file, or the
// built-in free, team and enterprise). Entitlements above the plan are the operator's alone
// (overrides, per organization); an organization's own `settings` may only lower its limits
// and add feature names that no plan uses (its application's own flags). A limit a plan leaves
// out is unlimited. Pure; thread-safe once built.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/result.hpp"
#include "core/settings.hpp"

namespace bulkhead::core {

struct Plan {
  std::string name;
  std::set<std::string> features;
  std::map<std::string, int64_t> limits;
};

struct PlanCatalog {
  std::map<std::string, Plan> plans;
  std::string default_plan = "team";   // new team organizations
  std::string personal_plan = "free";  // personal organizations

  const Plan* Find(std::string_view name) const;
};

// free, team and enterprise: generous enough that nothing in Bulkhead needs a plan change.
PlanCatalog BuiltInPlans();

// {"default_plan": "team", "personal_plan": "free",
//  "plans": {"team": {"features": ["custom_domains"], "limits": {"max_members": 50}}}}
// Limit names are those of settings; features are names of [a-z0-9_]. kValidationFailed naming
// the first problem.
Result<PlanCatalog> ParsePlans(const nlohmann::json& document);

struct Entitlements {
  std::set<std::string> features;
  std::map<std::string, int64_t> limits;
};

// What the operator grants one organization beyond (or instead of) its plan: extra features,
// and limits that replace the plan's. Stored in the catalog apart from the tenant's settings.
struct EntitlementOverrides {
  std::set<std::string> features;
  std::map<std::string, int64_t> limits;
  bool empty() const { return features.empty() && limits.empty(); }
  bool operator==(const EntitlementOverrides&) const = default;
};
// {"features": [...], "limits": {...}}, both always present.
nlohmann::json OverridesToJson(const EntitlementOverrides& overrides);
// Tolerant of stored text ("" or "{}" is no override).
EntitlementOverrides OverridesFromJson(std::string_view stored);
// An operator's --limit NAME=VALUE: a known limit, 0 .. 1e9, requests_per_minute at least
// kMinRequestsPerMinute. kValidationFailed naming "limit".
Status ValidateOverrideLimit(std::string_view name, int64_t value);

// Feature names that are entitlements: Bulkhead's own (custom_domains, audit_log, sso) and
// every feature some plan of the catalog lists. Other names are a tenant's own flags.
bool IsEntitlementFeature(const PlanCatalog& catalog, std::string_view feature);

// The most the organization's own settings may ask for: its plan with the overrides applied.
Entitlements EntitlementCeiling(const PlanCatalog& catalog, std::string_view plan,
                                const EntitlementOverrides& overrides);
// Checks what a settings merge patch sets against the ceiling: a limit above it, or an
// entitlement feature outside it, is refused (kValidationFailed naming
// "settings.limits.<name>" or "settings.features"). Keys the patch does not touch are not
// checked, so a change of branding never fails over values stored under older rules.
Status CheckSettingsWithinCeiling(const PlanCatalog& catalog, const Entitlements& ceiling,
                                  const nlohmann::json& patch);

// The plan, then the operator's overrides, then the organization's own settings, which only
// lower (a stored value above the ceiling reads as the ceiling; an entitlement feature outside
// it is ignored); requests_per_minute reads as at least kMinRequestsPerMinute.
Entitlements EffectiveEntitlements(const PlanCatalog& catalog, std::string_view plan,
                                   const OrganizationSettings& settings,
                                   const EntitlementOverrides& overrides = {});

}  // namespace bulkhead::core
