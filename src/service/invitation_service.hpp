#pragma once
// Invitations: an admin invites an email address with a role no higher than their own; the
// invitee accepts with a session whose email matches. The token (256 random bits) is shown
// once and mailed through the outbox; only its SHA-256 is stored. One invitation per email
// and organization stays pending: inviting again replaces it. At acceptance the sender must
// still hold a role that may grant the invited one. Each step is audited in its transaction.
// Thread-safety: thread-safe.

#include <string>
#include <vector>

#include "core/result.hpp"
#include "service/environment.hpp"
#include "service/mail_outbox.hpp"
#include "service/tenant_resolver.hpp"
#include "store/access_store.hpp"
#include "store/records.hpp"

namespace bulkhead::service {

inline constexpr std::string_view kInvitationPrefix = "bki_";

struct CreatedInvitation {
  store::InvitationRecord invitation;
  std::string token;  // shown once
  std::string accept_url;
};

struct InvitationPage {
  std::vector<store::InvitationRecord> invitations;
  bool more = false;
};

struct ReceivedInvitationPage {
  std::vector<store::catalog::ReceivedInvitationRow> invitations;
  bool more = false;
};

// "pending", "accepted", "revoked" or "expired" (a pending invitation past its expiry).
std::string InvitationStatus(const store::InvitationRecord& invitation, int64_t now_ms);

class InvitationService {
 public:
  InvitationService(Environment& env, MailOutbox& outbox) : env_(env), outbox_(outbox) {}

  core::Result<CreatedInvitation> Create(const TenantContext& tenant, const std::string& email,
                                         const std::string& role, const Actor& actor);
  core::Result<InvitationPage> List(const TenantContext& tenant, const std::string& before_id,
                                    int limit);
  // kInvitationUnusable unless the invitation is pending.
  core::Status Revoke(const TenantContext& tenant, const std::string& id, const Actor& actor);
  // The new membership. kNotFound for an unknown token, kInvitationUnusable for a used, revoked
  // or expired one, or one whose sender (a member or an API key) is gone or no longer holds a
  // role that may invite with the invited role; kForbidden when the caller's email is not the
  // invited one.
  core::Result<store::MembershipRecord> Accept(const std::string& token, const Principal& caller,
                                               const std::string& request_id);

  // The caller's own pending invitations (store::catalog::ListReceivedInvitations), found by
  // their address: none unless the address is verified, since nothing else ties the caller to it.
  core::Result<ReceivedInvitationPage> ListReceived(const Principal& caller,
                                                    const std::string& before_id, int limit);
  // Accepts invitation `id` from that list, as Accept does with the mailed token.
  // kEmailUnverified unless the caller's address is verified; kNotFound for an unknown id or one
  // sent to another address (no existence leak); then as Accept.
  core::Result<store::MembershipRecord> AcceptById(const std::string& id, const Principal& caller,
                                                   const std::string& request_id);

 private:
  enum class AcceptBy { kToken, kId };
  core::Result<store::MembershipRecord> AcceptFound(AcceptBy by, const std::string& key,
                                                    const Principal& caller,
                                                    const std::string& request_id);

  Environment& env_;
  MailOutbox& outbox_;
};

}  // namespace bulkhead::service
