#pragma once
// The OpenID Provider's flows: authorization requests, code issue and exchange, refresh
// rotation with reuse detection, userinfo, revocation (RFC 7009), introspection (RFC 7662) and
// RP-initiated logout. Claims are derived from the catalog at every issue and refresh (the
// membership's role, the organization active, the user present), so that a role change or a
// removal reaches the next token, never a stale copy. Every issued token and every refused
// grant is audited in the organization it names; no token value is logged or audited.
// Thread-safety: thread-safe. Token and revocation calls write durably: call them off the I/O
// threads.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include <nlohmann/json.hpp>

#include "core/result.hpp"
#include "service/environment.hpp"
#include "service/oauth_clients.hpp"
#include "service/signing_keys.hpp"
#include "store/oauth_store.hpp"

namespace bulkhead::service {

inline constexpr std::string_view kAuthorizationCodePrefix = "bhac_";
inline constexpr std::string_view kRefreshTokenPrefix = "bhrt_";
inline constexpr int64_t kAuthorizationCodeTtlMs = 60 * 1000;

// An answer in OAuth's own words (RFC 6749 4.1.2.1 and 5.2): `error` is the protocol's code.
struct OAuthError {
  std::string error;
  std::string description;
  int status = 400;
};

template <typename T>
class OAuthResult {
 public:
  OAuthResult(T value) : v_(std::move(value)) {}           // NOLINT(google-explicit-constructor)
  OAuthResult(OAuthError error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)
  bool ok() const { return v_.index() == 0; }
  T& value() { return std::get<0>(v_); }
  const OAuthError& error() const { return std::get<1>(v_); }
  T* operator->() { return &value(); }
  T& operator*() { return value(); }

 private:
  std::variant<T, OAuthError> v_;
};

// GET /oauth2/authorize's parameters, as sent (empty: absent).
struct AuthorizationRequest {
  std::string response_type;
  std::string client_id;
  std::string redirect_uri;
  std::string scope;
  std::string state;
  std::string nonce;
  std::string code_challenge;
  std::string code_challenge_method;
  std::string organization;  // an id or a slug
  std::string prompt;        // space-separated: login, none, select_account
  std::string login_hint;
};

// What to do with an authorization request.
struct AuthorizationOutcome {
  enum class Kind {
    kErrorPage,         // the client or its redirect URI is not known: never redirect
    kRedirect,          // to `location`: the client's redirect URI with a code or an error
    kLogin,             // the hosted sign-in page, then back here
    kPickOrganization,  // the hosted organization picker, then back here
  };
  Kind kind = Kind::kErrorPage;
  std::string location;
  std::string message;  // kErrorPage: what the page says
};

// The browser session an authorization request arrived with.
struct BrowserSession {
  std::string user_id;
  std::string session_hash;
};

// POST /oauth2/token's parameters (empty: absent).
struct TokenRequest {
  std::string grant_type;
  std::string code;
  std::string redirect_uri;
  std::string code_verifier;
  std::string refresh_token;
  std::string scope;
  std::string organization;  // refresh grant: switch to this organization (id or slug)
};

// GET /oauth2/logout's parameters.
struct LogoutRequest {
  std::string id_token_hint;
  std::string post_logout_redirect_uri;
  std::string state;
  std::string client_id;
};

struct LogoutOutcome {
  std::optional<std::string> error;  // a 400 page: the hint or the URI is not acceptable
  std::string location;              // empty: show the "signed out" page
  std::string hint_sid;              // the session a valid id_token_hint names ("": none)
  std::string client_id;             // the hint's client, or the request's client_id
};

class OAuthProvider {
 public:
  OAuthProvider(Environment& env, OAuthClients& clients, SigningKeys& keys)
      : env_(env), clients_(clients), keys_(keys) {}

  // `--public-url` without a trailing slash: every token's `iss`.
  std::string Issuer() const;

  AuthorizationOutcome Authorize(const AuthorizationRequest& request,
                                 const std::optional<BrowserSession>& session);
  // The token endpoint for an authenticated `client`: the JSON token response.
  OAuthResult<nlohmann::json> Token(const store::oauth::ClientRecord& client,
                                    const TokenRequest& request, const std::string& request_id);
  // The current claims of the access token's user (401 invalid_token when it is not valid).
  OAuthResult<nlohmann::json> UserInfo(std::string_view access_token);
  // RFC 7009: revokes a refresh token of `client` with its family; anything else is ignored.
  core::Status Revoke(const store::oauth::ClientRecord& client, std::string_view token,
                      const std::string& request_id);
  // RFC 7662: {"active": false} for anything not a live token of `client`.
  core::Result<nlohmann::json> Introspect(const store::oauth::ClientRecord& client,
                                          std::string_view token);
  // Checks the hint and the URI, and revokes the refresh tokens of the hint's session for its
  // client and of `session_hash`'s (the browser session being ended; empty: none).
  // Checks a logout request (the hint, the client, the redirect URI) and writes nothing.
  LogoutOutcome CheckLogout(const LogoutRequest& request);
  // Revokes the refresh tokens of the browser session `session_hash` ("": none) and of the
  // session the checked hint names (its client's).
  core::Status EndSessions(const LogoutOutcome& checked, const std::string& session_hash);
  // CheckLogout, then EndSessions when it passed.
  LogoutOutcome Logout(const LogoutRequest& request, const std::string& session_hash);

  // The claims of an access token we issued and that has not expired, or nullopt: its
  // signature, type (at+jwt), issuer and expiry checked (cached by the token's text).
  std::optional<nlohmann::json> VerifyAccessToken(std::string_view token);

  // Tests: the clock every expiry is computed from (unix ms).
  void SetClockForTesting(std::function<int64_t()> clock) { clock_ = std::move(clock); }

 private:
  struct Grant;
  int64_t Now() const { return clock_(); }
  OAuthResult<nlohmann::json> ExchangeCode(const store::oauth::ClientRecord& client,
                                           const TokenRequest& request,
                                           const std::string& request_id);
  OAuthResult<nlohmann::json> Refresh(const store::oauth::ClientRecord& client,
                                      const TokenRequest& request, const std::string& request_id);
  OAuthResult<nlohmann::json> SignTokens(const store::oauth::ClientRecord& client,
                                         const Grant& grant,
                                         const std::optional<std::string>& refresh_token);
  Environment& env_;
  OAuthClients& clients_;
  SigningKeys& keys_;
  std::function<int64_t()> clock_ = [] { return DefaultNow(); };
  // Access tokens whose signature, type, shape and issuer were verified, by their text: a
  // relying party presents the same token for its whole lifetime (10 minutes), and a verify
  // (an RSA or ECDSA check, base64 and JSON) cost more than the rest of a userinfo request.
  // What a token says never changes; its expiry is checked at every use, and what it grants
  // is read afresh (userinfo derives the claims again). Emptied when full.
  BoundedCache<std::shared_ptr<const nlohmann::json>> verified_access_tokens_{10'000};
  static int64_t DefaultNow();
};

}  // namespace bulkhead::service
