#pragma once
// Repositories of an organization's own database: workspaces, their members and resources.
// Each function runs on the tenant connection the caller holds, inside the caller's
// transaction. Reaching that connection needs a TenantKey (tenant_store.hpp).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/resource.hpp"
#include "store/database.hpp"
#include "store/records.hpp"

namespace bulkhead::store::tenant {

// Workspaces, ordered by id (creation order).
Result<std::optional<WorkspaceRecord>> FindWorkspace(Connection& c, std::string_view id);
// Every workspace after `after_id` (empty: from the start); with `user_id`, only those the
// user is assigned to.
Result<std::vector<WorkspaceRecord>> ListWorkspaces(Connection& c, std::string_view after_id,
                                                    const std::optional<std::string>& user_id,
                                                    int limit);
Status UpdateWorkspace(Connection& c, const WorkspaceRecord& workspace);
Status DeleteWorkspace(Connection& c, std::string_view id);  // members and resources cascade
Result<int64_t> CountWorkspaces(Connection& c);

// Workspace members.
Status UpsertWorkspaceMember(Connection& c, const WorkspaceMemberRecord& member);
Result<std::optional<WorkspaceMemberRecord>> FindWorkspaceMember(Connection& c,
                                                                 std::string_view workspace_id,
                                                                 std::string_view user_id);
Result<std::vector<WorkspaceMemberRecord>> ListWorkspaceMembers(Connection& c,
                                                                std::string_view workspace_id,
                                                                std::string_view after_user_id,
                                                                int limit);
// Rows removed.
Result<int64_t> DeleteWorkspaceMember(Connection& c, std::string_view workspace_id,
                                      std::string_view user_id);
Status DeleteWorkspaceMembershipsOf(Connection& c, std::string_view user_id);

// Resources. InsertResource / UpdateResource: kConflict when the name is taken in the
// workspace for that kind.
Status InsertResource(Connection& c, const ResourceRecord& resource, const core::Labels& labels);
Status UpdateResource(Connection& c, const ResourceRecord& resource, const core::Labels& labels);
Result<std::optional<ResourceRecord>> FindResource(Connection& c, std::string_view workspace_id,
                                                   std::string_view id);
Status DeleteResource(Connection& c, std::string_view id);
Result<int64_t> CountResources(Connection& c);

struct ResourceFilter {
  std::string kind;                                         // empty: any
  std::vector<std::pair<std::string, std::string>> labels;  // all must match
};
// Oldest first, ids above `after_id`: a row present for the whole walk is seen exactly once,
// whatever is inserted or deleted meanwhile.
Result<std::vector<ResourceRecord>> ListResources(Connection& c, std::string_view workspace_id,
                                                  const ResourceFilter& filter,
                                                  std::string_view after_id, int limit);

}  // namespace bulkhead::store::tenant
