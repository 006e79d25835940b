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

std::optional<WorkspaceRole> EffectiveWorkspaceRole(Role organization_role,
                                                    std::optional<WorkspaceRole> assigned) {
  if (RoleHas(organization_role, Permission::kSeeAllWorkspaces)) return WorkspaceRole::kAdmin;
  return assigned;
}

}  // namespace bulkhead::core
