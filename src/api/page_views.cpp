#include "api/page_views.hpp"
#include "core/text.hpp"

#include "api/csrf.hpp"
#include "api/page.hpp"
#include "api/return_to.hpp"

namespace bulkhead::api {
namespace {

constexpr std::string_view kErrorId = "form-error";

// The errors, in one live region the inputs point at (aria-describedby).
std::string Errors(const FormFrame& frame) {
  if (frame.errors.empty()) return "";
  std::string html = "<div class=\"error\" id=\"" + std::string(kErrorId) + "\" role=\"alert\">";
  for (const auto& e : frame.errors) html += "<p>" + HtmlEscape(e) + "</p>";
  return html + "</div>";
}

std::string Describedby(const FormFrame& frame) {
  return frame.errors.empty() ? "" : " aria-describedby=\"" + std::string(kErrorId) + "\"";
}

std::string OpenForm(const FormFrame& frame) {
  std::string html = "<form method=\"post\" action=\"" + HtmlEscape(frame.action) + "\">";
  html += CsrfField(frame.csrf_token);
  if (frame.return_to) {
    html +=
        "<input type=\"hidden\" name=\"return_to\" value=\"" + HtmlEscape(*frame.return_to) + "\">";
  }
  return html;
}

struct Input {
  std::string_view name;
  std::string_view label;
  std::string_view type;
  std::string_view autocomplete;
  std::string_view value = "";
  bool autofocus = false;
  std::string_view extra = "";  // more attributes, already safe
};

std::string Field(const FormFrame& frame, const Input& in) {
  std::string id = "f-" + std::string(in.name);
  std::string html = "<label for=\"" + id + "\">" + HtmlEscape(in.label) + "</label>";
  html += "<input id=\"" + id + "\" name=\"" + std::string(in.name) + "\" type=\"" +
          std::string(in.type) + "\" autocomplete=\"" + std::string(in.autocomplete) +
          "\" required";
  if (!in.value.empty()) html += " value=\"" + HtmlEscape(in.value) + "\"";
  if (in.autofocus) html += " autofocus";
  if (!in.extra.empty()) html += " " + std::string(in.extra);
  html += Describedby(frame) + ">";
  return html;
}

std::string Link(std::string_view href, std::string_view text) {
  return "<a href=\"" + HtmlEscape(href) + "\">" + HtmlEscape(text) + "</a>";
}

std::string Choice(const PickerChoice& c) {
  std::string id = "o-" + HtmlEscape(c.id);
  std::string html = "<li><input type=\"radio\" name=\"organization\" id=\"" + id + "\" value=\"" +
                     HtmlEscape(c.id) + "\" required";
  if (c.suspended) html += " disabled";
  html += "><label class=\"inline\" for=\"" + id + "\">" + HtmlEscape(c.name) + " <small>" +
          HtmlEscape(c.slug) + " · " + HtmlEscape(c.role) + (c.suspended ? " · suspended" : "") +
          "</small></label></li>";
  return html;
}

}  // namespace

std::string PageLink(std::string_view path, const std::optional<std::string>& return_to,
                     std::string_view organization_ref) {
  std::string href(path);
  char sep = '?';
  if (return_to) {
    href += sep + std::string("return_to=") + core::PercentEncode(*return_to);
    sep = '&';
  }
  if (!organization_ref.empty()) {
    href += sep + std::string("organization=") + core::PercentEncode(organization_ref);
  }
  return href;
}

std::string LoginView(const FormFrame& frame, std::string_view email, std::string_view signup_link,
                      std::string_view forgot_link) {
  std::string html = Errors(frame) + OpenForm(frame);
  html += Field(frame, {.name = "email",
                        .label = "Email",
                        .type = "email",
                        .autocomplete = "email",
                        .value = email,
                        .autofocus = email.empty()});
  html += Field(frame, {.name = "password",
                        .label = "Password",
                        .type = "password",
                        .autocomplete = "current-password",
                        .autofocus = !email.empty()});
  html += "<button type=\"submit\">Sign in</button></form>";
  html += "<p>" + Link(forgot_link, "Forgot your password?") + "</p>";
  html += "<p>No account yet? " + Link(signup_link, "Create one") + "</p>";
  return html;
}

std::string LoginEmailView(const FormFrame& frame, std::string_view email,
                           std::string_view signup_link, std::string_view password_link) {
  std::string html = Errors(frame) + OpenForm(frame);
  html += "<input type=\"hidden\" name=\"step\" value=\"email\">";
  html += Field(frame, {.name = "email",
                        .label = "Email",
                        .type = "email",
                        .autocomplete = "email",
                        .value = email,
                        .autofocus = true});
  html += "<button type=\"submit\">Continue</button></form>";
  html += "<p>" + Link(password_link, "Sign in with a password") + "</p>";
  html += "<p>No account yet? " + Link(signup_link, "Create one") + "</p>";
  return html;
}

std::string SsoPickerView(std::string_view email, const std::vector<SsoChoice>& choices,
                          std::string_view password_link) {
  std::string html = "<p>" + HtmlEscape(email) +
                     " can sign in through several organizations. Choose the one to sign in "
                     "to.</p><nav aria-label=\"Organizations\"><ul>";
  for (const auto& c : choices) {
    html += "<li>" + Link(c.href, c.organization_name) + " <small>" +
            HtmlEscape(c.organization_slug) + "</small></li>";
  }
  html += "</ul></nav>";
  if (!password_link.empty()) {
    html += "<p>" + Link(password_link, "Sign in with a password instead") + "</p>";
  }
  return html;
}

std::string SignUpView(const FormFrame& frame, std::string_view name, std::string_view email,
                       std::string_view login_link) {
  std::string html = Errors(frame) + OpenForm(frame);
  html += Field(frame, {.name = "name",
                        .label = "Your name",
                        .type = "text",
                        .autocomplete = "name",
                        .value = name,
                        .autofocus = true,
                        .extra = "maxlength=\"200\""});
  html += Field(frame, {.name = "email",
                        .label = "Email",
                        .type = "email",
                        .autocomplete = "email",
                        .value = email});
  html += Field(frame, {.name = "password",
                        .label = "Password (at least 10 characters)",
                        .type = "password",
                        .autocomplete = "new-password",
                        .extra = "minlength=\"10\" maxlength=\"256\""});
  html += "<button type=\"submit\">Create account</button></form>";
  html += "<p>Already have an account? " + Link(login_link, "Sign in") + "</p>";
  return html;
}

std::string OrganizationPickerView(const FormFrame& frame, const PickerView& view) {
  std::string html;
  if (!view.signed_in_as.empty()) {
    html += "<p>Signed in as " + HtmlEscape(view.signed_in_as) + ".</p>";
  }
  // The search is a GET form: it changes nothing, so it needs no CSRF token.
  html += "<form method=\"get\" action=\"/organization\" role=\"search\">";
  if (frame.return_to) {
    html +=
        "<input type=\"hidden\" name=\"return_to\" value=\"" + HtmlEscape(*frame.return_to) + "\">";
  }
  html +=
      "<label for=\"f-q\">Search by name or slug</label><input id=\"f-q\" name=\"q\" "
      "type=\"search\" autocomplete=\"off\" value=\"" +
      HtmlEscape(view.query) + "\"><button type=\"submit\">Search</button></form>";
  html += Errors(frame);
  if (view.shown.empty()) {
    html += view.query.empty() ? "<p>You do not belong to any organization yet.</p>"
                               : "<p>No organization matches your search.</p>";
    return html;
  }
  html += OpenForm(frame);
  for (bool personal : {true, false}) {
    std::string items;
    for (const auto& c : view.shown) {
      if (c.personal == personal) items += Choice(c);
    }
    if (items.empty()) continue;
    html += std::string("<fieldset><legend>") + (personal ? "Personal" : "Teams") +
            "</legend><ul>" + items + "</ul></fieldset>";
  }
  if (view.matched > view.shown.size()) {
    html += "<p class=\"note\">Showing " + std::to_string(view.shown.size()) + " of " +
            std::to_string(view.matched) + ". Search to find the others.</p>";
  }
  html += "<button type=\"submit\">Continue</button></form>";
  return html;
}

std::string ForgotPasswordView(const FormFrame& frame, std::string_view email,
                               std::string_view login_link) {
  std::string html =
      "<p>Enter your account's email. We will send you a link to choose a new "
      "password.</p>";
  html += Errors(frame) + OpenForm(frame);
  html += Field(frame, {.name = "email",
                        .label = "Email",
                        .type = "email",
                        .autocomplete = "email",
                        .value = email,
                        .autofocus = true});
  html += "<button type=\"submit\">Send the link</button></form>";
  html += "<p>" + Link(login_link, "Back to sign in") + "</p>";
  return html;
}

std::string ResetPasswordView(const FormFrame& frame, std::string_view token) {
  std::string html = Errors(frame) + OpenForm(frame);
  html += "<input type=\"hidden\" name=\"token\" value=\"" + HtmlEscape(token) + "\">";
  html += Field(frame, {.name = "password",
                        .label = "New password (at least 10 characters)",
                        .type = "password",
                        .autocomplete = "new-password",
                        .autofocus = true,
                        .extra = "minlength=\"10\" maxlength=\"256\""});
  html += "<button type=\"submit\">Set the password</button></form>";
  return html;
}

std::string VerifyEmailView(const FormFrame& frame, std::string_view token) {
  // A button, not an automatic verification: mail scanners that follow links must not use
  // the token up.
  std::string html = "<p>Confirm that this email address is yours.</p>";
  html += Errors(frame) + OpenForm(frame);
  html += "<input type=\"hidden\" name=\"token\" value=\"" + HtmlEscape(token) + "\">";
  html += "<button type=\"submit\">Verify my email</button></form>";
  return html;
}

std::string MessageView(std::string_view text, std::string_view link_href,
                        std::string_view link_text) {
  std::string html = "<p>" + HtmlEscape(text) + "</p>";
  if (!link_href.empty()) html += "<p>" + Link(link_href, link_text) + "</p>";
  return html;
}

}  // namespace bulkhead::api
