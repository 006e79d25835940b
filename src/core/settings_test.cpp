#include "core/settings.hpp"

#include <gtest/gtest.h>

namespace bulkhead::core {
namespace {

using nlohmann::json;

TEST(Settings, EmptySettingsRenderEveryKey) {
  json j = SettingsToJson({});
  EXPECT_EQ(j, json::parse(R"({"branding": {"display_name": null, "logo_url": null,
      "primary_color": null}, "features": [], "limits": {}})"));
}

TEST(Settings, PatchSetsMergesAndClears) {
  auto first = ApplySettingsPatch({}, json::parse(R"({"branding": {"display_name": " Acme ",
      "primary_color": "#AABBCC"}, "features": ["sso"], "limits": {"max_members": 5}})"));
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(first->branding.display_name, "Acme");
  EXPECT_EQ(first->branding.primary_color, "#aabbcc");
  EXPECT_EQ(first->features, std::vector<std::string>{"sso"});
  EXPECT_EQ(first->limits.at("max_members"), 5);

  auto second = ApplySettingsPatch(*first, json::parse(R"({"branding": {"display_name": null},
      "limits": {"max_members": null, "max_workspaces": 0}})"));
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(second->branding.display_name);
  EXPECT_EQ(second->branding.primary_color, "#aabbcc");
  EXPECT_EQ(second->features, std::vector<std::string>{"sso"});
  EXPECT_FALSE(second->limits.count("max_members"));
  EXPECT_EQ(second->limits.at("max_workspaces"), 0);
}

TEST(Settings, RoundTripsThroughJson) {
  auto s = ApplySettingsPatch({}, json::parse(R"({"branding": {"logo_url": "https://x.io/l.png"},
      "features": ["a", "b"], "limits": {"requests_per_minute": 600}})"));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(SettingsFromJson(SettingsToJson(*s)), *s);
}

TEST(Settings, RejectsInvalidValuesNamingTheField) {
  struct Case {
    const char* patch;
    const char* field;
  };
  const Case cases[] = {
      {R"({"branding": {"logo_url": "http://x.io/l.png"}})", "settings.branding.logo_url"},
      {R"({"branding": {"logo_url": "https://"}})", "settings.branding.logo_url"},
      {R"({"branding": {"logo_url": "https://x.io/a b"}})", "settings.branding.logo_url"},
      {R"({"branding": {"primary_color": "#abc"}})", "settings.branding.primary_color"},
      {R"({"branding": {"primary_color": "red"}})", "settings.branding.primary_color"},
      {R"({"branding": {"display_name": ""}})", "settings.branding.display_name"},
      {R"({"branding": {"display_name": 5}})", "settings.branding.display_name"},
      {R"({"branding": {"font": "x"}})", "settings.branding.font"},
      {R"({"branding": "x"})", "settings.branding"},
      {R"({"features": "sso"})", "settings.features"},
      {R"({"features": ["SSO"]})", "settings.features"},
      {R"({"features": ["a", "a"]})", "settings.features"},
      {R"({"features": [1]})", "settings.features"},
      {R"({"limits": {"max_members": -1}})", "settings.limits.max_members"},
      {R"({"limits": {"max_members": 2.5}})", "settings.limits.max_members"},
      {R"({"limits": {"max_members": "5"}})", "settings.limits.max_members"},
      {R"({"limits": {"max_members": 1000000001}})", "settings.limits.max_members"},
      {R"({"limits": {"max_llamas": 1}})", "settings.limits.max_llamas"},
      {R"({"limits": {"requests_per_minute": 0}})", "settings.limits.requests_per_minute"},
      {R"({"limits": {"requests_per_minute": 59}})", "settings.limits.requests_per_minute"},
      {R"({"theme": "dark"})", "settings.theme"},
  };
  for (const auto& c : cases) {
    auto r = ApplySettingsPatch({}, json::parse(c.patch));
    ASSERT_FALSE(r.ok()) << c.patch;
    EXPECT_EQ(r.error().code, ErrorCode::kValidationFailed);
    EXPECT_EQ(r.error().fields.at(0).field, c.field) << c.patch;
  }
  EXPECT_FALSE(ApplySettingsPatch({}, json::array()).ok());
}

TEST(Settings, RejectsTooManyFeatures) {
  json features = json::array();
  for (int i = 0; i < 101; ++i) features.push_back("f" + std::to_string(i));
  EXPECT_FALSE(ApplySettingsPatch({}, json{{"features", features}}).ok());
}

}  // namespace
}  // namespace bulkhead::core
