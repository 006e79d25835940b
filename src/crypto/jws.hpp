#pragma once
// Asymmetric keys for JSON Web Signatures (RFC 7515/7518/8037): RS256 (RSA 2048, PKCS#1 v1.5
// with SHA-256), ES256 (P-256 with SHA-256, signatures as raw R||S) and EdDSA (Ed25519), on
// OpenSSL 3. A JwsKey is immutable once built; signing and verifying with one key from many
// threads at once is safe (each call has its own OpenSSL context).

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

struct evp_pkey_st;  // OpenSSL's EVP_PKEY, kept out of this header

namespace bulkhead::crypto {

enum class JwsAlg { kRS256, kES256, kEdDSA };

class JwsKey {
 public:
  // A new private key (RSA 2048, P-256 or Ed25519).
  static JwsKey Generate(JwsAlg alg);
  // A private key from its PKCS#8 DER (PrivateKeyInfo); nullopt when malformed or not a key of
  // `alg` (another type, another curve, RSA under 2048 bits).
  static std::optional<JwsKey> FromPrivateDer(JwsAlg alg, std::string_view der);
  // A public key from its JWK (kty RSA n/e, kty EC crv P-256 x/y, kty OKP crv Ed25519 x);
  // nullopt when malformed or not a key of `alg`.
  static std::optional<JwsKey> FromPublicJwk(JwsAlg alg, const nlohmann::json& jwk);

  JwsAlg alg() const { return alg_; }
  bool has_private() const { return has_private_; }
  // PKCS#8 DER of the private key (the caller seals it and wipes it). Requires has_private().
  std::string PrivateDer() const;
  // The public JWK members only (kty and the key's numbers, base64url without padding); the
  // caller adds kid, alg and use.
  nlohmann::json PublicJwk() const;
  // The signature of `input` (for ES256: R||S, 64 bytes). Requires has_private().
  std::string Sign(std::string_view input) const;
  bool Verify(std::string_view input, std::string_view signature) const;

 private:
  JwsKey(JwsAlg alg, std::shared_ptr<evp_pkey_st> key, bool has_private)
      : alg_(alg), key_(std::move(key)), has_private_(has_private) {}

  JwsAlg alg_;
  std::shared_ptr<evp_pkey_st> key_;
  bool has_private_ = false;
};

}  // namespace bulkhead::crypto
