// The OpenID Provider's metadata as a relying party fetches it: the discovery document names
// --public-url whatever Host a request carries, the JWKS publishes one key per algorithm with
// a sane cache lifetime, and `bulkhead keys rotate-signing` run against a live server's data
// reaches its JWKS within about a second.

#include <chrono>
#include <set>
#include <thread>

#include "integration/harness.hpp"

namespace bulkhead::testing {
namespace {

std::set<std::string> Kids(const HttpResponse& jwks) {
  std::set<std::string> kids;
  for (const auto& key : jwks.json.at("keys")) kids.insert(key.at("kid").get<std::string>());
  return kids;
}

HttpResponse GetJwks(const HttpClient& client) {
  auto r = client.Request("GET", "/.well-known/jwks.json");
  // Served as application/jwk-set+json: the harness parses only JSON types, so parse here.
  r.json = Json::parse(r.body, nullptr, false);
  return r;
}

TEST(OidcDiscovery, NamesThePublicUrlWhateverTheHostHeader) {
  ServerProcess server({"--public-url", "https://id.example.test/"});
  for (const std::string& host : {std::string("evil.example.org"), std::string("localhost")}) {
    auto r = server.client().Request("GET", "/.well-known/openid-configuration", std::nullopt,
                                     {{"Host", host}});
    ASSERT_EQ(r.status, 200) << r.body;
    const Json& d = r.json;
    EXPECT_EQ(d.at("issuer"), "https://id.example.test");
    EXPECT_EQ(d.at("authorization_endpoint"), "https://id.example.test/oauth2/authorize");
    EXPECT_EQ(d.at("token_endpoint"), "https://id.example.test/oauth2/token");
    EXPECT_EQ(d.at("userinfo_endpoint"), "https://id.example.test/oauth2/userinfo");
    EXPECT_EQ(d.at("jwks_uri"), "https://id.example.test/.well-known/jwks.json");
    EXPECT_EQ(d.at("revocation_endpoint"), "https://id.example.test/oauth2/revoke");
    EXPECT_EQ(d.at("introspection_endpoint"), "https://id.example.test/oauth2/introspect");
    EXPECT_EQ(d.at("end_session_endpoint"), "https://id.example.test/oauth2/logout");
    EXPECT_EQ(d.at("response_types_supported"), Json({"code"}));
    EXPECT_EQ(d.at("grant_types_supported"), Json({"authorization_code", "refresh_token"}));
    EXPECT_EQ(d.at("subject_types_supported"), Json({"public"}));
    EXPECT_EQ(d.at("id_token_signing_alg_values_supported"), Json({"RS256", "ES256", "EdDSA"}));
    EXPECT_EQ(d.at("token_endpoint_auth_methods_supported"),
              Json({"client_secret_basic", "client_secret_post", "none"}));
    EXPECT_EQ(d.at("code_challenge_methods_supported"), Json({"S256"}));
    EXPECT_EQ(d.at("scopes_supported"),
              Json({"openid", "profile", "email", "organization", "offline_access"}));
    EXPECT_EQ(d.at("prompt_values_supported"), Json({"none", "login", "select_account"}));
    EXPECT_EQ(d.at("authorization_response_iss_parameter_supported"), true);
    EXPECT_EQ(d.at("request_parameter_supported"), false);
    for (const char* claim :
         {"sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "sid", "email", "email_verified",
          "name", "org_id", "org_slug", "org_role", "permissions"}) {
      EXPECT_NE(std::find(d.at("claims_supported").begin(), d.at("claims_supported").end(), claim),
                d.at("claims_supported").end())
          << claim;
    }
  }
  // The document is not part of the JSON API's contract.
  auto openapi = server.client().Request("GET", "/openapi.json");
  EXPECT_FALSE(openapi.json.at("paths").contains("/.well-known/openid-configuration"));
  EXPECT_FALSE(openapi.json.at("paths").contains("/.well-known/jwks.json"));
}

TEST(OidcDiscovery, TheJwksPublishesOneKeyPerAlgorithmForMinutes) {
  ServerProcess server;
  auto r = GetJwks(server.client());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("cache-control"), "public, max-age=300");
  EXPECT_EQ(r.Header("content-type").rfind("application/jwk-set+json", 0), 0u);
  const Json& keys = r.json.at("keys");
  ASSERT_EQ(keys.size(), 3u) << r.body;
  std::map<std::string, std::string> kty_of_alg;
  for (const auto& key : keys) {
    EXPECT_EQ(key.at("use"), "sig");
    EXPECT_FALSE(key.at("kid").get<std::string>().empty());
    for (const char* secret : {"d", "p", "q", "dp", "dq", "qi"}) EXPECT_FALSE(key.contains(secret));
    kty_of_alg[key.at("alg")] = key.at("kty");
  }
  EXPECT_EQ(kty_of_alg, (std::map<std::string, std::string>{
                            {"RS256", "RSA"}, {"ES256", "EC"}, {"EdDSA", "OKP"}}));
  EXPECT_EQ(Kids(r).size(), 3u);

  // A restart keeps the keys (tokens signed before it still verify); a second instance on the
  // same storage publishes the same ones.
  ASSERT_EQ(server.Stop(), 0);
  server.Start();
  EXPECT_EQ(Kids(GetJwks(server.client())), Kids(r));
  ServerProcess sibling(ServerProcess::SameStorageAs{server});
  EXPECT_EQ(Kids(GetJwks(sibling.client())), Kids(r));
}

class SigningKeyRotationTest : public ServerTest<SigningKeyRotationTest> {
 protected:
  // Polls the JWKS until it holds `kid` (a rotation by another process is seen within ~1 s).
  bool Published(const std::string& kid, std::chrono::milliseconds within) {
    auto deadline = std::chrono::steady_clock::now() + within;
    do {
      if (Kids(GetJwks(client())).count(kid)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    } while (std::chrono::steady_clock::now() < deadline);
    return false;
  }
};

TEST_F(SigningKeyRotationTest, TheCliAddsAKeyThatARunningServerPublishesWithinSeconds) {
  auto before = Kids(GetJwks(client()));
  auto r = RunCli({"keys", "rotate-signing", "--alg", "ES256"}, server());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json printed = Json::parse(r.out, nullptr, false);
  ASSERT_TRUE(printed.is_object()) << r.out;
  ASSERT_EQ(printed.at("keys").size(), 1u);
  const Json& key = printed["keys"][0];
  EXPECT_EQ(key.at("alg"), "ES256");
  std::string kid = key.at("kid");
  EXPECT_FALSE(before.count(kid));
  EXPECT_TRUE(Published(kid, std::chrono::seconds(3)));
  // The default delay: an hour between publishing and signing.
  EXPECT_NE(key.at("published_at"), key.at("signs_from"));
  auto after = Kids(GetJwks(client()));
  for (const auto& old : before) EXPECT_TRUE(after.count(old)) << old;  // still published
}

TEST_F(SigningKeyRotationTest, EveryAlgorithmAtOnceAndBadArgumentsChangeNothing) {
  auto r = RunCli({"keys", "rotate-signing", "--signing-key-publish-delay", "0"}, server());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json printed = Json::parse(r.out, nullptr, false);
  ASSERT_EQ(printed.at("keys").size(), 3u) << r.out;
  std::set<std::string> algs;
  for (const auto& key : printed["keys"]) {
    algs.insert(key.at("alg").get<std::string>());
    EXPECT_EQ(key.at("published_at"), key.at("signs_from"));
    EXPECT_TRUE(Published(key.at("kid"), std::chrono::seconds(3)));
  }
  EXPECT_EQ(algs, (std::set<std::string>{"RS256", "ES256", "EdDSA"}));
  EXPECT_EQ(Kids(GetJwks(client())).size(), 6u);  // the old keys stay until their tokens expired

  for (const std::vector<std::string>& bad :
       {std::vector<std::string>{"keys", "rotate-signing", "--alg", "HS256"},
        std::vector<std::string>{"keys", "rotate-signing", "--signing-key-publish-delay", "-5"}}) {
    auto refused = RunCli(bad, server());
    EXPECT_NE(refused.exit_code, 0) << refused.out;
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(Kids(GetJwks(client())).size(), 6u);
}

}  // namespace
}  // namespace bulkhead::testing
