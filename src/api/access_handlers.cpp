// Invitations and API keys: the ways people and machines get into an organization.

#include "api/body.hpp"
#include "api/handlers.hpp"
#include "api/render.hpp"
#include "core/time.hpp"

namespace bulkhead::api {
namespace {

constexpr std::string_view kInvitationsCursor = "invitations";
constexpr std::string_view kApiKeysCursor = "api-keys";

}  // namespace

Result<Response> CreateInvitation(Services& s, RequestContext& c) {
  auto created =
      s.invitations.Create(*c.tenant, Text(c.body, "email"), Text(c.body, "role"), c.Actor());
  if (!created.ok()) return created.error();
  nlohmann::json out = InvitationJson(created->invitation);
  out["token"] = created->token;
  out["accept_url"] = created->accept_url;
  return JsonResponse(out);
}

Result<Response> ListInvitations(Services& s, RequestContext& c) {
  auto page = ReadPage(c.request, kInvitationsCursor);
  if (!page.ok()) return page.error();
  auto listed = s.invitations.List(*c.tenant, page->cursor, page->limit);
  if (!listed.ok()) return listed.error();
  nlohmann::json data = nlohmann::json::array();
  for (const auto& i : listed->invitations) data.push_back(InvitationJson(i));
  nlohmann::json next = nullptr;
  if (listed->more) next = EncodeCursor(kInvitationsCursor, listed->invitations.back().id);
  return JsonResponse({{"data", data}, {"next_cursor", next}});
}

Result<Response> RevokeInvitation(Services& s, RequestContext& c) {
  BULKHEAD_TRY(s.invitations.Revoke(*c.tenant, std::string(c.Param("id")), c.Actor()));
  return NoContent();
}

Result<Response> AcceptedMemberResponse(Services& s, RequestContext& c,
                                        const store::MembershipRecord& membership) {
  c.metered_organization_id = membership.organization_id;
  auto user = s.accounts.GetUser(c.principal->user_id);
  if (!user.ok()) return user.error();
  auto org = s.organizations.FindById(membership.organization_id);
  if (!org.ok()) return org.error();
  nlohmann::json out = MemberJson({membership, user->email, user->name});
  if (*org) {
    auto rendered = RenderOrganization(s, **org);
    if (!rendered.ok()) return rendered.error();
    (*rendered)["role"] = membership.role;
    out["organization"] = *rendered;
  }
  return JsonResponse(out);
}

Result<Response> AcceptInvitation(Services& s, RequestContext& c) {
  auto membership = s.invitations.Accept(Text(c.body, "token"), *c.principal, c.request_id);
  if (!membership.ok()) return membership.error();
  return AcceptedMemberResponse(s, c, *membership);
}

Result<Response> ListApiKeys(Services& s, RequestContext& c) {
  auto page = ReadPage(c.request, kApiKeysCursor);
  if (!page.ok()) return page.error();
  auto listed = s.api_keys.List(*c.tenant, page->cursor, page->limit);
  if (!listed.ok()) return listed.error();
  nlohmann::json data = nlohmann::json::array();
  for (const auto& k : listed->keys) data.push_back(ApiKeyJson(k));
  nlohmann::json next = nullptr;
  if (listed->more) next = EncodeCursor(kApiKeysCursor, listed->keys.back().id);
  return JsonResponse({{"data", data}, {"next_cursor", next}});
}

Result<Response> CreateApiKey(Services& s, RequestContext& c) {
  auto created =
      s.api_keys.Create(*c.tenant, Text(c.body, "name"), Text(c.body, "role"), c.Actor());
  if (!created.ok()) return created.error();
  nlohmann::json out = ApiKeyJson(created->key);
  out["key"] = created->secret;
  return JsonResponse(out);
}

Result<Response> RevokeApiKey(Services& s, RequestContext& c) {
  BULKHEAD_TRY(s.api_keys.Revoke(*c.tenant, std::string(c.Param("id")), c.Actor()));
  return NoContent();
}

}  // namespace bulkhead::api
