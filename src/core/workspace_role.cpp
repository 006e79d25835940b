#include "core/workspace_role.hpp"

namespace bulkhead::core {

std::optional<WorkspaceRole> ParseWorkspaceRole(std::string_view name) {
  if (name == "viewer") return WorkspaceRole::kViewer;
  if (name == "editor") return WorkspaceRole::kEditor;
  if (name == "admin") return WorkspaceRole::kAdmin;
  return std::nullopt;
}

std::string_view WorkspaceRoleName(WorkspaceRole role) {
  switch (role) {
    case WorkspaceRole::kViewer: return "viewer";
    case WorkspaceRole::kEditor: return "editor";
    case WorkspaceRole::kAdmin: return "admin";
  }
  return "viewer";
}

bool SeesAllWorkspaces(PermissionSet permissions) {
  return permissions.Has(Permission::kSeeAllWorkspaces) ||
         permissions.Has(Permission::kManageWorkspaces) ||
         permissions.Has(Permission::kReadAllResources) ||
         permissions.Has(Permission::kWriteAllResources);
}

std::optional<WorkspaceRole> EffectiveWorkspaceRole(PermissionSet permissions,
                                                    std::optional<WorkspaceRole> assigned) {
  if (permissions.Has(Permission::kManageWorkspaces)) return WorkspaceRole::kAdmin;
  auto at_least = [&](WorkspaceRole floor) {
    return assigned && WorkspaceRoleHas(*assigned, floor) ? *assigned : floor;
  };
  if (permissions.Has(Permission::kWriteAllResources)) return at_least(WorkspaceRole::kEditor);
  if (SeesAllWorkspaces(permissions)) return at_least(WorkspaceRole::kViewer);
  return assigned;
}

}  // namespace bulkhead::core
