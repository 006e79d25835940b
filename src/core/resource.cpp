#include "core/resource.hpp"

#include "core/text.hpp"

namespace bulkhead::core {
namespace {

bool IsLower(char c) {
  return c >= 'a' && c <= 'z';
}
bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}
bool IsUpper(char c) {
  return c >= 'A' && c <= 'Z';
}

Status CheckLabelValue(const std::string& key, const nlohmann::json& value) {
  std::string field = "labels." + key;
  if (!value.is_string()) return Error::Validation(field, "must be a string");
  const auto& text = value.get_ref<const std::string&>();
  if (!IsValidUtf8(text)) return Error::Validation(field, "must be valid UTF-8");
  if (text.size() > kMaxLabelValue) return Error::Validation(field, "must be at most 255 bytes");
  for (unsigned char c : text) {
    if (c < 0x20 || c == 0x7F)
      return Error::Validation(field, "must not contain control characters");
  }
  return Ok();
}

}  // namespace

Status ValidateKind(std::string_view kind) {
  if (kind.empty() || kind.size() > 63) return Error::Validation("kind", "must be 1-63 characters");
  for (char c : kind) {
    if (!IsLower(c) && !IsDigit(c) && c != '_' && c != '-') {
      return Error::Validation("kind", "may contain only a-z, 0-9, '_' and '-'");
    }
  }
  return Ok();
}

Status ValidateLabelKey(std::string_view key) {
  std::string field = "labels." + std::string(key.substr(0, 80));
  if (key.empty() || key.size() > kMaxLabelKey) {
    return Error::Validation(field, "keys must be 1-63 characters");
  }
  if (!IsLower(key[0]) && !IsUpper(key[0]) && !IsDigit(key[0])) {
    return Error::Validation(field, "keys must start with a letter or digit");
  }
  for (char c : key) {
    if (!IsLower(c) && !IsUpper(c) && !IsDigit(c) && c != '.' && c != '_' && c != '/' && c != '-') {
      return Error::Validation(field,
                               "keys may contain only letters, digits, '.', '_', '/' and '-'");
    }
  }
  return Ok();
}

Result<Labels> LabelsFromJson(const nlohmann::json& labels) {
  return MergeLabels({}, labels);
}

Result<Labels> MergeLabels(Labels current, const nlohmann::json& patch) {
  if (!patch.is_object()) return Error::Validation("labels", "must be an object of strings");
  for (const auto& [key, value] : patch.items()) {
    BULKHEAD_TRY(ValidateLabelKey(key));
    if (value.is_null()) {
      current.erase(key);
      continue;
    }
    BULKHEAD_TRY(CheckLabelValue(key, value));
    current[key] = value.get<std::string>();
  }
  if (current.size() > kMaxLabels)
    return Error::Validation("labels", "must have at most 64 labels");
  return current;
}

Status ValidateSpec(const nlohmann::json& spec) {
  if (!spec.is_object()) return Error::Validation("spec", "must be a JSON object");
  if (spec.dump().size() > kMaxSpecBytes)
    return Error::Validation("spec", "must be at most 64 KiB");
  return Ok();
}

Result<std::pair<std::string, std::string>> ParseLabelSelector(std::string_view selector) {
  auto eq = selector.find('=');
  if (eq == std::string_view::npos) {
    return Error::Validation("label", "must be key=value");
  }
  std::string key(selector.substr(0, eq));
  if (auto st = ValidateLabelKey(key); !st.ok()) {
    return Error::Validation("label", "has an invalid key");
  }
  return std::pair{key, std::string(selector.substr(eq + 1))};
}

}  // namespace bulkhead::core
