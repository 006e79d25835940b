// The OpenID Provider's endpoints (/oauth2/*). They answer in OAuth's own words (RFC 6749 5.2:
// {"error", "error_description"}), never problem+json, and the authorization endpoint answers
// an unknown client or redirect URI with an error page, never a redirect.

#include <strings.h>

#include "api/csrf.hpp"
#include "api/form.hpp"
#include "api/handlers.hpp"
#include "api/page.hpp"
#include "api/render.hpp"
#include "api/return_to.hpp"
#include "api/session_cookie.hpp"
#include "core/text.hpp"
#include "core/uuid.hpp"
#include "http/pipeline.hpp"
#include "http/query.hpp"
#include "service/oauth_provider.hpp"
#include "service/sso_service.hpp"

namespace bulkhead::api {
namespace {

using service::OAuthError;

// application/x-www-form-urlencoded bodies (the token, revocation and introspection requests).
// A parameter sent twice is refused (RFC 6749 3.1, 3.2).
std::optional<http::QueryParams> ParseOAuthForm(const http::Request& request) {
  if (!IsFormBody(request)) return std::nullopt;
  return http::ParseQuery(request.body);
}

// The single value of each parameter; false when one is repeated.
bool Unique(const http::QueryParams& params) {
  for (std::size_t i = 0; i < params.size(); ++i) {
    for (std::size_t j = i + 1; j < params.size(); ++j) {
      if (params[i].first == params[j].first) return false;
    }
  }
  return true;
}

std::string Param(const http::QueryParams& params, std::string_view name) {
  return http::QueryValue(params, name).value_or("");
}

// An OAuth JSON answer. Token-endpoint answers are never cached (RFC 6749 5.1).
Response OAuthJson(int status, const nlohmann::json& body) {
  Response response = JsonResponse(status, body);
  response.SetHeader("Cache-Control", "no-store");
  response.SetHeader("Pragma", "no-cache");
  return response;
}

Response OAuthErrorResponse(const OAuthError& e) {
  return OAuthJson(e.status, {{"error", e.error}, {"error_description", e.description}});
}

Response ErrorPage(std::string_view message, int status = 400) {
  return RenderPage({.title = "This sign-in link is not valid",
                     .body_html = "<p class=\"error\">" + HtmlEscape(message) + "</p>",
                     .status = status});
}

Response SeeOther(const std::string& location) {
  Response response;
  response.status = 303;
  response.content_type.clear();
  response.SetHeader("Location", location);
  response.SetHeader("Cache-Control", "no-store");
  return response;
}

// Standard base64 with padding (the Basic scheme's), or nullopt.
std::optional<std::string> Base64Decode(std::string_view text) {
  auto value = [](char ch) -> int {
    if (ch >= 'A' && ch <= 'Z') return ch - 'A';
    if (ch >= 'a' && ch <= 'z') return ch - 'a' + 26;
    if (ch >= '0' && ch <= '9') return ch - '0' + 52;
    if (ch == '+') return 62;
    if (ch == '/') return 63;
    return -1;
  };
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out;
  for (std::size_t i = 0; i < text.size(); i += 4) {
    int v[4];
    int pad = 0;
    for (int k = 0; k < 4; ++k) {
      char ch = text[i + k];
      if (ch == '=' && i + 4 == text.size() && k >= 2) {
        v[k] = 0;
        ++pad;
      } else {
        if (pad > 0) return std::nullopt;
        v[k] = value(ch);
        if (v[k] < 0) return std::nullopt;
      }
    }
    uint32_t n = (v[0] << 18) | (v[1] << 12) | (v[2] << 6) | v[3];
    out += static_cast<char>((n >> 16) & 0xff);
    if (pad < 2) out += static_cast<char>((n >> 8) & 0xff);
    if (pad < 1) out += static_cast<char>(n & 0xff);
  }
  return out;
}

struct ClientAuthentication {
  std::optional<store::oauth::ClientRecord> client;
  std::optional<Response> refusal;
};

// client_secret_basic (RFC 6749 2.3.1: id and secret form-encoded before base64),
// client_secret_post, or none for a public client (client_id alone).
ClientAuthentication AuthenticateClient(Services& s, const http::Request& request,
                                        const http::QueryParams& form) {
  ClientAuthentication out;
  auto invalid_client = [&](bool basic) {
    Response r = OAuthErrorResponse({"invalid_client", "client authentication failed", 401});
    if (basic) r.SetHeader("WWW-Authenticate", "Basic realm=\"bulkhead\"");
    out.refusal = std::move(r);
    return out;
  };
  std::optional<std::string> id = http::QueryValue(form, "client_id");
  std::optional<std::string> secret = http::QueryValue(form, "client_secret");
  auto authorization = request.HeaderValue("Authorization");
  bool basic = authorization.size() > 6 && strncasecmp(authorization.data(), "Basic ", 6) == 0;
  if (basic) {
    if (secret) {
      out.refusal = OAuthErrorResponse(
          {"invalid_request", "use one client authentication method, not two", 400});
      return out;
    }
    auto decoded = Base64Decode(authorization.substr(6));
    auto colon = decoded ? decoded->find(':') : std::string::npos;
    if (colon == std::string::npos) return invalid_client(true);
    auto basic_id = http::PercentDecode(decoded->substr(0, colon));
    auto basic_secret = http::PercentDecode(decoded->substr(colon + 1));
    if (!basic_id || !basic_secret) return invalid_client(true);
    if (id && *id != *basic_id) return invalid_client(true);
    id = *basic_id;
    secret = *basic_secret;
  }
  if (!id || id->empty()) return invalid_client(basic);
  auto client = s.oauth_clients->Authenticate(*id, secret);
  if (!client.ok()) {
    if (client.error().code != core::ErrorCode::kUnauthenticated) {
      out.refusal =
          OAuthErrorResponse({"server_error", "the server could not complete the request", 500});
      return out;
    }
    return invalid_client(basic);
  }
  out.client = std::move(*client);
  return out;
}

// The form of an OAuth POST, or the invalid_request answer.
std::variant<http::QueryParams, Response> ReadForm(const http::Request& request) {
  auto form = ParseOAuthForm(request);
  if (!form) {
    return OAuthErrorResponse(
        {"invalid_request", "send the parameters as application/x-www-form-urlencoded", 400});
  }
  if (!Unique(*form)) {
    return OAuthErrorResponse({"invalid_request", "a parameter is repeated", 400});
  }
  return std::move(*form);
}

std::optional<service::Principal> BrowserPrincipal(Services& s, const http::Request& request) {
  auto token = http::CookieValue(request.HeaderValue("Cookie"), kSessionCookieName);
  if (token.empty()) return std::nullopt;
  auto principal = s.accounts.Authenticate(token);
  if (!principal.ok()) return std::nullopt;
  return std::move(*principal);
}

}  // namespace

namespace {

// Where an /oauth2/authorize request's SSO hints send a browser without a session: the start
// path of the named connection (enabled; of the named organization when both are given), or
// of the organization's only enabled connection; nullopt: the sign-in page as usual.
std::optional<std::string> SsoHintStart(Services& s, const std::string& connection_id,
                                        const std::string& organization,
                                        const std::string& return_to) {
  service::SsoService sso(s.env);
  if (!connection_id.empty()) {
    if (!core::IsUuid(connection_id)) return std::nullopt;
    auto connection = sso.FindConnection(connection_id);
    if (!connection.ok()) return std::nullopt;
    if (!organization.empty()) {
      auto routes = sso.OrganizationRoutes(organization, return_to);
      if (!routes.ok() ||
          std::none_of(routes->begin(), routes->end(), [&](const service::SsoRoute& r) {
            return r.connection_id == connection_id;
          })) {
        return std::nullopt;
      }
    }
    return service::SsoStartPath(connection->type, connection->id, return_to);
  }
  if (organization.empty() || organization.size() > 63) return std::nullopt;
  auto routes = sso.OrganizationRoutes(organization, return_to);
  if (!routes.ok() || routes->size() != 1) return std::nullopt;
  return routes->front().start_path;
}

}  // namespace

Result<Response> OAuthAuthorize(Services& s, RequestContext& c) {
  auto query = http::ParseQuery(c.request.Query());
  if (!query) return ErrorPage("The request's query string is malformed.");
  if (!Unique(*query)) return ErrorPage("A parameter of the request is repeated.");
  const auto& q = *query;
  service::AuthorizationRequest r{Param(q, "response_type"),  Param(q, "client_id"),
                                  Param(q, "redirect_uri"),   Param(q, "scope"),
                                  Param(q, "state"),          Param(q, "nonce"),
                                  Param(q, "code_challenge"), Param(q, "code_challenge_method"),
                                  Param(q, "organization"),   Param(q, "prompt"),
                                  Param(q, "login_hint")};
  std::optional<service::BrowserSession> session;
  if (auto principal = BrowserPrincipal(s, c.request)) {
    session = service::BrowserSession{principal->user_id, principal->session_hash};
  }
  auto outcome = s.oauth->Authorize(r, session);
  using Kind = service::AuthorizationOutcome::Kind;
  switch (outcome.kind) {
    case Kind::kErrorPage: return ErrorPage(outcome.message);
    case Kind::kRedirect: return SeeOther(outcome.location);
    case Kind::kLogin: {
      // The application's hints skip the email step: `connection` names the IdP, an
      // `organization` with exactly one enabled connection implies it (docs/sso.md).
      // The IdP's answer returns here without prompt=login, which would ask again.
      if (auto start = SsoHintStart(s, Param(q, "connection"), r.organization,
                                    WithoutPrompt(c.request.target))) {
        return SeeOther(*start);
      }
      return SeeOther("/login?return_to=" + core::PercentEncode(c.request.target));
    }
    case Kind::kPickOrganization:
      return SeeOther("/organization?return_to=" + core::PercentEncode(c.request.target));
  }
  return ErrorPage("The request could not be handled.", 500);
}

Result<Response> OAuthToken(Services& s, RequestContext& c) {
  auto form = ReadForm(c.request);
  if (auto* refusal = std::get_if<Response>(&form)) return std::move(*refusal);
  const auto& f = std::get<http::QueryParams>(form);
  auto auth = AuthenticateClient(s, c.request, f);
  if (auth.refusal) return std::move(*auth.refusal);
  service::TokenRequest request{Param(f, "grant_type"),    Param(f, "code"),
                                Param(f, "redirect_uri"),  Param(f, "code_verifier"),
                                Param(f, "refresh_token"), Param(f, "scope"),
                                Param(f, "organization")};
  auto tokens = s.oauth->Token(*auth.client, request, c.request_id);
  if (!tokens.ok()) return OAuthErrorResponse(tokens.error());
  return OAuthJson(200, *tokens);
}

Result<Response> OAuthUserInfo(Services& s, RequestContext& c) {
  std::string token;
  auto authorization = c.request.HeaderValue("Authorization");
  if (authorization.size() > 7 && strncasecmp(authorization.data(), "Bearer ", 7) == 0) {
    token = std::string(authorization.substr(7));
  } else if (c.request.method == "POST" && authorization.empty()) {
    // RFC 6750 2.2: the access token in a form body.
    if (auto form = ParseOAuthForm(c.request); form && Unique(*form)) {
      token = Param(*form, "access_token");
    }
  }
  if (token.empty()) {
    Response r = OAuthJson(401, {{"error", "invalid_token"},
                                 {"error_description", "a Bearer access token is required"}});
    r.SetHeader("WWW-Authenticate", "Bearer");
    return r;
  }
  auto claims = s.oauth->UserInfo(token);
  if (!claims.ok()) {
    Response r = OAuthErrorResponse(claims.error());
    if (claims.error().status == 401) {
      r.SetHeader("WWW-Authenticate", "Bearer error=\"invalid_token\", error_description=\"" +
                                          claims.error().description + "\"");
    }
    return r;
  }
  return OAuthJson(200, *claims);
}

Result<Response> OAuthRevoke(Services& s, RequestContext& c) {
  auto form = ReadForm(c.request);
  if (auto* refusal = std::get_if<Response>(&form)) return std::move(*refusal);
  const auto& f = std::get<http::QueryParams>(form);
  auto auth = AuthenticateClient(s, c.request, f);
  if (auth.refusal) return std::move(*auth.refusal);
  std::string token = Param(f, "token");
  if (token.empty()) return OAuthErrorResponse({"invalid_request", "token is required", 400});
  auto revoked = s.oauth->Revoke(*auth.client, token, c.request_id);
  if (!revoked.ok()) {
    return OAuthErrorResponse({"server_error", "the token could not be revoked", 500});
  }
  return OAuthJson(200, nlohmann::json::object());
}

Result<Response> OAuthIntrospect(Services& s, RequestContext& c) {
  auto form = ReadForm(c.request);
  if (auto* refusal = std::get_if<Response>(&form)) return std::move(*refusal);
  const auto& f = std::get<http::QueryParams>(form);
  auto auth = AuthenticateClient(s, c.request, f);
  if (auth.refusal) return std::move(*auth.refusal);
  if (auth.client->is_public()) {
    return OAuthErrorResponse({"invalid_client", "introspection is for confidential clients", 401});
  }
  std::string token = Param(f, "token");
  if (token.empty()) return OAuthErrorResponse({"invalid_request", "token is required", 400});
  auto answer = s.oauth->Introspect(*auth.client, token);
  if (!answer.ok()) {
    return OAuthErrorResponse({"server_error", "the token could not be read", 500});
  }
  return OAuthJson(200, *answer);
}

namespace {

// The page that asks a signed-in browser whether to sign out, for a logout request that does
// not prove the relying party holds this session (no id_token_hint naming it): it posts the
// same parameters back with a CSRF token.
Response ConfirmLogoutPage(const http::Request& request, const service::LogoutRequest& logout) {
  auto csrf = CsrfTokenFor(request);
  std::string form =
      "<p>Sign out of this browser?</p><form method=\"post\" action=\"/oauth2/logout\">";
  for (const auto& [name, value] :
       {std::pair<std::string_view, const std::string&>{"id_token_hint", logout.id_token_hint},
        {"post_logout_redirect_uri", logout.post_logout_redirect_uri},
        {"state", logout.state},
        {"client_id", logout.client_id}}) {
    if (value.empty()) continue;
    form += "<input type=\"hidden\" name=\"" + std::string(name) + "\" value=\"" +
            HtmlEscape(value) + "\">";
  }
  form += CsrfField(csrf.value) + "<button type=\"submit\">Sign out</button></form>";
  Response response = RenderPage({.title = "Sign out", .body_html = form});
  if (csrf.set_cookie) response.SetHeader("Set-Cookie", *csrf.set_cookie);
  return response;
}

}  // namespace

// GET /oauth2/logout, and POST from its confirmation page.
Result<Response> OAuthLogout(Services& s, RequestContext& c) {
  bool confirmed = c.request.method == "POST";
  std::optional<http::QueryParams> query;
  if (confirmed) {
    if (!IsFormBody(c.request)) return ErrorPage("The sign-out form is malformed.");
    query = http::ParseQuery(c.request.body);
  } else {
    query = http::ParseQuery(c.request.Query());
  }
  if (!query || !Unique(*query)) return ErrorPage("The sign-out request is malformed.");
  const auto& q = *query;
  if (confirmed && !CsrfMatches(c.request, Param(q, "csrf_token"))) {
    return ErrorPage("The sign-out form expired. Go back, reload the page and try again.", 403);
  }
  service::LogoutRequest request{Param(q, "id_token_hint"), Param(q, "post_logout_redirect_uri"),
                                 Param(q, "state"), Param(q, "client_id")};
  auto checked = s.oauth->CheckLogout(request);
  if (checked.error) return ErrorPage(*checked.error);
  auto principal = BrowserPrincipal(s, c.request);
  // Any site can make a browser GET this URL: a GET ends the browser's session only when the
  // id_token_hint names that very session (the relying party holds its ID token); otherwise the
  // person confirms (OpenID Connect RP-Initiated Logout 1.0, section 2).
  if (principal && !confirmed && checked.hint_sid != service::SessionId(principal->session_hash)) {
    return ConfirmLogoutPage(c.request, request);
  }
  if (!s.oauth->EndSessions(checked, principal ? principal->session_hash : "").ok()) {
    return ErrorPage("The server could not sign you out. Try again.", 500);
  }
  if (principal) BULKHEAD_TRY(s.accounts.LogOut(*principal));
  Response response =
      checked.location.empty()
          ? RenderPage({.title = "Signed out", .body_html = "<p>You are signed out.</p>"})
          : SeeOther(checked.location);
  response.SetHeader("Set-Cookie", SessionCookie(c.request, "", 0));
  return response;
}

}  // namespace bulkhead::api
