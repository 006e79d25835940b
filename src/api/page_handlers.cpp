// The hosted pages (sign-in, sign-up, organization picker, password reset, email verification,
// error): server-rendered HTML forms that work without JavaScript. Every response, refusals
// included, is a page from RenderPage (frame-ancestors 'none'); every POST first checks its
// form and CSRF token and changes nothing when they fail.

#include <algorithm>

#include "api/csrf.hpp"
#include "api/form.hpp"
#include "api/handlers.hpp"
#include "api/page.hpp"
#include "api/page_views.hpp"
#include "api/return_to.hpp"
#include "api/session_cookie.hpp"
#include "core/settings.hpp"
#include "core/text.hpp"
#include "core/uuid.hpp"
#include "http/pipeline.hpp"
#include "http/problem.hpp"
#include "service/sso_service.hpp"
#include "service/tenant_resolver.hpp"

namespace bulkhead::api {
namespace {

using core::ErrorCode;

constexpr std::string_view kBadCredentials = "The email or password is incorrect.";
constexpr std::size_t kPickerLimit = 50;
// The memberships the picker reads at most: past them, a search narrows within these.
constexpr int kPickerScanLimit = 5000;
constexpr std::size_t kMaxOrganizationRef = 63;
constexpr std::size_t kMaxSearch = 200;

// What a page request carries: its query, the form of a POST, and what they name.
struct PageInput {
  http::QueryParams query;
  std::optional<Form> form;              // POST only
  std::optional<std::string> return_to;  // sanitized
  std::string organization_ref;          // the page's own ?organization= (id or slug)
  Branding branding;
  CsrfToken csrf;
};

std::string Lowered(std::string text) {
  for (auto& ch : text) {
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
  }
  return text;
}

std::string QueryOr(const http::QueryParams& query, std::string_view name) {
  return http::QueryValue(query, name).value_or("");
}

// The branding of the organization named by `ref` (an id or slug), the `organization` in
// return_to, or the Host (a subdomain or verified custom domain), in that order. Unknown or
// suspended: the default look, without saying which.
Branding BrandingFor(Services& s, const Request& request, const std::string& ref,
                     const std::optional<std::string>& return_to) {
  service::TenantResolver resolver(s.env);
  std::optional<store::OrganizationRecord> org;
  auto find = [&](const std::string& r) {
    if (r.empty() || r.size() > kMaxOrganizationRef) return;
    auto found = resolver.FindOrganization(r);
    if (found.ok() && *found) org = std::move(**found);
  };
  find(ref);
  if (!org && return_to) find(UrlQueryValue(*return_to, "organization").value_or(""));
  if (!org) {
    if (auto host = request.HeaderValue("Host"); !host.empty()) {
      auto match = resolver.MatchHost(host);
      if (match.ok() && *match) {
        auto found = resolver.FindHostOrganization(**match);
        if (found.ok() && *found) org = std::move(**found);
      }
    }
  }
  if (!org || org->status != "active") return {};
  auto stored = nlohmann::json::parse(org->settings, nullptr, false);
  if (stored.is_discarded()) return {};
  auto settings = core::SettingsFromJson(stored);
  return Branding{settings.branding.display_name.value_or(""),
                  settings.branding.logo_url.value_or(""),
                  settings.branding.primary_color.value_or("")};
}

// The page's query and, for a POST, its form; return_to from whichever the method reads.
PageInput ReadPageInput(Services& s, const Request& request) {
  PageInput in;
  if (auto query = http::ParseQuery(request.Query())) in.query = std::move(*query);
  in.organization_ref = QueryOr(in.query, "organization");
  if (request.method == "POST") {
    if (IsFormBody(request)) in.form = ParseForm(request.body);
    if (in.form) in.return_to = SanitizeReturnTo(in.form->Value("return_to"));
  } else {
    in.return_to = SanitizeReturnTo(QueryOr(in.query, "return_to"));
  }
  in.branding = BrandingFor(s, request, in.organization_ref, in.return_to);
  in.csrf = CsrfTokenFor(request);
  return in;
}

Response Show(const PageInput& in, std::string title, std::string body_html, int status = 200) {
  auto response = RenderPage({std::move(title), std::move(body_html), in.branding, status});
  if (in.csrf.set_cookie) response.SetHeader("Set-Cookie", *in.csrf.set_cookie);
  return response;
}

// 303 See Other to `location` (a local path), with a link for a client that does not follow.
Response SeeOther(const PageInput& in, const std::string& location) {
  auto response =
      RenderPage({"Redirecting", MessageView("Continue to the next page.", location, "Continue"),
                  in.branding, 303});
  response.SetHeader("Location", location);
  return response;
}

FormFrame Frame(const PageInput& in, std::string_view path, std::vector<std::string> errors = {}) {
  std::string action(path);
  if (!in.organization_ref.empty()) {
    action += "?organization=" + core::PercentEncode(in.organization_ref);
  }
  return FormFrame{std::move(action), in.csrf.value, in.return_to, std::move(errors)};
}

// A POST's form and CSRF pair, checked before anything else: the refusal page, or nullopt.
std::optional<Response> RefuseForm(const Request& request, const PageInput& in,
                                   std::string_view path) {
  std::string again = PageLink(path, in.return_to, in.organization_ref);
  if (!IsFormBody(request)) {
    return RenderPage({"Form not accepted",
                       MessageView("Send this form as application/x-www-form-urlencoded.", again,
                                   "Back to the form"),
                       in.branding, 415});
  }
  if (!in.form) {
    return RenderPage({"Form not accepted",
                       MessageView("This form could not be read.", again, "Back to the form"),
                       in.branding, 400});
  }
  // Sec-Fetch-Site is the browser's own word that another site sent the form.
  if (!CsrfMatches(request, in.form->Value("csrf_token")) ||
      request.HeaderValue("Sec-Fetch-Site") == "cross-site") {
    return RenderPage({"Form expired",
                       MessageView("This form has expired or did not come from this site. "
                                   "Nothing was changed. Open the form again and resend it.",
                                   again, "Back to the form"),
                       in.branding, 403});
  }
  return std::nullopt;
}

// A field as the page's label names it.
std::string FieldLabel(const std::string& field) {
  if (field == "new_password" || field == "password") return "Password";
  if (field == "email") return "Email";
  if (field == "name") return "Name";
  std::string label = field;
  if (!label.empty()) label[0] = static_cast<char>(std::toupper(label[0]));
  return label;
}

// The messages of a refusal, for the page: field errors one by one, 5xx without detail.
std::vector<std::string> MessagesOf(const core::Error& e) {
  if (http::IsServerError(e.code)) {
    return {"Something went wrong on our side. Try again in a moment."};
  }
  if (e.fields.empty()) return {e.message};
  std::vector<std::string> out;
  for (const auto& f : e.fields) {
    out.push_back(FieldLabel(f.field) + " " + f.message + ".");
  }
  return out;
}

// The browser's session from its cookie, if it has a live one.
std::optional<service::Principal> BrowserSession(Services& s, const Request& request) {
  auto token = http::CookieValue(request.HeaderValue("Cookie"), kSessionCookieName);
  if (token.empty() || token.starts_with(service::kApiKeyPrefix)) return std::nullopt;
  auto principal = s.accounts.Authenticate(token);
  if (!principal.ok()) return std::nullopt;
  return std::move(*principal);
}

// Where a signed-in browser goes next: return_to without its prompt, or a page saying so.
Response SignedIn(Services& s, const Request& request, const PageInput& in,
                  const std::string& session_token, const std::string& email, int status) {
  Response response =
      in.return_to ? SeeOther(in, WithoutPrompt(*in.return_to))
                   : RenderPage({"Signed in", MessageView("You are signed in as " + email + "."),
                                 in.branding, status});
  response.SetHeader("Set-Cookie", SessionCookie(request, session_token, s.session_ttl_seconds));
  return response;
}

std::string LoginLink(const PageInput& in) {
  return PageLink("/login", in.return_to, in.organization_ref);
}

Response ShowLogin(const PageInput& in, std::string_view email, std::vector<std::string> errors,
                   int status) {
  return Show(in, "Sign in",
              LoginView(Frame(in, "/login", std::move(errors)), email,
                        PageLink("/signup", in.return_to, in.organization_ref),
                        PageLink("/forgot-password", in.return_to, in.organization_ref)),
              status);
}

Response ShowSignUp(const PageInput& in, std::string_view name, std::string_view email,
                    std::vector<std::string> errors, int status) {
  return Show(in, "Create your account",
              SignUpView(Frame(in, "/signup", std::move(errors)), name, email, LoginLink(in)),
              status);
}

// Sign-in routing (docs/sso.md). The password form with the address filled in, for the step
// after the email (or when asked for).
std::string PasswordLoginLink(const PageInput& in, std::string_view email) {
  std::string link = LoginLink(in);
  link += link.find('?') == std::string::npos ? '?' : '&';
  link += "step=password";
  if (!email.empty()) link += "&login_hint=" + core::PercentEncode(email);
  return link;
}

Response ShowEmailStep(const PageInput& in, std::string_view email, std::vector<std::string> errors,
                       int status) {
  return Show(in, "Sign in",
              LoginEmailView(Frame(in, "/login", std::move(errors)), email,
                             PageLink("/signup", in.return_to, in.organization_ref),
                             PasswordLoginLink(in, "")),
              status);
}

// An address whose verified domain has connections goes to its IdP (one), or chooses among the
// organizations that sign it in (several).
Response RouteToSso(const PageInput& in, const std::string& email,
                    const std::vector<service::SsoRoute>& routes) {
  if (routes.size() == 1) return SeeOther(in, routes.front().start_path);
  bool enforced = std::any_of(routes.begin(), routes.end(),
                              [](const service::SsoRoute& r) { return r.enforce_sso; });
  std::vector<SsoChoice> choices;
  for (const auto& r : routes) {
    choices.push_back({r.organization_name, r.organization_slug, r.start_path});
  }
  return Show(in, "Choose your organization",
              SsoPickerView(email, choices, enforced ? "" : PasswordLoginLink(in, email)));
}

// The SSO routes of an address (none when nothing routes it, or on a lookup failure: the
// password form still works then).
std::vector<service::SsoRoute> SsoRoutesFor(Services& s, const PageInput& in,
                                            const std::string& email) {
  if (email.empty()) return {};
  // The IdP's answer returns without prompt=login, which would ask again.
  auto routes = service::SsoService(s.env).Discover(
      email, in.return_to ? WithoutPrompt(*in.return_to) : std::string());
  return routes.ok() ? std::move(*routes) : std::vector<service::SsoRoute>{};
}

// The picker's choices: the user's organizations matching `query` (name or slug, any case).
Result<PickerView> PickerChoices(Services& s, const std::string& user_id,
                                 const std::string& query) {
  PickerView view;
  view.query = query;
  std::string needle = Lowered(query);
  int64_t after_joined_at = -1;
  std::string after_org_id;
  int scanned = 0;
  while (scanned < kPickerScanLimit) {
    auto page = s.accounts.ListOrganizations(user_id, after_joined_at, after_org_id, 200);
    if (!page.ok()) return page.error();
    for (const auto& row : page->organizations) {
      const auto& org = row.organization;
      bool match = needle.empty() || Lowered(org.name).find(needle) != std::string::npos ||
                   org.slug.find(needle) != std::string::npos;
      if (!match) continue;
      ++view.matched;
      if (view.shown.size() < kPickerLimit) {
        view.shown.push_back(
            {org.id, org.name, org.slug, row.role, org.type == "personal", org.status != "active"});
      }
    }
    scanned += static_cast<int>(page->organizations.size());
    if (!page->more || page->organizations.empty()) break;
    after_joined_at = page->organizations.back().joined_at;
    after_org_id = page->organizations.back().organization.id;
  }
  return view;
}

Response ShowPicker(Services& s, const PageInput& in, const service::Principal& principal,
                    const std::string& query, std::vector<std::string> errors, int status) {
  auto view = PickerChoices(s, principal.user_id, query);
  if (!view.ok()) {
    return Show(in, "Choose an organization", MessageView(MessagesOf(view.error()).front()),
                http::StatusOf(view.error().code));
  }
  if (auto user = s.accounts.GetUser(principal.user_id); user.ok()) {
    view->signed_in_as = user->email;
  }
  return Show(in, "Choose an organization",
              OrganizationPickerView(Frame(in, "/organization", std::move(errors)), *view), status);
}

// The account lifecycle's service, or the page saying it is not served here.
std::optional<Response> RefuseWithoutLifecycle(Services& s, const PageInput& in) {
  if (s.lifecycle) return std::nullopt;
  return Show(in, "Unavailable", MessageView("Account links are not served here."), 503);
}

// A mailed link's token: what the link carries, bounded; our tokens are far shorter.
constexpr std::size_t kMaxLinkToken = 256;
std::string LinkToken(std::string token) {
  return token.size() > kMaxLinkToken ? "" : token;
}

Response UnusableLinkPage(const PageInput& in, std::string_view again_path,
                          std::string_view again_text) {
  return Show(in, "Link unusable",
              MessageView("This link has been used, has expired or is not one of ours.",
                          PageLink(again_path, in.return_to, in.organization_ref), again_text),
              410);
}

Response ShowForgotPassword(const PageInput& in, std::string_view email,
                            std::vector<std::string> errors, int status) {
  return Show(
      in, "Forgot your password?",
      ForgotPasswordView(Frame(in, "/forgot-password", std::move(errors)), email, LoginLink(in)),
      status);
}

Response ShowResetPassword(const PageInput& in, std::string_view token,
                           std::vector<std::string> errors, int status) {
  return Show(in, "Choose a new password",
              ResetPasswordView(Frame(in, "/reset-password", std::move(errors)), token), status);
}

Response ShowVerifyEmail(const PageInput& in, std::string_view token,
                         std::vector<std::string> errors, int status) {
  return Show(in, "Verify your email",
              VerifyEmailView(Frame(in, "/verify-email", std::move(errors)), token), status);
}

// A page that needs a session sends a browser without one to sign in, and back.
Response ToLogin(const PageInput& in) {
  return SeeOther(in, LoginLink(in));
}

}  // namespace

Result<Response> LoginPage(Services& s, RequestContext& c) {
  auto in = ReadPageInput(s, c.request);
  std::string hint = QueryOr(in.query, "login_hint");
  if (QueryOr(in.query, "step") != "password") {
    // A known address goes straight to its IdP; the email comes first while any domain routes.
    if (auto routes = SsoRoutesFor(s, in, hint); !routes.empty()) {
      return RouteToSso(in, hint, routes);
    }
    auto routable = service::SsoService(s.env).AnyRoutableDomain();
    if (routable.ok() && *routable) return ShowEmailStep(in, hint, {}, 200);
  }
  return ShowLogin(in, hint, {}, 200);
}

Result<Response> SubmitLogin(Services& s, RequestContext& c) {
  auto in = ReadPageInput(s, c.request);
  if (auto refusal = RefuseForm(c.request, in, "/login")) return std::move(*refusal);
  std::string email = in.form->Value("email");
  std::string password = in.form->Value("password");
  // The email step, or a password for an address whose domain enforces SSO: to the IdP.
  if (auto routes = SsoRoutesFor(s, in, email); !routes.empty()) {
    bool enforced = std::any_of(routes.begin(), routes.end(),
                                [](const service::SsoRoute& r) { return r.enforce_sso; });
    if (password.empty() || enforced) return RouteToSso(in, email, routes);
  }
  if (in.form->Value("step") == "email") {
    if (email.empty()) return ShowEmailStep(in, email, {"Email is required."}, 422);
    return ShowLogin(in, email, {}, 200);  // no IdP for this address: its password
  }
  auto out = s.accounts.LogIn(email, password);
  if (out.ok()) return SignedIn(s, c.request, in, out->session_token, out->user.email, 200);
  const auto& e = out.error();
  switch (e.code) {
    case ErrorCode::kRateLimited: {
      auto response = ShowLogin(in, email,
                                {"Too many failed sign-ins for this account. Try "
                                 "again later."},
                                429);
      response.SetHeader("Retry-After", std::to_string(e.retry_after_seconds));
      return response;
    }
    // A malformed address, an unknown one and a wrong password read alike.
    case ErrorCode::kUnauthenticated:
    case ErrorCode::kValidationFailed:
      return ShowLogin(in, email, {std::string(kBadCredentials)}, 401);
    default: return ShowLogin(in, email, MessagesOf(e), http::StatusOf(e.code));
  }
}

Result<Response> SignUpPage(Services& s, RequestContext& c) {
  auto in = ReadPageInput(s, c.request);
  return ShowSignUp(in, "", QueryOr(in.query, "login_hint"), {}, 200);
}

Result<Response> SubmitSignUp(Services& s, RequestContext& c) {
  auto in = ReadPageInput(s, c.request);
  if (auto refusal = RefuseForm(c.request, in, "/signup")) return std::move(*refusal);
  std::string name = in.form->Value("name");
  std::string email = in.form->Value("email");
  auto out = s.accounts.SignUp({email, in.form->Value("password"), name}, c.request_id);
  if (!out.ok()) {
    return ShowSignUp(in, name, email, MessagesOf(out.error()), http::StatusOf(out.error().code));
  }
  c.metered_organization_id = out->personal_organization.id;
  return SignedIn(s, c.request, in, out->session_token, out->user.email, 201);
}

Result<Response> OrganizationPickerPage(Services& s, RequestContext& c) {
  auto in = ReadPageInput(s, c.request);
  auto principal = BrowserSession(s, c.request);
  if (!principal) return ToLogin(in);
  // A search longer than any name or slug matches nothing; it is cut, not refused.
  std::string q = QueryOr(in.query, "q");
  if (q.size() > kMaxSearch) {
    std::size_t cut = kMaxSearch;
    while (cut > 0 && (static_cast<unsigned char>(q[cut]) & 0xC0) == 0x80) --cut;  // whole UTF-8
    q.resize(cut);
  }
  return ShowPicker(s, in, *principal, q, {}, 200);
}

Result<Response> SubmitOrganizationPick(Services& s, RequestContext& c) {
  auto in = ReadPageInput(s, c.request);
  if (auto refusal = RefuseForm(c.request, in, "/organization")) return std::move(*refusal);
  auto principal = BrowserSession(s, c.request);
  if (!principal) return ToLogin(in);
  std::string id = in.form->Value("organization");
  // Unknown and not a member read alike: the picker learns nothing of others' organizations.
  service::TenantResolver resolver(s.env);
  std::optional<store::OrganizationRecord> org;
  if (core::IsUuid(id)) {
    auto role = resolver.FindRole(id, principal->user_id);
    if (!role.ok()) return ShowPicker(s, in, *principal, "", MessagesOf(role.error()), 503);
    if (*role) {
      auto found = resolver.FindOrganizationById(id);
      if (found.ok() && *found) org = std::move(**found);
    }
  }
  if (!org) {
    return ShowPicker(s, in, *principal, "", {"Choose one of your organizations."}, 400);
  }
  if (org->status != "active") {
    return ShowPicker(s, in, *principal, "", {"This organization is suspended."}, 403);
  }
  if (in.return_to) return SeeOther(in, WithOrganization(WithoutPrompt(*in.return_to), org->id));
  return Show(in, "Organization chosen", MessageView("You chose " + org->name + "."));
}

Result<Response> ForgotPasswordPage(Services& s, RequestContext& c) {
  auto in = ReadPageInput(s, c.request);
  return ShowForgotPassword(in, QueryOr(in.query, "login_hint"), {}, 200);
}

Result<Response> SubmitForgotPassword(Services& s, RequestContext& c) {
  auto in = ReadPageInput(s, c.request);
  if (auto refusal = RefuseForm(c.request, in, "/forgot-password")) return std::move(*refusal);
  if (auto refusal = RefuseWithoutLifecycle(s, in)) return std::move(*refusal);
  std::string email = in.form->Value("email");
  auto sent = s.lifecycle->RequestPasswordReset(email);
  if (!sent.ok()) {
    const auto& e = sent.error();
    auto response = ShowForgotPassword(
        in, email,
        e.code == ErrorCode::kRateLimited
            ? std::vector<std::string>{"Too many requests for this address. Try again later."}
            : MessagesOf(e),
        http::StatusOf(e.code));
    if (e.retry_after_seconds > 0) {
      response.SetHeader("Retry-After", std::to_string(e.retry_after_seconds));
    }
    return response;
  }
  // The same answer whether or not the address has an account.
  return Show(in, "Check your email",
              MessageView("If an account uses " + email +
                              ", we sent it a link to choose a new password. The link works "
                              "once, for 30 minutes.",
                          LoginLink(in), "Back to sign in"));
}

Result<Response> ResetPasswordPage(Services& s, RequestContext& c) {
  auto in = ReadPageInput(s, c.request);
  std::string token = LinkToken(QueryOr(in.query, "token"));
  if (token.empty()) return UnusableLinkPage(in, "/forgot-password", "Ask for a new link");
  return ShowResetPassword(in, token, {}, 200);
}

Result<Response> SubmitResetPassword(Services& s, RequestContext& c) {
  auto in = ReadPageInput(s, c.request);
  if (auto refusal = RefuseForm(c.request, in, "/forgot-password")) return std::move(*refusal);
  if (auto refusal = RefuseWithoutLifecycle(s, in)) return std::move(*refusal);
  std::string token = LinkToken(in.form->Value("token"));
  if (token.empty()) return UnusableLinkPage(in, "/forgot-password", "Ask for a new link");
  auto reset = s.lifecycle->ResetPassword(token, in.form->Value("password"));
  if (!reset.ok()) {
    const auto& e = reset.error();
    if (e.code == ErrorCode::kTokenUnusable) {
      return UnusableLinkPage(in, "/forgot-password", "Ask for a new link");
    }
    return ShowResetPassword(in, token, MessagesOf(e), http::StatusOf(e.code));
  }
  // Every session of the account has ended; this browser's cookie with it.
  auto response = Show(in, "Password changed",
                       MessageView("Your password was changed and every session ended. Sign in "
                                   "with the new password.",
                                   LoginLink(in), "Sign in"));
  response.SetHeader("Set-Cookie", SessionCookie(c.request, "", 0));
  return response;
}

Result<Response> VerifyEmailPage(Services& s, RequestContext& c) {
  auto in = ReadPageInput(s, c.request);
  std::string token = LinkToken(QueryOr(in.query, "token"));
  if (token.empty()) return UnusableLinkPage(in, "/login", "Sign in");
  return ShowVerifyEmail(in, token, {}, 200);
}

Result<Response> SubmitVerifyEmail(Services& s, RequestContext& c) {
  auto in = ReadPageInput(s, c.request);
  if (auto refusal = RefuseForm(c.request, in, "/login")) return std::move(*refusal);
  if (auto refusal = RefuseWithoutLifecycle(s, in)) return std::move(*refusal);
  std::string token = LinkToken(in.form->Value("token"));
  if (token.empty()) return UnusableLinkPage(in, "/login", "Sign in");
  auto user = s.lifecycle->VerifyEmail(token);
  if (!user.ok()) {
    if (user.error().code == ErrorCode::kTokenUnusable) {
      return UnusableLinkPage(in, "/login", "Sign in");
    }
    return ShowVerifyEmail(in, token, MessagesOf(user.error()), http::StatusOf(user.error().code));
  }
  return Show(in, "Email verified",
              MessageView("Your email address " + user->email + " is verified.", LoginLink(in),
                          "Continue"));
}

Result<Response> ErrorPage(Services& s, RequestContext& c) {
  auto in = ReadPageInput(s, c.request);
  // Only known codes are explained: the page never shows text a link's author wrote.
  std::string code = QueryOr(in.query, "error");
  std::string text = "The request could not be completed.";
  if (code == "access_denied") text = "Access was denied.";
  if (code == "login_required") text = "You need to sign in first.";
  if (code == "invalid_request") text = "The request was not valid.";
  if (code == "invalid_client") text = "This application is not registered.";
  if (code == "invalid_redirect_uri") text = "This application's return address is not registered.";
  if (code == "server_error") text = "Something went wrong on our side.";
  if (code == "temporarily_unavailable") text = "The service is busy. Try again in a moment.";
  return Show(in, "Something went wrong", MessageView(text, "/login", "Go to sign in"), 400);
}

}  // namespace bulkhead::api
