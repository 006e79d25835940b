#pragma once
// Bulkhead's SAML 2.0 AuthnRequest (unsigned: our SP metadata says AuthnRequestsSigned=false)
// and the two bindings that carry it to the identity provider: HTTP-Redirect (raw DEFLATE,
// base64, URL-encoded in the query) and HTTP-POST (base64 in a form field). The response comes
// back by HTTP-POST to the connection's ACS URL. Thread-safe: pure functions (the ID is random).

#include <cstdint>
#include <string>

namespace bulkhead::service {

struct SamlServiceProvider {
  std::string entity_id;  // {public-url}/sso/saml/{connection id}
  std::string acs_url;    // {public-url}/sso/saml/{connection id}/acs
};

// A fresh request ID: "_" and 32 random hex digits (an xs:ID must not start with a digit).
std::string NewSamlRequestId();

// The <samlp:AuthnRequest> XML.
std::string AuthnRequestXml(const SamlServiceProvider& sp, const std::string& request_id,
                            const std::string& destination, int64_t issue_instant_ms);

// HTTP-Redirect: `sso_url` with SAMLRequest (deflated, base64, URL-encoded) and RelayState
// added to its query.
std::string SamlRedirectUrl(const std::string& sso_url, const std::string& request_xml,
                            const std::string& relay_state);

// HTTP-POST: the SAMLRequest form field's value (base64 of the XML).
std::string SamlPostValue(const std::string& request_xml);

}  // namespace bulkhead::service
