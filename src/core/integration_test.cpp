#include "core/integration.hpp"

#include <gtest/gtest.h>

namespace bulkhead::core {
namespace {

using Json = nlohmann::json;

std::vector<FieldError> ConfigErrors(std::string_view kind, const Json& config) {
  std::vector<FieldError> errors;
  ValidateIntegrationConfig(kind, config, errors);
  return errors;
}

TEST(Integration, KindsAreTheFiveDocumented) {
  for (const char* kind : {"aws", "gcp", "azure", "kubernetes", "custom"}) {
    EXPECT_TRUE(IsIntegrationKind(kind)) << kind;
  }
  for (const char* kind : {"", "AWS", "k8s", "openstack", "custom "}) {
    EXPECT_FALSE(IsIntegrationKind(kind)) << kind;
  }
}

TEST(Integration, EachKindRequiresItsFewConfigFieldsByName) {
  auto aws = ConfigErrors("aws", Json::object());
  ASSERT_EQ(aws.size(), 1u);
  EXPECT_EQ(aws[0].field, "config.region");
  EXPECT_TRUE(ConfigErrors("aws", {{"region", "eu-west-1"}}).empty());
  EXPECT_EQ(ConfigErrors("aws", {{"region", ""}}).size(), 1u);
  EXPECT_EQ(ConfigErrors("aws", {{"region", 3}}).size(), 1u);
  EXPECT_EQ(ConfigErrors("gcp", Json::object()).at(0).field, "config.project_id");
  auto azure = ConfigErrors("azure", {{"tenant_id", "t"}});
  ASSERT_EQ(azure.size(), 1u);
  EXPECT_EQ(azure[0].field, "config.subscription_id");
  EXPECT_EQ(ConfigErrors("kubernetes", Json::object()).at(0).field, "config.server");
  EXPECT_EQ(ConfigErrors("kubernetes", {{"server", "cluster.internal:6443"}}).size(), 1u);
  EXPECT_TRUE(ConfigErrors("kubernetes", {{"server", "https://k8s.example.com:6443"}}).empty());
  EXPECT_TRUE(ConfigErrors("custom", Json::object()).empty());
}

TEST(Integration, ConfigIsAnObjectOfAtMost16KiB) {
  EXPECT_EQ(ConfigErrors("custom", Json::array()).at(0).field, "config");
  EXPECT_TRUE(ConfigErrors("custom", {{"big", std::string(16000, 'x')}}).empty());
  EXPECT_EQ(ConfigErrors("custom", {{"big", std::string(16400, 'x')}}).at(0).field, "config");
}

TEST(Integration, CredentialsAreStringsOfAtMost16KiB) {
  std::vector<FieldError> errors;
  ValidateIntegrationCredentials({{"token", "t"}, {"user", "u"}}, errors);
  EXPECT_TRUE(errors.empty());
  ValidateIntegrationCredentials({{"token", 1}}, errors);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].field, "credentials.token");
  errors.clear();
  ValidateIntegrationCredentials({{"key", std::string(16400, 'k')}}, errors);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].field, "credentials");
  errors.clear();
  ValidateIntegrationCredentials(Json::array(), errors);
  EXPECT_EQ(errors.size(), 1u);
}

TEST(Integration, ASpecNamesAnIntegrationByIdOrNone) {
  EXPECT_FALSE(SpecIntegrationId(Json::object())->has_value());
  EXPECT_FALSE(SpecIntegrationId({{"integration_id", nullptr}})->has_value());
  auto named = SpecIntegrationId({{"integration_id", "01936f0e-7a1b-7c3d-8e9f-0a1b2c3d4e5f"}});
  ASSERT_TRUE(named.ok());
  EXPECT_EQ(**named, "01936f0e-7a1b-7c3d-8e9f-0a1b2c3d4e5f");
  for (const Json& bad : {Json("aws-prod"), Json(42), Json::object()}) {
    auto refused = SpecIntegrationId({{"integration_id", bad}});
    ASSERT_FALSE(refused.ok()) << bad;
    EXPECT_EQ(refused.error().fields.at(0).field, "spec.integration_id");
  }
}

}  // namespace
}  // namespace bulkhead::core
