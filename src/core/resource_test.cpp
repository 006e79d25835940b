#include "core/resource.hpp"

#include <gtest/gtest.h>

#include "core/workspace_role.hpp"

namespace bulkhead::core {
namespace {

TEST(Resource, KindsAreLowercaseWords) {
  for (const char* good : {"kubernetes_cluster", "model-deployment", "monitor", "a", "x9"}) {
    EXPECT_TRUE(ValidateKind(good).ok()) << good;
  }
  for (const char* bad : {"", "Monitor", "status page", "ai.gateway", "é"}) {
    EXPECT_FALSE(ValidateKind(bad).ok()) << bad;
  }
  EXPECT_FALSE(ValidateKind(std::string(64, 'a')).ok());
}

TEST(Resource, LabelsAreBoundedStrings) {
  auto ok = LabelsFromJson({{"env", "prod"}, {"team/owner", "core"}});
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->at("env"), "prod");
  EXPECT_FALSE(LabelsFromJson({{"env", 3}}).ok());
  EXPECT_FALSE(LabelsFromJson(nlohmann::json::array()).ok());
  EXPECT_FALSE(LabelsFromJson({{"-env", "x"}}).ok());
  EXPECT_FALSE(LabelsFromJson({{"env", std::string(256, 'v')}}).ok());
  nlohmann::json many = nlohmann::json::object();
  for (int i = 0; i < 65; ++i) many["k" + std::to_string(i)] = "v";
  auto too_many = LabelsFromJson(many);
  ASSERT_FALSE(too_many.ok());
  EXPECT_EQ(too_many.error().fields.at(0).field, "labels");
}

TEST(Resource, LabelPatchesMergeAndRemove) {
  Labels current = {{"env", "prod"}, {"tier", "web"}};
  auto merged = MergeLabels(current, {{"env", "staging"}, {"tier", nullptr}, {"new", "1"}});
  ASSERT_TRUE(merged.ok());
  EXPECT_EQ(*merged, (Labels{{"env", "staging"}, {"new", "1"}}));
}

TEST(Resource, SpecIsAnObjectOfAtMost64KiB) {
  EXPECT_TRUE(ValidateSpec(nlohmann::json::object()).ok());
  EXPECT_TRUE(ValidateSpec({{"replicas", 3}}).ok());
  EXPECT_FALSE(ValidateSpec(nlohmann::json::array()).ok());
  EXPECT_FALSE(ValidateSpec("text").ok());
  EXPECT_FALSE(ValidateSpec({{"blob", std::string(64 * 1024, 'x')}}).ok());
}

TEST(Resource, LabelSelectors) {
  auto s = ParseLabelSelector("env=prod");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->first, "env");
  EXPECT_EQ(s->second, "prod");
  EXPECT_TRUE(ParseLabelSelector("env=").ok());
  EXPECT_FALSE(ParseLabelSelector("env").ok());
  EXPECT_FALSE(ParseLabelSelector("=prod").ok());
}

TEST(WorkspaceRole, OrganizationAdminsActAsWorkspaceAdmins) {
  auto of = [](Role role) { return PermissionSet::Of(role); };
  EXPECT_EQ(EffectiveWorkspaceRole(of(Role::kOwner), std::nullopt), WorkspaceRole::kAdmin);
  EXPECT_EQ(EffectiveWorkspaceRole(of(Role::kAdmin), WorkspaceRole::kViewer),
            WorkspaceRole::kAdmin);
  EXPECT_EQ(EffectiveWorkspaceRole(of(Role::kMember), WorkspaceRole::kEditor),
            WorkspaceRole::kEditor);
  EXPECT_EQ(EffectiveWorkspaceRole(of(Role::kMember), std::nullopt), std::nullopt);
}

// Custom roles (issue 21) hold resource permissions without workspaces:manage.
TEST(WorkspaceRole, ResourcePermissionsRaiseTheAssignedRoleToTheirFloor) {
  PermissionSet reader = PermissionSet::Of(Role::kMember);
  reader.Add(Permission::kReadAllResources);
  EXPECT_TRUE(SeesAllWorkspaces(reader));
  EXPECT_EQ(EffectiveWorkspaceRole(reader, std::nullopt), WorkspaceRole::kViewer);
  EXPECT_EQ(EffectiveWorkspaceRole(reader, WorkspaceRole::kEditor), WorkspaceRole::kEditor);
  PermissionSet writer = PermissionSet::Of(Role::kMember);
  writer.Add(Permission::kWriteAllResources);
  EXPECT_EQ(EffectiveWorkspaceRole(writer, std::nullopt), WorkspaceRole::kEditor);
  EXPECT_EQ(EffectiveWorkspaceRole(writer, WorkspaceRole::kAdmin), WorkspaceRole::kAdmin);
  EXPECT_FALSE(SeesAllWorkspaces(PermissionSet::Of(Role::kMember)));
  EXPECT_TRUE(WorkspaceRoleHas(WorkspaceRole::kAdmin, WorkspaceRole::kEditor));
  EXPECT_FALSE(WorkspaceRoleHas(WorkspaceRole::kViewer, WorkspaceRole::kEditor));
  EXPECT_EQ(ParseWorkspaceRole("owner"), std::nullopt);
}

}  // namespace
}  // namespace bulkhead::core
