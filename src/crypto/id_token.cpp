#include "crypto/id_token.hpp"

#include <openssl/sha.h>

#include <optional>
#include <vector>

#include "core/base64.hpp"
#include "crypto/jws.hpp"

namespace bulkhead::crypto {
namespace {

// A JWK Set with more keys than this is not looked through (providers publish two or three).
constexpr std::size_t kMaxJwksKeysTried = 20;
constexpr std::size_t kMaxIdTokenSubjectChars = 255;

core::Error IdTokenRefused(std::string why) {
  return core::Error::Make(core::ErrorCode::kVerificationFailed, "ID token: " + std::move(why));
}

std::optional<nlohmann::json> DecodeJwsJsonPart(std::string_view part) {
  auto bytes = core::Base64UrlDecode(part);
  if (!bytes) return std::nullopt;
  auto json = nlohmann::json::parse(*bytes, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) return std::nullopt;
  return json;
}

std::optional<JwsAlg> JwsAlgFromName(std::string_view name) {
  if (name == "RS256") return JwsAlg::kRS256;
  if (name == "ES256") return JwsAlg::kES256;
  if (name == "EdDSA") return JwsAlg::kEdDSA;
  return std::nullopt;
}

std::string_view JwkKtyOf(JwsAlg alg) {
  switch (alg) {
    case JwsAlg::kRS256: return "RSA";
    case JwsAlg::kES256: return "EC";
    case JwsAlg::kEdDSA: return "OKP";
  }
  return "";
}

std::string JwsStringMember(const nlohmann::json& object, const char* name) {
  auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// A NumericDate (RFC 7519 2): a JSON number of seconds, possibly fractional.
std::optional<int64_t> JwtNumericDate(const nlohmann::json& claims, const char* name) {
  auto it = claims.find(name);
  if (it == claims.end() || !it->is_number()) return std::nullopt;
  return static_cast<int64_t>(it->get<double>());
}

}  // namespace

core::Result<CompactJws> ParseCompactJws(std::string_view token) {
  if (token.empty()) return IdTokenRefused("missing");
  if (token.size() > kMaxIdTokenBytes) return IdTokenRefused("longer than 16 KiB");
  auto first = token.find('.');
  auto second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    return IdTokenRefused("not a compact JWS (three parts separated by dots)");
  }
  CompactJws jws;
  auto header = DecodeJwsJsonPart(token.substr(0, first));
  auto payload = DecodeJwsJsonPart(token.substr(first + 1, second - first - 1));
  auto signature = core::Base64UrlDecode(token.substr(second + 1));
  if (!header) return IdTokenRefused("the header is not a base64url JSON object");
  if (!payload) return IdTokenRefused("the payload is not a base64url JSON object");
  if (!signature) return IdTokenRefused("the signature is not base64url");
  jws.header = std::move(*header);
  jws.payload = std::move(*payload);
  jws.signing_input = std::string(token.substr(0, second));
  jws.signature = std::move(*signature);
  return jws;
}

SignatureCheck VerifyWithJwks(const CompactJws& jws, const nlohmann::json& jwks) {
  std::string alg_name = JwsStringMember(jws.header, "alg");
  auto alg = JwsAlgFromName(alg_name);
  if (!alg) return SignatureCheck::kAlgRefused;
  // A critical extension we do not understand must make the token invalid (RFC 7515 4.1.11).
  if (jws.header.contains("crit")) return SignatureCheck::kInvalid;
  if (!jwks.is_object() || !jwks.contains("keys") || !jwks["keys"].is_array()) {
    return SignatureCheck::kNoKey;
  }
  const bool has_kid = jws.header.contains("kid");
  std::string kid = JwsStringMember(jws.header, "kid");
  std::size_t tried = 0;
  for (const auto& jwk : jwks["keys"]) {
    if (!jwk.is_object()) continue;
    if (has_kid && JwsStringMember(jwk, "kid") != kid) continue;
    if (JwsStringMember(jwk, "kty") != JwkKtyOf(*alg)) continue;
    if (jwk.contains("use") && JwsStringMember(jwk, "use") != "sig") continue;
    if (jwk.contains("alg") && JwsStringMember(jwk, "alg") != alg_name) continue;
    if (++tried > kMaxJwksKeysTried) break;
    auto key = JwsKey::FromPublicJwk(*alg, jwk);
    if (!key) continue;
    if (key->Verify(jws.signing_input, jws.signature)) return SignatureCheck::kValid;
  }
  return tried == 0 ? SignatureCheck::kNoKey : SignatureCheck::kInvalid;
}

core::Status CheckIdTokenClaims(const nlohmann::json& claims, const IdTokenRules& rules) {
  if (JwsStringMember(claims, "iss") != rules.issuer) {
    return IdTokenRefused("iss is not the connection's issuer " + rules.issuer);
  }
  auto aud = claims.find("aud");
  std::vector<std::string> audiences;
  if (aud != claims.end() && aud->is_string()) {
    audiences.push_back(aud->get<std::string>());
  } else if (aud != claims.end() && aud->is_array()) {
    for (const auto& a : *aud) {
      if (!a.is_string()) return IdTokenRefused("aud holds a value that is not a string");
      audiences.push_back(a.get<std::string>());
    }
  }
  bool ours = false;
  for (const auto& a : audiences) ours = ours || a == rules.client_id;
  if (!ours) return IdTokenRefused("aud does not contain the connection's client_id");
  if (claims.contains("azp") || audiences.size() > 1) {
    if (JwsStringMember(claims, "azp") != rules.client_id) {
      return IdTokenRefused("azp is not the connection's client_id");
    }
  }
  auto exp = JwtNumericDate(claims, "exp");
  if (!exp) return IdTokenRefused("exp is missing");
  if (rules.now_s >= *exp + rules.skew_s) return IdTokenRefused("expired (exp has passed)");
  auto iat = JwtNumericDate(claims, "iat");
  if (!iat) return IdTokenRefused("iat is missing");
  if (*iat > rules.now_s + rules.skew_s) return IdTokenRefused("issued in the future (iat)");
  if (claims.contains("nbf")) {
    auto nbf = JwtNumericDate(claims, "nbf");
    if (!nbf) return IdTokenRefused("nbf is not a number");
    if (*nbf > rules.now_s + rules.skew_s) return IdTokenRefused("not valid yet (nbf)");
  }
  auto nonce = claims.find("nonce");
  if (nonce == claims.end() || !nonce->is_string() || nonce->get<std::string>() != rules.nonce) {
    return IdTokenRefused("nonce does not match the sign-in's");
  }
  std::string sub = JwsStringMember(claims, "sub");
  if (sub.empty() || sub.size() > kMaxIdTokenSubjectChars) {
    return IdTokenRefused("sub is missing or longer than 255 characters");
  }
  return core::Ok();
}

core::Result<nlohmann::json> VerifyIdToken(std::string_view token, const nlohmann::json& jwks,
                                           const IdTokenRules& rules) {
  auto jws = ParseCompactJws(token);
  if (!jws.ok()) return jws.error();
  switch (VerifyWithJwks(*jws, jwks)) {
    case SignatureCheck::kValid: break;
    case SignatureCheck::kAlgRefused:
      return IdTokenRefused("alg " + JwsStringMember(jws->header, "alg") +
                            " is not accepted (RS256, ES256 or EdDSA)");
    case SignatureCheck::kNoKey:
      return IdTokenRefused("no key of the provider's JWKS fits its header");
    case SignatureCheck::kInvalid: return IdTokenRefused("the signature does not verify");
  }
  BULKHEAD_TRY(CheckIdTokenClaims(jws->payload, rules));
  return std::move(jws->payload);
}

std::string PkceS256(std::string_view verifier) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(verifier.data()), verifier.size(), digest);
  return core::Base64UrlEncode(
      std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

}  // namespace bulkhead::crypto
