#include "core/plans.hpp"

#include <gtest/gtest.h>

namespace bulkhead::core {
namespace {

TEST(Plans, BuiltInPlansExistAndDefaultsNameThem) {
  auto catalog = BuiltInPlans();
  ASSERT_NE(catalog.Find("free"), nullptr);
  ASSERT_NE(catalog.Find("team"), nullptr);
  ASSERT_NE(catalog.Find("enterprise"), nullptr);
  EXPECT_NE(catalog.Find(catalog.default_plan), nullptr);
  EXPECT_NE(catalog.Find(catalog.personal_plan), nullptr);
  EXPECT_TRUE(catalog.Find("enterprise")->limits.empty());
  EXPECT_FALSE(catalog.Find("free")->limits.count("requests_per_minute"));
}

TEST(Plans, SettingsOverrideThePlan) {
  auto catalog = BuiltInPlans();
  OrganizationSettings settings;
  settings.limits["max_members"] = 3;
  settings.features = {"beta_ui"};
  auto e = EffectiveEntitlements(catalog, "team", settings);
  EXPECT_EQ(e.limits.at("max_members"), 3);
  EXPECT_EQ(e.limits.at("max_workspaces"), 1000);
  EXPECT_TRUE(e.features.count("beta_ui"));
  EXPECT_TRUE(e.features.count("custom_domains"));
}

TEST(Plans, AFileDefinesPlansAndIsValidated) {
  auto ok = ParsePlans(nlohmann::json::parse(R"({"default_plan": "pro", "personal_plan": "solo",
      "plans": {"solo": {"limits": {"max_workspaces": 1}},
                "pro": {"features": ["custom_domains"], "limits": {"requests_per_minute": 600}}}})"));
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->default_plan, "pro");
  EXPECT_EQ(ok->Find("pro")->limits.at("requests_per_minute"), 600);
  for (const char* bad : {
           R"({"plans": {}})",
           R"({"default_plan": "x", "personal_plan": "x", "plans": {"y": {}}})",
           R"({"default_plan": "a", "personal_plan": "a", "plans": {"a": {"limits": {"max_cats": 1}}}})",
           R"({"default_plan": "a", "personal_plan": "a", "plans": {"a": {"limits": {"max_members": -1}}}})",
           R"({"default_plan": "a", "personal_plan": "a", "plans": {"a": {"features": ["Bad Name"]}}})",
           R"({"default_plan": "a", "personal_plan": "a", "plans": {"a": {"price": 3}}})",
           R"([1, 2])"}) {
    EXPECT_FALSE(ParsePlans(nlohmann::json::parse(bad)).ok()) << bad;
  }
}

}  // namespace
}  // namespace bulkhead::core
