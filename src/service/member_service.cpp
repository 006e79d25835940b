#include "service/member_service.hpp"

#include "core/settings.hpp"
#include "core/time.hpp"
#include "core/uuid.hpp"
#include "service/event_relay.hpp"
#include "service/events.hpp"
#include "service/organization_service.hpp"
#include "service/role_service.hpp"
#include "service/views.hpp"
#include "store/catalog_store.hpp"
#include "store/workspace_store.hpp"

namespace bulkhead::service {

using core::Error;
using core::ErrorCode;
using core::Result;
using core::Role;

namespace {

// A `role` field: a built-in role or a custom role's key. kValidationFailed for a value no
// role of the organization has.
Result<core::HeldRole> AssignableRole(store::Connection& c, const std::string& org_id,
                                      const std::string& role) {
  if (!core::IsRoleKeyShaped(role)) {
    return Error::Validation("role", "must be owner, admin, member or a custom role's key");
  }
  auto found = LookupRole(c, org_id, role);
  if (!found.ok()) return found.error();
  if (!*found) return Error::Validation("role", "names no role of this organization: " + role);
  return std::move(**found);
}

// The subset rule (docs/roles.md): nobody assigns a role, or acts on a member holding one, with
// a permission they do not hold themselves. Only owners hold owners:manage, so only owners
// grant, change or remove the owner role.
core::Status MayActOn(const TenantContext& tenant, const core::HeldRole& role,
                      std::string_view what) {
  if (tenant.permissions.Contains(role.permissions)) return core::Ok();
  if (role.rank == Role::kOwner)
    return Error::Forbidden("only an owner can " + std::string(what) +
                            " an owner or the owner role");
  return Error::Forbidden("you cannot " + std::string(what) + " the role " + role.key +
                          ": it holds a permission you do not hold");
}

Error LastOwner() {
  return Error::Make(ErrorCode::kLastOwner, "an organization must keep at least one owner");
}

Error MemberNotFound() {
  return Error::NotFound("member");
}

Result<store::MemberRow> LoadMember(store::Connection& c, const std::string& org_id,
                                    const std::string& user_id) {
  auto membership = store::catalog::FindMembership(c, org_id, user_id);
  if (!membership.ok()) return membership.error();
  if (!*membership) return MemberNotFound();
  auto user = store::catalog::FindUserById(c, user_id);
  if (!user.ok()) return user.error();
  if (!*user) return MemberNotFound();
  return store::MemberRow{**membership, (*user)->email, (*user)->name};
}

}  // namespace

Result<MemberPage> MemberService::List(const TenantContext& tenant, int64_t after_joined_at,
                                       const std::string& after_user_id, int limit) {
  auto lease = env_.catalog.Acquire();
  auto rows = store::catalog::ListMembers(*lease, tenant.organization.id, after_joined_at,
                                          after_user_id, limit + 1);
  if (!rows.ok()) return rows.error();
  MemberPage page;
  page.more = static_cast<int>(rows->size()) > limit;
  if (page.more) rows->pop_back();
  page.members = std::move(*rows);
  return page;
}

Result<store::MemberRow> MemberService::Add(const TenantContext& tenant, const std::string& user_id,
                                            const std::string& role, const Actor& actor) {
  const auto& org = tenant.organization;
  if (org.type == "personal") {
    return Error::Make(ErrorCode::kPersonalOrganization,
                       "a personal organization has exactly one member");
  }
  if (!core::IsRoleKeyShaped(role)) {
    return Error::Validation("role", "must be owner, admin, member or a custom role's key");
  }
  auto lease = env_.catalog.Acquire();
  store::Transaction txn(*lease, /*write=*/true);
  BULKHEAD_TRY(txn.begin_status());
  auto new_role = AssignableRole(*lease, org.id, role);
  if (!new_role.ok()) return new_role.error();
  BULKHEAD_TRY(MayActOn(tenant, *new_role, "grant"));
  if (!core::IsUuid(user_id)) return Error::NotFound("user");
  auto user = store::catalog::FindUserById(*lease, user_id);
  if (!user.ok()) return user.error();
  if (!*user) return Error::NotFound("user");
  auto existing = store::catalog::FindMembership(*lease, org.id, user_id);
  if (!existing.ok()) return existing.error();
  if (*existing) return Error::Make(ErrorCode::kAlreadyMember, "the user is already a member");
  auto current = store::catalog::FindOrganizationById(*lease, org.id);
  if (!current.ok()) return current.error();
  if (!*current) return Error::Make(ErrorCode::kOrganizationNotFound, "organization not found");
  if (auto max = OrganizationLimit(env_, **current, "max_members")) {
    auto count = store::catalog::CountMembers(*lease, org.id);
    if (!count.ok()) return count.error();
    if (*count >= *max) return Error::LimitReached("max_members", *count, *max);
  }
  store::MembershipRecord membership{org.id, user_id, new_role->key, core::NowMs()};
  if (auto st = store::catalog::InsertMembership(*lease, membership); !st.ok()) {
    if (st.error().code == ErrorCode::kConflict) {
      return Error::Make(ErrorCode::kAlreadyMember, "the user is already a member");
    }
    return st.error();
  }
  BULKHEAD_TRY(store::catalog::InsertAuditEvent(
      *lease, MakeAuditEvent(org.id, actor, "member.added", "membership", user_id,
                             {{"role", membership.role}})));
  BULKHEAD_TRY(WriteOutboxEvent(
      *lease, MakeEvent(org.id, "member.added",
                        MemberEventData(membership, (*user)->email, (*user)->name))));
  BULKHEAD_TRY(store::catalog::RecordChange(*lease, "membership",
                                            CatalogCache::MembershipKey(org.id, user_id)));
  BULKHEAD_TRY(txn.Commit());
  env_.cache.memberships.Erase(CatalogCache::MembershipKey(org.id, user_id));
  RelayOutbox(env_, org.id, lease);
  ClearWorkspaceAssignments(tenant, user_id);  // a returning member starts without old access
  return store::MemberRow{membership, (*user)->email, (*user)->name};
}

Result<store::MemberRow> MemberService::ChangeRole(const TenantContext& tenant,
                                                   const std::string& user_id,
                                                   const std::string& role, const Actor& actor) {
  const auto& org = tenant.organization;
  if (!core::IsRoleKeyShaped(role)) {
    return Error::Validation("role", "must be owner, admin, member or a custom role's key");
  }
  auto lease = env_.catalog.Acquire();
  store::Transaction txn(*lease, /*write=*/true);
  BULKHEAD_TRY(txn.begin_status());
  auto new_role = AssignableRole(*lease, org.id, role);
  if (!new_role.ok()) return new_role.error();
  auto member = LoadMember(*lease, org.id, user_id);
  if (!member.ok()) return member.error();
  auto old_role = MembershipRole(*lease, org.id, member->membership.role);
  if (!old_role.ok()) return old_role.error();
  BULKHEAD_TRY(MayActOn(tenant, *old_role, "change"));
  BULKHEAD_TRY(MayActOn(tenant, *new_role, "grant"));
  if (old_role->key == new_role->key) return *member;
  if (old_role->rank == Role::kOwner) {
    auto owners = store::catalog::CountOwners(*lease, org.id);
    if (!owners.ok()) return owners.error();
    if (*owners <= 1) return LastOwner();
  }
  member->membership.role = new_role->key;
  BULKHEAD_TRY(
      store::catalog::UpdateMembershipRole(*lease, org.id, user_id, member->membership.role));
  BULKHEAD_TRY(store::catalog::InsertAuditEvent(
      *lease, MakeAuditEvent(org.id, actor, "member.role_changed", "membership", user_id,
                             {{"from", old_role->key}, {"to", member->membership.role}})));
  nlohmann::json data = MemberJson(*member);
  data["previous_role"] = old_role->key;
  BULKHEAD_TRY(WriteOutboxEvent(*lease, MakeEvent(org.id, "member.role_changed", std::move(data))));
  BULKHEAD_TRY(store::catalog::RecordChange(*lease, "membership",
                                            CatalogCache::MembershipKey(org.id, user_id)));
  BULKHEAD_TRY(txn.Commit());
  env_.cache.memberships.Erase(CatalogCache::MembershipKey(org.id, user_id));
  RelayOutbox(env_, org.id, lease);
  return *member;
}

core::Status MemberService::Remove(const TenantContext& tenant, const std::string& user_id,
                                   const Actor& actor) {
  const auto& org = tenant.organization;
  bool leaving = user_id == actor.id;
  if (!leaving && !tenant.Can(core::Permission::kManageMembers)) {
    return Error::Forbidden("only admins and owners can remove other members");
  }
  auto lease = env_.catalog.Acquire();
  store::Transaction txn(*lease, /*write=*/true);
  BULKHEAD_TRY(txn.begin_status());
  auto member = store::catalog::FindMembership(*lease, org.id, user_id);
  if (!member.ok()) return member.error();
  if (!*member) return MemberNotFound();
  auto role = MembershipRole(*lease, org.id, (*member)->role);
  if (!role.ok()) return role.error();
  if (!leaving) BULKHEAD_TRY(MayActOn(tenant, *role, "remove"));
  if (role->rank == Role::kOwner) {
    auto owners = store::catalog::CountOwners(*lease, org.id);
    if (!owners.ok()) return owners.error();
    if (*owners <= 1) return LastOwner();
  }
  auto user = store::catalog::FindUserById(*lease, user_id);
  if (!user.ok()) return user.error();
  BULKHEAD_TRY(store::catalog::DeleteMembership(*lease, org.id, user_id));
  BULKHEAD_TRY(store::catalog::InsertAuditEvent(
      *lease, MakeAuditEvent(org.id, actor, "member.removed", "membership", user_id,
                             {{"role", (*member)->role}, {"left", leaving}})));
  BULKHEAD_TRY(
      WriteOutboxEvent(*lease, MakeEvent(org.id, "member.removed",
                                         MemberEventData(**member, *user ? (*user)->email : "",
                                                         *user ? (*user)->name : ""))));
  BULKHEAD_TRY(store::catalog::RecordChange(*lease, "membership",
                                            CatalogCache::MembershipKey(org.id, user_id)));
  BULKHEAD_TRY(txn.Commit());
  env_.cache.memberships.Erase(CatalogCache::MembershipKey(org.id, user_id));
  RelayOutbox(env_, org.id, lease);
  // Access ends with the membership (every workspace check needs it); the assignments go too.
  ClearWorkspaceAssignments(tenant, user_id);
  return core::Ok();
}

void MemberService::ClearWorkspaceAssignments(const TenantContext& tenant,
                                              const std::string& user_id) {
  auto database = env_.tenants.Open(tenant.key);
  if (!database.ok()) return;
  auto lease = (*database)->Acquire();
  (void)store::tenant::DeleteWorkspaceMembershipsOf(*lease, user_id);
}

}  // namespace bulkhead::service
