#include "crypto/jws.hpp"

#include <gtest/gtest.h>

#include "core/base64.hpp"

namespace bulkhead::crypto {
namespace {

constexpr JwsAlg kAlgs[] = {JwsAlg::kRS256, JwsAlg::kES256, JwsAlg::kEdDSA};
constexpr std::string_view kInput = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEifQ";

std::string Decoded(const nlohmann::json& jwk, const char* member) {
  return core::Base64UrlDecode(jwk.at(member).get<std::string>()).value();
}

TEST(Jws, EachAlgorithmSignsAndVerifiesItsOwnSignature) {
  for (JwsAlg alg : kAlgs) {
    JwsKey key = JwsKey::Generate(alg);
    std::string signature = key.Sign(kInput);
    EXPECT_TRUE(key.Verify(kInput, signature));
    std::string tampered(kInput);
    tampered.back() = 'g';
    EXPECT_FALSE(key.Verify(tampered, signature));
    std::string flipped = signature;
    flipped[flipped.size() / 2] ^= 1;
    EXPECT_FALSE(key.Verify(kInput, flipped));
    EXPECT_FALSE(key.Verify(kInput, ""));
    EXPECT_FALSE(JwsKey::Generate(alg).Verify(kInput, signature));  // another key of the alg
  }
}

TEST(Jws, SignatureSizesAreTheJwsOnes) {
  EXPECT_EQ(JwsKey::Generate(JwsAlg::kRS256).Sign(kInput).size(), 256u);
  for (int i = 0; i < 20; ++i) {  // R||S, whatever the DER length OpenSSL produced
    EXPECT_EQ(JwsKey::Generate(JwsAlg::kES256).Sign(kInput).size(), 64u);
  }
  EXPECT_EQ(JwsKey::Generate(JwsAlg::kEdDSA).Sign(kInput).size(), 64u);
}

TEST(Jws, PublicJwkRebuildsAKeyThatVerifies) {
  for (JwsAlg alg : kAlgs) {
    JwsKey key = JwsKey::Generate(alg);
    nlohmann::json jwk = key.PublicJwk();
    auto rebuilt = JwsKey::FromPublicJwk(alg, jwk);
    ASSERT_TRUE(rebuilt.has_value()) << jwk.dump();
    EXPECT_FALSE(rebuilt->has_private());
    EXPECT_TRUE(rebuilt->Verify(kInput, key.Sign(kInput)));
    EXPECT_FALSE(rebuilt->Verify(kInput, JwsKey::Generate(alg).Sign(kInput)));
    EXPECT_EQ(rebuilt->PublicJwk(), jwk);
    for (const auto& [name, value] : jwk.items()) {  // base64url without padding
      EXPECT_EQ(value.get<std::string>().find_first_of("=+/"), std::string::npos) << name;
    }
  }
}

TEST(Jws, PublicJwkMembersAreThoseOfEachKeyType) {
  nlohmann::json rsa = JwsKey::Generate(JwsAlg::kRS256).PublicJwk();
  EXPECT_EQ(rsa.at("kty"), "RSA");
  EXPECT_EQ(Decoded(rsa, "n").size(), 256u);
  EXPECT_EQ(Decoded(rsa, "e"), std::string("\x01\x00\x01", 3));  // 65537, minimal
  EXPECT_EQ(rsa.size(), 3u);
  nlohmann::json ec = JwsKey::Generate(JwsAlg::kES256).PublicJwk();
  EXPECT_EQ(ec.at("kty"), "EC");
  EXPECT_EQ(ec.at("crv"), "P-256");
  EXPECT_EQ(Decoded(ec, "x").size(), 32u);
  EXPECT_EQ(Decoded(ec, "y").size(), 32u);
  EXPECT_EQ(ec.size(), 4u);
  nlohmann::json okp = JwsKey::Generate(JwsAlg::kEdDSA).PublicJwk();
  EXPECT_EQ(okp.at("kty"), "OKP");
  EXPECT_EQ(okp.at("crv"), "Ed25519");
  EXPECT_EQ(Decoded(okp, "x").size(), 32u);
  EXPECT_EQ(okp.size(), 3u);
}

// Known answers from the RFCs: our JWK import, R||S decoding and verification agree with them.
TEST(Jws, VerifiesTheRfcExamples) {
  // RFC 7515 appendix A.3 (ES256).
  auto ec =
      JwsKey::FromPublicJwk(JwsAlg::kES256, {{"kty", "EC"},
                                             {"crv", "P-256"},
                                             {"x", "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU"},
                                             {"y", "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}});
  ASSERT_TRUE(ec.has_value());
  EXPECT_TRUE(
      ec->Verify("eyJhbGciOiJFUzI1NiJ9."
                 "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNv"
                 "bS9pc19yb290Ijp0cnVlfQ",
                 *core::Base64UrlDecode(
                     "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxf"
                     "KTUJqPP3-Kg6NU1Q")));
  // RFC 8037 appendix A.4 (Ed25519).
  auto ed = JwsKey::FromPublicJwk(
      JwsAlg::kEdDSA,
      {{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}});
  ASSERT_TRUE(ed.has_value());
  EXPECT_TRUE(ed->Verify("eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc",
                         *core::Base64UrlDecode("hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijc"
                                                "NR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg")));
}

TEST(Jws, PrivateKeyRoundTripsThroughPkcs8) {
  for (JwsAlg alg : kAlgs) {
    JwsKey key = JwsKey::Generate(alg);
    std::string der = key.PrivateDer();
    auto loaded = JwsKey::FromPrivateDer(alg, der);
    ASSERT_TRUE(loaded.has_value());
    EXPECT_TRUE(loaded->has_private());
    EXPECT_EQ(loaded->PublicJwk(), key.PublicJwk());
    EXPECT_TRUE(key.Verify(kInput, loaded->Sign(kInput)));
    EXPECT_FALSE(JwsKey::FromPrivateDer(alg, der.substr(0, der.size() - 1)).has_value());
    EXPECT_FALSE(JwsKey::FromPrivateDer(alg, der + "x").has_value());
    EXPECT_FALSE(JwsKey::FromPrivateDer(alg, "").has_value());
  }
  // A key of another type is refused, not used under the wrong algorithm.
  std::string ed = JwsKey::Generate(JwsAlg::kEdDSA).PrivateDer();
  EXPECT_FALSE(JwsKey::FromPrivateDer(JwsAlg::kES256, ed).has_value());
  EXPECT_FALSE(JwsKey::FromPrivateDer(JwsAlg::kRS256, ed).has_value());
}

TEST(Jws, MalformedJwksAreRefused) {
  nlohmann::json ec = JwsKey::Generate(JwsAlg::kES256).PublicJwk();
  EXPECT_FALSE(JwsKey::FromPublicJwk(JwsAlg::kRS256, ec).has_value());
  EXPECT_FALSE(JwsKey::FromPublicJwk(JwsAlg::kEdDSA, ec).has_value());
  auto off_curve = ec;
  std::string y = Decoded(ec, "y");
  y.back() ^= 1;
  off_curve["y"] = core::Base64UrlEncode(y);
  EXPECT_FALSE(JwsKey::FromPublicJwk(JwsAlg::kES256, off_curve).has_value());
  auto padded = ec;
  padded["x"] = ec["x"].get<std::string>() + "=";
  EXPECT_FALSE(JwsKey::FromPublicJwk(JwsAlg::kES256, padded).has_value());
  auto other_curve = ec;
  other_curve["crv"] = "P-384";
  EXPECT_FALSE(JwsKey::FromPublicJwk(JwsAlg::kES256, other_curve).has_value());
  EXPECT_FALSE(JwsKey::FromPublicJwk(JwsAlg::kES256, nlohmann::json::array()).has_value());
  // RSA under 2048 bits.
  nlohmann::json rsa = JwsKey::Generate(JwsAlg::kRS256).PublicJwk();
  rsa["n"] = core::Base64UrlEncode(Decoded(rsa, "n").substr(0, 128));
  EXPECT_FALSE(JwsKey::FromPublicJwk(JwsAlg::kRS256, rsa).has_value());
  nlohmann::json ed = JwsKey::Generate(JwsAlg::kEdDSA).PublicJwk();
  ed["x"] = core::Base64UrlEncode(Decoded(ed, "x").substr(0, 31));
  EXPECT_FALSE(JwsKey::FromPublicJwk(JwsAlg::kEdDSA, ed).has_value());
}

}  // namespace
}  // namespace bulkhead::crypto
