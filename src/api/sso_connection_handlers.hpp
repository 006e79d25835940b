#pragma once
// Enterprise SSO's JSON API (sso_connection_handlers.cpp), wired in routes.cpp: an
// organization's connections and their test sign-ins, Bulkhead's SAML SP metadata (public),
// discovery by email (public); and what the sign-in pages and the protocol routes share: the
// sso_required refusal and the page that ends a sign-in through an IdP.

#include <optional>
#include <string>
#include <vector>

#include "api/handlers.hpp"
#include "api/schema.hpp"
#include "service/sso_service.hpp"

namespace bulkhead::api {

Result<Response> ListSsoConnections(Services& s, RequestContext& c);
Result<Response> CreateSsoConnection(Services& s, RequestContext& c);
Result<Response> GetSsoConnection(Services& s, RequestContext& c);
Result<Response> UpdateSsoConnection(Services& s, RequestContext& c);
Result<Response> DeleteSsoConnection(Services& s, RequestContext& c);
Result<Response> TestSsoConnection(Services& s, RequestContext& c);
Result<Response> GetSsoConnectionTest(Services& s, RequestContext& c);
Result<Response> GetSamlSpMetadata(Services& s, RequestContext& c);
Result<Response> DiscoverSso(Services& s, RequestContext& c);

// The discovery document's entries: {organization: {id, slug, name}, connection_id, type,
// start_url} with start_url absolute (the public URL).
nlohmann::json SsoRoutesJson(const service::ServiceConfig& config,
                             const std::vector<service::SsoRoute>& routes);
// 403 sso_required (with `connections`) when the address's verified domain enforces SSO in
// some organization that has an enabled connection linked to it; nullopt otherwise.
std::optional<core::Error> SsoRequiredFor(Services& s, const std::string& email);
// The browser's answer to a finished sign-in through an IdP (for the OIDC callback and the SAML
// ACS): kSignedIn sets the session cookie and redirects to return_to; kTested shows the claims
// (nothing was created); kRefused shows why, with 403.
Response SsoSignInResponse(Services& s, const Request& request,
                           const service::SsoSignInResult& result);
// A sign-in through an IdP that failed before CompleteSignIn (a bad or expired response): an
// HTML page with `status` and a link back to /login.
Response SsoSignInErrorPage(std::string_view message, int status);

// The contract's shapes, for the route table (JSON Schema, api/schema.hpp).
namespace sso_schemas {
schema::Json SsoConnection();
schema::Json SsoConnectionCreate();
schema::Json SsoConnectionPatch();
schema::Json SsoTest();
schema::Json SsoDiscovery();
schema::Json EmailDomain();
schema::Json EmailDomainPatch();
}  // namespace sso_schemas

}  // namespace bulkhead::api
