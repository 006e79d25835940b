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
  for (
      const char* bad :
      {R"({"plans": {}})", R"({"default_plan": "x", "personal_plan": "x", "plans": {"y": {}}})",
       R"({"default_plan": "a", "personal_plan": "a", "plans": {"a": {"limits": {"max_cats": 1}}}})",
       R"({"default_plan": "a", "personal_plan": "a", "plans": {"a": {"limits": {"max_members": -1}}}})",
       R"({"default_plan": "a", "personal_plan": "a", "plans": {"a": {"features": ["Bad Name"]}}})",
       R"({"default_plan": "a", "personal_plan": "a", "plans": {"a": {"price": 3}}})",
       R"({"default_plan": "a", "personal_plan": "a", "plans": {"a": {"limits": {"requests_per_minute": 0}}}})",
       R"([1, 2])"}) {
    EXPECT_FALSE(ParsePlans(nlohmann::json::parse(bad)).ok()) << bad;
  }
}

TEST(Plans, SettingsOnlyLowerAndCannotGrantEntitlementFeatures) {
  auto catalog = BuiltInPlans();
  OrganizationSettings settings;
  settings.limits = {{"max_members", 1'000'000'000}, {"max_workspaces", 5}};
  settings.features = {"sso", "beta_ui"};  // as stored before the rule
  auto e = EffectiveEntitlements(catalog, "free", settings);
  EXPECT_EQ(e.limits.at("max_members"), 10);    // the plan's, not the stored value above it
  EXPECT_EQ(e.limits.at("max_workspaces"), 5);  // lowered
  EXPECT_FALSE(e.features.count("sso"));
  EXPECT_TRUE(e.features.count("beta_ui"));  // the tenant's own flag
  // On a plan without the limit, a tenant's value is a lowering from unlimited.
  EXPECT_EQ(EffectiveEntitlements(catalog, "enterprise", settings).limits.at("max_members"),
            1'000'000'000);
}

TEST(Plans, OperatorOverridesRaiseTheCeiling) {
  auto catalog = BuiltInPlans();
  EntitlementOverrides overrides;
  overrides.features = {"sso"};
  overrides.limits = {{"max_members", 50}};
  OrganizationSettings settings;
  settings.limits = {{"max_members", 40}};
  auto e = EffectiveEntitlements(catalog, "free", settings, overrides);
  EXPECT_TRUE(e.features.count("sso"));
  EXPECT_EQ(e.limits.at("max_members"), 40);
  auto ceiling = EntitlementCeiling(catalog, "free", overrides);
  EXPECT_TRUE(CheckSettingsWithinCeiling(
                  catalog, ceiling,
                  nlohmann::json::parse(R"({"limits": {"max_members": 50}, "features": ["sso"]})"))
                  .ok());
  auto over = CheckSettingsWithinCeiling(
      catalog, ceiling, nlohmann::json::parse(R"({"limits": {"max_members": 51}})"));
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().fields.at(0).field, "settings.limits.max_members");
  auto feature =
      CheckSettingsWithinCeiling(catalog, EntitlementCeiling(catalog, "free", {}),
                                 nlohmann::json::parse(R"({"features": ["audit_log"]})"));
  ASSERT_FALSE(feature.ok());
  EXPECT_EQ(feature.error().fields.at(0).field, "settings.features");
  EXPECT_EQ(OverridesFromJson(OverridesToJson(overrides).dump()), overrides);
  EXPECT_TRUE(OverridesFromJson("").empty());
}

TEST(Plans, ABudgetReadsAsAtLeastTheMinimum) {
  auto catalog = BuiltInPlans();
  OrganizationSettings settings;
  settings.limits = {{"requests_per_minute", 0}};  // as stored before the minimum
  EXPECT_EQ(EffectiveEntitlements(catalog, "team", settings).limits.at("requests_per_minute"),
            kMinRequestsPerMinute);
  EXPECT_FALSE(ValidateOverrideLimit("requests_per_minute", 59).ok());
  EXPECT_TRUE(ValidateOverrideLimit("requests_per_minute", 60).ok());
  EXPECT_FALSE(ValidateOverrideLimit("max_cats", 1).ok());
  EXPECT_FALSE(ValidateOverrideLimit("max_members", -1).ok());
}

}  // namespace
}  // namespace bulkhead::core
