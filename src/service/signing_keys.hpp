#pragma once
// The keys that sign the tokens this server issues (RS256, ES256, EdDSA), and the JWKS that
// publishes them. Rules (docs/oidc.md, "Signing keys and rotation"):
// - a key is published (in the JWKS) from its creation, and signs from `signs_from`, so that
//   relying parties can fetch it before they meet a token it signed;
// - for each algorithm the signing key is the newest whose signs_from has come; an older key
//   stops signing then (it is retired) and stays published max_token_lifetime_ms longer, until
//   every token it signed has expired;
// - private keys are sealed by the master key, bound to their kid.
// The keys live in memory as an immutable snapshot, swapped whole; a background thread reloads
// it from the catalog every reload_ms, so that a rotation by another process (the CLI) reaches
// a running server within about a second. Sign and Verify never touch the database.
// Thread-safety: thread-safe; Sign, Verify and JwksJson take no lock.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.hpp"
#include "crypto/jws.hpp"
#include "service/environment.hpp"
#include "store/signing_key_store.hpp"

namespace bulkhead::service {

enum class SigningAlg { kRS256, kES256, kEdDSA };
inline constexpr SigningAlg kSigningAlgs[] = {SigningAlg::kRS256, SigningAlg::kES256,
                                              SigningAlg::kEdDSA};
std::string_view SigningAlgName(SigningAlg alg);  // "RS256" | "ES256" | "EdDSA"
std::optional<SigningAlg> ParseSigningAlg(std::string_view name);

struct SigningKeyConfig {
  int64_t max_token_lifetime_ms = 3600LL * 1000;  // a retired key stays published this long
  int64_t reload_ms = 1000;                       // another process's rotation is seen this fast
};

class SigningKeys {
 public:
  SigningKeys(Environment& env, SigningKeyConfig config = {});
  ~SigningKeys();  // stops the reloading thread
  SigningKeys(const SigningKeys&) = delete;
  SigningKeys& operator=(const SigningKeys&) = delete;

  // At serve start: one key per algorithm that has none, signing at once. Two servers starting
  // together create one key each way (the check and the insert share a write transaction).
  core::Status EnsureKeys();
  // Compact JWS of `claims` (an object) with header {alg, kid, typ}, by the algorithm's
  // current signing key.
  core::Result<std::string> Sign(SigningAlg alg, const nlohmann::json& claims,
                                 std::string_view typ = "JWT");
  // The claims of a JWS signed by one of our published keys (signature only: the caller checks
  // exp, iss, aud). kUnauthenticated when malformed or not verifiable.
  core::Result<nlohmann::json> Verify(std::string_view jws);
  std::string JwksJson();  // {"keys":[...]} every published key (public JWK with kid, alg, use)
  // Adds a key of `alg`, published at once, signing from now + publish_delay_ms. Its
  // description: {kid, alg, published_at, signs_from} (RFC 3339).
  core::Result<nlohmann::json> Rotate(SigningAlg alg, int64_t publish_delay_ms);
  // Reads the catalog now instead of at the next reload (after a change made elsewhere).
  core::Status Reload();
  // A master key rotation's share: every signing key not sealed by the current master is
  // opened (with a previous one) and sealed again by it. The number resealed.
  static core::Result<int64_t> ResealUnderMaster(Environment& env);

 private:
  struct Key {
    std::string kid;
    SigningAlg alg = SigningAlg::kRS256;
    // With its private part when the master key opens it; public only otherwise (it verifies
    // and is published, but never signs).
    std::shared_ptr<const crypto::JwsKey> jws;
    std::string jwk_json;  // the published JWK, with kid, alg and use
    int64_t created_at = 0;
    int64_t signs_from = 0;
    std::optional<int64_t> retired_at;  // as stored
  };
  // Every key, sorted by algorithm then signs_from (then created_at, kid).
  struct Snapshot {
    std::vector<Key> keys;
  };
  struct State {  // what one key is at a given time
    bool signs = false;
    std::optional<int64_t> retired_at;
    bool published = false;
  };

  std::shared_ptr<const Snapshot> Current();
  // The state of snapshot.keys[i] at `now`.
  State StateAt(const Snapshot& snapshot, std::size_t i, int64_t now) const;
  core::Result<std::shared_ptr<const Snapshot>> Load(const Snapshot* previous);
  bool Decode(const store::SigningKeyRecord& row, SigningAlg alg, Key& key) const;
  core::Status Insert(SigningAlg alg, int64_t signs_from, bool only_if_none, std::string& kid);
  void StartReloading();
  void ReloadLoop(std::stop_token stop);

  Environment& env_;
  SigningKeyConfig config_;
  std::atomic<std::shared_ptr<const Snapshot>> snapshot_;
  std::mutex load_mu_;  // one load at a time, so that a decoded key is reused, not decoded twice
  std::once_flag reloading_started_;
  std::mutex wake_mu_;
  std::condition_variable_any wake_;
  std::jthread reloader_;  // last: stopped and joined first
};

}  // namespace bulkhead::service
