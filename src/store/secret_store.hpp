#pragma once
// Secrets in an organization's own database: the value only ever sealed (service/secret_service).
// Thread-safety: functions, on the caller's connection.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/database.hpp"

namespace bulkhead::store {

struct SecretRecord {
  std::string workspace_id;
  std::string name;
  int64_t key_version = 0;
  std::string sealed;  // base64url
  std::string created_by;
  std::string updated_by;
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

namespace tenant {

// Inserts or replaces (keeping created_by and created_at); true when it was new.
Result<bool> PutSecret(Connection& c, const SecretRecord& secret);
Result<std::optional<SecretRecord>> FindSecret(Connection& c, std::string_view workspace_id,
                                               std::string_view name);
// By name, after `after_name` (empty: from the first), at most `limit` (primary key order).
Result<std::vector<SecretRecord>> ListSecrets(Connection& c, std::string_view workspace_id,
                                              std::string_view after_name, int limit);
Result<bool> DeleteSecret(Connection& c, std::string_view workspace_id, std::string_view name);
// Up to `limit` secrets sealed with a key version below `version` (for rotation).
Result<std::vector<SecretRecord>> SecretsBelowVersion(Connection& c, int64_t version, int limit);
Status ResealSecret(Connection& c, const SecretRecord& secret);
// The least key version a secret may be sealed with now (0 before any rotation).
Result<int64_t> MinimumKeyVersion(Connection& c);
Status RaiseMinimumKeyVersion(Connection& c, int64_t version);

}  // namespace tenant
}  // namespace bulkhead::store
