#pragma once
// Bulkhead as the SAML 2.0 service provider of an organization's identity provider: starting a
// sign-in through a connection (a pending sign-in, our AuthnRequest, the binding that carries
// it) and finishing it at the ACS (the pending sign-in taken once, the response verified by
// crypto::VerifySamlResponse, the assertion ID remembered against replay, the attributes read
// as claims, and SsoService::CompleteSignIn). docs/sso.md lists the attributes read.
// Thread-safety: thread-safe (holds references to thread-safe services).

#include <string>
#include <string_view>

#include "core/result.hpp"
#include "crypto/saml_response.hpp"
#include "service/environment.hpp"
#include "service/saml_request.hpp"
#include "service/sso_service.hpp"

namespace bulkhead::service {

// Our SP entity id and ACS URL for a connection under `public_url` (no trailing slash).
SamlServiceProvider SamlServiceProviderFor(std::string_view public_url,
                                           std::string_view connection_id);

// How the browser carries our AuthnRequest to the IdP.
struct SamlStart {
  bool post = false;         // HTTP-POST: a form to `url` with the two fields
  std::string url;           // redirect: the IdP URL with the request; post: the IdP's SSO URL
  std::string saml_request;  // post: the SAMLRequest field
  std::string relay_state;   // post: the RelayState field (the pending sign-in's id)
};

// The verified assertion's claims: NameID as the subject; email from an emailAddress NameID,
// else the first of the email attributes; name from the display-name attributes, else given
// name and surname; groups from every group attribute (names in the .cpp, Entra ID's and
// Okta's and Google's included).
SsoClaims SamlClaims(const crypto::SamlAssertion& assertion);

class SamlSignIn {
 public:
  SamlSignIn(Environment& env, SsoService& sso) : env_(env), sso_(sso) {}

  // kNotFound: no such enabled SAML connection (a test sign-in may use a disabled one).
  // `return_to` is already sanitized (empty: the default).
  core::Result<SamlStart> Start(const std::string& connection_id, const std::string& return_to,
                                const std::string& test_id);

  // The IdP's answer posted to the connection's ACS. kNotFound: the RelayState names no pending
  // sign-in of this connection (unknown, used or expired); kForbidden naming the failed check
  // (crypto/saml_response.hpp, plus "replay") when the response is refused; kValidationFailed
  // when SAMLResponse is not base64 XML. A refused test sign-in is recorded as failed.
  core::Result<SsoSignInResult> Finish(const std::string& connection_id,
                                       std::string_view saml_response,
                                       const std::string& relay_state,
                                       const std::string& request_id);

 private:
  core::Status FailTest(const SsoLogin& login, const core::Error& error);

  Environment& env_;
  SsoService& sso_;
};

}  // namespace bulkhead::service
