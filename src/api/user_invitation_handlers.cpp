// The caller's own invitations: the pending ones addressed to their verified email, listed
// with the organization they lead to, and accepted by id (the console's home page). Accepting
// with the mailed token (access_handlers.cpp) stays the way in for an unverified address.

#include "api/body.hpp"
#include "api/handlers.hpp"
#include "api/render.hpp"
#include "core/time.hpp"
#include "core/uuid.hpp"

namespace bulkhead::api {
namespace {

constexpr std::string_view kUserInvitationsCursor = "user-invitations";

nlohmann::json ReceivedInvitationJson(const store::catalog::ReceivedInvitationRow& row) {
  const auto& i = row.invitation;
  return {{"id", i.id},
          {"organization",
           {{"id", i.organization_id},
            {"name", row.organization_name},
            {"slug", row.organization_slug}}},
          {"role", i.role},
          {"invited_by", row.inviter_name ? nlohmann::json{{"name", *row.inviter_name}}
                                          : nlohmann::json(nullptr)},
          {"created_at", core::FormatRfc3339(i.created_at)},
          {"expires_at", core::FormatRfc3339(i.expires_at)}};
}

}  // namespace

Result<Response> ListUserInvitations(Services& s, RequestContext& c) {
  auto page = ReadPage(c.request, kUserInvitationsCursor);
  if (!page.ok()) return page.error();
  if (!page->cursor.empty() && !core::IsUuid(page->cursor)) {
    return core::Error::Validation("cursor", "is not a cursor of this list");
  }
  auto listed = s.invitations.ListReceived(*c.principal, page->cursor, page->limit);
  if (!listed.ok()) return listed.error();
  nlohmann::json data = nlohmann::json::array();
  for (const auto& row : listed->invitations) data.push_back(ReceivedInvitationJson(row));
  nlohmann::json next = nullptr;
  if (listed->more) {
    next = EncodeCursor(kUserInvitationsCursor, listed->invitations.back().invitation.id);
  }
  return JsonResponse({{"data", data}, {"next_cursor", next}});
}

Result<Response> AcceptUserInvitation(Services& s, RequestContext& c) {
  auto membership =
      s.invitations.AcceptById(std::string(c.Param("id")), *c.principal, c.request_id);
  if (!membership.ok()) return membership.error();
  return AcceptedMemberResponse(s, c, *membership);
}

}  // namespace bulkhead::api
