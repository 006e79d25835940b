#include "service/oidc_upstream.hpp"

#include <gtest/gtest.h>

#include "core/base64.hpp"
#include "crypto/id_token.hpp"
#include "crypto/jws.hpp"

namespace bulkhead::service {
namespace {

constexpr const char* kIssuer = "https://idp.example.com";
constexpr const char* kRedirect = "https://bulkhead.example.com/sso/oidc/callback";
constexpr int64_t kNowMs = 1'800'000'000'000;

// A provider answered in-process: its discovery document, keys and endpoints, and every request
// Bulkhead made of it.
class FakeProvider final : public OidcHttp {
 public:
  nlohmann::json discovery = {{"issuer", kIssuer},
                              {"authorization_endpoint", "https://idp.example.com/authorize"},
                              {"token_endpoint", "https://idp.example.com/token"},
                              {"jwks_uri", "https://idp.example.com/jwks"},
                              {"userinfo_endpoint", "https://idp.example.com/userinfo"}};
  crypto::JwsKey key = crypto::JwsKey::Generate(crypto::JwsAlg::kRS256);
  std::string kid = "k1";
  nlohmann::json claims = {{"iss", kIssuer},
                           {"sub", "user-1"},
                           {"aud", "bulkhead"},
                           {"nonce", "nonce-1"},
                           {"iat", kNowMs / 1000},
                           {"exp", kNowMs / 1000 + 300},
                           {"email", "a@corp.example"},
                           {"groups", {"eng", "admins"}}};
  nlohmann::json userinfo = {{"sub", "user-1"}, {"email", "from-userinfo@corp.example"}};
  int token_status = 200;
  std::vector<OidcHttpRequest> requests;

  OidcHttpResponse Send(const OidcHttpRequest& request) override {
    requests.push_back(request);
    if (request.url == "https://idp.example.com/.well-known/openid-configuration") {
      return {200, "", discovery.dump()};
    }
    if (request.url == "https://idp.example.com/jwks") {
      nlohmann::json jwk = key.PublicJwk();
      jwk["kid"] = kid;
      return {200, "", nlohmann::json{{"keys", {jwk}}}.dump()};
    }
    if (request.url == "https://idp.example.com/token") {
      if (token_status != 200) {
        return {token_status, "", R"({"error":"invalid_grant","error_description":"used"})"};
      }
      return {200, "", nlohmann::json{{"id_token", IdToken()}, {"access_token", "at-1"}}.dump()};
    }
    if (request.url == "https://idp.example.com/userinfo") return {200, "", userinfo.dump()};
    return {404, "", "{}"};
  }

  std::string IdToken() const {
    std::string alg = key.alg() == crypto::JwsAlg::kES256 ? "ES256" : "RS256";
    std::string input = core::Base64UrlEncode(nlohmann::json{{"alg", alg}, {"kid", kid}}.dump()) +
                        "." + core::Base64UrlEncode(claims.dump());
    return input + "." + core::Base64UrlEncode(key.Sign(input));
  }

  const OidcHttpRequest* Last(const std::string& url) const {
    for (auto it = requests.rbegin(); it != requests.rend(); ++it) {
      if (it->url == url) return &*it;
    }
    return nullptr;
  }

  int Count(const std::string& url) const {
    int n = 0;
    for (const auto& r : requests) n += r.url == url ? 1 : 0;
    return n;
  }
};

struct Fixture {
  FakeProvider* provider = nullptr;
  int64_t now_ms = kNowMs;
  std::unique_ptr<OidcUpstream> upstream;

  Fixture() {
    auto owned = std::make_unique<FakeProvider>();
    provider = owned.get();
    upstream = std::make_unique<OidcUpstream>(OidcUpstreamOptions{}, std::move(owned),
                                              [this] { return now_ms; });
  }
};

OidcClientConfig Client() {
  return {.issuer = kIssuer,
          .client_id = "bulkhead",
          .client_secret = "s3cret:with/odd chars",
          .scopes = {"openid", "email", "profile"}};
}

TEST(OidcUpstream, AuthorizationUrlCarriesCodeFlowPkceAndNonce) {
  Fixture f;
  auto url = f.upstream->AuthorizationUrl(Client(), kRedirect, "state-1", "nonce-1",
                                          "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
  ASSERT_TRUE(url.ok()) << url.error().message;
  EXPECT_EQ(url->rfind("https://idp.example.com/authorize?response_type=code&", 0), 0u) << *url;
  for (const char* part :
       {"client_id=bulkhead",
        "redirect_uri=https%3A%2F%2Fbulkhead.example.com%2Fsso%2Foidc%2Fcallback",
        "scope=openid%20email%20profile", "state=state-1", "nonce=nonce-1",
        "code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        "code_challenge_method=S256"}) {
    EXPECT_NE(url->find(part), std::string::npos) << part << " in " << *url;
  }
}

TEST(OidcUpstream, DiscoveryIsCachedForItsTtl) {
  Fixture f;
  const std::string doc = "https://idp.example.com/.well-known/openid-configuration";
  ASSERT_TRUE(f.upstream->Discover(kIssuer).ok());
  ASSERT_TRUE(f.upstream->Discover(kIssuer).ok());
  EXPECT_EQ(f.provider->Count(doc), 1);
  f.now_ms += OidcUpstreamOptions{}.metadata_ttl_ms;
  ASSERT_TRUE(f.upstream->Discover(kIssuer).ok());
  EXPECT_EQ(f.provider->Count(doc), 2);
}

TEST(OidcUpstream, DiscoveryOfAnotherIssuerIsRefused) {
  Fixture f;
  f.provider->discovery["issuer"] = "https://idp.example.com/";
  auto metadata = f.upstream->Discover(kIssuer);
  ASSERT_FALSE(metadata.ok());
  EXPECT_EQ(metadata.error().code, core::ErrorCode::kUnavailable);
  EXPECT_NE(metadata.error().message.find("issuer"), std::string::npos);
}

TEST(OidcUpstream, EndpointsOnInternalAddressesAreRefusedUnlessAllowed) {
  Fixture f;
  f.provider->discovery["token_endpoint"] = "http://127.0.0.1:8080/token";
  auto metadata = f.upstream->Discover(kIssuer);
  ASSERT_FALSE(metadata.ok());
  EXPECT_NE(metadata.error().message.find("token_endpoint"), std::string::npos);
  f.provider->discovery["token_endpoint"] = "https://169.254.169.254/latest";
  f.now_ms += OidcUpstreamOptions{}.metadata_ttl_ms;
  EXPECT_FALSE(f.upstream->Discover(kIssuer).ok());
}

TEST(OidcUpstream, RedeemsWithBasicAuthAndPkceAndReturnsTheClaims) {
  Fixture f;
  auto identity = f.upstream->Redeem(Client(), kRedirect, "code-1", "nonce-1", "verifier-1");
  ASSERT_TRUE(identity.ok()) << identity.error().message;
  EXPECT_EQ(identity->subject, "user-1");
  EXPECT_EQ(identity->email, "a@corp.example");
  EXPECT_EQ(identity->groups, (std::vector<std::string>{"eng", "admins"}));
  const OidcHttpRequest* token = f.provider->Last("https://idp.example.com/token");
  ASSERT_NE(token, nullptr);
  EXPECT_EQ(token->method, "POST");
  EXPECT_EQ(token->basic_user, "bulkhead");
  EXPECT_EQ(token->basic_password, "s3cret%3Awith%2Fodd%20chars");
  EXPECT_NE(token->form_body.find("grant_type=authorization_code"), std::string::npos);
  EXPECT_NE(token->form_body.find("code=code-1"), std::string::npos);
  EXPECT_NE(token->form_body.find("code_verifier=verifier-1"), std::string::npos);
  EXPECT_EQ(token->form_body.find("client_secret"), std::string::npos);
  EXPECT_EQ(f.provider->Count("https://idp.example.com/userinfo"), 0);  // email was there
}

TEST(OidcUpstream, UsesClientSecretPostWhenThatIsAllTheProviderSupports) {
  Fixture f;
  f.provider->discovery["token_endpoint_auth_methods_supported"] = {"client_secret_post"};
  ASSERT_TRUE(f.upstream->Redeem(Client(), kRedirect, "code-1", "nonce-1", "v").ok());
  const OidcHttpRequest* token = f.provider->Last("https://idp.example.com/token");
  ASSERT_NE(token, nullptr);
  EXPECT_TRUE(token->basic_user.empty());
  EXPECT_NE(token->form_body.find("client_secret=s3cret%3Awith%2Fodd%20chars"), std::string::npos);
}

TEST(OidcUpstream, RefetchesTheKeysOnceWhenTheProviderRotated) {
  Fixture f;
  ASSERT_TRUE(f.upstream->Redeem(Client(), kRedirect, "c", "nonce-1", "v").ok());
  EXPECT_EQ(f.provider->Count("https://idp.example.com/jwks"), 1);
  f.provider->key = crypto::JwsKey::Generate(crypto::JwsAlg::kES256);
  f.provider->kid = "k2";
  auto second = f.upstream->Redeem(Client(), kRedirect, "c", "nonce-1", "v");
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_EQ(f.provider->Count("https://idp.example.com/jwks"), 2);
}

TEST(OidcUpstream, RefusesATokenSignedWithAnUnpublishedKey) {
  // The published set keeps k1's old key; the token is signed by another key under k1.
  Fixture f;
  ASSERT_TRUE(f.upstream->Redeem(Client(), kRedirect, "c", "nonce-1", "v").ok());
  f.provider->key = crypto::JwsKey::Generate(crypto::JwsAlg::kRS256);
  auto result = f.upstream->Redeem(Client(), kRedirect, "c", "nonce-1", "v");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, core::ErrorCode::kVerificationFailed);
}

TEST(OidcUpstream, RefusesAnotherNonceAndReportsAProvidersRefusal) {
  Fixture f;
  auto wrong = f.upstream->Redeem(Client(), kRedirect, "c", "another-nonce", "v");
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.error().message.find("nonce"), std::string::npos);
  f.provider->token_status = 400;
  auto refused = f.upstream->Redeem(Client(), kRedirect, "c", "nonce-1", "v");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, core::ErrorCode::kUnavailable);
  EXPECT_NE(refused.error().message.find("invalid_grant"), std::string::npos);
}

TEST(OidcUpstream, AsksUserinfoWhenTheIdTokenHasNoEmail) {
  Fixture f;
  f.provider->claims.erase("email");
  auto identity = f.upstream->Redeem(Client(), kRedirect, "c", "nonce-1", "v");
  ASSERT_TRUE(identity.ok()) << identity.error().message;
  EXPECT_EQ(identity->email, "from-userinfo@corp.example");
  f.provider->userinfo["sub"] = "someone-else";
  auto mismatch = f.upstream->Redeem(Client(), kRedirect, "c", "nonce-1", "v");
  ASSERT_FALSE(mismatch.ok());
  EXPECT_NE(mismatch.error().message.find("another subject"), std::string::npos);
}

}  // namespace
}  // namespace bulkhead::service
