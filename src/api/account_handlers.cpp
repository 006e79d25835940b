#include <algorithm>

#include "api/body.hpp"
#include "api/handlers.hpp"
#include "api/render.hpp"

namespace bulkhead::api {
namespace {

std::string SessionCookie(const http::Request& request, const std::string& token, int64_t max_age) {
  std::string cookie = "bulkhead_session=" + token +
                       "; Path=/; HttpOnly; SameSite=Lax; Max-Age=" + std::to_string(max_age);
  if (request.secure) cookie += "; Secure";
  return cookie;
}

// Sign-up and login take credentials from anyone, so they are the doors a cross-site form
// could push through (login CSRF): a browser form can send text/plain, urlencoded or
// multipart without asking, never application/json.
core::Status RequireJsonBody(const http::Request& request) {
  auto type = request.HeaderValue("Content-Type");
  auto essence = type.substr(0, type.find(';'));
  while (!essence.empty() && (essence.back() == ' ' || essence.back() == '\t')) {
    essence.remove_suffix(1);
  }
  constexpr std::string_view kJson = "application/json";
  bool json = essence.size() == kJson.size() &&
              std::equal(essence.begin(), essence.end(), kJson.begin(), [](char a, char b) {
                return (a >= 'A' && a <= 'Z' ? a - 'A' + 'a' : a) == b;
              });
  if (json) return core::Ok();
  return core::Error::Make(core::ErrorCode::kUnsupportedMediaType,
                           "send the body as Content-Type: application/json");
}

}  // namespace

Result<Response> SignUp(Services& s, RequestContext& c) {
  BULKHEAD_TRY(RequireJsonBody(c.request));
  auto body = BodyReader::Parse(c.request.body);
  if (!body.ok()) return body.error();
  auto email = body->RequiredString("email");
  auto password = body->RequiredString("password");
  auto name = body->RequiredString("name");
  BULKHEAD_TRY(body->Finish());
  auto out = s.accounts.SignUp({*email, *password, *name}, c.request_id);
  if (!out.ok()) return out.error();
  c.metered_organization_id = out->personal_organization.id;
  auto personal = RenderOrganization(s, out->personal_organization);
  if (!personal.ok()) return personal.error();
  auto response = JsonResponse(201, {{"user", UserJson(out->user)},
                                     {"session_token", out->session_token},
                                     {"personal_organization", *personal}});
  response.SetHeader("Set-Cookie",
                     SessionCookie(c.request, out->session_token, s.session_ttl_seconds));
  return response;
}

Result<Response> LogIn(Services& s, RequestContext& c) {
  BULKHEAD_TRY(RequireJsonBody(c.request));
  auto body = BodyReader::Parse(c.request.body);
  if (!body.ok()) return body.error();
  auto email = body->RequiredString("email");
  auto password = body->RequiredString("password");
  BULKHEAD_TRY(body->Finish());
  auto out = s.accounts.LogIn(*email, *password);
  if (!out.ok()) return out.error();
  auto response =
      JsonResponse(200, {{"user", UserJson(out->user)}, {"session_token", out->session_token}});
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
  return JsonResponse(200, UserJson(*user));
}

Result<Response> ListCurrentUserOrganizations(Services& s, RequestContext& c) {
  auto orgs = s.accounts.ListOrganizations(c.principal->user_id);
  if (!orgs.ok()) return orgs.error();
  nlohmann::json data = nlohmann::json::array();
  for (const auto& [org, role] : *orgs) {
    auto json = RenderOrganization(s, org);
    if (!json.ok()) return json.error();
    data.push_back({{"organization", *json}, {"role", role}});
  }
  return JsonResponse(200, {{"data", data}, {"next_cursor", nullptr}});
}

}  // namespace bulkhead::api
