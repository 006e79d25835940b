#pragma once
// What every use case needs: the catalog database, the tenant databases, the caches and the
// configuration. One per server process. Thread-safety: every member is thread-safe.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/plans.hpp"
#include "core/role.hpp"
#include "service/catalog_cache.hpp"
#include "service/key_ring.hpp"
#include "service/login_throttle.hpp"
#include "store/database.hpp"
#include "store/tenant_store.hpp"

namespace bulkhead::service {

struct ServiceConfig {
  int64_t session_ttl_ms = 14LL * 24 * 3600 * 1000;
  // A sliding session's new expiry is written at most this often.
  int64_t session_refresh_ms = 3600LL * 1000;
  std::string base_domain = "localhost";
  int64_t invitation_ttl_ms = 7LL * 24 * 3600 * 1000;
  std::string public_url = "http://localhost:8080";  // accept links in invitations
  core::PlanCatalog plans = core::BuiltInPlans();
  // An API key's last_used_at is written at most this often.
  int64_t api_key_touch_ms = 60LL * 1000;
  // Team organizations one account may own (409 limit_reached past it); 0: no limit.
  int64_t max_organizations_per_user = 100;
  // Team organizations one account may create per hour, per instance (429 past it); 0: no limit.
  int64_t organization_creation_per_hour = 60;
  // The OpenID Provider's token lifetimes: access and ID tokens; refresh tokens in all (from the
  // first) and without use (from the last rotation).
  int64_t access_token_ttl_ms = 600LL * 1000;
  int64_t refresh_token_ttl_ms = 30LL * 24 * 3600 * 1000;
  int64_t refresh_token_idle_ttl_ms = 14LL * 24 * 3600 * 1000;
  // Webhook URLs may be http:// and reach loopback and private addresses (tests, closed networks).
  bool allow_private_webhooks = false;
  // Events (and webhook delivery attempts) older than this are pruned.
  int64_t event_retention_ms = 30LL * 24 * 3600 * 1000;
  // Catalog changes relay their events into the organization's log right after commit. The
  // operator CLI leaves them in the outbox for the running servers' sweep instead (it is
  // another process: the servers' dispatchers are woken by their own relay, not by it).
  bool relay_events_after_commit = true;
};

struct Environment {
  store::Database& catalog;
  store::TenantDatabases& tenants;
  CatalogCache& cache;
  LoginThrottle& login_throttle;
  KeyRing& keys;
  ServiceConfig config;
  // Called (when set) after every commit that may have appended events to an organization's log
  // (tenant writes and the outbox relay): the webhook dispatcher's wake-up.
  std::function<void(const std::string& organization_id)> events_committed;
};

// An authenticated caller: a user with a session, or an organization API key.
struct Principal {
  std::string user_id;       // empty for an API key
  std::string session_hash;  // of the session token that authenticated this request
  // Set for an API key, which acts only in its own organization, with its own role.
  std::string api_key_id;
  std::string api_key_hash;
  std::string api_key_organization_id;
  core::Role api_key_role = core::Role::kMember;
  // Set for the web console's OpenID Connect access token that names an organization
  // (org_id): the only organization whose routes it may call.
  std::optional<std::string> token_organization_id;

  bool is_api_key() const { return !api_key_id.empty(); }
};

// Lists read one row more than a page to learn whether another page follows: drops that row
// and says whether there was one.
template <typename T>
bool TrimToPage(std::vector<T>& rows, int limit) {
  if (static_cast<int>(rows.size()) <= limit) return false;
  rows.resize(static_cast<std::size_t>(limit));
  return true;
}

// Who did something, for the audit log.
struct Actor {
  std::string type = "user";  // "user" | "api_key" | "system" | "organization" (a grant's use)
  std::string id;
  std::string request_id;
  // Added to the details of every audit event this actor causes: another organization acting
  // through a sharing grant says which grant and which of its users (GrantService).
  std::vector<std::pair<std::string, std::string>> details;
};

}  // namespace bulkhead::service
