#include "api/sso_saml_handlers.hpp"

#include "api/form.hpp"
#include "api/page.hpp"
#include "api/page_views.hpp"
#include "api/return_to.hpp"
#include "api/session_cookie.hpp"
#include "http/problem.hpp"
#include "http/query.hpp"
#include "service/saml_sign_in.hpp"
#include "service/sso_service.hpp"

namespace bulkhead::api {
namespace {

using core::ErrorCode;

constexpr std::size_t kMaxTestId = 100;
// The HTTP-POST binding's page submits its form by this script, allowed by its hash alone.
constexpr std::string_view kSubmitScript = "document.forms[0].submit();";
constexpr std::string_view kSubmitScriptHash =
    "sha256-8lDeP0UDwCO6/RhblgeH/ctdBzjVpJxrXizsnIk3cEQ=";

Response Message(std::string title, std::string_view text, int status) {
  return RenderPage({std::move(title), MessageView(text), {}, status});
}

// The page for a sign-in that did not complete: which check failed, in words, and nothing the
// IdP sent (no XML, no values).
Response Refusal(const core::Error& e) {
  switch (e.code) {
    case ErrorCode::kNotFound:
      return Message("Sign-in expired",
                     "This sign-in is unknown, was already used or has expired. Start the "
                     "sign-in again from your application.",
                     400);
    case ErrorCode::kForbidden: {
      std::string check = e.fields.empty() ? "response" : e.fields.front().field;
      std::string why = e.fields.empty() ? e.message : e.fields.front().message;
      std::string body =
          MessageView("Your identity provider's answer was refused: it failed the " + check +
                      " check (" + why + ").") +
          MessageView(
              "Nothing was changed. Ask your administrator to check the SSO connection, "
              "or start the sign-in again.");
      return RenderPage({"Sign-in refused", std::move(body), {}, 403});
    }
    case ErrorCode::kValidationFailed:
      return Message("Sign-in refused",
                     "The identity provider's answer could not be read (" + e.message + ").", 400);
    default:
      return Message("Sign-in failed", "The sign-in could not be completed. Try again in a moment.",
                     http::StatusOf(e.code));
  }
}

Response SeeOther(const std::string& location, std::string_view text) {
  auto response = RenderPage({"Redirecting", MessageView(text, location, "Continue"), {}, 303});
  response.SetHeader("Location", location);
  return response;
}

// HTTP-POST binding: a form posting the request to the IdP, submitted by a script whose hash
// the page's policy allows (and by its button without scripts).
Response PostToIdp(const service::SamlStart& start) {
  std::string body = "<form method=\"post\" action=\"" + HtmlEscape(start.url) + "\">";
  body += "<input type=\"hidden\" name=\"SAMLRequest\" value=\"" + HtmlEscape(start.saml_request) +
          "\">";
  body +=
      "<input type=\"hidden\" name=\"RelayState\" value=\"" + HtmlEscape(start.relay_state) + "\">";
  body += "<p>Continue to your identity provider to sign in.</p>";
  body += "<button type=\"submit\">Continue</button></form>";
  body += "<script>" + std::string(kSubmitScript) + "</script>";
  auto response = RenderPage({"Signing in", std::move(body), {}, 200});
  response.SetHeader("Content-Security-Policy",
                     "default-src 'none'; style-src 'unsafe-inline'; img-src https:; script-src '" +
                         std::string(kSubmitScriptHash) +
                         "'; frame-ancestors 'none'; base-uri 'none'");
  return response;
}

// The claims a test sign-in got, for the administrator who started it.
Response TestReport(const service::SsoSignInResult& result) {
  std::string body = MessageView(
      result.message.empty() ? "The test sign-in succeeded. Nothing was created." : result.message);
  body += "<pre>" + HtmlEscape(result.claims.dump(2)) + "</pre>";
  return RenderPage({"Test sign-in succeeded", std::move(body), {}, 200});
}

}  // namespace

Result<Response> StartSamlSignIn(Services& s, RequestContext& c) {
  http::QueryParams query;
  if (auto parsed = http::ParseQuery(c.request.Query())) query = std::move(*parsed);
  // An unusable return_to is ignored (the default), as on the hosted pages.
  std::string return_to = SanitizeReturnTo(http::QueryValue(query, "return_to").value_or(""))
                              .value_or(std::string(service::kSsoDefaultReturnTo));
  std::string test_id = http::QueryValue(query, "test").value_or("");
  if (test_id.size() > kMaxTestId) return Message("Sign-in not available", "Unknown test.", 400);

  service::SsoService sso(s.env);
  service::SamlSignIn saml(s.env, sso);
  auto start = saml.Start(std::string(c.Param("connection_id")), return_to, test_id);
  if (!start.ok()) {
    if (start.error().code == ErrorCode::kNotFound) {
      return Message("Sign-in not available",
                     "This single sign-on connection does not exist or is disabled.", 404);
    }
    return Refusal(start.error());
  }
  if (start->post) return PostToIdp(*start);
  return SeeOther(start->url, "Continue to your identity provider to sign in.");
}

Result<Response> ConsumeSamlAssertion(Services& s, RequestContext& c) {
  if (!IsFormBody(c.request)) {
    return Message("Sign-in refused", "The identity provider's answer must be a form post.", 415);
  }
  auto form = ParseForm(c.request.body);
  if (!form || !form->Has("SAMLResponse")) {
    return Message("Sign-in refused", "The identity provider's answer has no SAMLResponse.", 400);
  }
  service::SsoService sso(s.env);
  service::SamlSignIn saml(s.env, sso);
  auto result = saml.Finish(std::string(c.Param("connection_id")), form->Value("SAMLResponse"),
                            form->Value("RelayState"), c.request_id);
  if (!result.ok()) return Refusal(result.error());
  switch (result->kind) {
    case service::SsoSignInResult::Kind::kSignedIn: {
      std::string location =
          result->return_to.empty() ? std::string(service::kSsoDefaultReturnTo) : result->return_to;
      auto response = SeeOther(location, "You are signed in.");
      response.SetHeader("Set-Cookie",
                         SessionCookie(c.request, result->session_token, s.session_ttl_seconds));
      return response;
    }
    case service::SsoSignInResult::Kind::kTested: return TestReport(*result);
    case service::SsoSignInResult::Kind::kRefused:
      return RenderPage({"Sign-in refused",
                         MessageView(result->message.empty()
                                         ? "Your account may not sign in to this organization."
                                         : result->message),
                         {},
                         403});
  }
  return Message("Sign-in failed", "The sign-in could not be completed.", 500);
}

}  // namespace bulkhead::api
