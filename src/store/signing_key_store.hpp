#pragma once
// The keys that sign tokens (the `signing_keys` table): each row a key of one algorithm, its
// public JWK, and its private key sealed by the master key. A key is published from
// created_at, signs from signs_from, and stops signing when a newer key of its algorithm
// starts (retired_at records when). Thread-safety: functions, on the caller's connection.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/database.hpp"

namespace bulkhead::store {

struct SigningKeyRecord {
  std::string kid;
  std::string alg;             // "RS256" | "ES256" | "EdDSA"
  std::string public_jwk;      // JSON text: the public members only
  std::string sealed_private;  // base64url of the sealed PKCS#8 DER
  std::string master_key_id;   // which master key sealed it
  int64_t created_at = 0;
  int64_t signs_from = 0;
  std::optional<int64_t> retired_at;
};

namespace signing_keys {

Status Insert(Connection& c, const SigningKeyRecord& key);
// Every key, oldest first within each algorithm.
Result<std::vector<SigningKeyRecord>> All(Connection& c);
Result<int64_t> CountForAlg(Connection& c, std::string_view alg);
// Records when a key stopped signing (once: a retired key keeps its first time).
Status MarkRetired(Connection& c, std::string_view kid, int64_t retired_at);
// Up to `limit` keys not sealed by `master_key_id`, for rewrapping, and the rewrap itself.
Result<std::vector<SigningKeyRecord>> SealedByOtherMaster(Connection& c,
                                                          std::string_view master_key_id,
                                                          int limit);
Status Rewrap(Connection& c, const SigningKeyRecord& key);

}  // namespace signing_keys
}  // namespace bulkhead::store
