#include "core/settings.hpp"

#include <algorithm>
#include <set>
#include <string>

#include "core/text.hpp"

namespace bulkhead::core {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxDisplayName = 100;
constexpr std::size_t kMaxUrl = 2048;
constexpr std::size_t kMaxFeatures = 100;
constexpr std::size_t kMaxFeatureName = 63;
constexpr int64_t kMaxLimit = 1'000'000'000;

bool IsKnownLimitImpl(std::string_view name) {
  return std::any_of(std::begin(kLimitNames), std::end(kLimitNames),
                     [&](const char* known) { return name == known; });
}

bool ValidHttpsUrl(std::string_view url) {
  constexpr std::string_view kScheme = "https://";
  if (url.size() > kMaxUrl || url.substr(0, kScheme.size()) != kScheme) return false;
  std::string_view rest = url.substr(kScheme.size());
  std::string_view host = rest.substr(0, rest.find_first_of("/?#"));
  if (host.empty() || host.find('@') != std::string_view::npos) return false;
  for (char c : url) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7F) return false;
  }
  return IsValidUtf8(url);
}

bool ValidColor(std::string_view color) {
  if (color.size() != 7 || color[0] != '#') return false;
  return std::all_of(color.begin() + 1, color.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  });
}

bool ValidFeatureNameImpl(std::string_view name) {
  return !name.empty() && name.size() <= kMaxFeatureName &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
         });
}

void PatchBranding(Branding& branding, const json& patch, std::vector<FieldError>& errors) {
  const std::string base = "settings.branding";
  if (!patch.is_object()) {
    errors.push_back({base, "must be an object"});
    return;
  }
  for (const auto& [key, value] : patch.items()) {
    std::string field = base + "." + key;
    std::optional<std::string>* slot = key == "display_name"    ? &branding.display_name
                                       : key == "logo_url"      ? &branding.logo_url
                                       : key == "primary_color" ? &branding.primary_color
                                                                : nullptr;
    if (!slot) {
      errors.push_back({field, "is not a known field"});
      continue;
    }
    if (value.is_null()) {
      slot->reset();
      continue;
    }
    if (!value.is_string()) {
      errors.push_back({field, "must be a string or null"});
      continue;
    }
    std::string text = value.get<std::string>();
    if (key == "display_name") {
      auto checked = ValidateDisplayText(field, text, kMaxDisplayName);
      if (!checked.ok()) {
        errors.push_back(checked.error().fields.at(0));
        continue;
      }
      text = *checked;
    } else if (key == "logo_url" && !ValidHttpsUrl(text)) {
      errors.push_back({field, "must be an https:// URL"});
      continue;
    } else if (key == "primary_color") {
      if (!ValidColor(text)) {
        errors.push_back({field, "must be a color like #1a2b3c"});
        continue;
      }
      std::transform(text.begin(), text.end(), text.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    }
    *slot = std::move(text);
  }
}

void PatchFeatures(std::vector<std::string>& features, const json& patch,
                   std::vector<FieldError>& errors) {
  const std::string field = "settings.features";
  if (patch.is_null()) {
    features.clear();
    return;
  }
  if (!patch.is_array()) {
    errors.push_back({field, "must be an array of feature names"});
    return;
  }
  if (patch.size() > kMaxFeatures) {
    errors.push_back({field, "must have at most 100 entries"});
    return;
  }
  std::vector<std::string> next;
  std::set<std::string> seen;
  for (const auto& item : patch) {
    if (!item.is_string() || !ValidFeatureNameImpl(item.get<std::string>())) {
      errors.push_back({field, "entries must be names of a-z, 0-9 and '_', 1-63 characters"});
      return;
    }
    if (!seen.insert(item.get<std::string>()).second) {
      errors.push_back({field, "must not repeat a feature"});
      return;
    }
    next.push_back(item.get<std::string>());
  }
  features = std::move(next);
}

void PatchLimits(std::map<std::string, int64_t>& limits, const json& patch,
                 std::vector<FieldError>& errors) {
  const std::string base = "settings.limits";
  if (!patch.is_object()) {
    errors.push_back({base, "must be an object"});
    return;
  }
  for (const auto& [key, value] : patch.items()) {
    std::string field = base + "." + key;
    if (!IsKnownLimitImpl(key)) {
      errors.push_back({field, "is not a known limit"});
      continue;
    }
    if (value.is_null()) {
      limits.erase(key);
      continue;
    }
    bool integral = value.is_number_integer() || value.is_number_unsigned();
    if (!integral || (value.is_number_unsigned() && value.get<uint64_t>() > uint64_t(kMaxLimit)) ||
        (value.is_number_integer() &&
         (value.get<int64_t>() < 0 || value.get<int64_t>() > kMaxLimit))) {
      errors.push_back({field, "must be an integer from 0 to 1000000000"});
      continue;
    }
    // A budget of nothing would refuse the very request that lifts it (issue 15, defect 7).
    if (key == "requests_per_minute" && value.get<int64_t>() < kMinRequestsPerMinute) {
      errors.push_back({field, "must be at least " + std::to_string(kMinRequestsPerMinute)});
      continue;
    }
    limits[key] = value.get<int64_t>();
  }
}

}  // namespace

Result<OrganizationSettings> ApplySettingsPatch(const OrganizationSettings& current,
                                                const json& patch) {
  if (!patch.is_object()) return Error::Validation("settings", "must be an object");
  OrganizationSettings next = current;
  std::vector<FieldError> errors;
  for (const auto& [key, value] : patch.items()) {
    if (key == "branding") {
      if (!value.is_null()) {
        PatchBranding(next.branding, value, errors);
      } else {
        next.branding = {};
      }
    } else if (key == "features") {
      PatchFeatures(next.features, value, errors);
    } else if (key == "limits") {
      if (!value.is_null()) {
        PatchLimits(next.limits, value, errors);
      } else {
        next.limits.clear();
      }
    } else {
      errors.push_back({"settings." + key, "is not a known field"});
    }
  }
  if (!errors.empty()) {
    Error e = Error::Make(ErrorCode::kValidationFailed,
                          errors.front().field + " " + errors.front().message);
    e.fields = std::move(errors);
    return e;
  }
  return next;
}

json SettingsToJson(const OrganizationSettings& s) {
  auto text = [](const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); };
  json limits = json::object();
  for (const auto& [k, v] : s.limits) limits[k] = v;
  return {{"branding",
           {{"display_name", text(s.branding.display_name)},
            {"logo_url", text(s.branding.logo_url)},
            {"primary_color", text(s.branding.primary_color)}}},
          {"features", s.features},
          {"limits", limits}};
}

OrganizationSettings SettingsFromJson(const json& stored) {
  OrganizationSettings s;
  if (!stored.is_object()) return s;
  auto text = [](const json& obj, const char* key) -> std::optional<std::string> {
    auto it = obj.find(key);
    if (it == obj.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
  };
  if (auto b = stored.find("branding"); b != stored.end() && b->is_object()) {
    s.branding.display_name = text(*b, "display_name");
    s.branding.logo_url = text(*b, "logo_url");
    s.branding.primary_color = text(*b, "primary_color");
  }
  if (auto f = stored.find("features"); f != stored.end() && f->is_array()) {
    for (const auto& item : *f) {
      if (item.is_string()) s.features.push_back(item.get<std::string>());
    }
  }
  if (auto l = stored.find("limits"); l != stored.end() && l->is_object()) {
    for (const auto& [k, v] : l->items()) {
      if (v.is_number_integer()) s.limits[k] = v.get<int64_t>();
    }
  }
  return s;
}

bool IsKnownLimitName(std::string_view name) {
  return IsKnownLimitImpl(name);
}
bool IsValidFeatureName(std::string_view name) {
  return ValidFeatureNameImpl(name);
}

}  // namespace bulkhead::core
