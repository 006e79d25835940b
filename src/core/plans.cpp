#include "core/plans.hpp"

#include <algorithm>
#include <string>
#include <vector>

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
    if (!IsValidFeatureName(name))
      return invalid("plan name '" + name + "' must be 1-63 of a-z 0-9 _");
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
          if (!IsKnownLimitName(limit))
            return invalid("plan '" + name + "': unknown limit '" + limit + "'");
          if (!n.is_number_integer() || n.get<int64_t>() < 0) {
            return invalid("plan '" + name + "': limit '" + limit +
                           "' must be a non-negative integer");
          }
          if (limit == "requests_per_minute" && n.get<int64_t>() < kMinRequestsPerMinute) {
            return invalid("plan '" + name + "': requests_per_minute must be at least " +
                           std::to_string(kMinRequestsPerMinute));
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

namespace {

constexpr int64_t kMaxLimitValue = 1'000'000'000;
// Features that gate something in Bulkhead itself, whatever the plans file says.
constexpr std::string_view kBuiltInFeatures[] = {"custom_domains", "audit_log", "sso"};

}  // namespace

nlohmann::json OverridesToJson(const EntitlementOverrides& overrides) {
  nlohmann::json limits = nlohmann::json::object();
  for (const auto& [name, value] : overrides.limits) limits[name] = value;
  return {{"features", overrides.features}, {"limits", limits}};
}

EntitlementOverrides OverridesFromJson(std::string_view stored) {
  EntitlementOverrides out;
  auto json = nlohmann::json::parse(stored, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return out;
  if (auto f = json.find("features"); f != json.end() && f->is_array()) {
    for (const auto& v : *f) {
      if (v.is_string()) out.features.insert(v.get<std::string>());
    }
  }
  if (auto l = json.find("limits"); l != json.end() && l->is_object()) {
    for (const auto& [k, v] : l->items()) {
      if (v.is_number_integer()) out.limits[k] = v.get<int64_t>();
    }
  }
  return out;
}

Status ValidateOverrideLimit(std::string_view name, int64_t value) {
  if (!IsKnownLimitName(name)) return Error::Validation("limit", "is not a known limit");
  if (value < 0 || value > kMaxLimitValue) {
    return Error::Validation("limit", "must be an integer from 0 to 1000000000");
  }
  if (name == "requests_per_minute" && value < kMinRequestsPerMinute) {
    return Error::Validation(
        "limit", "requests_per_minute must be at least " + std::to_string(kMinRequestsPerMinute));
  }
  return Ok();
}

bool IsEntitlementFeature(const PlanCatalog& catalog, std::string_view feature) {
  for (std::string_view f : kBuiltInFeatures) {
    if (f == feature) return true;
  }
  for (const auto& [name, plan] : catalog.plans) {
    if (plan.features.count(std::string(feature))) return true;
  }
  return false;
}

Entitlements EntitlementCeiling(const PlanCatalog& catalog, std::string_view plan_name,
                                const EntitlementOverrides& overrides) {
  Entitlements out;
  if (const Plan* plan = catalog.Find(plan_name)) {
    out.features = plan->features;
    out.limits = plan->limits;
  }
  out.features.insert(overrides.features.begin(), overrides.features.end());
  for (const auto& [name, value] : overrides.limits) out.limits[name] = value;
  return out;
}

Status CheckSettingsWithinCeiling(const PlanCatalog& catalog, const Entitlements& ceiling,
                                  const nlohmann::json& patch) {
  if (!patch.is_object()) return Ok();  // ApplySettingsPatch refuses it
  std::vector<FieldError> errors;
  if (auto f = patch.find("features"); f != patch.end() && f->is_array()) {
    for (const auto& v : *f) {
      if (!v.is_string()) continue;
      const std::string feature = v.get<std::string>();
      if (IsEntitlementFeature(catalog, feature) && !ceiling.features.count(feature)) {
        errors.push_back({"settings.features", "'" + feature +
                                                   "' is not in the organization's plan; features "
                                                   "beyond the plan are granted by the operator"});
      }
    }
  }
  if (auto l = patch.find("limits"); l != patch.end() && l->is_object()) {
    for (const auto& [name, v] : l->items()) {
      if (!v.is_number_integer()) continue;
      auto max = ceiling.limits.find(name);
      if (max != ceiling.limits.end() && v.get<int64_t>() > max->second) {
        errors.push_back(
            {"settings.limits." + name, "must be at most " + std::to_string(max->second) +
                                            " (the plan's limit); settings may only lower limits"});
      }
    }
  }
  if (errors.empty()) return Ok();
  return Error::Validation(std::move(errors));
}

Entitlements EffectiveEntitlements(const PlanCatalog& catalog, std::string_view plan_name,
                                   const OrganizationSettings& settings,
                                   const EntitlementOverrides& overrides) {
  Entitlements out = EntitlementCeiling(catalog, plan_name, overrides);
  // Own flags only: an entitlement the tenant listed (stored before this rule) grants nothing.
  for (const auto& f : settings.features) {
    if (!IsEntitlementFeature(catalog, f)) out.features.insert(f);
  }
  for (const auto& [name, value] : settings.limits) {
    auto it = out.limits.find(name);
    out.limits[name] = it == out.limits.end() ? value : std::min(it->second, value);
  }
  if (auto rpm = out.limits.find("requests_per_minute"); rpm != out.limits.end()) {
    rpm->second = std::max(rpm->second, kMinRequestsPerMinute);
  }
  return out;
}

}  // namespace bulkhead::core
