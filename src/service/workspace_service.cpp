#include "service/workspace_service.hpp"

#include "core/text.hpp"
#include "core/time.hpp"
#include "core/uuid.hpp"
#include "service/events.hpp"
#include "service/organization_service.hpp"
#include "service/views.hpp"
#include "store/catalog_store.hpp"
#include "store/tenant_store.hpp"
#include "store/workspace_store.hpp"

namespace bulkhead::service {

using core::Error;
using core::ErrorCode;
using core::Result;

namespace {

constexpr std::size_t kMaxWorkspaceName = 100;
constexpr std::size_t kMaxWorkspaceDescription = 1000;

Error WorkspaceNotFound() {
  return Error::NotFound("workspace");
}

Result<std::shared_ptr<store::Database>> OpenTenant(Environment& env, const TenantContext& tenant) {
  return env.tenants.Open(tenant.key);
}

}  // namespace

Result<store::WorkspaceRecord> CurrentWorkspace(store::Connection& c, const std::string& id) {
  auto current = store::tenant::FindWorkspace(c, id);
  if (!current.ok()) return current.error();
  if (!*current) return WorkspaceNotFound();
  return **current;
}

Result<std::string> ValidateWorkspaceName(const std::string& name) {
  return core::ValidateDisplayText("name", name, kMaxWorkspaceName);
}

Result<std::string> ValidateWorkspaceDescription(const std::string& description) {
  if (description.empty()) return std::string();
  return core::ValidateDisplayText("description", description, kMaxWorkspaceDescription);
}

Result<WorkspaceContext> WorkspaceService::Resolve(const TenantContext& tenant,
                                                   const Principal& caller,
                                                   const std::string& workspace_id) {
  if (!core::IsUuid(workspace_id)) return WorkspaceNotFound();
  auto database = OpenTenant(env_, tenant);
  if (!database.ok()) return database.error();
  auto lease = (*database)->Acquire();
  auto workspace = store::tenant::FindWorkspace(*lease, workspace_id);
  if (!workspace.ok()) return workspace.error();
  if (!*workspace) return WorkspaceNotFound();
  std::optional<core::WorkspaceRole> assigned;
  if (!caller.is_api_key() && !tenant.Can(core::Permission::kManageWorkspaces)) {
    auto member = store::tenant::FindWorkspaceMember(*lease, workspace_id, caller.user_id);
    if (!member.ok()) return member.error();
    if (*member) assigned = core::ParseWorkspaceRole((*member)->role);
  }
  auto role = core::EffectiveWorkspaceRole(tenant.permissions, assigned);
  if (!role) return WorkspaceNotFound();
  return WorkspaceContext{std::move(**workspace), *role};
}

Result<WorkspacePage> WorkspaceService::List(const TenantContext& tenant, const Principal& caller,
                                             const std::string& after_id, int limit) {
  bool sees_all = core::SeesAllWorkspaces(tenant.permissions);
  if (!sees_all && caller.is_api_key()) return WorkspacePage{};  // a member key is assigned nowhere
  auto database = OpenTenant(env_, tenant);
  if (!database.ok()) return database.error();
  auto lease = (*database)->Acquire();
  auto rows = store::tenant::ListWorkspaces(
      *lease, after_id, sees_all ? std::nullopt : std::optional<std::string>(caller.user_id),
      limit + 1);
  if (!rows.ok()) return rows.error();
  WorkspacePage page{std::move(*rows), false};
  page.more = TrimToPage(page.workspaces, limit);
  return page;
}

Result<store::WorkspaceRecord> WorkspaceService::Create(
    const TenantContext& tenant, const std::string& name,
    const std::optional<std::string>& description, const Actor& actor) {
  auto checked_name = ValidateWorkspaceName(name);
  if (!checked_name.ok()) return checked_name.error();
  auto checked_description = ValidateWorkspaceDescription(description.value_or(""));
  if (!checked_description.ok()) return checked_description.error();
  int64_t now = core::NowMs();
  store::WorkspaceRecord workspace{core::NewUuidV7(), *checked_name, *checked_description, now,
                                   now};

  return InTenantWrite<store::WorkspaceRecord>(
      env_, tenant, [&](store::Connection& c) -> Result<store::WorkspaceRecord> {
        if (auto max = OrganizationLimit(env_, tenant.organization, "max_workspaces")) {
          auto count = store::tenant::CountWorkspaces(c);
          if (!count.ok()) return count.error();
          if (*count >= *max) {
            return Error::LimitReached("max_workspaces", *count, *max);
          }
        }
        BULKHEAD_TRY(store::tenant::InsertWorkspace(c, workspace));
        BULKHEAD_TRY(store::tenant::InsertAuditEvent(
            c, MakeAuditEvent(tenant.organization.id, actor, "workspace.created", "workspace",
                              workspace.id, {{"name", workspace.name}})));
        BULKHEAD_TRY(AppendEvent(
            env_, c,
            MakeEvent(tenant.organization.id, "workspace.created", WorkspaceJson(workspace))));
        return workspace;
      });
}

Result<store::WorkspaceRecord> WorkspaceService::Update(
    const TenantContext& tenant, const WorkspaceContext& context,
    const std::optional<std::string>& name, const std::optional<std::string>& description,
    const Actor& actor) {
  std::vector<core::FieldError> errors;
  std::optional<std::string> new_name, new_description;
  if (name) {
    auto checked = ValidateWorkspaceName(*name);
    if (checked.ok())
      new_name = *checked;
    else
      errors.push_back(checked.error().fields.at(0));
  }
  if (description) {
    auto checked = ValidateWorkspaceDescription(*description);
    if (checked.ok())
      new_description = *checked;
    else
      errors.push_back(checked.error().fields.at(0));
  }
  if (!errors.empty()) {
    return Error::Validation(std::move(errors));
  }
  return InTenantWrite<store::WorkspaceRecord>(
      env_, tenant, [&](store::Connection& c) -> Result<store::WorkspaceRecord> {
        auto workspace = CurrentWorkspace(c, context.workspace.id);
        if (!workspace.ok()) return workspace;
        nlohmann::json changes = nlohmann::json::object();
        if (new_name && *new_name != workspace->name) {
          changes["name"] = {{"from", workspace->name}, {"to", *new_name}};
          workspace->name = *new_name;
        }
        if (new_description && *new_description != workspace->description) {
          changes["description"] = {{"from", workspace->description}, {"to", *new_description}};
          workspace->description = *new_description;
        }
        if (changes.empty()) return workspace;
        workspace->updated_at = core::NowMs();
        BULKHEAD_TRY(store::tenant::UpdateWorkspace(c, *workspace));
        BULKHEAD_TRY(store::tenant::InsertAuditEvent(
            c, MakeAuditEvent(tenant.organization.id, actor, "workspace.updated", "workspace",
                              workspace->id, changes)));
        BULKHEAD_TRY(AppendEvent(
            env_, c,
            MakeEvent(tenant.organization.id, "workspace.updated", WorkspaceJson(*workspace))));
        return workspace;
      });
}

core::Status WorkspaceService::Delete(const TenantContext& tenant, const WorkspaceContext& context,
                                      const Actor& actor) {
  return InTenantWrite<core::Unit>(env_, tenant, [&](store::Connection& c) -> core::Status {
    auto current = CurrentWorkspace(c, context.workspace.id);
    if (!current.ok()) return current.error();
    BULKHEAD_TRY(store::tenant::DeleteWorkspace(c, context.workspace.id));
    BULKHEAD_TRY(store::tenant::InsertAuditEvent(
        c, MakeAuditEvent(tenant.organization.id, actor, "workspace.deleted", "workspace",
                          context.workspace.id, {{"name", current->name}})));
    return AppendEvent(
        env_, c, MakeEvent(tenant.organization.id, "workspace.deleted", WorkspaceJson(*current)));
  });
}

Result<WorkspaceMemberPage> WorkspaceService::ListMembers(const TenantContext& tenant,
                                                          const WorkspaceContext& context,
                                                          const std::string& after_user_id,
                                                          int limit) {
  std::vector<store::WorkspaceMemberRecord> rows;
  {
    auto database = OpenTenant(env_, tenant);
    if (!database.ok()) return database.error();
    auto lease = (*database)->Acquire();
    auto listed =
        store::tenant::ListWorkspaceMembers(*lease, context.workspace.id, after_user_id, limit + 1);
    if (!listed.ok()) return listed.error();
    rows = std::move(*listed);
  }
  WorkspaceMemberPage page;
  page.more = TrimToPage(rows, limit);
  auto catalog = env_.catalog.Acquire();
  for (auto& row : rows) {
    auto user = store::catalog::FindUserById(*catalog, row.user_id);
    if (!user.ok()) return user.error();
    WorkspaceMemberRow out{std::move(row), "", ""};
    if (*user) {
      out.email = (*user)->email;
      out.name = (*user)->name;
    }
    page.members.push_back(std::move(out));
  }
  return page;
}

Result<WorkspaceMemberRow> WorkspaceService::Assign(const TenantContext& tenant,
                                                    const WorkspaceContext& context,
                                                    const std::string& user_id,
                                                    const std::string& role_name,
                                                    const Actor& actor) {
  auto role = core::ParseWorkspaceRole(role_name);
  if (!role) return Error::Validation("role", "must be one of viewer, editor, admin");
  store::UserRecord user;
  {
    // Only members of the organization can be assigned; others do not exist here.
    auto catalog = env_.catalog.Acquire();
    auto membership = store::catalog::FindMembership(*catalog, tenant.organization.id, user_id);
    if (!membership.ok()) return membership.error();
    if (!*membership) return Error::NotFound("member");
    auto found = store::catalog::FindUserById(*catalog, user_id);
    if (!found.ok()) return found.error();
    if (!*found) return Error::NotFound("member");
    user = **found;
  }
  return InTenantWrite<WorkspaceMemberRow>(
      env_, tenant, [&](store::Connection& c) -> Result<WorkspaceMemberRow> {
        BULKHEAD_TRY(CurrentWorkspace(c, context.workspace.id));
        auto existing = store::tenant::FindWorkspaceMember(c, context.workspace.id, user_id);
        if (!existing.ok()) return existing.error();
        store::WorkspaceMemberRecord member{context.workspace.id, user_id,
                                            std::string(core::WorkspaceRoleName(*role)),
                                            *existing ? (*existing)->created_at : core::NowMs()};
        if (*existing && (*existing)->role == member.role) {
          return WorkspaceMemberRow{member, user.email, user.name};
        }
        BULKHEAD_TRY(store::tenant::UpsertWorkspaceMember(c, member));
        nlohmann::json details = {{"role", member.role}};
        if (*existing) details["from"] = (*existing)->role;
        BULKHEAD_TRY(store::tenant::InsertAuditEvent(
            c, MakeAuditEvent(tenant.organization.id, actor, "workspace.member_assigned",
                              "workspace_member", context.workspace.id + "/" + user_id, details)));
        WorkspaceMemberRow row{member, user.email, user.name};
        nlohmann::json data = WorkspaceMemberJson(row);
        data["workspace_id"] = context.workspace.id;
        if (*existing) data["previous_role"] = (*existing)->role;
        BULKHEAD_TRY(AppendEvent(
            env_, c,
            MakeEvent(tenant.organization.id,
                      *existing ? "workspace_member.role_changed" : "workspace_member.added",
                      std::move(data))));
        return row;
      });
}

core::Status WorkspaceService::Unassign(const TenantContext& tenant,
                                        const WorkspaceContext& context, const std::string& user_id,
                                        const Actor& actor) {
  // The user's email and name for the event, read before the tenant write (which must not
  // wait for a catalog connection); a user deleted meanwhile is rendered without them.
  WorkspaceMemberRow row;
  {
    auto catalog = env_.catalog.Acquire();
    auto found = store::catalog::FindUserById(*catalog, user_id);
    if (!found.ok()) return found.error();
    if (*found) {
      row.email = (*found)->email;
      row.name = (*found)->name;
    }
  }
  return InTenantWrite<core::Unit>(env_, tenant, [&](store::Connection& c) -> core::Status {
    auto existing = store::tenant::FindWorkspaceMember(c, context.workspace.id, user_id);
    if (!existing.ok()) return existing.error();
    if (!*existing) return Error::NotFound("workspace member");
    auto removed = store::tenant::DeleteWorkspaceMember(c, context.workspace.id, user_id);
    if (!removed.ok()) return removed.error();
    if (*removed == 0) return Error::NotFound("workspace member");
    BULKHEAD_TRY(store::tenant::InsertAuditEvent(
        c, MakeAuditEvent(tenant.organization.id, actor, "workspace.member_unassigned",
                          "workspace_member", context.workspace.id + "/" + user_id,
                          nlohmann::json::object())));
    row.member = **existing;
    nlohmann::json data = WorkspaceMemberJson(row);
    data["workspace_id"] = context.workspace.id;
    return AppendEvent(
        env_, c, MakeEvent(tenant.organization.id, "workspace_member.removed", std::move(data)));
  });
}

}  // namespace bulkhead::service
