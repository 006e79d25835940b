#pragma once
// The OpenID Provider's clients ("applications"), registered by the operator (`bulkhead
// clients`). Operator-registered clients are first-party: no consent screen. A confidential
// client's secret (`bhcs_` + 256 random bits) is shown once and stored as its SHA-256.
// Lookups read the catalog each time (one indexed row), so that a running server sees a client
// created or deleted by another process at once.
// Thread-safety: thread-safe.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "service/environment.hpp"
#include "store/oauth_store.hpp"

namespace bulkhead::service {

inline constexpr std::string_view kClientSecretPrefix = "bhcs_";
// The web console's own client (public, PKCE), registered by `serve` at every start. The API
// accepts access tokens of this client only (api/gate.cpp).
inline constexpr std::string_view kConsoleClientId = "bulkhead-console";

struct NewClient {
  std::string name;
  std::vector<std::string> redirect_uris;  // at least one
  std::vector<std::string> post_logout_redirect_uris;
  bool is_public = false;             // no secret: PKCE instead
  std::string signing_alg = "RS256";  // of its ID and access tokens
};

struct CreatedClient {
  store::oauth::ClientRecord client;
  std::optional<std::string> secret;  // shown once; none for a public client
};

// A redirect URI a client may register: absolute, no fragment, https (or http for a loopback
// host only), or a private-use scheme with a dot (RFC 8252: com.example.app:/callback).
// kValidationFailed on `field` otherwise.
core::Status ValidateRedirectUri(std::string_view field, std::string_view uri);

class OAuthClients {
 public:
  explicit OAuthClients(Environment& env) : env_(env) {}

  core::Result<CreatedClient> Create(const NewClient& input);
  core::Result<std::vector<store::oauth::ClientRecord>> List();
  // Registers the console's client for `public_url` (its redirect URI
  // {public_url}/console/callback, post-logout {public_url}/console/), replacing what an
  // earlier start registered. The URIs are the operator's --public-url: not validated here.
  core::Result<store::oauth::ClientRecord> EnsureConsoleClient(std::string_view public_url);
  // kNotFound for an unknown id; kConflict for the console's client (serve registers it
  // again). Its codes and refresh tokens go with it.
  core::Status Delete(const std::string& id);
  core::Result<std::optional<store::oauth::ClientRecord>> Find(std::string_view id);
  // The client `id` when `secret` is its secret (confidential), or when it is public and no
  // secret is given. kUnauthenticated otherwise, the same for an unknown client.
  core::Result<store::oauth::ClientRecord> Authenticate(std::string_view id,
                                                        const std::optional<std::string>& secret);

 private:
  Environment& env_;
};

}  // namespace bulkhead::service
