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

// Whether organization permissions alone show every workspace (no assignment needed).
bool SeesAllWorkspaces(PermissionSet permissions);

// The workspace role someone acts with: workspaces:manage acts as a workspace admin everywhere
// (owners and admins), resources:write_all as at least an editor, resources:read_all and
// workspaces:see_all as at least a viewer; otherwise the role of their assignment, and without
// one they see nothing.
std::optional<WorkspaceRole> EffectiveWorkspaceRole(PermissionSet permissions,
                                                    std::optional<WorkspaceRole> assigned);

}  // namespace bulkhead::core
