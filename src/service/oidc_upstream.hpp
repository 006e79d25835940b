#pragma once
// Bulkhead as the relying party of an organization's own OpenID Provider (an SSO connection of
// type "oidc"): discovery, the authorization request (code flow with PKCE S256 and a nonce), the
// code redeemed at the token endpoint, the ID token verified against the provider's JWKS
// (crypto/id_token), and the claims an SSO sign-in needs, with the userinfo endpoint asked when
// the ID token carries no email.
//
// Outbound HTTP is libcurl (CurlOidcHttp) with a timeout, a response size limit, no redirects,
// no proxy, https only, and every socket checked against core::IsBlockedAddress after DNS, as
// webhook deliveries are. `allow_private` (the operator's --allow-private-webhooks) lifts the
// address check and allows http://: the only way to reach an IdP on loopback (tests) or a
// private network. An issuer on loopback is accepted when a connection is saved (for tests),
// but nothing is fetched from it without that flag: a connection is an organization admin's
// input, and the flag is the operator's decision.
//
// Discovery documents and JWK Sets are cached per URL for `metadata_ttl_ms`; an ID token whose
// key is not in the cached set makes one refetch of the set (the provider rotated its keys).
// Thread-safety: one OidcUpstream per process, shared by the outbound lane's threads; the caches
// are guarded by a mutex and no HTTP call is made while holding it.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.hpp"

namespace bulkhead::service {

struct OidcHttpRequest {
  std::string method = "GET";  // GET or POST (a form)
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string form_body;   // POST: application/x-www-form-urlencoded
  std::string basic_user;  // non-empty: HTTP Basic with this user and basic_password
  std::string basic_password;
};

struct OidcHttpResponse {
  int status = 0;  // 0: no HTTP response (error says why)
  std::string error;
  std::string body;
};

// The HTTP an upstream speaks; tests answer it in-process. Implementations are thread-safe.
class OidcHttp {
 public:
  virtual ~OidcHttp() = default;
  virtual OidcHttpResponse Send(const OidcHttpRequest& request) = 0;
};

struct OidcUpstreamOptions {
  bool allow_private = false;           // http:// and loopback/private addresses (tests)
  int64_t timeout_ms = 10'000;          // each outbound call, whole
  int64_t metadata_ttl_ms = 3'600'000;  // discovery documents and JWK Sets
  int64_t clock_skew_s = 60;            // for the ID token's exp, iat and nbf
};

// libcurl, one easy handle per call. Responses over kMaxBytes are refused.
class CurlOidcHttp final : public OidcHttp {
 public:
  explicit CurlOidcHttp(OidcUpstreamOptions options);
  OidcHttpResponse Send(const OidcHttpRequest& request) override;
  static constexpr std::size_t kMaxBytes = 256 * 1024;

 private:
  OidcUpstreamOptions options_;
};

// What the connection holds of an OIDC client registration.
struct OidcClientConfig {
  std::string issuer, client_id, client_secret;
  std::vector<std::string> scopes;
};

// The parts of a provider's discovery document Bulkhead uses.
struct OidcProviderMetadata {
  std::string issuer;
  std::string authorization_endpoint, token_endpoint, jwks_uri, userinfo_endpoint;
  bool client_secret_post_only = false;  // token_endpoint_auth_methods_supported lacks basic
};

// A verified sign-in: the ID token's claims (and the userinfo's when asked).
struct OidcIdentity {
  std::string subject;
  std::string email;  // may be empty
  bool email_verified = false;
  std::string name;
  std::vector<std::string> groups;
  nlohmann::json raw = nlohmann::json::object();  // every claim
};

class OidcUpstream {
 public:
  // `http` null: CurlOidcHttp with `options`. `now_ms` null: the wall clock.
  explicit OidcUpstream(OidcUpstreamOptions options, std::unique_ptr<OidcHttp> http = nullptr,
                        std::function<int64_t()> now_ms = nullptr);

  // The provider's metadata, from the cache or `{issuer}/.well-known/openid-configuration`;
  // its `issuer` must be the configured one exactly. kUnavailable when the provider cannot be
  // reached or answers badly (the message says what).
  core::Result<OidcProviderMetadata> Discover(const std::string& issuer);

  // The URL to send the browser to: response_type=code, client_id, redirect_uri, scope, state,
  // nonce, code_challenge (S256 of `code_verifier`).
  core::Result<std::string> AuthorizationUrl(const OidcClientConfig& client,
                                             const std::string& redirect_uri,
                                             const std::string& state, const std::string& nonce,
                                             const std::string& code_verifier);

  // Redeems `code` (client_secret_basic, or client_secret_post when the provider supports only
  // that), verifies the ID token (signature, iss, aud/azp, exp/iat, nonce) and returns its
  // claims; the userinfo endpoint fills in email, name and groups when the ID token has no
  // email. kVerificationFailed for a token that does not verify; kUnavailable for a provider
  // that cannot be reached or refuses the code.
  core::Result<OidcIdentity> Redeem(const OidcClientConfig& client, const std::string& redirect_uri,
                                    const std::string& code, const std::string& nonce,
                                    const std::string& code_verifier);

  static constexpr std::size_t kMaxCachedDocuments = 1000;

 private:
  struct Cached {
    nlohmann::json document;
    int64_t fetched_ms = 0;
  };
  core::Result<nlohmann::json> FetchJson(const std::string& what, const OidcHttpRequest& request);
  core::Result<nlohmann::json> CachedJson(const std::string& what, const std::string& url,
                                          bool refresh);
  core::Status CheckEndpoint(const std::string& what, const std::string& url) const;

  OidcUpstreamOptions options_;
  std::unique_ptr<OidcHttp> http_;
  std::function<int64_t()> now_ms_;
  std::mutex mutex_;
  std::map<std::string, Cached> cache_;  // by URL; guarded by mutex_
};

}  // namespace bulkhead::service
