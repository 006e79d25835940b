#pragma once
// In-memory copies of the catalog rows every request needs (sessions, users, organizations,
// memberships), so that a warm request reads no disk. Services update or erase an entry after
// the transaction that changed it commits, so a change is effective on the next request.
// A fill races with an erase: Fill() takes the generation read before the database read and is
// dropped when an erase happened meanwhile, so a stale row never re-enters the cache.
// Each map is bounded; when one is full it is emptied (entries are cheap to reload).
// Thread-safety: all methods are thread-safe.

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/custom_role.hpp"
#include "core/plans.hpp"
#include "core/role.hpp"
#include "store/records.hpp"

namespace bulkhead::service {

template <typename V>
class BoundedCache {
 public:
  explicit BoundedCache(std::size_t capacity) : capacity_(capacity) {}

  uint64_t Generation() const { return generation_.load(std::memory_order_acquire); }

  std::optional<V> Get(const std::string& key) const {
    std::shared_lock lock(mu_);
    auto it = map_.find(key);
    if (it == map_.end()) return std::nullopt;
    return it->second;
  }
  // Stores unless something was erased since `generation` was read.
  void Fill(uint64_t generation, const std::string& key, V value) {
    std::unique_lock lock(mu_);
    if (generation != generation_.load(std::memory_order_relaxed)) return;
    if (map_.size() >= capacity_) map_.clear();
    map_.insert_or_assign(key, std::move(value));
  }
  void Erase(const std::string& key) {
    std::unique_lock lock(mu_);
    generation_.fetch_add(1, std::memory_order_release);
    map_.erase(key);
  }
  // Erases every key that starts with `prefix`.
  void ErasePrefix(const std::string& prefix) {
    EraseIf([&](const std::string& key, const V&) { return key.rfind(prefix, 0) == 0; });
  }
  // Erases every entry for which `pred(key, value)` holds.
  template <typename Pred>
  void EraseIf(Pred pred) {
    std::unique_lock lock(mu_);
    generation_.fetch_add(1, std::memory_order_release);
    std::erase_if(map_, [&](const auto& kv) { return pred(kv.first, kv.second); });
  }

 private:
  std::size_t capacity_;
  mutable std::shared_mutex mu_;
  std::atomic<uint64_t> generation_{0};
  std::unordered_map<std::string, V> map_;  // GUARDED_BY(mu_)
};

struct CachedSession {
  std::string user_id;
  int64_t expires_at = 0;
};

struct CachedApiKey {
  std::string id;
  std::string organization_id;
  core::Role role = core::Role::kMember;
  int64_t last_used_at = 0;
};

// What an organization's plan and settings give it, with the plan and settings it was computed
// from: an entry is used only while they still match the organization's, so it needs no
// invalidation (limits and features are checked on every request; parsing each time cost more
// than resolving the tenant).
struct CachedEntitlements {
  std::string plan;
  std::string settings;
  std::string overrides;
  core::Entitlements entitlements;
};

class CatalogCache {
 public:
  explicit CatalogCache(std::size_t capacity = 200'000)
      : sessions(capacity),
        users(capacity),
        organizations(capacity),
        slugs(capacity),
        memberships(capacity),
        domains(capacity),
        custom_domains(capacity),
        api_keys(capacity),
        entitlements(capacity) {}

  static std::string MembershipKey(std::string_view org_id, std::string_view user_id) {
    std::string key(org_id);
    key += '/';
    key += user_id;
    return key;
  }

  BoundedCache<CachedSession> sessions;                   // token hash -> session
  BoundedCache<store::UserRecord> users;                  // user id -> user
  BoundedCache<store::OrganizationRecord> organizations;  // org id -> organization
  BoundedCache<std::string> slugs;                        // slug -> org id
  // "org/user" -> the role held (key, rank, permissions), or nullopt for "not a member" (cached
  // too: probing costs no disk).
  BoundedCache<std::optional<core::HeldRole>> memberships;
  // Normalized hostname -> the id of the organization whose verified custom domain it is, or
  // nullopt for a hostname that routes nowhere.
  BoundedCache<std::optional<std::string>> domains;
  // Org id -> its custom domains, verified or not (every organization read shows them). Any
  // domain change empties it: changes are rare, and the feed names the hostname, not the org.
  BoundedCache<std::vector<store::DomainRecord>> custom_domains;
  BoundedCache<CachedApiKey> api_keys;  // secret hash -> key (only keys that exist)
  BoundedCache<std::shared_ptr<const CachedEntitlements>> entitlements;  // org id -> entitlements

  // Drops everything (after losing track of other instances' changes).
  void Clear() {
    auto all = [](const auto&, const auto&) { return true; };
    sessions.EraseIf(all);
    users.EraseIf(all);
    organizations.EraseIf(all);
    slugs.EraseIf(all);
    memberships.EraseIf(all);
    domains.EraseIf(all);
    custom_domains.EraseIf(all);
    api_keys.EraseIf(all);
    entitlements.EraseIf(all);
  }

  // Drops what a change to one catalog row makes stale. `entity` and `id` are those of the
  // change feed: "organization" <id>, "membership" <org>/<user>, "domain" <hostname>,
  // "user" <id>, "session" <token hash>, "role" <org id> (a custom role of it changed: every
  // holder's permissions may have).
  void Invalidate(std::string_view entity, const std::string& id) {
    if (entity == "organization") {
      organizations.Erase(id);
      slugs.EraseIf([&](const std::string&, const std::string& org_id) { return org_id == id; });
      memberships.ErasePrefix(id + "/");
      domains.EraseIf([&](const std::string&, const std::optional<std::string>& org_id) {
        return org_id && *org_id == id;
      });
      custom_domains.Erase(id);
      api_keys.EraseIf(
          [&](const std::string&, const CachedApiKey& key) { return key.organization_id == id; });
    } else if (entity == "membership") {
      memberships.Erase(id);
    } else if (entity == "role") {
      memberships.ErasePrefix(id + "/");
    } else if (entity == "domain") {
      domains.Erase(id);
      custom_domains.EraseIf([](const auto&, const auto&) { return true; });
    } else if (entity == "user") {
      users.Erase(id);
    } else if (entity == "session") {
      sessions.Erase(id);
    } else if (entity == "api_key") {
      api_keys.Erase(id);
    }
  }
};

}  // namespace bulkhead::service
