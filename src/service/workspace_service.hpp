#pragma once
// Workspaces in an organization's own database, and who may see them: organization owners and
// admins see every workspace; a member sees only those they are assigned to, with the
// assignment's role (viewer, editor, admin). A workspace someone cannot see is "not found"
// to them, exactly like one that does not exist. Each change is audited in the tenant's store
// in the same transaction. Thread-safety: thread-safe.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "core/workspace_role.hpp"
#include "service/environment.hpp"
#include "service/tenant_resolver.hpp"
#include "store/database.hpp"
#include "store/records.hpp"

namespace bulkhead::service {

// A workspace the caller may see, and the role they act with in it.
struct WorkspaceContext {
  store::WorkspaceRecord workspace;
  core::WorkspaceRole role = core::WorkspaceRole::kViewer;
};

struct WorkspacePage {
  std::vector<store::WorkspaceRecord> workspaces;
  bool more = false;
};

// A workspace member with the user fields a list shows.
struct WorkspaceMemberRow {
  store::WorkspaceMemberRecord member;
  std::string email;
  std::string name;
};

struct WorkspaceMemberPage {
  std::vector<WorkspaceMemberRow> members;
  bool more = false;
};

class WorkspaceService {
 public:
  explicit WorkspaceService(Environment& env) : env_(env) {}

  // kNotFound when the workspace does not exist or the caller may not see it.
  core::Result<WorkspaceContext> Resolve(const TenantContext& tenant, const Principal& caller,
                                         const std::string& workspace_id);

  core::Result<WorkspacePage> List(const TenantContext& tenant, const Principal& caller,
                                   const std::string& after_id, int limit);
  core::Result<store::WorkspaceRecord> Create(const TenantContext& tenant, const std::string& name,
                                              const std::optional<std::string>& description,
                                              const Actor& actor);
  core::Result<store::WorkspaceRecord> Update(const TenantContext& tenant,
                                              const WorkspaceContext& workspace,
                                              const std::optional<std::string>& name,
                                              const std::optional<std::string>& description,
                                              const Actor& actor);
  // Its members and resources go with it.
  core::Status Delete(const TenantContext& tenant, const WorkspaceContext& workspace,
                      const Actor& actor);

  core::Result<WorkspaceMemberPage> ListMembers(const TenantContext& tenant,
                                                const WorkspaceContext& workspace,
                                                const std::string& after_user_id, int limit);
  // `user_id` must be a member of the organization (else kNotFound).
  core::Result<WorkspaceMemberRow> Assign(const TenantContext& tenant,
                                          const WorkspaceContext& workspace,
                                          const std::string& user_id, const std::string& role,
                                          const Actor& actor);
  core::Status Unassign(const TenantContext& tenant, const WorkspaceContext& workspace,
                        const std::string& user_id, const Actor& actor);

 private:
  Environment& env_;
};

// Runs `change` in a write transaction on the organization's own database and commits when it
// succeeds (rolls back otherwise); the engine may commit it together with concurrent writes
// (Database::Write). The use cases of workspaces and resources are built on it; their events
// are appended in `change` (AppendEvent), so they commit with it.
template <typename T>
core::Result<T> InTenantWrite(Environment& env, const TenantContext& tenant,
                              const std::function<core::Result<T>(store::Connection&)>& change) {
  auto database = env.tenants.Open(tenant.key);
  if (!database.ok()) return database.error();
  std::optional<core::Result<T>> result;
  core::Status committed = (*database)->Write([&](store::Connection& c) -> core::Status {
    result.emplace(change(c));
    if (!result->ok()) return result->error();
    return core::Ok();
  });
  if (!committed.ok()) return committed.error();
  // Most tenant writes append events (store::tenant::AppendEvents); a wake-up for one that did
  // not costs the dispatcher one look at the head.
  if (env.events_committed) env.events_committed(tenant.organization.id);
  return std::move(*result);
}

// The workspace re-read under the write lock: kNotFound when it was deleted meanwhile.
core::Result<store::WorkspaceRecord> CurrentWorkspace(store::Connection& c, const std::string& id);

// Validation shared by create and update.
core::Result<std::string> ValidateWorkspaceName(const std::string& name);
core::Result<std::string> ValidateWorkspaceDescription(const std::string& description);

}  // namespace bulkhead::service
