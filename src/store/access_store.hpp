#pragma once
// Repositories of the ways in to an organization: invitations and API keys (catalog). Each
// function runs on the caller's catalog connection, inside the caller's transaction.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/database.hpp"
#include "store/records.hpp"

namespace bulkhead::store::catalog {

Status InsertInvitation(Connection& c, const InvitationRecord& invitation);
Result<std::optional<InvitationRecord>> FindInvitation(Connection& c, std::string_view org_id,
                                                       std::string_view id);
Result<std::optional<InvitationRecord>> FindInvitationByTokenHash(Connection& c,
                                                                  std::string_view token_hash);
// Pending invitations of one email to one organization (at most one is kept pending).
Result<std::vector<InvitationRecord>> FindPendingInvitations(Connection& c, std::string_view org_id,
                                                             std::string_view email);
// Newest first, ids below `before_id` (empty: from the newest).
Result<std::vector<InvitationRecord>> ListInvitations(Connection& c, std::string_view org_id,
                                                      std::string_view before_id, int limit);
Status SetInvitationStatus(Connection& c, std::string_view id, std::string_view status,
                           std::optional<int64_t> accepted_at);
// An invitation by id alone (the invitee's own list names it so).
Result<std::optional<InvitationRecord>> FindInvitationById(Connection& c, std::string_view id);
// A pending invitation as its recipient sees it: with the organization's name and slug and the
// name of the person who sent it (none when a key sent it or the account is gone).
struct ReceivedInvitationRow {
  InvitationRecord invitation;
  std::string organization_name;
  std::string organization_slug;
  std::optional<std::string> inviter_name;
};
// Pending invitations to `email` that `user_id` can accept now: unexpired at `now_ms`, to an
// active organization they are not a member of. Newest first, ids below `before_id` (empty:
// from the newest), at most `limit` (index invitations_recipient).
Result<std::vector<ReceivedInvitationRow>> ListReceivedInvitations(
    Connection& c, std::string_view email, std::string_view user_id, int64_t now_ms,
    std::string_view before_id, int limit);

Status InsertApiKey(Connection& c, const ApiKeyRecord& key);
Result<std::optional<ApiKeyRecord>> FindApiKeyByHash(Connection& c, std::string_view secret_hash);
Result<std::optional<ApiKeyRecord>> FindApiKey(Connection& c, std::string_view org_id,
                                               std::string_view id);
// Oldest first, ids above `after_id`.
Result<std::vector<ApiKeyRecord>> ListApiKeys(Connection& c, std::string_view org_id,
                                              std::string_view after_id, int limit);
Status DeleteApiKey(Connection& c, std::string_view id);
Result<int64_t> CountApiKeys(Connection& c, std::string_view org_id);
Status TouchApiKey(Connection& c, std::string_view id, int64_t used_at);

}  // namespace bulkhead::store::catalog
