#include "service/signing_keys.hpp"

#include <sodium.h>

#include <algorithm>

#include "core/base64.hpp"
#include "core/time.hpp"
#include "crypto/token.hpp"
#include "store/signing_key_store.hpp"

namespace bulkhead::service {

using core::Error;

namespace {

constexpr std::size_t kMaxJwsBytes = 64 * 1024;

crypto::JwsAlg JwsAlgOf(SigningAlg alg) {
  switch (alg) {
    case SigningAlg::kRS256: return crypto::JwsAlg::kRS256;
    case SigningAlg::kES256: return crypto::JwsAlg::kES256;
    case SigningAlg::kEdDSA: return crypto::JwsAlg::kEdDSA;
  }
  return crypto::JwsAlg::kRS256;
}

// The associated data of a sealed private key: opened under another kid, it fails.
std::string SealAssociatedData(std::string_view kid) {
  return "bulkhead/signing-key/v1|" + std::string(kid);
}

Error Unverifiable(std::string why) {
  return Error::Make(core::ErrorCode::kUnauthenticated, std::move(why));
}

// A base64url JSON object, or nullopt.
std::optional<nlohmann::json> DecodeObject(std::string_view part) {
  auto bytes = core::Base64UrlDecode(part);
  if (!bytes) return std::nullopt;
  auto object = nlohmann::json::parse(*bytes, nullptr, /*allow_exceptions=*/false);
  if (!object.is_object()) return std::nullopt;
  return object;
}

// The secret bytes of a private key are wiped when they go out of scope.
struct WipedString {
  std::string bytes;
  ~WipedString() { sodium_memzero(bytes.data(), bytes.size()); }
};

}  // namespace

std::string_view SigningAlgName(SigningAlg alg) {
  switch (alg) {
    case SigningAlg::kRS256: return "RS256";
    case SigningAlg::kES256: return "ES256";
    case SigningAlg::kEdDSA: return "EdDSA";
  }
  return "RS256";
}

std::optional<SigningAlg> ParseSigningAlg(std::string_view name) {
  for (SigningAlg alg : kSigningAlgs) {
    if (SigningAlgName(alg) == name) return alg;
  }
  return std::nullopt;
}

SigningKeys::SigningKeys(Environment& env, SigningKeyConfig config) : env_(env), config_(config) {}

SigningKeys::~SigningKeys() {
  if (reloader_.joinable()) {
    reloader_.request_stop();
    reloader_.join();
  }
}

SigningKeys::State SigningKeys::StateAt(const Snapshot& snapshot, std::size_t i,
                                        int64_t now) const {
  const Key& key = snapshot.keys[i];
  State state;
  // A key stops signing when the next key of its algorithm starts (or when marked retired).
  state.retired_at = key.retired_at;
  if (i + 1 < snapshot.keys.size() && snapshot.keys[i + 1].alg == key.alg &&
      snapshot.keys[i + 1].signs_from <= now) {
    int64_t successor = snapshot.keys[i + 1].signs_from;
    state.retired_at = std::min(state.retired_at.value_or(successor), successor);
  }
  bool retired = state.retired_at && *state.retired_at <= now;
  state.signs = key.signs_from <= now && !retired;
  state.published = !retired || *state.retired_at + config_.max_token_lifetime_ms > now;
  return state;
}

// A row's key, decoded: with its private part when the master key opens it, public only
// otherwise (it still verifies and stays published, but never signs here). False when the row
// holds no usable key at all.
bool SigningKeys::Decode(const store::SigningKeyRecord& row, SigningAlg alg, Key& key) const {
  try {
    if (env_.keys.has_master()) {
      auto der = env_.keys.OpenUnderMaster(row.sealed_private, row.master_key_id,
                                           SealAssociatedData(row.kid));
      if (der.ok()) {
        WipedString wiped{std::move(*der)};
        if (auto loaded = crypto::JwsKey::FromPrivateDer(JwsAlgOf(alg), wiped.bytes)) {
          key.jws = std::make_shared<const crypto::JwsKey>(std::move(*loaded));
        }
      }
    }
    if (!key.jws) {
      auto jwk = nlohmann::json::parse(row.public_jwk, nullptr, /*allow_exceptions=*/false);
      auto loaded = crypto::JwsKey::FromPublicJwk(JwsAlgOf(alg), jwk);
      if (!loaded) return false;
      key.jws = std::make_shared<const crypto::JwsKey>(std::move(*loaded));
    }
    nlohmann::json jwk = key.jws->PublicJwk();
    jwk["kid"] = key.kid;
    jwk["alg"] = SigningAlgName(alg);
    jwk["use"] = "sig";
    key.jwk_json = jwk.dump();
    return true;
  } catch (const std::exception&) {  // OpenSSL failing on a key it built: skip the row
    key.jws = nullptr;
    return false;
  }
}

core::Result<std::shared_ptr<const SigningKeys::Snapshot>> SigningKeys::Load(
    const Snapshot* previous) {
  std::vector<store::SigningKeyRecord> rows;
  {
    auto lease = env_.catalog.Acquire();
    auto all = store::signing_keys::All(*lease);
    if (!all.ok()) return all.error();
    rows = std::move(*all);
  }
  auto snapshot = std::make_shared<Snapshot>();
  for (auto& row : rows) {
    auto alg = ParseSigningAlg(row.alg);
    if (!alg) continue;  // the table's CHECK allows no other
    Key key{row.kid, *alg, nullptr, "", row.created_at, row.signs_from, row.retired_at};
    if (previous) {  // decoded already: RSA keys are slow to parse, and they never change
      for (const Key& known : previous->keys) {
        if (known.kid == key.kid && known.jws->has_private()) {
          key.jws = known.jws;
          key.jwk_json = known.jwk_json;
        }
      }
    }
    if (!key.jws && !Decode(row, *alg, key)) continue;
    snapshot->keys.push_back(std::move(key));
  }
  std::stable_sort(snapshot->keys.begin(), snapshot->keys.end(), [](const Key& a, const Key& b) {
    if (a.alg != b.alg) return a.alg < b.alg;
    if (a.signs_from != b.signs_from) return a.signs_from < b.signs_from;
    if (a.created_at != b.created_at) return a.created_at < b.created_at;
    return a.kid < b.kid;
  });
  return std::shared_ptr<const Snapshot>(std::move(snapshot));
}

core::Status SigningKeys::Reload() {
  std::lock_guard lock(load_mu_);
  auto previous = snapshot_.load();
  auto loaded = Load(previous.get());
  if (!loaded.ok()) return loaded.error();
  snapshot_.store(*loaded);
  // Records the retirements this load sees (for operators reading the table; the rules above
  // compute them anyway).
  int64_t now = core::NowMs();
  const Snapshot& snapshot = **loaded;
  for (std::size_t i = 0; i < snapshot.keys.size(); ++i) {
    State state = StateAt(snapshot, i, now);
    if (!snapshot.keys[i].retired_at && state.retired_at && *state.retired_at <= now) {
      BULKHEAD_TRY(env_.catalog.Write([&](store::Connection& c) {
        return store::signing_keys::MarkRetired(c, snapshot.keys[i].kid, *state.retired_at);
      }));
    }
  }
  return core::Ok();
}

std::shared_ptr<const SigningKeys::Snapshot> SigningKeys::Current() {
  auto snapshot = snapshot_.load();
  if (snapshot) return snapshot;
  // The first use in a process that did not call EnsureKeys: load once, then keep reloading.
  (void)Reload();
  StartReloading();
  snapshot = snapshot_.load();
  return snapshot ? snapshot : std::make_shared<const Snapshot>();
}

void SigningKeys::StartReloading() {
  std::call_once(reloading_started_, [this] {
    reloader_ = std::jthread([this](std::stop_token stop) { ReloadLoop(stop); });
  });
}

void SigningKeys::ReloadLoop(std::stop_token stop) {
  while (!stop.stop_requested()) {
    {
      std::unique_lock lock(wake_mu_);
      wake_.wait_for(lock, stop, std::chrono::milliseconds(config_.reload_ms),
                     [] { return false; });
    }
    if (stop.stop_requested()) return;
    (void)Reload();  // on failure the previous snapshot stays, and the next tick retries
  }
}

core::Status SigningKeys::Insert(SigningAlg alg, int64_t signs_from, bool only_if_none,
                                 std::string& kid) {
  if (!env_.keys.has_master()) {
    return Error::Internal("signing keys need the master key, which this process was not given");
  }
  std::optional<crypto::JwsKey> key;
  WipedString der;
  std::string public_jwk;
  try {
    key = crypto::JwsKey::Generate(JwsAlgOf(alg));
    der.bytes = key->PrivateDer();
    public_jwk = key->PublicJwk().dump();
  } catch (const std::exception& e) {
    return Error::Internal(e.what());
  }
  kid = core::Base64UrlEncode(crypto::RandomBytes(16));
  int64_t now = core::NowMs();
  store::SigningKeyRecord record{kid,
                                 std::string(SigningAlgName(alg)),
                                 public_jwk,
                                 env_.keys.SealUnderMaster(der.bytes, SealAssociatedData(kid)),
                                 env_.keys.master_key_id(),
                                 now,
                                 std::max(signs_from, now),
                                 std::nullopt};
  return env_.catalog.Write([&](store::Connection& c) -> core::Status {
    if (only_if_none) {
      auto count = store::signing_keys::CountForAlg(c, record.alg);
      if (!count.ok()) return count.error();
      if (*count > 0) {  // another server created it first
        kid.clear();
        return core::Ok();
      }
    }
    return store::signing_keys::Insert(c, record);
  });
}

core::Status SigningKeys::EnsureKeys() {
  for (SigningAlg alg : kSigningAlgs) {
    int64_t count = 0;
    {
      auto lease = env_.catalog.Acquire();
      auto counted = store::signing_keys::CountForAlg(*lease, SigningAlgName(alg));
      if (!counted.ok()) return counted.error();
      count = *counted;
    }
    if (count > 0) continue;
    std::string kid;
    BULKHEAD_TRY(Insert(alg, core::NowMs(), /*only_if_none=*/true, kid));
  }
  BULKHEAD_TRY(Reload());
  StartReloading();
  // Every algorithm must be able to sign here: a key sealed by a master this server was not
  // given would make every token of that algorithm fail.
  auto snapshot = snapshot_.load();
  int64_t now = core::NowMs();
  for (SigningAlg alg : kSigningAlgs) {
    bool can_sign = false;
    for (std::size_t i = 0; i < snapshot->keys.size(); ++i) {
      const Key& key = snapshot->keys[i];
      if (key.alg == alg && StateAt(*snapshot, i, now).signs) can_sign = key.jws->has_private();
    }
    if (!can_sign) {
      return Error::Internal("the " + std::string(SigningAlgName(alg)) +
                             " signing key does not open with this server's master key (id " +
                             env_.keys.master_key_id() + ")");
    }
  }
  return core::Ok();
}

core::Result<std::string> SigningKeys::Sign(SigningAlg alg, const nlohmann::json& claims,
                                            std::string_view typ) {
  if (!claims.is_object()) return Error::Internal("token claims must be a JSON object");
  auto snapshot = Current();
  int64_t now = core::NowMs();
  const Key* signer = nullptr;
  for (std::size_t i = 0; i < snapshot->keys.size(); ++i) {
    if (snapshot->keys[i].alg == alg && StateAt(*snapshot, i, now).signs) {
      signer = &snapshot->keys[i];
    }
  }
  if (!signer || !signer->jws->has_private()) {
    return Error::Internal("no " + std::string(SigningAlgName(alg)) +
                           " signing key is available (bulkhead serve creates them)");
  }
  nlohmann::json header = {
      {"alg", SigningAlgName(alg)}, {"kid", signer->kid}, {"typ", std::string(typ)}};
  std::string jws =
      core::Base64UrlEncode(header.dump()) + "." + core::Base64UrlEncode(claims.dump());
  try {
    std::string signature = signer->jws->Sign(jws);
    jws += ".";
    jws += core::Base64UrlEncode(signature);
  } catch (const std::exception& e) {
    return Error::Internal(e.what());
  }
  return jws;
}

core::Result<nlohmann::json> SigningKeys::Verify(std::string_view jws) {
  if (jws.size() > kMaxJwsBytes) return Unverifiable("the token is too long");
  std::size_t first = jws.find('.');
  std::size_t second = first == std::string_view::npos ? first : jws.find('.', first + 1);
  if (second == std::string_view::npos || jws.find('.', second + 1) != std::string_view::npos) {
    return Unverifiable("the token is not a compact JWS");
  }
  auto header = DecodeObject(jws.substr(0, first));
  auto claims = DecodeObject(jws.substr(first + 1, second - first - 1));
  auto signature = core::Base64UrlDecode(jws.substr(second + 1));
  if (!header || !claims || !signature) return Unverifiable("the token is malformed");
  auto alg = header->find("alg");
  auto kid = header->find("kid");
  if (alg == header->end() || !alg->is_string() || kid == header->end() || !kid->is_string() ||
      header->contains("crit")) {
    return Unverifiable("the token's header is not one this server signs");
  }
  auto snapshot = Current();
  int64_t now = core::NowMs();
  for (std::size_t i = 0; i < snapshot->keys.size(); ++i) {
    const Key& key = snapshot->keys[i];
    if (key.kid != kid->get_ref<const std::string&>()) continue;
    if (SigningAlgName(key.alg) != alg->get_ref<const std::string&>() ||
        !StateAt(*snapshot, i, now).published ||
        !key.jws->Verify(jws.substr(0, second), *signature)) {
      break;
    }
    return std::move(*claims);
  }
  return Unverifiable("the token's signature does not verify");
}

std::string SigningKeys::JwksJson() {
  auto snapshot = Current();
  int64_t now = core::NowMs();
  std::string out = "{\"keys\":[";
  bool first = true;
  for (std::size_t i = 0; i < snapshot->keys.size(); ++i) {
    if (!StateAt(*snapshot, i, now).published) continue;
    if (!first) out += ",";
    out += snapshot->keys[i].jwk_json;
    first = false;
  }
  out += "]}";
  return out;
}

core::Result<nlohmann::json> SigningKeys::Rotate(SigningAlg alg, int64_t publish_delay_ms) {
  if (publish_delay_ms < 0) {
    return Error::Validation("signing_key_publish_delay", "must not be negative");
  }
  // A key sealed by another master than the servers' would be published but never sign: the
  // master given here must open the keys already there.
  BULKHEAD_TRY(Reload());
  for (const Key& key : snapshot_.load()->keys) {
    if (!key.jws->has_private()) {
      return Error::Internal("signing key " + key.kid + " does not open with this master key (id " +
                             env_.keys.master_key_id() + "): give the servers' master key");
    }
  }
  int64_t now = core::NowMs();
  std::string kid;
  BULKHEAD_TRY(Insert(alg, now + publish_delay_ms, /*only_if_none=*/false, kid));
  BULKHEAD_TRY(Reload());
  return nlohmann::json{{"kid", kid},
                        {"alg", SigningAlgName(alg)},
                        {"published_at", core::FormatRfc3339(now)},
                        {"signs_from", core::FormatRfc3339(now + publish_delay_ms)}};
}

core::Result<int64_t> SigningKeys::ResealUnderMaster(Environment& env) {
  if (!env.keys.has_master()) return Error::Internal("no master key");
  constexpr int kBatch = 100;
  int64_t resealed = 0;
  while (true) {
    int64_t batch_size = 0;
    BULKHEAD_TRY(env.catalog.Write([&](store::Connection& c) -> core::Status {
      auto batch = store::signing_keys::SealedByOtherMaster(c, env.keys.master_key_id(), kBatch);
      if (!batch.ok()) return batch.error();
      for (auto& record : *batch) {
        auto der = env.keys.OpenUnderMaster(record.sealed_private, record.master_key_id,
                                            SealAssociatedData(record.kid));
        if (!der.ok()) return der.error();  // sealed by a master this run was not given
        WipedString wiped{std::move(*der)};
        record.sealed_private =
            env.keys.SealUnderMaster(wiped.bytes, SealAssociatedData(record.kid));
        record.master_key_id = env.keys.master_key_id();
        BULKHEAD_TRY(store::signing_keys::Rewrap(c, record));
      }
      batch_size = static_cast<int64_t>(batch->size());
      return core::Ok();
    }));
    if (batch_size == 0) return resealed;
    resealed += batch_size;
  }
}

}  // namespace bulkhead::service
