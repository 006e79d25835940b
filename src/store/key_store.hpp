#pragma once
// Organizations' data keys in the catalog, sealed by the master key (never in the clear).
// Thread-safety: functions, on the caller's connection.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/database.hpp"

namespace bulkhead::store {

struct OrganizationKeyRecord {
  std::string organization_id;
  int64_t version = 0;
  std::string wrapped;        // base64url of the sealed key
  std::string master_key_id;  // which master key sealed it
  int64_t created_at = 0;
};

namespace keys {

Status Insert(Connection& c, const OrganizationKeyRecord& key);
// The newest version, if the organization has a key.
Result<std::optional<OrganizationKeyRecord>> Current(Connection& c,
                                                     std::string_view organization_id);
Result<std::optional<OrganizationKeyRecord>> Find(Connection& c, std::string_view organization_id,
                                                  int64_t version);
// Up to `limit` keys not sealed by `master_key_id`, for rewrapping.
Result<std::vector<OrganizationKeyRecord>> SealedByOtherMaster(Connection& c,
                                                               std::string_view master_key_id,
                                                               int limit);
Status Rewrap(Connection& c, const OrganizationKeyRecord& key);

}  // namespace keys
}  // namespace bulkhead::store
