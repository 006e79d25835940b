#include "api/sso_oidc_handlers.hpp"

#include "api/page.hpp"
#include "api/return_to.hpp"
#include "api/session_cookie.hpp"
#include "http/pipeline.hpp"
#include "http/query.hpp"
#include "service/oidc_upstream.hpp"
#include "service/sso_service.hpp"
#include "store/sso_store.hpp"

namespace bulkhead::api {
namespace {

constexpr int64_t kOidcStateCookieSeconds = 600;  // the pending sign-in's own lifetime
constexpr std::size_t kMaxOidcIdpErrorChars = 300;

Response OidcPage(int status, std::string title, std::string_view message) {
  return RenderPage({.title = std::move(title),
                     .body_html = "<p class=\"error\">" + HtmlEscape(message) + "</p>" +
                                  "<p><a href=\"/login\">Go to sign in</a></p>",
                     .status = status});
}

std::string OidcQueryParam(const http::QueryParams& query, std::string_view name) {
  return http::QueryValue(query, name).value_or("");
}

std::string OidcStateCookie(const http::Request& request, std::string_view value, int64_t max_age) {
  std::string cookie = std::string(kOidcStateCookie) + "=" + std::string(value) +
                       "; Path=" + std::string(kOidcCallbackPath) +
                       "; HttpOnly; SameSite=Lax; Max-Age=" + std::to_string(max_age);
  if (request.secure) cookie += "; Secure";
  return cookie;
}

service::OidcClientConfig OidcClientOf(const service::SsoConnection& connection) {
  return {.issuer = connection.issuer,
          .client_id = connection.client_id,
          .client_secret = connection.client_secret,
          .scopes = connection.scopes};
}

std::string OidcClaimsTable(const nlohmann::json& claims) {
  std::string rows;
  for (const auto& [name, value] : claims.items()) {
    rows += "<tr><th>" + HtmlEscape(name) + "</th><td><code>" +
            HtmlEscape(value.is_string() ? value.get<std::string>() : value.dump()) +
            "</code></td></tr>";
  }
  return "<table class=\"claims\">" + rows + "</table>";
}

}  // namespace

Result<Response> StartOidcSignIn(Services& s, RequestContext& c) {
  auto query = http::ParseQuery(c.request.Query());
  if (!query) return OidcPage(400, "This sign-in link is not valid", "The query is malformed.");
  std::string test_id = OidcQueryParam(*query, "test");
  // Any return_to but a path of our own flows is ignored (api/return_to.hpp).
  std::string return_to = SanitizeReturnTo(OidcQueryParam(*query, "return_to"))
                              .value_or(std::string(service::kSsoDefaultReturnTo));

  service::SsoService sso(s.env);
  // A test may run on a connection not enabled yet: the test id, issued by an admin for this
  // connection and still pending, is what allows it.
  auto connection = sso.FindConnection(std::string(c.Param("connection_id")), !test_id.empty());
  if (connection.ok() && !test_id.empty()) {
    auto lease = s.env.catalog.Acquire();
    auto test = store::catalog::FindSsoTest(*lease, connection->id, test_id);
    if (!test.ok()) return test.error();
    if (!*test || (*test)->status != "pending") {
      return OidcPage(404, "This test sign-in is not valid",
                      "The test was not found, or it has already run. Start a new test.");
    }
  }
  if (!connection.ok()) {
    if (connection.error().code != core::ErrorCode::kNotFound) return connection.error();
    return OidcPage(404, "Single sign-on is not available",
                    "This single sign-on connection does not exist or is disabled.");
  }
  if (connection->type != "oidc") {
    return OidcPage(404, "Single sign-on is not available",
                    "This connection does not use OpenID Connect.");
  }
  if (!s.oidc_upstream) return core::Error::Internal("the OIDC upstream is not configured");

  auto login = sso.BeginSignIn(*connection, return_to, test_id);
  if (!login.ok()) return login.error();
  auto url = s.oidc_upstream->AuthorizationUrl(OidcClientOf(*connection),
                                               service::SsoOidcRedirectUri(s.env.config), login->id,
                                               login->nonce, login->code_verifier);
  if (!url.ok()) {
    (void)sso.RecordTestFailure(*login, url.error().message);
    return OidcPage(502, "The identity provider cannot be reached",
                    "Signing in through your organization's identity provider is not possible "
                    "right now: " +
                        url.error().message);
  }
  Response response;
  response.status = 303;
  response.content_type.clear();
  response.SetHeader("Location", *url);
  response.SetHeader("Cache-Control", "no-store");
  response.SetHeader("Set-Cookie", OidcStateCookie(c.request, login->id, kOidcStateCookieSeconds));
  return response;
}

Result<Response> FinishOidcSignIn(Services& s, RequestContext& c) {
  auto query = http::ParseQuery(c.request.Query());
  if (!query) return OidcPage(400, "This sign-in is not valid", "The query is malformed.");
  std::string state = OidcQueryParam(*query, "state");
  if (state.empty()) {
    return OidcPage(400, "This sign-in is not valid",
                    "The identity provider's answer has no state.");
  }
  // The browser that started this sign-in, and no other, may finish it.
  auto cookie = http::CookieValue(c.request.HeaderValue("Cookie"), kOidcStateCookie);
  if (cookie != state) {
    return OidcPage(400, "This sign-in is not valid",
                    "This sign-in was started in another browser (or its cookie was lost). Start "
                    "again from the sign-in page.");
  }
  service::SsoService sso(s.env);
  // One-time: taken before anything else, so a replayed answer finds nothing.
  auto login = sso.TakeSignIn(state);
  if (!login.ok()) {
    if (login.error().code != core::ErrorCode::kNotFound) return login.error();
    return OidcPage(400, "This sign-in has expired",
                    "This sign-in was already used or has expired. Start again from the sign-in "
                    "page.");
  }
  auto connection = sso.FindConnection(login->connection_id, !login->test_id.empty());
  if (!connection.ok()) {
    if (connection.error().code != core::ErrorCode::kNotFound) return connection.error();
    return OidcPage(404, "Single sign-on is not available",
                    "This single sign-on connection does not exist any more or is disabled.");
  }
  if (connection->type != "oidc" || !s.oidc_upstream) {
    return OidcPage(404, "Single sign-on is not available",
                    "This connection does not use OpenID Connect.");
  }
  auto refuse = [&](int status, std::string title, const std::string& why) {
    (void)sso.RecordTestFailure(*login, why);
    return OidcPage(status, std::move(title), why);
  };
  // The IdP's own refusal (OpenID Connect Core 3.1.2.6): its words, escaped and shortened.
  std::string error = OidcQueryParam(*query, "error");
  if (!error.empty()) {
    std::string description = OidcQueryParam(*query, "error_description");
    std::string why = "The identity provider refused the sign-in: " + error +
                      (description.empty() ? "" : " (" + description + ")");
    if (why.size() > kMaxOidcIdpErrorChars) why = why.substr(0, kMaxOidcIdpErrorChars) + "…";
    return refuse(403, "Sign-in refused", why);
  }
  // RFC 9207: a provider that names itself must be the connection's (mix-up attacks).
  auto iss = http::QueryValue(*query, "iss");
  if (iss && *iss != connection->issuer) {
    return refuse(400, "This sign-in is not valid",
                  "The answer came from another identity provider than the connection's.");
  }
  std::string code = OidcQueryParam(*query, "code");
  if (code.empty()) {
    return refuse(400, "This sign-in is not valid", "The identity provider's answer has no code.");
  }

  auto identity =
      s.oidc_upstream->Redeem(OidcClientOf(*connection), service::SsoOidcRedirectUri(s.env.config),
                              code, login->nonce, login->code_verifier);
  if (!identity.ok()) {
    const auto& e = identity.error();
    if (e.code == core::ErrorCode::kVerificationFailed) {
      return refuse(400, "The sign-in could not be verified",
                    "The identity provider's answer could not be verified: " + e.message);
    }
    if (e.code == core::ErrorCode::kUnavailable) {
      return refuse(502, "The identity provider cannot be reached",
                    "The sign-in could not be completed with the identity provider: " + e.message);
    }
    return e;
  }
  service::SsoClaims claims{.subject = identity->subject,
                            .email = identity->email,
                            .email_verified = identity->email_verified,
                            .name = identity->name,
                            .groups = identity->groups,
                            .raw = identity->raw};
  auto result = sso.CompleteSignIn(*login, *connection, claims, c.request_id);
  if (!result.ok()) return result.error();

  Response response;
  using Kind = service::SsoSignInResult::Kind;
  switch (result->kind) {
    case Kind::kSignedIn: {
      std::string location =
          result->return_to.empty() ? std::string(service::kSsoDefaultReturnTo) : result->return_to;
      response.status = 303;
      response.content_type.clear();
      response.SetHeader("Location", location);
      response.SetHeader("Cache-Control", "no-store");
      response.headers.push_back(
          {"Set-Cookie", SessionCookie(c.request, result->session_token, s.session_ttl_seconds)});
      break;
    }
    case Kind::kTested:
      response = RenderPage(
          {.title = "Test sign-in succeeded",
           .body_html = "<p>" +
                        HtmlEscape(result->message.empty()
                                       ? "The identity provider signed in this account. Nothing "
                                         "was created: this was a test."
                                       : result->message) +
                        "</p>" +
                        OidcClaimsTable(result->claims.is_null() ? claims.raw : result->claims),
           .status = 200});
      break;
    case Kind::kRefused: response = OidcPage(403, "Sign-in refused", result->message); break;
  }
  // The state cookie has done its work.
  response.headers.push_back({"Set-Cookie", OidcStateCookie(c.request, "", 0)});
  return response;
}

}  // namespace bulkhead::api
