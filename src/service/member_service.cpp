#include "service/member_service.hpp"

#include "core/settings.hpp"
#include "core/time.hpp"
#include "core/uuid.hpp"
#include "service/event_relay.hpp"
#include "service/events.hpp"
#include "service/organization_service.hpp"
#include "service/views.hpp"
#include "store/catalog_store.hpp"
#include "store/workspace_store.hpp"

namespace bulkhead::service {

using core::Error;
using core::ErrorCode;
using core::Result;
using core::Role;

namespace {

Result<Role> ParseRoleField(const std::string& role) {
  auto parsed = core::ParseRole(role);
  if (!parsed) return Error::Validation("role", "must be one of owner, admin, member");
  return *parsed;
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
  auto new_role = ParseRoleField(role);
  if (!new_role.ok()) return new_role.error();
  if (!core::CanActOnRole(tenant.role, *new_role)) {
    return Error::Forbidden("only an owner can grant the owner role");
  }
  if (!core::IsUuid(user_id)) return Error::NotFound("user");

  auto lease = env_.catalog.Acquire();
  store::Transaction txn(*lease, /*write=*/true);
  BULKHEAD_TRY(txn.begin_status());
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
  store::MembershipRecord membership{org.id, user_id, std::string(core::RoleName(*new_role)),
                                     core::NowMs()};
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
  auto new_role = ParseRoleField(role);
  if (!new_role.ok()) return new_role.error();
  auto lease = env_.catalog.Acquire();
  store::Transaction txn(*lease, /*write=*/true);
  BULKHEAD_TRY(txn.begin_status());
  auto member = LoadMember(*lease, org.id, user_id);
  if (!member.ok()) return member.error();
  Role old_role = core::ParseRole(member->membership.role).value_or(Role::kMember);
  if (!core::CanActOnRole(tenant.role, old_role) || !core::CanActOnRole(tenant.role, *new_role)) {
    return Error::Forbidden("only an owner can change an owner or grant the owner role");
  }
  if (old_role == *new_role) return *member;
  if (old_role == Role::kOwner) {
    auto owners = store::catalog::CountOwners(*lease, org.id);
    if (!owners.ok()) return owners.error();
    if (*owners <= 1) return LastOwner();
  }
  member->membership.role = std::string(core::RoleName(*new_role));
  BULKHEAD_TRY(
      store::catalog::UpdateMembershipRole(*lease, org.id, user_id, member->membership.role));
  BULKHEAD_TRY(store::catalog::InsertAuditEvent(
      *lease,
      MakeAuditEvent(org.id, actor, "member.role_changed", "membership", user_id,
                     {{"from", core::RoleName(old_role)}, {"to", member->membership.role}})));
  nlohmann::json data = MemberJson(*member);
  data["previous_role"] = core::RoleName(old_role);
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
  Role role = core::ParseRole((*member)->role).value_or(Role::kMember);
  if (!leaving && !core::CanActOnRole(tenant.role, role)) {
    return Error::Forbidden("only an owner can remove an owner");
  }
  if (role == Role::kOwner) {
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
