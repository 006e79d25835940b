#pragma once
// ID tokens that another OpenID Provider issued (an organization's own IdP, for enterprise
// SSO): the compact JWS read, its signature checked against the provider's JWKS, and the
// claims OpenID Connect Core 3.1.3.7 requires of a relying party checked. Only asymmetric
// algorithms are accepted (RS256, ES256, EdDSA): `none` and the HMAC ones (HS256, whose
// "secret" could be a public key an attacker also has) are refused before any key is looked at.
// Pure functions on their arguments; thread-safe.

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/result.hpp"

namespace bulkhead::crypto {

// Longer tokens are refused unread (a real ID token is a few KiB).
inline constexpr std::size_t kMaxIdTokenBytes = 16 * 1024;

struct CompactJws {
  nlohmann::json header;      // the protected header, a JSON object
  nlohmann::json payload;     // the claims, a JSON object
  std::string signing_input;  // BASE64URL(header) "." BASE64URL(payload), as received
  std::string signature;      // decoded bytes
};

// The three parts of `token`; kVerificationFailed when it is not a compact JWS whose header and
// payload are JSON objects (a JWE, five parts, is refused too).
core::Result<CompactJws> ParseCompactJws(std::string_view token);

enum class SignatureCheck {
  kValid,
  kInvalid,     // a key of the set was tried and the signature does not match
  kNoKey,       // no key of the set fits the header (unknown kid): the caller may refetch once
  kAlgRefused,  // alg none, HS*, or anything but RS256, ES256, EdDSA
};

// Checks `jws` against a JWK Set (`{"keys": [...]}`): the keys named by the header's `kid`
// (every key when it has none) whose kty fits the header's alg, whose `use` (when present) is
// `sig` and whose `alg` (when present) is the header's.
SignatureCheck VerifyWithJwks(const CompactJws& jws, const nlohmann::json& jwks);

struct IdTokenRules {
  std::string issuer;     // `iss` must be exactly this
  std::string client_id;  // `aud` must contain it; `azp`, required when aud has several, equal it
  std::string nonce;      // `nonce` must be exactly this
  int64_t now_s = 0;      // unix seconds
  int64_t skew_s = 60;    // clock difference tolerated for exp, iat and nbf
};

// OpenID Connect Core 3.1.3.7 on verified claims: iss, aud/azp, exp (required, not passed),
// iat (required, not in the future), nbf (when present), nonce, and a non-empty `sub` of at
// most 255 characters. kVerificationFailed naming the first claim that fails.
core::Status CheckIdTokenClaims(const nlohmann::json& claims, const IdTokenRules& rules);

// ParseCompactJws, VerifyWithJwks and CheckIdTokenClaims in one: the token's claims.
core::Result<nlohmann::json> VerifyIdToken(std::string_view token, const nlohmann::json& jwks,
                                           const IdTokenRules& rules);

// RFC 7636 4.2: BASE64URL(SHA-256(verifier)), the code_challenge of method S256.
std::string PkceS256(std::string_view verifier);

}  // namespace bulkhead::crypto
