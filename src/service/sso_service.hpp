#pragma once
// Enterprise SSO (docs/sso.md): an organization's connections to its own identity provider
// (OIDC or SAML), the pending sign-ins through them, and what a verified answer of the IdP does
// (CompleteSignIn: match or create the user, just-in-time membership, group roles, a session;
// or a test report; or a refusal). The protocol code (OIDC upstream, SAML SP) verifies the
// IdP's response and calls this; it never writes users, memberships or sessions itself.
// Thread-safety: thread-safe (holds only the Environment).

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.hpp"
#include "service/environment.hpp"

namespace bulkhead::service {

struct SsoConnection {
  std::string id, organization_id, type;  // "oidc" | "saml"
  std::string name;
  bool enabled = true;
  std::string default_role;  // an organization role, never "owner"
  bool jit = true;
  std::vector<std::pair<std::string, std::string>> group_role_mappings;  // group -> role
  // oidc
  std::string issuer, client_id, client_secret;  // client_secret opened (unsealed)
  std::vector<std::string> scopes;
  // saml
  std::string idp_entity_id, idp_sso_url, idp_sso_binding;  // binding: "redirect" | "post"
  std::vector<std::string> idp_certificates_pem;
  int64_t created_at = 0, updated_at = 0;
};
struct SsoClaims {      // what the IdP said, already verified by the protocol code
  std::string subject;  // OIDC sub / SAML NameID
  std::string email;    // may be empty
  bool email_verified = false;
  std::string name;
  std::vector<std::string> groups;
  nlohmann::json raw = nlohmann::json::object();  // all claims / attributes, for the test page
};
struct SsoLogin {  // one pending sign-in; one-time
  std::string id;  // random, used as OIDC state / SAML RelayState
  std::string connection_id, organization_id;
  std::string nonce, code_verifier;  // oidc
  std::string saml_request_id;       // saml: the AuthnRequest ID, checked as InResponseTo
  std::string return_to;
  std::string test_id;     // non-empty: a test sign-in
  int64_t expires_at = 0;  // 10 minutes
};
struct SsoSignInResult {
  enum class Kind { kSignedIn, kTested, kRefused } kind;
  std::string session_token;  // kSignedIn: set it as the session cookie (api/session_cookie.hpp)
  std::string return_to;      // kSignedIn
  std::string message;        // kRefused: for the HTML page; kTested: a summary
  nlohmann::json claims;      // kTested
};

// How long a pending sign-in waits for the IdP's answer.
inline constexpr int64_t kSsoLoginTtlMs = 10LL * 60 * 1000;
// Where a signed-in user goes when the sign-in named no return_to.
inline constexpr std::string_view kSsoDefaultReturnTo = "/console/";

// An OIDC client secret sealed with the organization's current data key, bound to the
// connection ("<key version>:<base64url>"), and opened again.
core::Result<std::string> SealSsoSecret(Environment& env, const std::string& organization_id,
                                        const std::string& connection_id,
                                        const std::string& secret);
core::Result<std::string> OpenSsoSecret(Environment& env, const std::string& organization_id,
                                        const std::string& connection_id,
                                        const std::string& stored);

class SsoService {
 public:
  explicit SsoService(Environment& env);
  // kNotFound unless it exists and is enabled (tests may use disabled ones: allow_disabled).
  core::Result<SsoConnection> FindConnection(const std::string& connection_id,
                                             bool allow_disabled = false);
  // Stores a new pending sign-in for the connection (state, nonce, PKCE verifier generated
  // here); `saml_request_id` is set by the caller with SetSamlRequestId before redirecting.
  core::Result<SsoLogin> BeginSignIn(const SsoConnection& connection, const std::string& return_to,
                                     const std::string& test_id);
  core::Status SetSamlRequestId(const std::string& login_id, const std::string& request_id);
  // Consumes it (a second call → kNotFound); expired → kNotFound.
  core::Result<SsoLogin> TakeSignIn(const std::string& login_id);
  // Matching, JIT, group roles, session; or the test report; or the refusal (see the contract).
  core::Result<SsoSignInResult> CompleteSignIn(const SsoLogin& login,
                                               const SsoConnection& connection,
                                               const SsoClaims& claims,
                                               const std::string& request_id);
  // SAML replay protection: false if (connection, assertion_id) was seen before; remembers it
  // until `not_on_or_after_ms`.
  core::Result<bool> RememberAssertion(const std::string& connection_id,
                                       const std::string& assertion_id, int64_t not_on_or_after_ms);

 private:
  Environment& env_;
};

}  // namespace bulkhead::service
