#pragma once
// Organization API keys: machines acting in one organization with a role no higher than the
// admin who created the key. The secret (`bk_` + 256 random bits) is shown once and stored as
// its SHA-256. Authentication reads no disk when warm; revoking takes effect on the next
// request (and, through the change feed, on other processes within a poll interval).
// Thread-safety: thread-safe.

#include <string>
#include <vector>

#include "core/result.hpp"
#include "service/environment.hpp"
#include "service/tenant_resolver.hpp"
#include "store/records.hpp"

namespace bulkhead::service {

inline constexpr std::string_view kApiKeyPrefix = "bk_";

struct CreatedApiKey {
  store::ApiKeyRecord key;
  std::string secret;  // shown once
};

struct ApiKeyPage {
  std::vector<store::ApiKeyRecord> keys;
  bool more = false;
};

class ApiKeyService {
 public:
  explicit ApiKeyService(Environment& env) : env_(env) {}

  // kUnauthenticated for a malformed, unknown or revoked key.
  core::Result<Principal> Authenticate(std::string_view secret);

  core::Result<ApiKeyPage> List(const TenantContext& tenant, const std::string& after_id,
                                int limit);
  // kForbidden for a role above the creator's own.
  core::Result<CreatedApiKey> Create(const TenantContext& tenant, const std::string& name,
                                     const std::string& role, const Actor& actor);
  core::Status Revoke(const TenantContext& tenant, const std::string& id, const Actor& actor);

 private:
  Environment& env_;
};

}  // namespace bulkhead::service
