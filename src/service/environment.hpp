#pragma once
// What every use case needs: the catalog database, the tenant databases, the caches and the
// configuration. One per server process. Thread-safety: every member is thread-safe.

#include <cstdint>
#include <string>

#include "service/catalog_cache.hpp"
#include "service/login_throttle.hpp"
#include "store/database.hpp"
#include "store/tenant_store.hpp"

namespace bulkhead::service {

struct ServiceConfig {
  int64_t session_ttl_ms = 14LL * 24 * 3600 * 1000;
  // A sliding session's new expiry is written at most this often.
  int64_t session_refresh_ms = 3600LL * 1000;
  std::string base_domain = "localhost";
};

struct Environment {
  store::Database& catalog;
  store::TenantDatabases& tenants;
  CatalogCache& cache;
  LoginThrottle& login_throttle;
  ServiceConfig config;
};

// Who did something, for the audit log.
struct Actor {
  std::string type = "user";  // "user" | "api_key" | "system"
  std::string id;
  std::string request_id;
};

}  // namespace bulkhead::service
