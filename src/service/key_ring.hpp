#pragma once
// The key hierarchy: one master key per deployment (never stored by Bulkhead in the database)
// seals each organization's 256-bit data keys, which seal that organization's secrets. Data
// keys are unsealed on first use and kept in memory; they are never written in the clear.
// Thread-safety: thread-safe.

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/result.hpp"
#include "store/database.hpp"
#include "store/key_store.hpp"

namespace bulkhead::service {

struct DataKey {
  int64_t version = 0;
  std::string key;  // kKeyBytes
};

class KeyRing {
 public:
  // `master_key` is 32 bytes, or empty for operator commands that never seal or open.
  // `previous` masters only open data keys (during a master rotation, until every data key is
  // sealed by the current one).
  explicit KeyRing(std::string master_key, std::vector<std::string> previous = {});
  KeyRing(const KeyRing&) = delete;
  KeyRing& operator=(const KeyRing&) = delete;

  bool has_master() const { return !master_.empty(); }
  // A fingerprint of the master key (not secret): which master sealed a data key.
  const std::string& master_key_id() const { return master_id_; }

  // Inside the transaction that creates the organization: its first data key.
  core::Status CreateWithin(store::Connection& catalog, const std::string& organization_id);
  // The organization's newest data key; organizations from before keys existed get one now.
  core::Result<DataKey> Current(store::Database& catalog, const std::string& organization_id);
  // A data key by version (for values sealed before a rotation).
  core::Result<DataKey> Version(store::Database& catalog, const std::string& organization_id,
                                int64_t version);
  // A data key already unsealed in memory (no database access, so callers holding a
  // connection of a shared pool cannot wait on another).
  std::optional<DataKey> Cached(const std::string& organization_id, int64_t version);
  // Ids of the masters that sealed data keys in the catalog and that this ring cannot open.
  core::Result<std::vector<std::string>> UnknownMasters(store::Database& catalog) const;
  // Drops the organization's unsealed keys from memory (after it is deleted).
  void Forget(const std::string& organization_id);

  // Sealing a data key under this master key, and opening one (also used by rotation).
  std::string Wrap(const std::string& organization_id, int64_t version,
                   const std::string& key) const;
  core::Result<std::string> Unwrap(const store::OrganizationKeyRecord& record) const;
  // Any other secret key (token signing keys) sealed under this master, bound to
  // `associated_data`, as base64url; and opened again with the master that sealed it (this one
  // or a previous one, by id).
  std::string SealUnderMaster(std::string_view plaintext, std::string_view associated_data) const;
  core::Result<std::string> OpenUnderMaster(std::string_view sealed, std::string_view master_key_id,
                                            std::string_view associated_data) const;

 private:
  core::Status RequireMaster() const;
  DataKey Remember(const std::string& organization_id, int64_t version, std::string key);

  std::string master_;
  std::string master_id_;
  std::vector<std::pair<std::string, std::string>> previous_;  // {id, key}
  std::mutex mu_;
  std::unordered_map<std::string, std::string> unsealed_;  // GUARDED_BY(mu_): "<org>/<version>"
};

// The fingerprint of a master key.
std::string MasterKeyId(const std::string& master_key);

// 32 bytes from the text of BULKHEAD_MASTER_KEY: 64 hex digits or base64 of 32 bytes (key files
// hold raw bytes and are read by cli/master_key.cpp); kValidationFailed on field `source`.
core::Result<std::string> ParseMasterKey(std::string_view source, std::string_view bytes_or_text);

}  // namespace bulkhead::service
