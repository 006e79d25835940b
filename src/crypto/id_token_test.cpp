#include "crypto/id_token.hpp"

#include <gtest/gtest.h>

#include "core/base64.hpp"
#include "crypto/jws.hpp"

namespace bulkhead::crypto {
namespace {

constexpr int64_t kNow = 1'800'000'000;

IdTokenRules Rules() {
  return {.issuer = "https://idp.example.com",
          .client_id = "bulkhead",
          .nonce = "n-0S6_WzA2Mj",
          .now_s = kNow};
}

nlohmann::json Claims() {
  return {{"iss", "https://idp.example.com"}, {"sub", "248289761001"}, {"aud", "bulkhead"},
          {"nonce", "n-0S6_WzA2Mj"},          {"iat", kNow - 10},      {"exp", kNow + 300},
          {"email", "jane@example.com"}};
}

std::string AlgName(JwsAlg alg) {
  switch (alg) {
    case JwsAlg::kRS256: return "RS256";
    case JwsAlg::kES256: return "ES256";
    case JwsAlg::kEdDSA: return "EdDSA";
  }
  return "";
}

std::string Part(const nlohmann::json& json) {
  return core::Base64UrlEncode(json.dump());
}

std::string Sign(const JwsKey& key, const std::string& kid, const nlohmann::json& claims) {
  std::string input =
      Part({{"alg", AlgName(key.alg())}, {"kid", kid}, {"typ", "JWT"}}) + "." + Part(claims);
  return input + "." + core::Base64UrlEncode(key.Sign(input));
}

nlohmann::json Jwks(const JwsKey& key, const std::string& kid) {
  nlohmann::json jwk = key.PublicJwk();
  jwk["kid"] = kid;
  jwk["use"] = "sig";
  jwk["alg"] = AlgName(key.alg());
  return {{"keys", nlohmann::json::array({jwk})}};
}

std::string ErrorOf(const core::Result<nlohmann::json>& result) {
  return result.ok() ? std::string("(accepted)") : result.error().message;
}

TEST(IdToken, AcceptsRs256Es256AndEdDsaSignedByTheirKeys) {
  for (JwsAlg alg : {JwsAlg::kRS256, JwsAlg::kES256, JwsAlg::kEdDSA}) {
    JwsKey key = JwsKey::Generate(alg);
    auto claims = VerifyIdToken(Sign(key, "k1", Claims()), Jwks(key, "k1"), Rules());
    ASSERT_TRUE(claims.ok()) << AlgName(alg) << ": " << ErrorOf(claims);
    EXPECT_EQ((*claims)["sub"], "248289761001");
    EXPECT_EQ((*claims)["email"], "jane@example.com");
  }
}

TEST(IdToken, RefusesASignatureOfAnotherKeyUnderTheSameKid) {
  JwsKey published = JwsKey::Generate(JwsAlg::kRS256);
  JwsKey attacker = JwsKey::Generate(JwsAlg::kRS256);
  auto jws = ParseCompactJws(Sign(attacker, "k1", Claims()));
  ASSERT_TRUE(jws.ok());
  EXPECT_EQ(VerifyWithJwks(*jws, Jwks(published, "k1")), SignatureCheck::kInvalid);
  auto result = VerifyIdToken(Sign(attacker, "k1", Claims()), Jwks(published, "k1"), Rules());
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, core::ErrorCode::kVerificationFailed);
}

TEST(IdToken, AnUnknownKidIsNoKeySoTheCallerMayRefetch) {
  JwsKey key = JwsKey::Generate(JwsAlg::kES256);
  auto jws = ParseCompactJws(Sign(key, "new-key", Claims()));
  ASSERT_TRUE(jws.ok());
  EXPECT_EQ(VerifyWithJwks(*jws, Jwks(key, "old-key")), SignatureCheck::kNoKey);
  EXPECT_EQ(VerifyWithJwks(*jws, nlohmann::json::object()), SignatureCheck::kNoKey);
  EXPECT_EQ(VerifyWithJwks(*jws, Jwks(key, "new-key")), SignatureCheck::kValid);
}

TEST(IdToken, AKeyOfAnotherTypeOrAlgIsNotTried) {
  JwsKey rsa = JwsKey::Generate(JwsAlg::kRS256);
  JwsKey ec = JwsKey::Generate(JwsAlg::kES256);
  auto jws = ParseCompactJws(Sign(rsa, "k1", Claims()));
  ASSERT_TRUE(jws.ok());
  EXPECT_EQ(VerifyWithJwks(*jws, Jwks(ec, "k1")), SignatureCheck::kNoKey);
  nlohmann::json encryption_key = Jwks(rsa, "k1");
  encryption_key["keys"][0]["use"] = "enc";
  EXPECT_EQ(VerifyWithJwks(*jws, encryption_key), SignatureCheck::kNoKey);
}

TEST(IdToken, RefusesAlgNoneAndHmacWithThePublicKeyAsSecret) {
  JwsKey key = JwsKey::Generate(JwsAlg::kRS256);
  nlohmann::json jwks = Jwks(key, "k1");
  std::string none = Part({{"alg", "none"}, {"kid", "k1"}}) + "." + Part(Claims()) + ".";
  auto parsed = ParseCompactJws(none);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(VerifyWithJwks(*parsed, jwks), SignatureCheck::kAlgRefused);
  EXPECT_NE(ErrorOf(VerifyIdToken(none, jwks, Rules())).find("alg none"), std::string::npos);
  // The classic confusion: HS256 keyed with the provider's public key, which everyone has.
  std::string hs = Part({{"alg", "HS256"}, {"kid", "k1"}}) + "." + Part(Claims()) + "." +
                   core::Base64UrlEncode(std::string(32, 'x'));
  auto hs_parsed = ParseCompactJws(hs);
  ASSERT_TRUE(hs_parsed.ok());
  EXPECT_EQ(VerifyWithJwks(*hs_parsed, jwks), SignatureCheck::kAlgRefused);
  EXPECT_FALSE(VerifyIdToken(hs, jwks, Rules()).ok());
}

TEST(IdToken, RefusesTamperedClaimsUnderAValidSignature) {
  JwsKey key = JwsKey::Generate(JwsAlg::kES256);
  std::string token = Sign(key, "k1", Claims());
  auto dot = token.find('.');
  auto second = token.find('.', dot + 1);
  nlohmann::json changed = Claims();
  changed["sub"] = "someone-else";
  std::string tampered = token.substr(0, dot + 1) + Part(changed) + token.substr(second);
  EXPECT_NE(ErrorOf(VerifyIdToken(tampered, Jwks(key, "k1"), Rules())).find("signature"),
            std::string::npos);
}

TEST(IdToken, ChecksEachRequiredClaim) {
  JwsKey key = JwsKey::Generate(JwsAlg::kRS256);
  nlohmann::json jwks = Jwks(key, "k1");
  auto with = [&](const char* name, nlohmann::json value) {
    nlohmann::json claims = Claims();
    if (value.is_null()) {
      claims.erase(name);
    } else {
      claims[name] = std::move(value);
    }
    return ErrorOf(VerifyIdToken(Sign(key, "k1", claims), jwks, Rules()));
  };
  EXPECT_NE(with("iss", "https://idp.example.com/").find("iss"), std::string::npos);
  EXPECT_NE(with("iss", nullptr).find("iss"), std::string::npos);
  EXPECT_NE(with("aud", "another-client").find("aud"), std::string::npos);
  EXPECT_NE(with("aud", nlohmann::json::array({"a", "b"})).find("aud"), std::string::npos);
  EXPECT_NE(with("exp", kNow - 61).find("expired"), std::string::npos);
  EXPECT_NE(with("exp", nullptr).find("exp"), std::string::npos);
  EXPECT_NE(with("iat", kNow + 120).find("iat"), std::string::npos);
  EXPECT_NE(with("iat", nullptr).find("iat"), std::string::npos);
  EXPECT_NE(with("nbf", kNow + 120).find("nbf"), std::string::npos);
  EXPECT_NE(with("nonce", "another-nonce").find("nonce"), std::string::npos);
  EXPECT_NE(with("nonce", nullptr).find("nonce"), std::string::npos);
  EXPECT_NE(with("sub", "").find("sub"), std::string::npos);
  EXPECT_NE(with("sub", std::string(256, 's')).find("sub"), std::string::npos);
  // Within the skew: accepted.
  EXPECT_EQ(with("exp", kNow - 30), "(accepted)");
  EXPECT_EQ(with("iat", kNow + 30), "(accepted)");
}

TEST(IdToken, SeveralAudiencesNeedAnAzpNamingUs) {
  JwsKey key = JwsKey::Generate(JwsAlg::kRS256);
  nlohmann::json claims = Claims();
  claims["aud"] = {"bulkhead", "another-api"};
  EXPECT_NE(ErrorOf(VerifyIdToken(Sign(key, "k1", claims), Jwks(key, "k1"), Rules())).find("azp"),
            std::string::npos);
  claims["azp"] = "bulkhead";
  EXPECT_TRUE(VerifyIdToken(Sign(key, "k1", claims), Jwks(key, "k1"), Rules()).ok());
  claims["aud"] = "bulkhead";
  claims["azp"] = "another-client";
  EXPECT_FALSE(VerifyIdToken(Sign(key, "k1", claims), Jwks(key, "k1"), Rules()).ok());
}

TEST(IdToken, RefusesWhatIsNotACompactJws) {
  EXPECT_FALSE(ParseCompactJws("").ok());
  EXPECT_FALSE(ParseCompactJws("a.b").ok());
  EXPECT_FALSE(ParseCompactJws("a.b.c.d.e").ok());  // a JWE
  EXPECT_FALSE(ParseCompactJws("!!.e30.").ok());
  EXPECT_FALSE(ParseCompactJws(Part({1, 2}) + "." + Part({{"sub", "x"}}) + ".").ok());
  EXPECT_FALSE(ParseCompactJws(std::string(kMaxIdTokenBytes + 1, 'a')).ok());
}

TEST(IdToken, PkceS256IsRfc7636sExample) {
  // RFC 7636 appendix B.
  EXPECT_EQ(PkceS256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

}  // namespace
}  // namespace bulkhead::crypto
