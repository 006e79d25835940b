#include "service/api_key_service.hpp"

#include "core/text.hpp"
#include "core/time.hpp"
#include "core/uuid.hpp"
#include "crypto/token.hpp"
#include "service/event_relay.hpp"
#include "service/events.hpp"
#include "service/organization_service.hpp"
#include "service/views.hpp"
#include "store/access_store.hpp"
#include "store/catalog_store.hpp"

namespace bulkhead::service {

using core::Error;
using core::ErrorCode;
using core::Result;

namespace {

constexpr std::size_t kMaxKeyName = 100;
constexpr std::size_t kShownPrefix = 10;  // "bk_" and 7 characters of the secret

Error InvalidApiKey() {
  return Error::Make(ErrorCode::kUnauthenticated, "the API key is not valid");
}

}  // namespace

Result<Principal> ApiKeyService::Authenticate(std::string_view secret) {
  if (secret.size() != kApiKeyPrefix.size() + 43 || !secret.starts_with(kApiKeyPrefix)) {
    return InvalidApiKey();
  }
  std::string hash = crypto::HashToken(secret);
  auto cached = env_.cache.api_keys.Get(hash);
  if (!cached) {
    uint64_t generation = env_.cache.api_keys.Generation();
    auto lease = env_.catalog.Acquire();
    auto found = store::catalog::FindApiKeyByHash(*lease, hash);
    if (!found.ok()) return found.error();
    if (!*found) return InvalidApiKey();
    auto role = core::ParseRole((*found)->role);
    if (!role) return InvalidApiKey();
    cached = CachedApiKey{(*found)->id, (*found)->organization_id, *role,
                          (*found)->last_used_at.value_or(0)};
    env_.cache.api_keys.Fill(generation, hash, *cached);
  }
  int64_t now = core::NowMs();
  if (now - cached->last_used_at >= env_.config.api_key_touch_ms) {
    uint64_t generation = env_.cache.api_keys.Generation();
    auto lease = env_.catalog.Acquire();
    if (store::catalog::TouchApiKey(*lease, cached->id, now).ok()) {
      CachedApiKey touched = *cached;
      touched.last_used_at = now;
      env_.cache.api_keys.Fill(generation, hash, touched);
    }
  }
  Principal principal;
  principal.api_key_id = cached->id;
  principal.api_key_hash = hash;
  principal.api_key_organization_id = cached->organization_id;
  principal.api_key_role = cached->role;
  return principal;
}

Result<ApiKeyPage> ApiKeyService::List(const TenantContext& tenant, const std::string& after_id,
                                       int limit) {
  auto lease = env_.catalog.Acquire();
  auto keys = store::catalog::ListApiKeys(*lease, tenant.organization.id, after_id, limit + 1);
  if (!keys.ok()) return keys.error();
  ApiKeyPage page{std::move(*keys), false};
  page.more = TrimToPage(page.keys, limit);
  return page;
}

Result<CreatedApiKey> ApiKeyService::Create(const TenantContext& tenant, const std::string& name,
                                            const std::string& role_name, const Actor& actor) {
  std::vector<core::FieldError> errors;
  auto checked_name = core::ValidateDisplayText("name", name, kMaxKeyName);
  if (!checked_name.ok()) errors.push_back(checked_name.error().fields.at(0));
  auto role = core::ParseRole(role_name);
  if (!role) errors.push_back({"role", "must be one of owner, admin, member"});
  if (!errors.empty()) {
    return Error::Validation(std::move(errors));
  }
  // The subset rule (docs/roles.md): a key holds no permission its creator lacks.
  if (!tenant.permissions.Contains(core::PermissionSet::Of(*role))) {
    return Error::Forbidden("an API key cannot have a role above your own");
  }
  std::string secret = crypto::NewToken(kApiKeyPrefix);
  store::ApiKeyRecord key{core::NewUuidV7(),
                          tenant.organization.id,
                          *checked_name,
                          std::string(core::RoleName(*role)),
                          secret.substr(0, kShownPrefix),
                          crypto::HashToken(secret),
                          actor.id,
                          core::NowMs(),
                          std::nullopt};
  auto lease = env_.catalog.Acquire();
  store::Transaction txn(*lease, /*write=*/true);
  BULKHEAD_TRY(txn.begin_status());
  if (auto max = OrganizationLimit(env_, tenant.organization, "max_api_keys")) {
    auto count = store::catalog::CountApiKeys(*lease, tenant.organization.id);
    if (!count.ok()) return count.error();
    if (*count >= *max) return Error::LimitReached("max_api_keys", *count, *max);
  }
  BULKHEAD_TRY(store::catalog::InsertApiKey(*lease, key));
  BULKHEAD_TRY(store::catalog::InsertAuditEvent(
      *lease, MakeAuditEvent(tenant.organization.id, actor, "api_key.created", "api_key", key.id,
                             {{"name", key.name}, {"role", key.role}, {"prefix", key.prefix}})));
  BULKHEAD_TRY(WriteOutboxEvent(
      *lease, MakeEvent(tenant.organization.id, "api_key.created", ApiKeyJson(key))));
  BULKHEAD_TRY(txn.Commit());
  RelayOutbox(env_, tenant.organization.id, lease);
  return CreatedApiKey{std::move(key), std::move(secret)};
}

core::Status ApiKeyService::Revoke(const TenantContext& tenant, const std::string& id,
                                   const Actor& actor) {
  auto lease = env_.catalog.Acquire();
  store::Transaction txn(*lease, /*write=*/true);
  BULKHEAD_TRY(txn.begin_status());
  auto key = store::catalog::FindApiKey(*lease, tenant.organization.id, id);
  if (!key.ok()) return key.error();
  if (!*key) return Error::NotFound("API key");
  auto role = core::ParseRole((*key)->role).value_or(core::Role::kOwner);
  if (!tenant.permissions.Contains(core::PermissionSet::Of(role))) {
    return Error::Forbidden("only an owner can revoke an owner key");
  }
  BULKHEAD_TRY(store::catalog::DeleteApiKey(*lease, id));
  BULKHEAD_TRY(store::catalog::InsertAuditEvent(
      *lease, MakeAuditEvent(tenant.organization.id, actor, "api_key.revoked", "api_key", id,
                             {{"name", (*key)->name}, {"prefix", (*key)->prefix}})));
  BULKHEAD_TRY(WriteOutboxEvent(
      *lease, MakeEvent(tenant.organization.id, "api_key.revoked", ApiKeyJson(**key))));
  BULKHEAD_TRY(store::catalog::RecordChange(*lease, "api_key", (*key)->secret_hash));
  BULKHEAD_TRY(txn.Commit());
  env_.cache.Invalidate("api_key", (*key)->secret_hash);
  RelayOutbox(env_, tenant.organization.id, lease);
  return core::Ok();
}

}  // namespace bulkhead::service
