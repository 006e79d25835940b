#pragma once
// The rules of resources (API.md): kind, name, labels and spec. Pure functions.

#include <map>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/result.hpp"

namespace bulkhead::core {

inline constexpr std::size_t kMaxSpecBytes = 64 * 1024;
inline constexpr std::size_t kMaxLabels = 64;
inline constexpr std::size_t kMaxLabelKey = 63;
inline constexpr std::size_t kMaxLabelValue = 255;
inline constexpr std::size_t kMaxResourceName = 200;

using Labels = std::map<std::string, std::string>;

// 1-63 of a-z 0-9 _ -.
Status ValidateKind(std::string_view kind);
// A label key: 1-63 of a-z A-Z 0-9 . _ / -, starting with a letter or digit.
Status ValidateLabelKey(std::string_view key);

// `labels` must be an object of string values (at most 64 entries, values up to 255 characters
// of valid text). Errors name the field "labels.<key>".
Result<Labels> LabelsFromJson(const nlohmann::json& labels);
// A merge: keys with a string value are set, keys with null are removed.
Result<Labels> MergeLabels(Labels current, const nlohmann::json& patch);

// `spec` must be a JSON object of at most 64 KiB once serialized.
Status ValidateSpec(const nlohmann::json& spec);

// A label selector "key=value" from ?label=.
Result<std::pair<std::string, std::string>> ParseLabelSelector(std::string_view selector);

}  // namespace bulkhead::core
