#pragma once
// Enterprise SSO over OpenID Connect, the browser's side (docs/sso.md): the start URL that
// sends the browser to an organization's own IdP, and the callback the IdP sends it back to.
// The protocol is service::OidcUpstream's; what a verified sign-in does is
// service::SsoService::CompleteSignIn's. Both answer browsers with HTML pages, never
// problem+json: every refusal is a page that says what went wrong.

#include "api/handlers.hpp"

namespace bulkhead::api {

// The cookie that ties a callback to the browser that started the sign-in (its value is the
// state): without it a link to our callback with someone else's code would sign the clicker in
// as that someone (login CSRF). Path-scoped to the callback, 10 minutes, SameSite=Lax (the IdP's
// redirect back is a top-level cross-site GET, which Lax cookies accompany).
inline constexpr std::string_view kOidcStateCookie = "bulkhead_sso_state";
inline constexpr std::string_view kOidcCallbackPath = "/sso/oidc/callback";

// GET /sso/oidc/{connection_id}/start?return_to=<path>[&test=<test_id>]
Result<Response> StartOidcSignIn(Services& s, RequestContext& c);
// GET /sso/oidc/callback?code&state[&iss] (or error, error_description)
Result<Response> FinishOidcSignIn(Services& s, RequestContext& c);

}  // namespace bulkhead::api
