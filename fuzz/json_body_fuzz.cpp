// JSON request bodies: api::ParseBody (the depth and NUL bounds, then nlohmann's parser), the
// schema validator as the organization and resource routes run it, and the validators that
// read what it passes: settings (core/settings), labels and spec (core/resource). Invariants: what
// Parse accepts is within the bounds and survives a dump/parse round trip; validated settings are a
// fixed point of their own patch; validated labels are accepted again as a patch.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "api/body.hpp"
#include "api/schema.hpp"
#include "api/schema_validator.hpp"
#include "check.hpp"
#include "core/json_bounds.hpp"
#include "core/resource.hpp"
#include "core/settings.hpp"

namespace core = bulkhead::core;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto body = bulkhead::api::ParseBody(text);
  const bool in_bounds = core::CheckJsonBounds(text).ok();
  if (!body.ok()) {
    FUZZ_CHECK(body.error().code == core::ErrorCode::kMalformedJson ||
               body.error().code == core::ErrorCode::kValidationFailed);
    if (!in_bounds) FUZZ_CHECK(body.error().code == core::ErrorCode::kMalformedJson);
    return 0;
  }
  FUZZ_CHECK(in_bounds);
  FUZZ_CHECK(text.find('\0') == std::string_view::npos);

  // A schema with the fields the organization and resource routes read.
  namespace schema = bulkhead::api::schema;
  static const nlohmann::json kSchema =
      schema::Object({{"name", schema::Nullable(schema::String({.max_length = 200}))},
                      {"slug", schema::Nullable(schema::String())},
                      {"settings", schema::Nullable(schema::Ref("SettingsPatch"))},
                      {"labels", schema::Nullable(schema::Map(schema::Nullable(schema::String())))},
                      {"spec", schema::Nullable(schema::AnyObject())}});
  std::vector<core::FieldError> errors;
  bulkhead::api::ValidateJson(kSchema, *body, schema::Components(), "", errors);
  for (const auto& e : errors) FUZZ_CHECK(!e.field.empty() && !e.message.empty());
  auto settings = bulkhead::api::OptionalObject(*body, "settings");
  auto labels = bulkhead::api::OptionalObject(*body, "labels");
  auto spec = bulkhead::api::OptionalObject(*body, "spec");

  if (settings) {
    const std::string dumped = settings->dump();
    FUZZ_CHECK(nlohmann::json::parse(dumped) == *settings);
    auto applied = core::ApplySettingsPatch(core::OrganizationSettings{}, *settings);
    if (applied.ok()) {
      const nlohmann::json stored = core::SettingsToJson(*applied);
      FUZZ_CHECK(core::SettingsFromJson(stored) == *applied);
      auto again = core::ApplySettingsPatch(*applied, stored);
      FUZZ_CHECK(again.ok());
      FUZZ_CHECK(*again == *applied);
    }
  }
  if (labels) {
    auto parsed = core::LabelsFromJson(*labels);
    if (parsed.ok()) {
      nlohmann::json patch = nlohmann::json::object();
      for (const auto& [key, value] : *parsed) patch[key] = value;
      auto merged = core::MergeLabels(*parsed, patch);
      FUZZ_CHECK(merged.ok());
      FUZZ_CHECK(*merged == *parsed);
    }
  }
  if (spec) {
    if (core::ValidateSpec(*spec).ok()) {
      FUZZ_CHECK(spec->dump().size() <= core::kMaxSpecBytes);
    }
  }
  return 0;
}
