#pragma once
// Organization settings: branding, feature flags and limits, validated. Pure functions.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.hpp"

namespace bulkhead::core {

// Limit names an organization may set (issue-defined; unknown names are refused).
inline constexpr const char* kLimitNames[] = {"max_members",        "max_workspaces",
                                              "max_resources",      "max_api_keys",
                                              "max_custom_domains", "requests_per_minute"};

// The least request budget anyone may set (settings, plans, operator overrides); a stored value
// below it reads as this. Lower budgets could lock an organization out of the request that
// raises them.
inline constexpr int64_t kMinRequestsPerMinute = 60;

struct Branding {
  std::optional<std::string> display_name;   // 1-100 code points
  std::optional<std::string> logo_url;       // https URL, at most 2048 characters
  std::optional<std::string> primary_color;  // "#rrggbb", stored lowercase
  bool operator==(const Branding&) const = default;
};

struct OrganizationSettings {
  Branding branding;
  std::vector<std::string> features;      // unique names of [a-z0-9_], 1-63 chars, at most 100
  std::map<std::string, int64_t> limits;  // known names -> 0 .. 1'000'000'000
  bool operator==(const OrganizationSettings&) const = default;
};

// Applies a JSON merge patch (RFC 7396 semantics) to `current` and validates the result:
// `patch` must be an object with only the keys "branding", "features", "limits".
// branding: an object whose keys are set (string) or cleared (null); features: an array that
// replaces the current one (null clears it); limits: an object whose keys are set (integer) or
// removed (null). Errors are kValidationFailed with fields like "settings.branding.logo_url".
Result<OrganizationSettings> ApplySettingsPatch(const OrganizationSettings& current,
                                                const nlohmann::json& patch);

// {"branding": {"display_name": ..|null, "logo_url": ..|null, "primary_color": ..|null},
//  "features": [...], "limits": {...}}: every key always present.
nlohmann::json SettingsToJson(const OrganizationSettings& settings);
// Inverse of SettingsToJson for stored values; tolerant (stored data was validated on write).
OrganizationSettings SettingsFromJson(const nlohmann::json& stored);

// A limit name settings and plans know (max_members, ..., requests_per_minute).
bool IsKnownLimitName(std::string_view name);
// A feature name: 1-63 of a-z 0-9 _.
bool IsValidFeatureName(std::string_view name);

}  // namespace bulkhead::core
