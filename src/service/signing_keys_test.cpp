// Token signing keys on a real SQLite catalog: creation at start, signing and verifying, and
// rotation's timeline (published at once, signing after the delay, the old key published until
// its tokens expired), also as another process on the same catalog sees it.

#include "service/signing_keys.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <set>
#include <thread>

#include "core/base64.hpp"
#include "crypto/jws.hpp"
#include "store/migrations.hpp"
#include "store/signing_key_store.hpp"
#include "store/sqlite_database.hpp"

namespace bulkhead::service {
namespace {

namespace fs = std::filesystem;
using core::ErrorCode;

class SigningKeysTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("bulkhead-signing-keys-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "tenants");
    auto opened = store::SqliteDatabase::Open(dir_ / "catalog.db", 4);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    catalog_ = std::move(opened).value();
    {
      auto lease = catalog_->Acquire();
      auto migrated = store::Migrate(*lease, store::CatalogMigrations());
      ASSERT_TRUE(migrated.ok()) << migrated.error().message;
    }
    tenants_ = std::make_unique<store::SqliteTenantDatabases>(*catalog_, dir_ / "tenants", 4);
    env_ = std::make_unique<Environment>(
        Environment{*catalog_, *tenants_, cache_, throttle_, keys_, ServiceConfig{}});
  }
  void TearDown() override {
    env_.reset();
    tenants_.reset();
    catalog_.reset();
    fs::remove_all(dir_);
  }

  std::vector<store::SigningKeyRecord> Rows() {
    auto lease = catalog_->Acquire();
    auto rows = store::signing_keys::All(*lease);
    EXPECT_TRUE(rows.ok());
    return rows.ok() ? *rows : std::vector<store::SigningKeyRecord>{};
  }

  fs::path dir_;
  std::unique_ptr<store::SqliteDatabase> catalog_;
  std::unique_ptr<store::SqliteTenantDatabases> tenants_;
  CatalogCache cache_;
  LoginThrottle throttle_;
  KeyRing keys_{std::string(32, 'k')};
  std::unique_ptr<Environment> env_;
};

nlohmann::json Jwks(SigningKeys& keys) {
  return nlohmann::json::parse(keys.JwksJson()).at("keys");
}

std::set<std::string> Kids(SigningKeys& keys) {
  std::set<std::string> kids;
  for (const auto& jwk : Jwks(keys)) kids.insert(jwk.at("kid").get<std::string>());
  return kids;
}

nlohmann::json Part(const std::string& jws, int index) {
  std::size_t begin = 0;
  for (int i = 0; i < index; ++i) begin = jws.find('.', begin) + 1;
  std::size_t end = jws.find('.', begin);
  return nlohmann::json::parse(*core::Base64UrlDecode(jws.substr(begin, end - begin)));
}

std::string KidOf(const std::string& jws) {
  return Part(jws, 0).at("kid").get<std::string>();
}

const nlohmann::json kClaims = {{"sub", "user-1"}, {"aud", "client-1"}, {"exp", 2000000000}};

TEST_F(SigningKeysTest, EnsureKeysCreatesOneKeyPerAlgorithmOnce) {
  SigningKeys keys(*env_);
  ASSERT_TRUE(keys.EnsureKeys().ok());
  ASSERT_TRUE(keys.EnsureKeys().ok());
  SigningKeys again(*env_);  // a restart
  ASSERT_TRUE(again.EnsureKeys().ok());
  auto rows = Rows();
  ASSERT_EQ(rows.size(), 3u);
  std::set<std::string> algs;
  for (const auto& row : rows) {
    algs.insert(row.alg);
    EXPECT_EQ(row.master_key_id, keys_.master_key_id());
    EXPECT_LE(row.signs_from, row.created_at + 1);
  }
  EXPECT_EQ(algs, (std::set<std::string>{"RS256", "ES256", "EdDSA"}));
  auto jwks = Jwks(keys);
  ASSERT_EQ(jwks.size(), 3u);
  for (const auto& jwk : jwks) {
    EXPECT_EQ(jwk.at("use"), "sig");
    EXPECT_TRUE(algs.count(jwk.at("alg").get<std::string>()));
    EXPECT_FALSE(jwk.contains("d"));  // never a private member
  }
  EXPECT_EQ(Kids(keys), Kids(again));
}

TEST_F(SigningKeysTest, TwoServersStartingTogetherCreateOneKeyPerAlgorithm) {
  SigningKeys a(*env_), b(*env_);
  core::Status first = core::Ok(), second = core::Ok();
  std::thread ta([&] { first = a.EnsureKeys(); });
  std::thread tb([&] { second = b.EnsureKeys(); });
  ta.join();
  tb.join();
  ASSERT_TRUE(first.ok()) << first.error().message;
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_EQ(Rows().size(), 3u);
  EXPECT_EQ(Kids(a), Kids(b));
}

TEST_F(SigningKeysTest, SignedTokensVerifyAndCarryTheHeader) {
  SigningKeys keys(*env_);
  ASSERT_TRUE(keys.EnsureKeys().ok());
  auto jwks = Jwks(keys);
  for (SigningAlg alg : kSigningAlgs) {
    auto jws = keys.Sign(alg, kClaims, "at+jwt");
    ASSERT_TRUE(jws.ok()) << jws.error().message;
    auto header = Part(*jws, 0);
    EXPECT_EQ(header.at("alg"), SigningAlgName(alg));
    EXPECT_EQ(header.at("typ"), "at+jwt");
    EXPECT_EQ(Part(*jws, 1), kClaims);
    auto verified = keys.Verify(*jws);
    ASSERT_TRUE(verified.ok()) << verified.error().message;
    EXPECT_EQ(*verified, kClaims);

    // A relying party's view: the key published under the kid verifies the signature.
    const nlohmann::json* published = nullptr;
    for (const auto& jwk : jwks) {
      if (jwk.at("kid") == header.at("kid")) published = &jwk;
    }
    ASSERT_NE(published, nullptr);
    EXPECT_EQ(published->at("alg"), SigningAlgName(alg));
    std::size_t dot = jws->rfind('.');
    auto rebuilt =
        crypto::JwsKey::FromPublicJwk(alg == SigningAlg::kRS256   ? crypto::JwsAlg::kRS256
                                      : alg == SigningAlg::kES256 ? crypto::JwsAlg::kES256
                                                                  : crypto::JwsAlg::kEdDSA,
                                      *published);
    ASSERT_TRUE(rebuilt.has_value());
    EXPECT_TRUE(rebuilt->Verify(jws->substr(0, dot), *core::Base64UrlDecode(jws->substr(dot + 1))));
  }
  EXPECT_EQ(Part(*keys.Sign(SigningAlg::kRS256, kClaims), 0).at("typ"), "JWT");
}

TEST_F(SigningKeysTest, AnythingButOurOwnUntouchedTokenIsUnauthenticated) {
  SigningKeys keys(*env_);
  ASSERT_TRUE(keys.EnsureKeys().ok());
  std::string jws = *keys.Sign(SigningAlg::kES256, kClaims);
  std::size_t first = jws.find('.'), second = jws.rfind('.');
  auto refused = [&](const std::string& token) {
    auto r = keys.Verify(token);
    return !r.ok() && r.error().code == ErrorCode::kUnauthenticated;
  };
  nlohmann::json more = kClaims;
  more["sub"] = "user-2";
  EXPECT_TRUE(refused(jws.substr(0, first + 1) + core::Base64UrlEncode(more.dump()) +
                      jws.substr(second)));  // another payload under the same signature
  std::string flipped = jws;
  flipped[second + 5] = flipped[second + 5] == 'A' ? 'B' : 'A';
  EXPECT_TRUE(refused(flipped));
  // The same kid claimed with another algorithm, or with none.
  nlohmann::json header = Part(jws, 0);
  for (const char* alg : {"RS256", "EdDSA", "none", "HS256"}) {
    header["alg"] = alg;
    EXPECT_TRUE(refused(core::Base64UrlEncode(header.dump()) + jws.substr(first))) << alg;
  }
  header = Part(jws, 0);
  header["kid"] = "unknown";
  EXPECT_TRUE(refused(core::Base64UrlEncode(header.dump()) + jws.substr(first)));
  header = Part(jws, 0);
  header["crit"] = {"exp"};
  EXPECT_TRUE(refused(core::Base64UrlEncode(header.dump()) + jws.substr(first)));
  for (const std::string& malformed : {std::string(""), std::string("a.b"), std::string("a.b.c.d"),
                                       jws + ".", jws.substr(0, second), std::string("..")}) {
    EXPECT_TRUE(refused(malformed)) << malformed;
  }
  EXPECT_TRUE(refused(std::string(100 * 1024, 'a') + "." + jws));

  // A signature by a key that is not ours, under our kid.
  crypto::JwsKey stranger = crypto::JwsKey::Generate(crypto::JwsAlg::kES256);
  std::string input = jws.substr(0, second);
  EXPECT_TRUE(refused(input + "." + core::Base64UrlEncode(stranger.Sign(input))));
}

TEST_F(SigningKeysTest, ARotatedKeyIsPublishedAtOnceAndSignsAfterTheDelay) {
  SigningKeys keys(*env_);
  ASSERT_TRUE(keys.EnsureKeys().ok());
  std::string old_kid = KidOf(*keys.Sign(SigningAlg::kRS256, kClaims));
  auto rotated = keys.Rotate(SigningAlg::kRS256, 3600LL * 1000);
  ASSERT_TRUE(rotated.ok()) << rotated.error().message;
  std::string new_kid = rotated->at("kid");
  EXPECT_EQ(rotated->at("alg"), "RS256");
  EXPECT_NE(new_kid, old_kid);
  auto kids = Kids(keys);
  EXPECT_EQ(kids.size(), 4u);
  EXPECT_TRUE(kids.count(new_kid));
  EXPECT_TRUE(kids.count(old_kid));
  EXPECT_EQ(KidOf(*keys.Sign(SigningAlg::kRS256, kClaims)), old_kid);  // not before its time
  // Another process on the same catalog (a second server) agrees after its reload.
  SigningKeys other(*env_);
  EXPECT_TRUE(Kids(other).count(new_kid));
  EXPECT_EQ(KidOf(*other.Sign(SigningAlg::kRS256, kClaims)), old_kid);
  EXPECT_FALSE(keys.Rotate(SigningAlg::kRS256, -1).ok());
}

TEST_F(SigningKeysTest, WithoutDelayTheNewKeySignsAndTheOldOneVerifiesUntilItsTokensExpired) {
  SigningKeys keys(*env_, {.max_token_lifetime_ms = 1500, .reload_ms = 100});
  ASSERT_TRUE(keys.EnsureKeys().ok());
  std::string old_token = *keys.Sign(SigningAlg::kEdDSA, kClaims);
  std::string old_kid = KidOf(old_token);
  auto rotated = keys.Rotate(SigningAlg::kEdDSA, 0);
  ASSERT_TRUE(rotated.ok());
  std::string new_kid = rotated->at("kid");
  std::string new_token = *keys.Sign(SigningAlg::kEdDSA, kClaims);
  EXPECT_EQ(KidOf(new_token), new_kid);
  EXPECT_TRUE(keys.Verify(old_token).ok());
  EXPECT_TRUE(Kids(keys).count(old_kid));
  // Its retirement is recorded (by the reload that saw it).
  bool recorded = false;
  for (const auto& row : Rows()) recorded = recorded || (row.kid == old_kid && row.retired_at);
  EXPECT_TRUE(recorded);
  // The other algorithms' keys are untouched.
  EXPECT_EQ(Kids(keys).size(), 4u);

  std::this_thread::sleep_for(std::chrono::milliseconds(1700));
  auto kids = Kids(keys);
  EXPECT_FALSE(kids.count(old_kid));
  EXPECT_TRUE(kids.count(new_kid));
  EXPECT_EQ(kids.size(), 3u);
  EXPECT_FALSE(keys.Verify(old_token).ok());
  EXPECT_TRUE(keys.Verify(new_token).ok());
}

TEST_F(SigningKeysTest, AnotherProcesssRotationReachesARunningServerWithinTheReloadInterval) {
  SigningKeys server(*env_, {.reload_ms = 100});
  ASSERT_TRUE(server.EnsureKeys().ok());
  SigningKeys cli(*env_);
  auto rotated = cli.Rotate(SigningAlg::kES256, 0);
  ASSERT_TRUE(rotated.ok());
  std::string kid = rotated->at("kid");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (!Kids(server).count(kid) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(Kids(server).count(kid));
  EXPECT_EQ(KidOf(*server.Sign(SigningAlg::kES256, kClaims)), kid);
}

TEST_F(SigningKeysTest, PrivateKeysAreSealedByTheMasterKeyAndBoundToTheirKid) {
  SigningKeys keys(*env_);
  ASSERT_TRUE(keys.EnsureKeys().ok());
  std::string token = *keys.Sign(SigningAlg::kRS256, kClaims);
  for (const auto& row : Rows()) {
    auto sealed = core::Base64UrlDecode(row.sealed_private);
    ASSERT_TRUE(sealed.has_value());
    // The PKCS#8 header of a private key never appears in the clear.
    EXPECT_EQ(sealed->find(std::string("\x30\x82", 2) + "\x01"), std::string::npos);
    EXPECT_FALSE(keys_.OpenUnderMaster(row.sealed_private, row.master_key_id, "another kid").ok());
  }
  // A server given another master key cannot sign (and says so at start), but still
  // verifies and publishes: the public keys are not secret.
  KeyRing stranger(std::string(32, 's'));
  Environment env{*catalog_, *tenants_, cache_, throttle_, stranger, ServiceConfig{}};
  SigningKeys other(env);
  auto ensured = other.EnsureKeys();
  ASSERT_FALSE(ensured.ok());
  EXPECT_NE(ensured.error().message.find("master key"), std::string::npos);
  EXPECT_FALSE(other.Sign(SigningAlg::kRS256, kClaims).ok());
  EXPECT_TRUE(other.Verify(token).ok());
  EXPECT_EQ(Kids(other), Kids(keys));
  // During a master rotation the previous master still opens them.
  KeyRing rotating(std::string(32, 'n'), {std::string(32, 'k')});
  Environment env2{*catalog_, *tenants_, cache_, throttle_, rotating, ServiceConfig{}};
  SigningKeys during(env2);
  EXPECT_TRUE(during.EnsureKeys().ok());
  EXPECT_TRUE(during.Sign(SigningAlg::kEdDSA, kClaims).ok());
}

}  // namespace
}  // namespace bulkhead::service
