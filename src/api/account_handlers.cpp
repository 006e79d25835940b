#include <algorithm>
#include <charconv>

#include "api/body.hpp"
#include "api/handlers.hpp"
#include "api/render.hpp"
#include "api/session_cookie.hpp"
#include "api/sso_connection_handlers.hpp"
#include "core/uuid.hpp"
#include "http/query.hpp"

namespace bulkhead::api {
namespace {

constexpr std::string_view kUserOrganizationsCursor = "user-organizations";

// Cursor payload: "<joined_at>/<organization_id>", the last membership of the previous page.
bool DecodeUserOrganizationsCursor(const std::string& payload, int64_t& joined_at,
                                   std::string& org_id) {
  auto slash = payload.find('/');
  if (slash == std::string::npos) return false;
  auto [end, ec] = std::from_chars(payload.data(), payload.data() + slash, joined_at);
  if (ec != std::errc() || end != payload.data() + slash || joined_at < 0) return false;
  org_id = payload.substr(slash + 1);
  return core::IsUuid(org_id);
}

}  // namespace

Result<Response> SignUp(Services& s, RequestContext& c) {
  auto out = s.accounts.SignUp(
      {Text(c.body, "email"), Text(c.body, "password"), Text(c.body, "name")}, c.request_id);
  if (!out.ok()) return out.error();
  c.metered_organization_id = out->personal_organization.id;
  auto personal = RenderOrganization(s, out->personal_organization);
  if (!personal.ok()) return personal.error();
  auto response = JsonResponse({{"user", UserJson(out->user)},
                                {"session_token", out->session_token},
                                {"personal_organization", *personal}});
  response.SetHeader("Set-Cookie",
                     SessionCookie(c.request, out->session_token, s.session_ttl_seconds));
  return response;
}

Result<Response> LogIn(Services& s, RequestContext& c) {
  // An address whose verified domain enforces SSO signs in through its IdP only.
  if (auto refusal = SsoRequiredFor(s, Text(c.body, "email"))) return std::move(*refusal);
  auto out = s.accounts.LogIn(Text(c.body, "email"), Text(c.body, "password"));
  if (!out.ok()) return out.error();
  auto response =
      JsonResponse({{"user", UserJson(out->user)}, {"session_token", out->session_token}});
  response.SetHeader("Set-Cookie",
                     SessionCookie(c.request, out->session_token, s.session_ttl_seconds));
  return response;
}

Result<Response> LogOut(Services& s, RequestContext& c) {
  BULKHEAD_TRY(s.accounts.LogOut(*c.principal));
  auto response = NoContent();
  response.SetHeader("Set-Cookie", SessionCookie(c.request, "", 0));
  return response;
}

Result<Response> GetCurrentUser(Services& s, RequestContext& c) {
  auto user = s.accounts.GetUser(c.principal->user_id);
  if (!user.ok()) return user.error();
  return JsonResponse(UserJson(*user));
}

Result<Response> ListCurrentUserOrganizations(Services& s, RequestContext& c) {
  auto page = ReadPage(c.request, kUserOrganizationsCursor);
  if (!page.ok()) return page.error();
  int64_t after_joined_at = -1;
  std::string after_org_id;
  if (!page->cursor.empty() &&
      !DecodeUserOrganizationsCursor(page->cursor, after_joined_at, after_org_id)) {
    return core::Error::Validation("cursor", "is not a cursor of this list");
  }
  // ?q= and ?type= narrow the list in its own SQL (the route's contract bounds them), so that
  // a page of matches costs the same for a member of 1,000 organizations; the cursor is kept.
  store::catalog::UserOrganizationFilter filter;
  if (auto params = http::ParseQuery(c.request.Query())) {
    if (auto q = http::QueryValue(*params, "q")) filter.query = *q;
    if (auto type = http::QueryValue(*params, "type")) filter.type = *type;
  }
  auto orgs = s.accounts.ListOrganizations(c.principal->user_id, after_joined_at, after_org_id,
                                           page->limit, filter);
  if (!orgs.ok()) return orgs.error();
  nlohmann::json data = nlohmann::json::array();
  for (const auto& row : orgs->organizations) {
    auto json = RenderOrganization(s, row.organization);
    if (!json.ok()) return json.error();
    data.push_back({{"organization", *json}, {"role", row.role}});
  }
  nlohmann::json next = nullptr;
  if (orgs->more) {
    const auto& last = orgs->organizations.back();
    next = EncodeCursor(kUserOrganizationsCursor,
                        std::to_string(last.joined_at) + "/" + last.organization.id);
  }
  return JsonResponse(200, {{"data", data}, {"next_cursor", next}});
}

}  // namespace bulkhead::api
