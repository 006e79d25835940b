#pragma once
// The HTML of each hosted page's body (RenderPage wraps it in the layout). Every value is
// escaped here; callers pass plain text. Pure functions.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bulkhead::api {

// What every form on the pages carries.
struct FormFrame {
  std::string action;                    // the form's action: a path, maybe with ?organization=
  std::string csrf_token;                // the hidden csrf_token's value
  std::optional<std::string> return_to;  // sanitized; rendered as a hidden input when set
  std::vector<std::string> errors;       // shown above the form; empty: none
};

// A link to one of the pages, carrying return_to and the organization that brands it.
std::string PageLink(std::string_view path, const std::optional<std::string>& return_to,
                     std::string_view organization_ref);

std::string LoginView(const FormFrame& frame, std::string_view email, std::string_view signup_link,
                      std::string_view forgot_link);
// The email-first step of sign-in, shown while some email domain routes to an identity
// provider: the address alone (hidden step=email), and a link to the password form.
std::string LoginEmailView(const FormFrame& frame, std::string_view email,
                           std::string_view signup_link, std::string_view password_link);

// Several organizations sign in the address's domain through their identity providers: a
// link to each one's start URL (GET: nothing changes until the IdP answers).
struct SsoChoice {
  std::string organization_name;
  std::string organization_slug;
  std::string href;  // the connection's start path
};
// `password_link` empty: no password sign-in is offered (the domain enforces SSO).
std::string SsoPickerView(std::string_view email, const std::vector<SsoChoice>& choices,
                          std::string_view password_link);

std::string SignUpView(const FormFrame& frame, std::string_view name, std::string_view email,
                       std::string_view login_link);

// One organization the picker offers.
struct PickerChoice {
  std::string id;
  std::string name;
  std::string slug;
  std::string role;
  bool personal = false;
  bool suspended = false;  // shown, not choosable
};
struct PickerView {
  std::vector<PickerChoice> shown;  // at most the page's limit, personal and team mixed
  std::size_t matched = 0;          // how many matched the search in all
  std::string query;                // the search, as typed
  std::string signed_in_as;         // the user's email
};
std::string OrganizationPickerView(const FormFrame& frame, const PickerView& view);

std::string ForgotPasswordView(const FormFrame& frame, std::string_view email,
                               std::string_view login_link);
std::string ResetPasswordView(const FormFrame& frame, std::string_view token);
std::string VerifyEmailView(const FormFrame& frame, std::string_view token);

// A paragraph of text and, when `link_href` is set, a link under it.
std::string MessageView(std::string_view text, std::string_view link_href = "",
                        std::string_view link_text = "");

}  // namespace bulkhead::api
