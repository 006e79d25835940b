// `bulkhead keys rotate-signing`: a new token signing key per algorithm, published at once and
// signing after the publish delay, while servers run on the same data (they reload their keys
// within about a second; docs/oidc.md, "Signing keys and rotation").

#include <cstdio>

#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/data_dir.hpp"
#include "cli/master_key.hpp"
#include "service/signing_keys.hpp"

namespace bulkhead::cli {

int RunKeysRotateSigning(StorageOptions storage, const std::string& master_key_file,
                         const std::string& alg, int64_t publish_delay_seconds) {
  std::vector<service::SigningAlg> algs;
  if (alg.empty()) {
    algs.assign(std::begin(service::kSigningAlgs), std::end(service::kSigningAlgs));
  } else if (auto parsed = service::ParseSigningAlg(alg)) {
    algs.push_back(*parsed);
  } else {
    return Fail("--alg must be RS256, ES256 or EdDSA", 2);
  }
  if (publish_delay_seconds < 0) return Fail("--signing-key-publish-delay must be >= 0", 2);
  auto key = LoadExistingMasterKey(master_key_file, storage.data);
  if (!key.ok()) return Fail(key.error().message, 2);
  storage.master_key = std::move(key->key);
  auto dir = OpenExistingStorage(storage);
  if (!dir.ok()) return Fail(dir.error().message);
  service::SigningKeys keys(*dir->env);
  nlohmann::json created = nlohmann::json::array();
  for (service::SigningAlg each : algs) {
    auto rotated = keys.Rotate(each, publish_delay_seconds * 1000);
    if (!rotated.ok()) {
      if (!created.empty()) std::printf("%s\n", nlohmann::json{{"keys", created}}.dump(2).c_str());
      return Fail(rotated.error().message);
    }
    created.push_back(*rotated);
  }
  std::printf("%s\n", nlohmann::json{{"keys", created}}.dump(2).c_str());
  return 0;
}

}  // namespace bulkhead::cli
