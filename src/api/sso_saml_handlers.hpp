#pragma once
// The SAML service provider's browser endpoints (service/saml_sign_in.hpp): the start of a
// sign-in through a connection and the assertion consumer service the IdP posts back to. Both
// answer HTML pages (api/page.hpp), never problem+json: a person reads them.

#include "api/handlers.hpp"

namespace bulkhead::api {

// GET /sso/saml/{connection_id}/start?return_to=<path>[&test=<test_id>]
Result<Response> StartSamlSignIn(Services& s, RequestContext& c);
// POST /sso/saml/{connection_id}/acs (form: SAMLResponse, RelayState)
Result<Response> ConsumeSamlAssertion(Services& s, RequestContext& c);

}  // namespace bulkhead::api
