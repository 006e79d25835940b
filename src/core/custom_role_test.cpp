#include "core/custom_role.hpp"

#include <gtest/gtest.h>

namespace bulkhead::core {
namespace {

TEST(CustomRole, KeysAreShapedAndNeverBuiltIn) {
  EXPECT_TRUE(ValidateRoleKey("auditor").ok());
  EXPECT_TRUE(ValidateRoleKey("ci-bot_2").ok());
  EXPECT_TRUE(ValidateRoleKey("ab").ok());
  EXPECT_FALSE(ValidateRoleKey("a").ok());
  EXPECT_FALSE(ValidateRoleKey(std::string(64, 'a')).ok());
  EXPECT_TRUE(ValidateRoleKey(std::string(63, 'a')).ok());
  EXPECT_FALSE(ValidateRoleKey("2fa").ok());
  EXPECT_FALSE(ValidateRoleKey("_x").ok());
  EXPECT_FALSE(ValidateRoleKey("Auditor").ok());
  EXPECT_FALSE(ValidateRoleKey("audit.or").ok());
  for (auto name : {"owner", "admin", "member"}) {
    EXPECT_TRUE(IsRoleKeyShaped(name));
    auto refused = ValidateRoleKey(name);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, ErrorCode::kValidationFailed);
    EXPECT_EQ(refused.error().fields.at(0).field, "key");
  }
}

TEST(CustomRole, PermissionsAreExactNamesWithoutWildcards) {
  EXPECT_EQ(ParsePermission("members:manage"), Permission::kManageMembers);
  EXPECT_FALSE(ParsePermission("*"));
  EXPECT_FALSE(ParsePermission("resources:*"));
  EXPECT_FALSE(ParsePermission("Members:Manage"));
  EXPECT_FALSE(ParsePermission(""));
  for (Permission p : kAllPermissions) EXPECT_EQ(ParsePermission(PermissionName(p)), p);
}

TEST(CustomRole, ParsingAddsOrganizationReadAndNamesWhatItRefuses) {
  auto set = ParseCustomRolePermissions({"audit_log:read"});
  ASSERT_TRUE(set.ok());
  EXPECT_TRUE(set->Has(Permission::kReadOrganization));
  EXPECT_TRUE(set->Has(Permission::kReadAuditLog));
  EXPECT_FALSE(set->Has(Permission::kManageMembers));

  auto unknown = ParseCustomRolePermissions({"usage:read", "resources:*"});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, ErrorCode::kValidationFailed);
  EXPECT_NE(unknown.error().message.find("resources:*"), std::string::npos);

  for (auto owner_only : {"owners:manage", "billing:manage", "organization:delete"}) {
    auto refused = ParseCustomRolePermissions({owner_only});
    ASSERT_FALSE(refused.ok()) << owner_only;
    EXPECT_NE(refused.error().message.find(owner_only), std::string::npos);
  }
}

TEST(CustomRole, StoredPermissionsRoundTripAndDropWhatIsNotAllowed) {
  auto set = ParseCustomRolePermissions({"usage:read", "workspaces:see_all"});
  ASSERT_TRUE(set.ok());
  EXPECT_EQ(PermissionsFromJson(PermissionsToJson(*set)), *set);
  auto stored = PermissionsFromJson(R"(["billing:manage", "nonsense", 3, "usage:read"])");
  EXPECT_FALSE(stored.Has(Permission::kBilling));
  EXPECT_TRUE(stored.Has(Permission::kReadUsage));
  EXPECT_TRUE(stored.Has(Permission::kReadOrganization));
  EXPECT_TRUE(PermissionsFromJson("not json").Has(Permission::kReadOrganization));
}

TEST(CustomRole, BuiltInHeldRolesCarryTheirMatrix) {
  auto admin = HeldRole::BuiltIn(Role::kAdmin);
  EXPECT_EQ(admin.key, "admin");
  EXPECT_EQ(admin.permissions, PermissionSet::Of(Role::kAdmin));
  EXPECT_EQ(PermissionNames(PermissionSet::Of(Role::kMember)),
            std::vector<std::string>{"organization:read"});
}

}  // namespace
}  // namespace bulkhead::core
