#include "service/key_ring.hpp"

#include <sodium.h>

#include "core/base64.hpp"
#include "core/time.hpp"
#include "crypto/seal.hpp"
#include "crypto/token.hpp"

namespace bulkhead::service {

using core::Error;

namespace {

constexpr std::size_t kMaxUnsealed = 100'000;

std::string WrapAssociatedData(const std::string& organization_id, int64_t version) {
  return "bulkhead/organization-key/v1|" + organization_id + "|" + std::to_string(version);
}

std::string CacheKey(const std::string& organization_id, int64_t version) {
  return organization_id + "/" + std::to_string(version);
}

}  // namespace

std::string MasterKeyId(const std::string& master_key) {
  return crypto::HashToken("bulkhead/master-key-id/v1|" + master_key).substr(0, 16);
}

KeyRing::KeyRing(std::string master_key, std::vector<std::string> previous)
    : master_(std::move(master_key)) {
  if (!master_.empty()) master_id_ = MasterKeyId(master_);
  for (auto& key : previous) previous_.emplace_back(MasterKeyId(key), std::move(key));
}

core::Status KeyRing::RequireMaster() const {
  if (master_.empty()) return Error::Internal("this process was started without a master key");
  return core::Ok();
}

std::string KeyRing::Wrap(const std::string& organization_id, int64_t version,
                          const std::string& key) const {
  return core::Base64UrlEncode(
      crypto::Seal(master_, key, WrapAssociatedData(organization_id, version)));
}

core::Result<std::string> KeyRing::Unwrap(const store::OrganizationKeyRecord& record) const {
  BULKHEAD_TRY(RequireMaster());
  const std::string* master = &master_;
  for (const auto& [id, previous] : previous_) {
    if (id == record.master_key_id) master = &previous;
  }
  auto sealed = core::Base64UrlDecode(record.wrapped);
  std::optional<std::string> key;
  if (sealed) {
    key =
        crypto::Open(*master, *sealed, WrapAssociatedData(record.organization_id, record.version));
  }
  if (!key) {
    return Error::Internal("the data key of organization " + record.organization_id + " (version " +
                           std::to_string(record.version) +
                           ") does not open with this master key (master key id " + master_id_ +
                           ", sealed by " + record.master_key_id + ")");
  }
  return *key;
}

std::string KeyRing::SealUnderMaster(std::string_view plaintext,
                                     std::string_view associated_data) const {
  return core::Base64UrlEncode(crypto::Seal(master_, plaintext, associated_data));
}

core::Result<std::string> KeyRing::OpenUnderMaster(std::string_view sealed,
                                                   std::string_view master_key_id,
                                                   std::string_view associated_data) const {
  BULKHEAD_TRY(RequireMaster());
  const std::string* master = &master_;
  for (const auto& [id, previous] : previous_) {
    if (id == master_key_id) master = &previous;
  }
  auto bytes = core::Base64UrlDecode(sealed);
  std::optional<std::string> plaintext;
  if (bytes) plaintext = crypto::Open(*master, *bytes, associated_data);
  if (!plaintext) {
    return Error::Internal("a key sealed by master key " + std::string(master_key_id) +
                           " does not open with this master key (master key id " + master_id_ +
                           ")");
  }
  return std::move(*plaintext);
}

DataKey KeyRing::Remember(const std::string& organization_id, int64_t version, std::string key) {
  std::lock_guard lock(mu_);
  if (unsealed_.size() >= kMaxUnsealed) {  // unsealing again is cheap
    for (auto& [name, key] : unsealed_) sodium_memzero(key.data(), key.size());
    unsealed_.clear();
  }
  unsealed_[CacheKey(organization_id, version)] = key;
  return DataKey{version, std::move(key)};
}

core::Status KeyRing::CreateWithin(store::Connection& catalog, const std::string& organization_id) {
  BULKHEAD_TRY(RequireMaster());
  std::string key = crypto::NewKey();
  BULKHEAD_TRY(store::keys::Insert(
      catalog, {organization_id, 1, Wrap(organization_id, 1, key), master_id_, core::NowMs()}));
  sodium_memzero(key.data(), key.size());
  return core::Ok();
}

core::Result<DataKey> KeyRing::Current(store::Database& catalog,
                                       const std::string& organization_id) {
  BULKHEAD_TRY(RequireMaster());
  int64_t version = 0;
  {
    auto lease = catalog.Acquire();  // released before Version takes its own
    auto record = store::keys::Current(*lease, organization_id);
    if (!record.ok()) return record.error();
    if (*record) {
      version = (*record)->version;
    } else {
      // Created before data keys existed: give it one; a concurrent creator wins the race.
      std::string key = crypto::NewKey();
      store::OrganizationKeyRecord created{organization_id, 1, Wrap(organization_id, 1, key),
                                           master_id_, core::NowMs()};
      auto inserted = store::keys::Insert(*lease, created);
      if (inserted.ok()) return Remember(organization_id, 1, std::move(key));
      if (inserted.error().code != core::ErrorCode::kConflict) return inserted.error();
      version = 1;
    }
  }
  return Version(catalog, organization_id, version);
}

core::Result<DataKey> KeyRing::Version(store::Database& catalog, const std::string& organization_id,
                                       int64_t version) {
  if (auto cached = Cached(organization_id, version)) return *cached;
  BULKHEAD_TRY(RequireMaster());
  auto lease = catalog.Acquire();
  auto record = store::keys::Find(*lease, organization_id, version);
  if (!record.ok()) return record.error();
  if (!*record) {
    return Error::Make(core::ErrorCode::kSecretUnreadable,
                       "the organization has no data key of version " + std::to_string(version));
  }
  auto key = Unwrap(**record);
  if (!key.ok()) return key.error();
  return Remember(organization_id, version, std::move(*key));
}

core::Result<std::vector<std::string>> KeyRing::UnknownMasters(store::Database& catalog) const {
  auto lease = catalog.Acquire();
  auto rows = lease->Query("SELECT DISTINCT master_key_id FROM organization_keys");
  if (!rows.ok()) return rows.error();
  std::vector<std::string> unknown;
  for (const auto& r : *rows) {
    const std::string& id = r.Text(0);
    bool known = id == master_id_;
    for (const auto& [previous_id, key] : previous_) known = known || id == previous_id;
    if (!known) unknown.push_back(id);
  }
  return unknown;
}

std::optional<DataKey> KeyRing::Cached(const std::string& organization_id, int64_t version) {
  std::lock_guard lock(mu_);
  if (auto it = unsealed_.find(CacheKey(organization_id, version)); it != unsealed_.end()) {
    return DataKey{version, it->second};
  }
  return std::nullopt;
}

void KeyRing::Forget(const std::string& organization_id) {
  std::lock_guard lock(mu_);
  std::string prefix = organization_id + "/";
  for (auto it = unsealed_.begin(); it != unsealed_.end();) {
    if (it->first.rfind(prefix, 0) != 0) {
      ++it;
      continue;
    }
    sodium_memzero(it->second.data(), it->second.size());
    it = unsealed_.erase(it);
  }
}

core::Result<std::string> ParseMasterKey(std::string_view source, std::string_view text) {
  std::string trimmed(text);
  while (!trimmed.empty() &&
         (trimmed.back() == '\n' || trimmed.back() == '\r' || trimmed.back() == ' ')) {
    trimmed.pop_back();
  }
  if (trimmed.size() == 2 * crypto::kKeyBytes) {
    std::string out(crypto::kKeyBytes, '\0');
    std::size_t written = 0;
    if (sodium_hex2bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), trimmed.data(),
                       trimmed.size(), nullptr, &written, nullptr) == 0 &&
        written == crypto::kKeyBytes) {
      return out;
    }
  }
  if (trimmed.size() == 44 || trimmed.size() == 43) {
    std::string out(crypto::kKeyBytes, '\0');
    std::size_t written = 0;
    for (int variant :
         {sodium_base64_VARIANT_ORIGINAL, sodium_base64_VARIANT_URLSAFE,
          sodium_base64_VARIANT_URLSAFE_NO_PADDING, sodium_base64_VARIANT_ORIGINAL_NO_PADDING}) {
      if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(),
                            trimmed.data(), trimmed.size(), nullptr, &written, nullptr,
                            variant) == 0 &&
          written == crypto::kKeyBytes) {
        return out;
      }
    }
  }
  return Error::Validation(std::string(source),
                           "must be 32 bytes: a file of 32 random bytes (bulkhead keys init), or "
                           "64 hex digits or base64 in the environment variable");
}

}  // namespace bulkhead::service
