#pragma once
// Workspace roles (DESIGN.md): viewer reads, editor also writes resources, admin also assigns
// workspace members. Organization owners and admins act as workspace admins everywhere. Pure.

#include <optional>
#include <string_view>

#include "core/role.hpp"

namespace bulkhead::core {

enum class WorkspaceRole { kViewer = 0, kEditor = 1, kAdmin = 2 };

std::optional<WorkspaceRole> ParseWorkspaceRole(std::string_view name);
std::string_view WorkspaceRoleName(WorkspaceRole role);

inline bool WorkspaceRoleHas(WorkspaceRole held, WorkspaceRole needed) {
  return static_cast<int>(held) >= static_cast<int>(needed);
}

// The workspace role someone acts with: org owners and admins see and do everything in every
// workspace; a member acts with the role of their assignment, and without one sees nothing.
std::optional<WorkspaceRole> EffectiveWorkspaceRole(Role organization_role,
                                                    std::optional<WorkspaceRole> assigned);

}  // namespace bulkhead::core
