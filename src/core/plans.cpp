#include "core/plans.hpp"

namespace bulkhead::core {

const Plan* PlanCatalog::Find(std::string_view name) const {
  auto it = plans.find(std::string(name));
  return it == plans.end() ? nullptr : &it->second;
}

PlanCatalog BuiltInPlans() {
  PlanCatalog catalog;
  catalog.plans["free"] = Plan{"free",
                               {"custom_domains"},
                               {{"max_members", 10},
                                {"max_workspaces", 20},
                                {"max_resources", 5'000},
                                {"max_api_keys", 20},
                                {"max_custom_domains", 5}}};
  catalog.plans["team"] = Plan{"team",
                               {"custom_domains", "audit_log"},
                               {{"max_members", 1'000},
                                {"max_workspaces", 1'000},
                                {"max_resources", 1'000'000},
                                {"max_api_keys", 1'000},
                                {"max_custom_domains", 100}}};
  catalog.plans["enterprise"] = Plan{"enterprise", {"custom_domains", "audit_log", "sso"}, {}};
  return catalog;
}

Result<PlanCatalog> ParsePlans(const nlohmann::json& document) {
  auto invalid = [](const std::string& message) { return Error::Validation("plans", message); };
  if (!document.is_object() || !document.contains("plans") || !document["plans"].is_object() ||
      document["plans"].empty()) {
    return invalid("must be an object with a non-empty \"plans\" object");
  }
  PlanCatalog catalog;
  for (const auto& [name, body] : document["plans"].items()) {
    if (!IsValidFeatureName(name)) return invalid("plan name '" + name + "' must be 1-63 of a-z 0-9 _");
    if (!body.is_object()) return invalid("plan '" + name + "' must be an object");
    Plan plan{name, {}, {}};
    for (const auto& [key, value] : body.items()) {
      if (key == "features") {
        if (!value.is_array()) return invalid("plan '" + name + "': features must be an array");
        for (const auto& f : value) {
          if (!f.is_string() || !IsValidFeatureName(f.get<std::string>())) {
            return invalid("plan '" + name + "': features are names of a-z 0-9 _");
          }
          plan.features.insert(f.get<std::string>());
        }
      } else if (key == "limits") {
        if (!value.is_object()) return invalid("plan '" + name + "': limits must be an object");
        for (const auto& [limit, n] : value.items()) {
          if (!IsKnownLimitName(limit)) return invalid("plan '" + name + "': unknown limit '" + limit + "'");
          if (!n.is_number_integer() || n.get<int64_t>() < 0) {
            return invalid("plan '" + name + "': limit '" + limit + "' must be a non-negative integer");
          }
          plan.limits[limit] = n.get<int64_t>();
        }
      } else {
        return invalid("plan '" + name + "': unknown key '" + key + "'");
      }
    }
    catalog.plans[name] = std::move(plan);
  }
  for (const char* which : {"default_plan", "personal_plan"}) {
    if (!document.contains(which)) {
      return invalid(std::string(which) + " is required");
    }
    if (!document[which].is_string() || !catalog.Find(document[which].get<std::string>())) {
      return invalid(std::string(which) + " must name one of the plans");
    }
  }
  catalog.default_plan = document["default_plan"];
  catalog.personal_plan = document["personal_plan"];
  return catalog;
}

Entitlements EffectiveEntitlements(const PlanCatalog& catalog, std::string_view plan_name,
                                   const OrganizationSettings& settings) {
  Entitlements out;
  if (const Plan* plan = catalog.Find(plan_name)) {
    out.features = plan->features;
    out.limits = plan->limits;
  }
  for (const auto& f : settings.features) out.features.insert(f);
  for (const auto& [name, value] : settings.limits) out.limits[name] = value;
  return out;
}

}  // namespace bulkhead::core
