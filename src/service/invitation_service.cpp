#include "service/invitation_service.hpp"

#include "core/email.hpp"
#include "core/time.hpp"
#include "core/uuid.hpp"
#include "crypto/token.hpp"
#include "service/event_relay.hpp"
#include "service/events.hpp"
#include "service/organization_service.hpp"
#include "service/role_service.hpp"
#include "service/views.hpp"
#include "store/access_store.hpp"
#include "store/catalog_store.hpp"
#include "store/workspace_store.hpp"

namespace bulkhead::service {

using core::Error;
using core::ErrorCode;
using core::Result;

namespace {

Error Unusable(const std::string& status) {
  return Error::Make(ErrorCode::kInvitationUnusable, "the invitation is " + status);
}

std::string AcceptUrl(const std::string& public_url, const std::string& token) {
  std::string base = public_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/console/accept-invitation?token=" + token;
}

// The role the invitation's sender holds now: a member's role (a custom role's permissions as
// they are now), or an API key's own role (keys invite too); nullopt once they are gone.
Result<std::optional<core::HeldRole>> InviterRole(store::Connection& c,
                                                  const store::InvitationRecord& invitation) {
  auto member =
      store::catalog::FindMembership(c, invitation.organization_id, invitation.invited_by);
  if (!member.ok()) return member.error();
  if (*member) {
    auto held = MembershipRole(c, invitation.organization_id, (*member)->role);
    if (!held.ok()) return held.error();
    return std::optional(std::move(*held));
  }
  auto key = store::catalog::FindApiKey(c, invitation.organization_id, invitation.invited_by);
  if (!key.ok()) return key.error();
  if (*key) {
    if (auto role = core::ParseRole((*key)->role)) {
      return std::optional(core::HeldRole::BuiltIn(*role));
    }
  }
  return std::optional<core::HeldRole>{};
}

}  // namespace

std::string InvitationStatus(const store::InvitationRecord& invitation, int64_t now_ms) {
  if (invitation.status == "pending" && invitation.expires_at <= now_ms) return "expired";
  return invitation.status;
}

Result<CreatedInvitation> InvitationService::Create(const TenantContext& tenant,
                                                    const std::string& email_input,
                                                    const std::string& role_name,
                                                    const Actor& actor) {
  std::vector<core::FieldError> errors;
  auto email = core::NormalizeEmail(email_input);
  if (!email.ok()) errors.push_back(email.error().fields.at(0));
  if (!core::IsRoleKeyShaped(role_name)) {
    errors.push_back({"role", "must be owner, admin, member or a custom role's key"});
  }
  if (!errors.empty()) {
    return Error::Validation(std::move(errors));
  }
  if (tenant.organization.type == "personal") {
    return Error::Make(ErrorCode::kPersonalOrganization,
                       "a personal organization has one member and takes no invitations");
  }
  std::optional<core::HeldRole> role;
  {
    auto lease = env_.catalog.Acquire();
    auto found = LookupRole(*lease, tenant.organization.id, role_name);
    if (!found.ok()) return found.error();
    role = std::move(*found);
  }
  if (!role) return Error::Validation("role", "names no role of this organization: " + role_name);
  // The subset rule (docs/roles.md): nobody invites with a permission they do not hold.
  if (!tenant.permissions.Contains(role->permissions)) {
    return Error::Forbidden("you cannot invite with a role holding a permission you do not hold");
  }

  std::string token = crypto::NewToken(kInvitationPrefix);
  int64_t now = core::NowMs();
  store::InvitationRecord invitation{core::NewUuidV7(),
                                     tenant.organization.id,
                                     *email,
                                     role->key,
                                     crypto::HashToken(token),
                                     "pending",
                                     actor.id,
                                     now,
                                     now + env_.config.invitation_ttl_ms,
                                     std::nullopt};
  {
    auto lease = env_.catalog.Acquire();
    store::Transaction txn(*lease, /*write=*/true);
    BULKHEAD_TRY(txn.begin_status());
    auto user = store::catalog::FindUserByEmail(*lease, *email);
    if (!user.ok()) return user.error();
    if (*user) {
      auto member = store::catalog::FindMembership(*lease, tenant.organization.id, (*user)->id);
      if (!member.ok()) return member.error();
      if (*member) return Error::Make(ErrorCode::kAlreadyMember, "the user is already a member");
    }
    auto pending = store::catalog::FindPendingInvitations(*lease, tenant.organization.id, *email);
    if (!pending.ok()) return pending.error();
    nlohmann::json details = {{"email", *email}, {"role", invitation.role}};
    for (auto old : *pending) {
      BULKHEAD_TRY(store::catalog::SetInvitationStatus(*lease, old.id, "revoked", std::nullopt));
      details["replaces"] = old.id;
      old.status = "revoked";
      BULKHEAD_TRY(WriteOutboxEvent(
          *lease, MakeEvent(tenant.organization.id, "invitation.revoked", InvitationJson(old))));
    }
    BULKHEAD_TRY(store::catalog::InsertInvitation(*lease, invitation));
    BULKHEAD_TRY(store::catalog::InsertAuditEvent(
        *lease, MakeAuditEvent(tenant.organization.id, actor, "invitation.created", "invitation",
                               invitation.id, details)));
    BULKHEAD_TRY(WriteOutboxEvent(*lease, MakeEvent(tenant.organization.id, "invitation.created",
                                                    InvitationJson(invitation))));
    BULKHEAD_TRY(txn.Commit());
  }
  RelayOutbox(env_, tenant.organization.id);
  std::string url = AcceptUrl(env_.config.public_url, token);
  MailMessage message{invitation.email, "You are invited to join " + tenant.organization.name,
                      "You have been invited to join " + tenant.organization.name + " as " +
                          invitation.role + ".\n\nAccept the invitation:\n" + url +
                          "\n\nIt expires at " + core::FormatRfc3339(invitation.expires_at) +
                          ". If you did not expect it, ignore this message.\n"};
  // The invitation stands even if queueing the mail fails: the admin has the link.
  (void)outbox_.Queue(message);
  return CreatedInvitation{std::move(invitation), std::move(token), std::move(url)};
}

Result<InvitationPage> InvitationService::List(const TenantContext& tenant,
                                               const std::string& before_id, int limit) {
  auto lease = env_.catalog.Acquire();
  auto rows = store::catalog::ListInvitations(*lease, tenant.organization.id, before_id, limit + 1);
  if (!rows.ok()) return rows.error();
  InvitationPage page{std::move(*rows), false};
  page.more = TrimToPage(page.invitations, limit);
  return page;
}

core::Status InvitationService::Revoke(const TenantContext& tenant, const std::string& id,
                                       const Actor& actor) {
  auto lease = env_.catalog.Acquire();
  store::Transaction txn(*lease, /*write=*/true);
  BULKHEAD_TRY(txn.begin_status());
  auto found = store::catalog::FindInvitation(*lease, tenant.organization.id, id);
  if (!found.ok()) return found.error();
  if (!*found) return Error::NotFound("invitation");
  std::string status = InvitationStatus(**found, core::NowMs());
  if (status != "pending") return Unusable(status);
  BULKHEAD_TRY(store::catalog::SetInvitationStatus(*lease, id, "revoked", std::nullopt));
  BULKHEAD_TRY(store::catalog::InsertAuditEvent(
      *lease, MakeAuditEvent(tenant.organization.id, actor, "invitation.revoked", "invitation", id,
                             {{"email", (*found)->email}})));
  store::InvitationRecord revoked = **found;
  revoked.status = "revoked";
  BULKHEAD_TRY(WriteOutboxEvent(
      *lease, MakeEvent(tenant.organization.id, "invitation.revoked", InvitationJson(revoked))));
  BULKHEAD_TRY(txn.Commit());
  RelayOutbox(env_, tenant.organization.id, lease);
  return core::Ok();
}

Result<store::MembershipRecord> InvitationService::Accept(const std::string& token,
                                                          const Principal& caller,
                                                          const std::string& request_id) {
  return AcceptFound(AcceptBy::kToken, token, caller, request_id);
}

Result<store::MembershipRecord> InvitationService::AcceptById(const std::string& id,
                                                              const Principal& caller,
                                                              const std::string& request_id) {
  return AcceptFound(AcceptBy::kId, id, caller, request_id);
}

Result<ReceivedInvitationPage> InvitationService::ListReceived(const Principal& caller,
                                                               const std::string& before_id,
                                                               int limit) {
  ReceivedInvitationPage page;
  if (caller.is_api_key()) return page;
  auto lease = env_.catalog.Acquire();
  auto user = store::catalog::FindUserById(*lease, caller.user_id);
  if (!user.ok()) return user.error();
  if (!*user || !(*user)->email_verified_at) return page;
  auto rows = store::catalog::ListReceivedInvitations(*lease, (*user)->email, caller.user_id,
                                                      core::NowMs(), before_id, limit + 1);
  if (!rows.ok()) return rows.error();
  page.invitations = std::move(*rows);
  page.more = TrimToPage(page.invitations, limit);
  return page;
}

// One path for both ways in, so that they cannot drift: the limits, already_member, the audit
// events and the cache invalidation below are the same for a mailed token and for an id.
Result<store::MembershipRecord> InvitationService::AcceptFound(AcceptBy by, const std::string& key,
                                                               const Principal& caller,
                                                               const std::string& request_id) {
  if (caller.is_api_key()) return Error::Forbidden("an invitation is accepted by a person");
  store::MembershipRecord membership;
  store::InvitationRecord invitation;
  {
    auto lease = env_.catalog.Acquire();
    store::Transaction txn(*lease, /*write=*/true);
    BULKHEAD_TRY(txn.begin_status());
    auto user = store::catalog::FindUserById(*lease, caller.user_id);
    if (!user.ok()) return user.error();
    // By id, only a verified address ties the caller to the invitation (the mailed token
    // proves it by itself); by id, one sent to someone else is not theirs to learn of.
    if (by == AcceptBy::kId && (!*user || !(*user)->email_verified_at)) {
      return Error::Make(ErrorCode::kEmailUnverified,
                         "verify your email address first (follow the link mailed to it), or "
                         "accept with the link in the invitation email");
    }
    auto found = by == AcceptBy::kToken
                     ? store::catalog::FindInvitationByTokenHash(*lease, crypto::HashToken(key))
                     : store::catalog::FindInvitationById(*lease, key);
    if (!found.ok()) return found.error();
    if (!*found || (by == AcceptBy::kId && (*found)->email != (*user)->email)) {
      return Error::NotFound("invitation");
    }
    invitation = **found;
    int64_t now = core::NowMs();
    std::string status = InvitationStatus(invitation, now);
    if (status != "pending") return Unusable(status);
    if (!*user || (*user)->email != invitation.email) {
      return Error::Forbidden("this invitation was sent to another email address");
    }
    auto org = store::catalog::FindOrganizationById(*lease, invitation.organization_id);
    if (!org.ok()) return org.error();
    if (!*org) return Unusable("for an organization that no longer exists");
    if ((*org)->status == "suspended") {
      return Error::Make(ErrorCode::kOrganizationSuspended, "the organization is suspended");
    }
    // An invitation carries its sender's authority no further than the sender holds it: removed,
    // demoted below the invited role or below inviting, the sender's pending invitations stop
    // working (else an admin could keep a way back in, as admin, after being removed).
    auto inviter = InviterRole(*lease, invitation);
    if (!inviter.ok()) return inviter.error();
    auto invited_role = LookupRole(*lease, invitation.organization_id, invitation.role);
    if (!invited_role.ok()) return invited_role.error();
    if (!*invited_role) {
      return Error::Make(ErrorCode::kInvitationUnusable,
                         "the invitation's role " + invitation.role + " no longer exists");
    }
    if (!*inviter || !(*inviter)->permissions.Has(core::Permission::kManageMembers) ||
        !(*inviter)->permissions.Contains((*invited_role)->permissions)) {
      return Error::Make(ErrorCode::kInvitationUnusable,
                         "the invitation's sender can no longer grant the role " + invitation.role);
    }
    auto existing =
        store::catalog::FindMembership(*lease, invitation.organization_id, caller.user_id);
    if (!existing.ok()) return existing.error();
    if (*existing) return Error::Make(ErrorCode::kAlreadyMember, "you are already a member");
    if (auto max = OrganizationLimit(env_, **org, "max_members")) {
      auto count = store::catalog::CountMembers(*lease, invitation.organization_id);
      if (!count.ok()) return count.error();
      if (*count >= *max) {
        return Error::LimitReached("max_members", *count, *max);
      }
    }
    membership = {invitation.organization_id, caller.user_id, invitation.role, now};
    BULKHEAD_TRY(store::catalog::InsertMembership(*lease, membership));
    BULKHEAD_TRY(store::catalog::SetInvitationStatus(*lease, invitation.id, "accepted", now));
    Actor actor{"user", caller.user_id, request_id};
    BULKHEAD_TRY(store::catalog::InsertAuditEvent(
        *lease, MakeAuditEvent(invitation.organization_id, actor, "invitation.accepted",
                               "invitation", invitation.id, {{"email", invitation.email}})));
    BULKHEAD_TRY(store::catalog::InsertAuditEvent(
        *lease, MakeAuditEvent(invitation.organization_id, actor, "member.added", "membership",
                               caller.user_id,
                               {{"role", invitation.role}, {"invitation", invitation.id}})));
    store::InvitationRecord accepted = invitation;
    accepted.status = "accepted";
    accepted.accepted_at = now;
    BULKHEAD_TRY(WriteOutboxEvent(
        *lease,
        MakeEvent(invitation.organization_id, "invitation.accepted", InvitationJson(accepted))));
    BULKHEAD_TRY(WriteOutboxEvent(
        *lease, MakeEvent(invitation.organization_id, "member.added",
                          MemberEventData(membership, (*user)->email, (*user)->name))));
    std::string key = CatalogCache::MembershipKey(invitation.organization_id, caller.user_id);
    BULKHEAD_TRY(store::catalog::RecordChange(*lease, "membership", key));
    // The token came by mail to this address (the caller's, checked above): that proves it.
    bool newly_verified = !(*user)->email_verified_at;
    if (newly_verified) {
      BULKHEAD_TRY(
          store::catalog::MarkEmailVerified(*lease, caller.user_id, invitation.email, now));
      BULKHEAD_TRY(store::catalog::RecordChange(*lease, "user", caller.user_id));
    }
    BULKHEAD_TRY(txn.Commit());
    env_.cache.memberships.Erase(key);
    if (newly_verified) env_.cache.users.Erase(caller.user_id);
  }
  RelayOutbox(env_, invitation.organization_id);
  // Someone who was a member before must not find their old workspace access again.
  if (auto database = env_.tenants.Open(TenantAccess::KeyFor(invitation.organization_id));
      database.ok()) {
    auto lease = (*database)->Acquire();
    (void)store::tenant::DeleteWorkspaceMembershipsOf(*lease, caller.user_id);
  }
  return membership;
}

}  // namespace bulkhead::service
