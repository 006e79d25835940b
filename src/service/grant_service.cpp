#include "service/grant_service.hpp"

#include <algorithm>

#include "core/time.hpp"
#include "core/uuid.hpp"
#include "service/organization_service.hpp"
#include "store/catalog_store.hpp"
#include "store/tenant_store.hpp"
#include "store/workspace_store.hpp"

namespace bulkhead::service {

using core::Error;
using core::ErrorCode;
using core::Result;
using store::grants::GrantRecord;

namespace {

constexpr std::string_view kAllMembers = "all";

// One answer for every grant B may not use, so that nothing tells B why (or that A has it).
Error GrantNotFound() {
  return Error::NotFound("grant");
}

Error GrantedResourceNotFound() {
  return Error::NotFound("resource");
}

bool GrantExpired(const GrantRecord& g, int64_t now) {
  return g.expires_at && *g.expires_at <= now;
}

// Whether B's caller is among those the grant covers: "all" covers B's members and B's API
// keys (which act for B); a list covers the users it names.
bool Covers(const GrantRecord& g, const Principal& caller) {
  if (g.members == kAllMembers) return true;
  if (caller.is_api_key()) return false;
  auto ids = nlohmann::json::parse(g.members, nullptr, /*allow_exceptions=*/false);
  if (!ids.is_array()) return false;
  return std::any_of(ids.begin(), ids.end(), [&](const nlohmann::json& id) {
    return id.is_string() && id.get_ref<const std::string&>() == caller.user_id;
  });
}

nlohmann::json GrantDetails(const GrantRecord& g) {
  return {{"grant_id", g.id},
          {"target_organization_id", g.target_organization_id},
          {"workspace_id", g.workspace_id},
          {"resource_id", g.resource_id ? nlohmann::json(*g.resource_id) : nlohmann::json()},
          {"level", g.level}};
}

// B's own actor's identity in A's log: the organization, and which of its callers.
Actor ActorInGiver(const TenantContext& target, const Actor& actor, const GrantRecord& g) {
  Actor out{"organization", target.organization.id, actor.request_id, {}};
  out.details.emplace_back("grant_id", g.id);
  out.details.emplace_back(actor.type == "api_key" ? "api_key_id" : "user_id", actor.id);
  return out;
}

// B's answer to a grant (accepted, declined), in both organizations' logs: B's with B's actor,
// A's with B as the organization that acted.
core::Status AuditResponse(store::Connection& c, const TenantContext& target, const Actor& actor,
                           const GrantRecord& g, const std::string& action,
                           const nlohmann::json& details) {
  BULKHEAD_TRY(store::catalog::InsertAuditEvent(
      c, MakeAuditEvent(target.organization.id, actor, action, "grant", g.id, details)));
  return store::catalog::InsertAuditEvent(
      c, MakeAuditEvent(g.organization_id, ActorInGiver(target, actor, g), action, "grant", g.id,
                        details));
}

bool MatchesFilter(const store::ResourceRecord& r, const store::tenant::ResourceFilter& filter) {
  if (!filter.kind.empty() && r.kind != filter.kind) return false;
  if (filter.labels.empty()) return true;
  auto labels = nlohmann::json::parse(r.labels, nullptr, /*allow_exceptions=*/false);
  for (const auto& [key, value] : filter.labels) {
    auto it = labels.find(key);
    if (it == labels.end() || !it->is_string() || it->get_ref<const std::string&>() != value)
      return false;
  }
  return true;
}

}  // namespace

Result<GrantView> GrantService::ViewOf(GrantRecord grant) {
  auto giver = resolver_.FindOrganizationById(grant.organization_id);
  if (!giver.ok()) return giver.error();
  auto target = resolver_.FindOrganizationById(grant.target_organization_id);
  if (!target.ok()) return target.error();
  // Both exist while the row does: it goes with either organization.
  if (!*giver || !*target) return GrantNotFound();
  return GrantView{std::move(grant), **giver, **target};
}

Result<GrantPage> GrantService::PageOf(std::vector<GrantRecord> rows, int limit) {
  GrantPage page;
  page.more = TrimToPage(rows, limit);
  for (auto& row : rows) {
    auto view = ViewOf(std::move(row));
    if (!view.ok()) return view.error();
    page.grants.push_back(std::move(*view));
  }
  return page;
}

Result<GrantView> GrantService::Offer(const TenantContext& tenant, const Principal& caller,
                                      const OfferGrantInput& input, const Actor& actor) {
  std::vector<core::FieldError> errors;
  if (input.workspace_id.has_value() == input.resource_id.has_value()) {
    errors.push_back({"workspace_id", "or resource_id: exactly one is required"});
  }
  std::optional<int64_t> expires_at;
  int64_t now = core::NowMs();
  if (input.expires_at) {
    auto parsed = core::ParseRfc3339("expires_at", *input.expires_at);
    if (!parsed.ok()) {
      errors.push_back(parsed.error().fields.empty()
                           ? core::FieldError{"expires_at", "must be an RFC 3339 time"}
                           : parsed.error().fields.front());
    } else if (*parsed <= now) {
      errors.push_back({"expires_at", "must be in the future"});
    } else {
      expires_at = *parsed;
    }
  }
  std::optional<store::OrganizationRecord> target;
  if (!input.target_organization.empty()) {
    auto found = resolver_.FindOrganization(input.target_organization);
    if (!found.ok()) return found.error();
    target = std::move(*found);
  }
  if (!target) {
    errors.push_back({"target_organization", "names no organization"});
  } else if (target->id == tenant.organization.id) {
    errors.push_back({"target_organization", "is this organization: grant to another one"});
  }
  if (!errors.empty()) return Error::Validation(std::move(errors));

  // The item must be one the caller can see in A (else it is "not found", as anywhere in A).
  std::string workspace_id;
  if (input.resource_id) {
    if (!core::IsUuid(*input.resource_id)) return GrantedResourceNotFound();
    auto database = env_.tenants.Open(tenant.key);
    if (!database.ok()) return database.error();
    auto lease = (*database)->Acquire();
    auto holder = store::grants::FindResourceWorkspace(*lease, *input.resource_id);
    if (!holder.ok()) return holder.error();
    if (!*holder) return GrantedResourceNotFound();
    workspace_id = **holder;
  } else {
    workspace_id = *input.workspace_id;
  }
  auto workspace = workspaces_.Resolve(tenant, caller, workspace_id);
  if (!workspace.ok()) {
    return input.resource_id && workspace.error().code == ErrorCode::kNotFound
               ? GrantedResourceNotFound()
               : workspace.error();
  }

  GrantRecord grant{.id = core::NewUuidV7(),
                    .organization_id = tenant.organization.id,
                    .target_organization_id = target->id,
                    .workspace_id = workspace->workspace.id,
                    .resource_id = input.resource_id,
                    .level = input.level,
                    .status = "offered",
                    .members = std::string(kAllMembers),
                    .expires_at = expires_at,
                    .created_by = actor.id,
                    .created_at = now};
  auto lease = env_.catalog.Acquire();
  store::Transaction txn(*lease, /*write=*/true);
  BULKHEAD_TRY(txn.begin_status());
  BULKHEAD_TRY(store::grants::InsertGrant(*lease, grant));
  BULKHEAD_TRY(store::catalog::InsertAuditEvent(
      *lease, MakeAuditEvent(tenant.organization.id, actor, "grant.offered", "grant", grant.id,
                             GrantDetails(grant))));
  BULKHEAD_TRY(txn.Commit());
  return GrantView{std::move(grant), tenant.organization, *target};
}

Result<GrantPage> GrantService::ListGiven(const TenantContext& tenant, const std::string& after_id,
                                          int limit) {
  auto lease = env_.catalog.Acquire();
  auto rows = store::grants::ListGiven(*lease, tenant.organization.id, after_id, limit + 1);
  if (!rows.ok()) return rows.error();
  return PageOf(std::move(*rows), limit);
}

Result<GrantView> GrantService::GetGiven(const TenantContext& tenant, const std::string& id) {
  if (!core::IsUuid(id)) return GrantNotFound();
  auto lease = env_.catalog.Acquire();
  auto found = store::grants::FindGrant(*lease, id);
  if (!found.ok()) return found.error();
  if (!*found || (*found)->organization_id != tenant.organization.id) return GrantNotFound();
  return ViewOf(std::move(**found));
}

core::Status GrantService::Revoke(const TenantContext& tenant, const std::string& id,
                                  const Actor& actor) {
  if (!core::IsUuid(id)) return GrantNotFound();
  auto lease = env_.catalog.Acquire();
  store::Transaction txn(*lease, /*write=*/true);
  BULKHEAD_TRY(txn.begin_status());
  auto found = store::grants::FindGrant(*lease, id);
  if (!found.ok()) return found.error();
  if (!*found || (*found)->organization_id != tenant.organization.id) return GrantNotFound();
  auto changed = store::grants::Revoke(*lease, id, core::NowMs());
  if (!changed.ok()) return changed.error();
  if (*changed == 0) return core::Ok();  // revoked already: nothing changes, nothing to audit
  nlohmann::json details = GrantDetails(**found);
  details["previous_status"] = (*found)->status;
  BULKHEAD_TRY(store::catalog::InsertAuditEvent(
      *lease,
      MakeAuditEvent(tenant.organization.id, actor, "grant.revoked", "grant", id, details)));
  return txn.Commit();
}

Result<GrantPage> GrantService::ListIncoming(const TenantContext& tenant,
                                             const std::string& after_id, int limit) {
  auto lease = env_.catalog.Acquire();
  auto rows = store::grants::ListReceived(*lease, tenant.organization.id, after_id, limit + 1);
  if (!rows.ok()) return rows.error();
  return PageOf(std::move(*rows), limit);
}

Result<GrantView> GrantService::Accept(const TenantContext& tenant, const std::string& id,
                                       const std::optional<nlohmann::json>& members,
                                       const Actor& actor) {
  if (!core::IsUuid(id)) return GrantNotFound();
  std::string members_text(kAllMembers);
  std::vector<std::string> user_ids;
  bool all = !members || members->is_null() ||
             (members->is_string() && members->get_ref<const std::string&>() == kAllMembers);
  if (!all) {
    if (!members->is_array() || members->empty() || members->size() > 1000) {
      return Error::Validation("members", "must be \"all\" or an array of 1-1000 user ids");
    }
    for (const auto& m : *members) {
      if (!m.is_string()) return Error::Validation("members", "must hold user ids");
      const auto& user_id = m.get_ref<const std::string&>();
      if (std::find(user_ids.begin(), user_ids.end(), user_id) == user_ids.end())
        user_ids.push_back(user_id);
    }
    members_text = nlohmann::json(user_ids).dump();
  }
  auto lease = env_.catalog.Acquire();
  store::Transaction txn(*lease, /*write=*/true);
  BULKHEAD_TRY(txn.begin_status());
  for (const auto& user_id : user_ids) {
    auto member = store::catalog::FindMembership(*lease, tenant.organization.id, user_id);
    if (!member.ok()) return member.error();
    if (!*member) {
      return Error::Validation("members", user_id + " is not a member of this organization");
    }
  }
  auto found = store::grants::FindGrant(*lease, id);
  if (!found.ok()) return found.error();
  if (!*found || (*found)->target_organization_id != tenant.organization.id) {
    return GrantNotFound();
  }
  GrantRecord grant = **found;
  int64_t now = core::NowMs();
  if (grant.status != "offered") {
    return Error::Make(ErrorCode::kConflict, "the grant is " + grant.status + ", not offered");
  }
  if (GrantExpired(grant, now)) return Error::Make(ErrorCode::kConflict, "the grant has expired");
  auto changed =
      store::grants::Respond(*lease, id, "offered", "accepted", members_text, actor.id, now);
  if (!changed.ok()) return changed.error();
  if (*changed == 0) return Error::Make(ErrorCode::kConflict, "the grant changed meanwhile");
  grant.status = "accepted";
  grant.members = members_text;
  grant.responded_by = actor.id;
  grant.responded_at = now;
  nlohmann::json details = GrantDetails(grant);
  details["members"] = all ? nlohmann::json(std::string(kAllMembers)) : nlohmann::json(user_ids);
  BULKHEAD_TRY(AuditResponse(*lease, tenant, actor, grant, "grant.accepted", details));
  BULKHEAD_TRY(txn.Commit());
  return ViewOf(std::move(grant));
}

Result<GrantView> GrantService::Decline(const TenantContext& tenant, const std::string& id,
                                        const Actor& actor) {
  if (!core::IsUuid(id)) return GrantNotFound();
  auto lease = env_.catalog.Acquire();
  store::Transaction txn(*lease, /*write=*/true);
  BULKHEAD_TRY(txn.begin_status());
  auto found = store::grants::FindGrant(*lease, id);
  if (!found.ok()) return found.error();
  if (!*found || (*found)->target_organization_id != tenant.organization.id) {
    return GrantNotFound();
  }
  GrantRecord grant = **found;
  if (grant.status != "offered" && grant.status != "accepted") {
    return Error::Make(ErrorCode::kConflict, "the grant is " + grant.status);
  }
  int64_t now = core::NowMs();
  std::string previous = grant.status;
  auto changed =
      store::grants::Respond(*lease, id, previous, "declined", grant.members, actor.id, now);
  if (!changed.ok()) return changed.error();
  if (*changed == 0) return Error::Make(ErrorCode::kConflict, "the grant changed meanwhile");
  grant.status = "declined";
  grant.responded_by = actor.id;
  grant.responded_at = now;
  nlohmann::json details = GrantDetails(grant);
  details["previous_status"] = previous;
  BULKHEAD_TRY(AuditResponse(*lease, tenant, actor, grant, "grant.declined", details));
  BULKHEAD_TRY(txn.Commit());
  return ViewOf(std::move(grant));
}

Result<std::vector<GrantView>> GrantService::ListShared(const TenantContext& tenant,
                                                        const Principal& caller) {
  std::vector<GrantRecord> rows;
  {
    auto lease = env_.catalog.Acquire();
    auto live = store::grants::ListLiveReceived(*lease, tenant.organization.id, core::NowMs());
    if (!live.ok()) return live.error();
    rows = std::move(*live);
  }
  std::vector<GrantView> out;
  for (auto& row : rows) {
    if (!Covers(row, caller)) continue;
    auto view = ViewOf(std::move(row));
    if (!view.ok()) return view.error();
    if (view->organization.status != "active") continue;
    out.push_back(std::move(*view));
  }
  return out;
}

Result<GrantService::SharedAccess> GrantService::OpenShared(const TenantContext& tenant,
                                                            const Principal& caller,
                                                            const Actor& actor,
                                                            const std::string& grant_id, Verb verb,
                                                            const std::string& resource_id) {
  if (!core::IsUuid(grant_id)) return GrantNotFound();
  // From the catalog itself on every request: a revocation holds on the next one, everywhere.
  std::optional<GrantRecord> found;
  std::optional<store::OrganizationRecord> giver;
  {
    auto lease = env_.catalog.Acquire();
    auto row = store::grants::FindGrant(*lease, grant_id);
    if (!row.ok()) return row.error();
    found = std::move(*row);
    if (found && found->target_organization_id == tenant.organization.id) {
      auto org = store::catalog::FindOrganizationById(*lease, found->organization_id);
      if (!org.ok()) return org.error();
      giver = std::move(*org);
    }
  }
  if (!found || !giver || found->target_organization_id != tenant.organization.id ||
      found->status != "accepted" || GrantExpired(*found, core::NowMs()) ||
      !Covers(*found, caller) || giver->status != "active") {
    return GrantNotFound();
  }
  const GrantRecord& grant = *found;
  bool writes = verb == Verb::kCreate || verb == Verb::kUpdate || verb == Verb::kDelete;
  if (writes && grant.level != "write") {
    return Error::Forbidden("the grant allows reading only");
  }
  if (grant.resource_id) {
    if (verb == Verb::kCreate || verb == Verb::kDelete) {
      return Error::Forbidden("a grant on one resource allows reading or updating it only");
    }
    if ((verb == Verb::kRead || verb == Verb::kUpdate) && resource_id != *grant.resource_id) {
      return GrantedResourceNotFound();
    }
  }
  SharedAccess access{grant,
                      TenantContext{*giver, core::Role::kMember, TenantAccess::KeyFor(giver->id),
                                    core::PermissionSet{}},
                      WorkspaceContext{}, ActorInGiver(tenant, actor, grant)};
  auto database = env_.tenants.Open(access.giver.key);
  if (!database.ok()) {
    return database.error().code == ErrorCode::kOrganizationNotFound ? GrantNotFound()
                                                                     : database.error();
  }
  auto lease = (*database)->Acquire();
  auto workspace = store::tenant::FindWorkspace(*lease, grant.workspace_id);
  if (!workspace.ok()) return workspace.error();
  if (!*workspace) return GrantNotFound();  // deleted in A since: the grant reaches nothing
  access.workspace =
      WorkspaceContext{**workspace, grant.level == "write" ? core::WorkspaceRole::kEditor
                                                           : core::WorkspaceRole::kViewer};
  return access;
}

core::Status GrantService::RecordUse(const TenantContext& tenant, const SharedAccess& access,
                                     const Actor& actor, const std::string& giver_action,
                                     const std::string& target_action,
                                     const std::string& resource_id) {
  const std::string& giver_id = access.giver.organization.id;
  if (!giver_action.empty()) {
    BULKHEAD_TRY(
        InTenantWrite<core::Unit>(env_, access.giver, [&](store::Connection& c) -> core::Status {
          return store::tenant::InsertAuditEvent(
              c, MakeAuditEvent(giver_id, access.actor_in_giver, giver_action,
                                resource_id.empty() ? "workspace" : "resource",
                                resource_id.empty() ? access.workspace.workspace.id : resource_id,
                                {{"workspace_id", access.workspace.workspace.id}}));
        }));
  }
  return InTenantWrite<core::Unit>(env_, tenant, [&](store::Connection& c) -> core::Status {
    return store::tenant::InsertAuditEvent(
        c, MakeAuditEvent(tenant.organization.id, actor, target_action, "grant", access.grant.id,
                          {{"grant_id", access.grant.id},
                           {"organization_id", giver_id},
                           {"workspace_id", access.workspace.workspace.id},
                           {"resource_id", resource_id.empty() ? nlohmann::json()
                                                               : nlohmann::json(resource_id)}}));
  });
}

Result<ResourcePage> GrantService::ListSharedResources(const TenantContext& tenant,
                                                       const Principal& caller, const Actor& actor,
                                                       const std::string& grant_id,
                                                       const store::tenant::ResourceFilter& filter,
                                                       const std::string& after_id, int limit) {
  auto access = OpenShared(tenant, caller, actor, grant_id, Verb::kList, "");
  if (!access.ok()) return access.error();
  ResourcePage page;
  if (access->grant.resource_id) {
    // The one resource, when it is past the cursor and matches the filter.
    const std::string& only = *access->grant.resource_id;
    if (after_id.empty() || only > after_id) {
      auto resource = resources_.Get(access->giver, access->workspace, only);
      if (resource.ok()) {
        if (MatchesFilter(*resource, filter)) page.resources.push_back(std::move(*resource));
      } else if (resource.error().code != ErrorCode::kNotFound) {
        return resource.error();
      }
    }
  } else {
    auto listed = resources_.List(access->giver, access->workspace, filter, after_id, limit);
    if (!listed.ok()) return listed.error();
    page = std::move(*listed);
  }
  BULKHEAD_TRY(RecordUse(tenant, *access, actor, "shared_resource.listed", "shared_resource.listed",
                         access->grant.resource_id.value_or("")));
  return page;
}

Result<store::ResourceRecord> GrantService::GetSharedResource(const TenantContext& tenant,
                                                              const Principal& caller,
                                                              const Actor& actor,
                                                              const std::string& grant_id,
                                                              const std::string& id) {
  auto access = OpenShared(tenant, caller, actor, grant_id, Verb::kRead, id);
  if (!access.ok()) return access.error();
  auto resource = resources_.Get(access->giver, access->workspace, id);
  if (!resource.ok()) return resource.error();
  BULKHEAD_TRY(
      RecordUse(tenant, *access, actor, "shared_resource.read", "shared_resource.read", id));
  return resource;
}

Result<store::ResourceRecord> GrantService::CreateSharedResource(const TenantContext& tenant,
                                                                 const Principal& caller,
                                                                 const Actor& actor,
                                                                 const std::string& grant_id,
                                                                 const CreateResourceInput& input) {
  auto access = OpenShared(tenant, caller, actor, grant_id, Verb::kCreate, "");
  if (!access.ok()) return access.error();
  auto resource =
      resources_.Create(access->giver, access->workspace, input, access->actor_in_giver);
  if (!resource.ok()) return resource.error();
  BULKHEAD_TRY(RecordUse(tenant, *access, actor, "", "shared_resource.created", resource->id));
  return resource;
}

Result<store::ResourceRecord> GrantService::UpdateSharedResource(
    const TenantContext& tenant, const Principal& caller, const Actor& actor,
    const std::string& grant_id, const std::string& id, const UpdateResourceInput& input) {
  auto access = OpenShared(tenant, caller, actor, grant_id, Verb::kUpdate, id);
  if (!access.ok()) return access.error();
  auto resource =
      resources_.Update(access->giver, access->workspace, id, input, access->actor_in_giver);
  if (!resource.ok()) return resource.error();
  BULKHEAD_TRY(RecordUse(tenant, *access, actor, "", "shared_resource.updated", id));
  return resource;
}

core::Status GrantService::DeleteSharedResource(const TenantContext& tenant,
                                                const Principal& caller, const Actor& actor,
                                                const std::string& grant_id,
                                                const std::string& id) {
  auto access = OpenShared(tenant, caller, actor, grant_id, Verb::kDelete, id);
  if (!access.ok()) return access.error();
  BULKHEAD_TRY(resources_.Delete(access->giver, access->workspace, id, access->actor_in_giver));
  return RecordUse(tenant, *access, actor, "", "shared_resource.deleted", id);
}

}  // namespace bulkhead::service
