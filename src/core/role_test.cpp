#include "core/role.hpp"

#include <gtest/gtest.h>

namespace bulkhead::core {
namespace {

TEST(Role, ParsesOnlyKnownNames) {
  EXPECT_EQ(ParseRole("owner"), Role::kOwner);
  EXPECT_EQ(ParseRole("admin"), Role::kAdmin);
  EXPECT_EQ(ParseRole("member"), Role::kMember);
  EXPECT_EQ(ParseRole("Owner"), std::nullopt);
  EXPECT_EQ(ParseRole("viewer"), std::nullopt);
  EXPECT_EQ(ParseRole(""), std::nullopt);
  for (Role r : kAllRoles) EXPECT_EQ(ParseRole(RoleName(r)), r);
}

// DESIGN.md's matrix, row by row: {owner, admin, member}.
TEST(Role, MatchesThePermissionMatrix) {
  struct Row {
    Permission permission;
    bool owner, admin, member;
  };
  const Row rows[] = {
      {Permission::kReadOrganization, true, true, true},
      {Permission::kUpdateOrganization, true, true, false},
      {Permission::kManageMembers, true, true, false},
      {Permission::kManageOwners, true, false, false},
      {Permission::kBilling, true, false, false},
      {Permission::kDeleteOrganization, true, false, false},
      {Permission::kManageWorkspaces, true, true, false},
      {Permission::kSeeAllWorkspaces, true, true, false},
      {Permission::kWriteAllResources, true, true, false},
      {Permission::kReadAuditLog, true, true, false},
      {Permission::kReadUsage, true, true, false},  // not in the matrix: admins, as the audit log
      {Permission::kReadAllResources, true, true, false},
      {Permission::kManageGrants, true, true, false},  // issue 21: admins offer and accept
  };
  ASSERT_EQ(std::size(rows), std::size(kAllPermissions));
  for (const auto& row : rows) {
    EXPECT_EQ(RoleHas(Role::kOwner, row.permission), row.owner) << PermissionName(row.permission);
    EXPECT_EQ(RoleHas(Role::kAdmin, row.permission), row.admin) << PermissionName(row.permission);
    EXPECT_EQ(RoleHas(Role::kMember, row.permission), row.member) << PermissionName(row.permission);
    EXPECT_EQ(PermissionSet::Of(Role::kAdmin).Has(row.permission), row.admin);
    EXPECT_EQ(PermissionSet::Of(Role::kMember).Has(row.permission), row.member);
  }
}

TEST(PermissionSet, ContainsIsTheSubsetRelation) {
  auto owner = PermissionSet::Of(Role::kOwner);
  auto admin = PermissionSet::Of(Role::kAdmin);
  auto member = PermissionSet::Of(Role::kMember);
  EXPECT_TRUE(owner.Contains(admin));
  EXPECT_TRUE(admin.Contains(member));
  EXPECT_FALSE(admin.Contains(owner));
  EXPECT_FALSE(member.Contains(admin));
  PermissionSet custom = member;
  custom.Add(Permission::kReadAuditLog);
  EXPECT_TRUE(admin.Contains(custom));
  EXPECT_FALSE(custom.Contains(admin));
  custom.Remove(Permission::kReadAuditLog);
  EXPECT_EQ(custom, member);
}

TEST(Role, NobodyActsAboveTheirOwnRole) {
  EXPECT_TRUE(CanActOnRole(Role::kOwner, Role::kOwner));
  EXPECT_TRUE(CanActOnRole(Role::kAdmin, Role::kAdmin));
  EXPECT_TRUE(CanActOnRole(Role::kAdmin, Role::kMember));
  EXPECT_FALSE(CanActOnRole(Role::kAdmin, Role::kOwner));
  EXPECT_FALSE(CanActOnRole(Role::kMember, Role::kAdmin));
}

TEST(Role, PermissionNamesAreDistinct) {
  for (Permission a : kAllPermissions) {
    for (Permission b : kAllPermissions) {
      if (a != b) {
        EXPECT_NE(PermissionName(a), PermissionName(b));
      }
    }
  }
}

}  // namespace
}  // namespace bulkhead::core
