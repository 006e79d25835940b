#include "crypto/jws.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>

#include <stdexcept>

#include "core/base64.hpp"

namespace bulkhead::crypto {
namespace {

constexpr int kMinRsaBits = 2048;
constexpr std::size_t kP256Coordinate = 32;
constexpr std::size_t kEd25519Bytes = 32;

template <auto Free>
struct Deleter {
  template <typename T>
  void operator()(T* p) const {
    Free(p);
  }
};
using BigNum = std::unique_ptr<BIGNUM, Deleter<BN_free>>;
using MdContext = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX_free>>;
using PKeyContext = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX_free>>;
using EcdsaSig = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG_free>>;
using ParamBuilder = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD_free>>;
using Params = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM_free>>;
using Pkcs8 = std::unique_ptr<PKCS8_PRIV_KEY_INFO, Deleter<PKCS8_PRIV_KEY_INFO_free>>;

// OpenSSL reports failures on a per-thread queue that the TLS code of the same thread reads
// later: every entry point leaves it empty.
struct ClearErrorsOnExit {
  ~ClearErrorsOnExit() { ERR_clear_error(); }
};

std::shared_ptr<EVP_PKEY> Own(EVP_PKEY* key) {
  if (!key) return nullptr;
  return std::shared_ptr<EVP_PKEY>(key, EVP_PKEY_free);
}

[[noreturn]] void Fail(const char* what) {
  ERR_clear_error();
  throw std::runtime_error(std::string("JWS key: ") + what);
}

// SHA-256, fetched once (an implicit fetch on every signature costs a lookup); EdDSA hashes
// inside the algorithm and takes no digest.
const EVP_MD* DigestOf(JwsAlg alg) {
  static EVP_MD* const kSha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  if (alg == JwsAlg::kEdDSA) return nullptr;
  if (!kSha256) Fail("SHA-256 is not available");
  return kSha256;
}

bool IsP256(EVP_PKEY* key) {
  char name[64] = {};
  std::size_t length = 0;
  if (EVP_PKEY_get_group_name(key, name, sizeof name, &length) != 1) return false;
  int nid = OBJ_sn2nid(name);
  if (nid == NID_undef) nid = EC_curve_nist2nid(name);
  return nid == NID_X9_62_prime256v1;
}

bool IsKeyOf(JwsAlg alg, EVP_PKEY* key) {
  switch (alg) {
    case JwsAlg::kRS256: return EVP_PKEY_is_a(key, "RSA") && EVP_PKEY_get_bits(key) >= kMinRsaBits;
    case JwsAlg::kES256: return EVP_PKEY_is_a(key, "EC") && IsP256(key);
    case JwsAlg::kEdDSA: return EVP_PKEY_is_a(key, "ED25519");
  }
  return false;
}

std::string BigNumBytes(const BIGNUM* n, std::size_t width) {
  std::string out(width ? width : static_cast<std::size_t>(BN_num_bytes(n)), '\0');
  if (BN_bn2binpad(n, reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(out.size())) <
      0) {
    Fail("a number does not fit its field");
  }
  return out;
}

std::string BigNumParam(EVP_PKEY* key, const char* name, std::size_t width = 0) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &raw) != 1) Fail("cannot read a public key number");
  BigNum n(raw);
  return BigNumBytes(n.get(), width);
}

BigNum ToBigNum(std::string_view bytes) {
  return BigNum(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()), nullptr));
}

// A base64url member of a JWK, decoded; nullopt when missing or malformed.
std::optional<std::string> Member(const nlohmann::json& jwk, const char* name) {
  auto it = jwk.find(name);
  if (it == jwk.end() || !it->is_string()) return std::nullopt;
  auto bytes = core::Base64UrlDecode(it->get_ref<const std::string&>());
  if (!bytes || bytes->empty()) return std::nullopt;
  return bytes;
}

bool MemberIs(const nlohmann::json& jwk, const char* name, std::string_view value) {
  auto it = jwk.find(name);
  return it != jwk.end() && it->is_string() && it->get_ref<const std::string&>() == value;
}

EVP_PKEY* FromParams(const char* type, OSSL_PARAM_BLD* builder) {
  Params params(OSSL_PARAM_BLD_to_param(builder));
  PKeyContext context(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* key = nullptr;
  if (!params || !context || EVP_PKEY_fromdata_init(context.get()) != 1 ||
      EVP_PKEY_fromdata(context.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return nullptr;
  }
  return key;
}

EVP_PKEY* RsaFromJwk(const nlohmann::json& jwk) {
  auto n = Member(jwk, "n");
  auto e = Member(jwk, "e");
  if (!MemberIs(jwk, "kty", "RSA") || !n || !e || e->size() > 8) return nullptr;
  BigNum modulus = ToBigNum(*n);
  BigNum exponent = ToBigNum(*e);
  ParamBuilder builder(OSSL_PARAM_BLD_new());
  if (!modulus || !exponent || !builder ||
      OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, modulus.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, exponent.get()) != 1) {
    return nullptr;
  }
  return FromParams("RSA", builder.get());
}

EVP_PKEY* EcFromJwk(const nlohmann::json& jwk) {
  auto x = Member(jwk, "x");
  auto y = Member(jwk, "y");
  if (!MemberIs(jwk, "kty", "EC") || !MemberIs(jwk, "crv", "P-256") || !x || !y ||
      x->size() != kP256Coordinate || y->size() != kP256Coordinate) {
    return nullptr;
  }
  std::string point = "\x04" + *x + *y;  // uncompressed; OpenSSL checks that it is on the curve
  ParamBuilder builder(OSSL_PARAM_BLD_new());
  if (!builder ||
      OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) !=
          1 ||
      OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1) {
    return nullptr;
  }
  return FromParams("EC", builder.get());
}

EVP_PKEY* Ed25519FromJwk(const nlohmann::json& jwk) {
  auto x = Member(jwk, "x");
  if (!MemberIs(jwk, "kty", "OKP") || !MemberIs(jwk, "crv", "Ed25519") || !x ||
      x->size() != kEd25519Bytes) {
    return nullptr;
  }
  return EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr,
                                     reinterpret_cast<const unsigned char*>(x->data()), x->size());
}

// ECDSA signatures: OpenSSL speaks DER (SEQUENCE of two INTEGERs), JWS speaks R||S.
std::string EcdsaDerToRaw(std::string_view der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  EcdsaSig sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (!sig) Fail("cannot decode an ECDSA signature");
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  return BigNumBytes(r, kP256Coordinate) + BigNumBytes(s, kP256Coordinate);
}

std::optional<std::string> EcdsaRawToDer(std::string_view raw) {
  if (raw.size() != 2 * kP256Coordinate) return std::nullopt;
  BigNum r = ToBigNum(raw.substr(0, kP256Coordinate));
  BigNum s = ToBigNum(raw.substr(kP256Coordinate));
  EcdsaSig sig(ECDSA_SIG_new());
  if (!r || !s || !sig || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) return std::nullopt;
  r.release();  // owned by sig now
  s.release();
  unsigned char* der = nullptr;
  int length = i2d_ECDSA_SIG(sig.get(), &der);
  if (length <= 0) return std::nullopt;
  std::string out(reinterpret_cast<char*>(der), static_cast<std::size_t>(length));
  OPENSSL_free(der);
  return out;
}

}  // namespace

JwsKey JwsKey::Generate(JwsAlg alg) {
  ClearErrorsOnExit clear;
  EVP_PKEY* key = nullptr;
  switch (alg) {
    case JwsAlg::kRS256: key = EVP_RSA_gen(kMinRsaBits); break;
    case JwsAlg::kES256: key = EVP_EC_gen("P-256"); break;
    case JwsAlg::kEdDSA: key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"); break;
  }
  if (!key) Fail("key generation failed");
  return JwsKey(alg, Own(key), true);
}

std::optional<JwsKey> JwsKey::FromPrivateDer(JwsAlg alg, std::string_view der) {
  ClearErrorsOnExit clear;
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  Pkcs8 info(d2i_PKCS8_PRIV_KEY_INFO(nullptr, &p, static_cast<long>(der.size())));
  if (!info || p != reinterpret_cast<const unsigned char*>(der.data() + der.size())) {
    return std::nullopt;
  }
  auto key = Own(EVP_PKCS82PKEY(info.get()));
  if (!key || !IsKeyOf(alg, key.get())) return std::nullopt;
  return JwsKey(alg, std::move(key), true);
}

std::optional<JwsKey> JwsKey::FromPublicJwk(JwsAlg alg, const nlohmann::json& jwk) {
  ClearErrorsOnExit clear;
  if (!jwk.is_object()) return std::nullopt;
  EVP_PKEY* raw = nullptr;
  switch (alg) {
    case JwsAlg::kRS256: raw = RsaFromJwk(jwk); break;
    case JwsAlg::kES256: raw = EcFromJwk(jwk); break;
    case JwsAlg::kEdDSA: raw = Ed25519FromJwk(jwk); break;
  }
  auto key = Own(raw);
  if (!key || !IsKeyOf(alg, key.get())) return std::nullopt;
  return JwsKey(alg, std::move(key), false);
}

std::string JwsKey::PrivateDer() const {
  ClearErrorsOnExit clear;
  if (!has_private_) Fail("a public key has no private part");
  Pkcs8 info(EVP_PKEY2PKCS8(key_.get()));
  unsigned char* der = nullptr;
  int length = info ? i2d_PKCS8_PRIV_KEY_INFO(info.get(), &der) : -1;
  if (length <= 0) Fail("cannot encode a private key");
  std::string out(reinterpret_cast<char*>(der), static_cast<std::size_t>(length));
  OPENSSL_clear_free(der, static_cast<std::size_t>(length));
  return out;
}

nlohmann::json JwsKey::PublicJwk() const {
  ClearErrorsOnExit clear;
  switch (alg_) {
    case JwsAlg::kRS256:
      return {{"kty", "RSA"},
              {"n", core::Base64UrlEncode(BigNumParam(key_.get(), OSSL_PKEY_PARAM_RSA_N))},
              {"e", core::Base64UrlEncode(BigNumParam(key_.get(), OSSL_PKEY_PARAM_RSA_E))}};
    case JwsAlg::kES256:
      return {{"kty", "EC"},
              {"crv", "P-256"},
              {"x", core::Base64UrlEncode(
                        BigNumParam(key_.get(), OSSL_PKEY_PARAM_EC_PUB_X, kP256Coordinate))},
              {"y", core::Base64UrlEncode(
                        BigNumParam(key_.get(), OSSL_PKEY_PARAM_EC_PUB_Y, kP256Coordinate))}};
    case JwsAlg::kEdDSA: {
      std::string x(kEd25519Bytes, '\0');
      std::size_t length = x.size();
      if (EVP_PKEY_get_raw_public_key(key_.get(), reinterpret_cast<unsigned char*>(x.data()),
                                      &length) != 1 ||
          length != kEd25519Bytes) {
        Fail("cannot read an Ed25519 public key");
      }
      return {{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", core::Base64UrlEncode(x)}};
    }
  }
  Fail("unknown algorithm");
}

std::string JwsKey::Sign(std::string_view input) const {
  ClearErrorsOnExit clear;
  if (!has_private_) Fail("a public key cannot sign");
  MdContext context(EVP_MD_CTX_new());
  std::size_t length = 0;
  const auto* data = reinterpret_cast<const unsigned char*>(input.data());
  if (!context ||
      EVP_DigestSignInit(context.get(), nullptr, DigestOf(alg_), nullptr, key_.get()) != 1 ||
      EVP_DigestSign(context.get(), nullptr, &length, data, input.size()) != 1) {
    Fail("cannot start a signature");
  }
  std::string signature(length, '\0');
  if (EVP_DigestSign(context.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                     data, input.size()) != 1) {
    Fail("signing failed");
  }
  signature.resize(length);
  if (alg_ == JwsAlg::kES256) return EcdsaDerToRaw(signature);
  return signature;
}

bool JwsKey::Verify(std::string_view input, std::string_view signature) const {
  ClearErrorsOnExit clear;
  std::string der;
  if (alg_ == JwsAlg::kES256) {
    auto converted = EcdsaRawToDer(signature);
    if (!converted) return false;
    der = std::move(*converted);
    signature = der;
  }
  MdContext context(EVP_MD_CTX_new());
  return context &&
         EVP_DigestVerifyInit(context.get(), nullptr, DigestOf(alg_), nullptr, key_.get()) == 1 &&
         EVP_DigestVerify(context.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                          signature.size(), reinterpret_cast<const unsigned char*>(input.data()),
                          input.size()) == 1;
}

}  // namespace bulkhead::crypto
