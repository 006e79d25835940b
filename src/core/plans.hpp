#pragma once
// Plans: named sets of features and limits that the operator defines (a JSON file, or the
// built-in free, team and enterprise). An organization's effective limits are its plan's,
// overridden by its own `settings.limits`; its features are its plan's plus its own
// `settings.features`. A limit a plan leaves out is unlimited. Pure; thread-safe once built.

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
  std::string default_plan = "team";     // new team organizations
  std::string personal_plan = "free";    // personal organizations

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
Entitlements EffectiveEntitlements(const PlanCatalog& catalog, std::string_view plan,
                                   const OrganizationSettings& settings);

}  // namespace bulkhead::core
