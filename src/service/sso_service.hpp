#pragma once
// Enterprise SSO (docs/sso.md): an organization's connections to its own identity provider
// (OIDC or SAML), the pending sign-ins through them, and what a verified answer of the IdP does
// (CompleteSignIn: match or create the user, just-in-time membership, group roles, a session;
// or a test report; or a refusal). The protocol code (OIDC upstream, SAML SP) verifies the
// IdP's response and calls this; it never writes users, memberships or sessions itself.
// Thread-safety: thread-safe (holds only the Environment).

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.hpp"
#include "service/environment.hpp"
#include "service/tenant_resolver.hpp"
#include "store/sso_store.hpp"

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

// A create (all that applies to its type) or a patch (what is set) of a connection.
struct SsoConnectionInput {
  std::optional<std::string> type;  // create only
  std::optional<std::string> name;
  std::optional<bool> enabled;  // patch only
  std::optional<std::string> default_role;
  std::optional<bool> jit;
  std::optional<std::vector<std::pair<std::string, std::string>>> group_role_mappings;
  // oidc
  std::optional<std::string> issuer, client_id, client_secret;
  std::optional<std::vector<std::string>> scopes;
  // saml: one of them
  std::optional<std::string> metadata_xml, metadata_url;
};

// A connection as the API shows it (never its secret).
struct SsoConnectionView {
  SsoConnection connection;
  std::vector<std::string> email_domains;  // linked, by name
};

struct SsoTestStart {
  std::string test_id;
  std::string url;  // opens a test sign-in
};

struct SsoTestView {
  std::string test_id;
  std::string status;     // "pending" | "succeeded" | "failed"
  nlohmann::json claims;  // succeeded
  std::string error;      // failed
};

// Where a sign-in through one connection starts (discovery, /login, /oauth2/authorize hints).
struct SsoRoute {
  std::string organization_id, organization_slug, organization_name;
  std::string connection_id, type;
  std::string start_path;    // "/sso/{type}/{id}/start?return_to=…"
  bool enforce_sso = false;  // the email's domain enforces SSO in this organization
};

// The path that starts a sign-in through a connection, with return_to and test when set.
std::string SsoStartPath(const std::string& type, const std::string& connection_id,
                         const std::string& return_to, const std::string& test_id = "");
// The SP URLs of a connection, from the public URL.
std::string SsoOidcRedirectUri(const ServiceConfig& config);
std::string SamlSpEntityId(const ServiceConfig& config, const std::string& connection_id);
std::string SamlAcsUrl(const ServiceConfig& config, const std::string& connection_id);
std::string SamlSpMetadataUrl(const ServiceConfig& config, const std::string& organization_id,
                              const std::string& connection_id);

// The SHA-256 (lowercase hex) of each of a SAML connection's IdP signing certificates (DER).
std::vector<std::string> CertificateFingerprints(const SsoConnection& connection);

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

  // A test sign-in that failed in the protocol (a bad response, an IdP error): its report.
  // Does nothing for a login that is not a test.
  core::Status RecordTestFailure(const SsoLogin& login, const std::string& error);

  // The organization's connections (owners and admins; plan feature `sso`, checked by the
  // route). Create/Update: kValidationFailed naming the field; SAML metadata is parsed here
  // (metadata_url fetched once, through the webhook SSRF guard).
  core::Result<std::vector<SsoConnectionView>> ListConnections(const TenantContext& tenant);
  core::Result<SsoConnectionView> GetConnection(const TenantContext& tenant,
                                                const std::string& connection_id);
  core::Result<SsoConnectionView> CreateConnection(const TenantContext& tenant,
                                                   const SsoConnectionInput& input,
                                                   const Actor& actor);
  core::Result<SsoConnectionView> UpdateConnection(const TenantContext& tenant,
                                                   const std::string& connection_id,
                                                   const SsoConnectionInput& input,
                                                   const Actor& actor);
  core::Status DeleteConnection(const TenantContext& tenant, const std::string& connection_id,
                                const Actor& actor);
  // A test sign-in of the connection (disabled ones too): its report starts pending.
  core::Result<SsoTestStart> StartTest(const TenantContext& tenant,
                                       const std::string& connection_id, const Actor& actor);
  core::Result<SsoTestView> GetTest(const TenantContext& tenant, const std::string& connection_id,
                                    const std::string& test_id);

  // Routing. The enabled connections linked to the email's verified domain, in every
  // organization (none for a malformed address); start paths carry `return_to`.
  core::Result<std::vector<SsoRoute>> Discover(const std::string& email,
                                               const std::string& return_to);
  // Whether any sign-in could be routed at all (some verified domain has a linked connection):
  // the hosted /login page asks for the email first only then.
  core::Result<bool> AnyRoutableDomain();
  // The organization's (id or slug) enabled connections, for the /oauth2/authorize hint.
  core::Result<std::vector<SsoRoute>> OrganizationRoutes(const std::string& organization_ref,
                                                         const std::string& return_to);

 private:
  Environment& env_;
};

}  // namespace bulkhead::service
