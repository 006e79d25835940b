#include "service/key_rotation.hpp"

#include "core/base64.hpp"
#include "core/time.hpp"
#include "crypto/seal.hpp"
#include "service/integration_service.hpp"
#include "service/organization_service.hpp"
#include "service/secret_service.hpp"
#include "service/signing_keys.hpp"
#include "service/tenant_resolver.hpp"
#include "service/webhook_service.hpp"
#include "store/catalog_store.hpp"
#include "store/integration_store.hpp"
#include "store/key_store.hpp"
#include "store/secret_store.hpp"
#include "store/webhook_delivery_store.hpp"
#include "store/webhook_store.hpp"

namespace bulkhead::service {

using core::Error;

namespace {
constexpr int kBatch = 100;

// Every integration of the organization whose credentials are sealed with a key version below
// `to_version`, sealed again with `target` (that version), in transactions of kBatch.
core::Result<int64_t> ResealIntegrations(Environment& env, const std::string& organization_id,
                                         store::Database& database, int64_t to_version,
                                         const DataKey& target) {
  int64_t resealed = 0;
  while (true) {
    auto lease = database.Acquire();
    store::Transaction txn(*lease, /*write=*/true);
    BULKHEAD_TRY(txn.begin_status());
    auto batch = store::tenant::IntegrationsBelowVersion(*lease, to_version, kBatch);
    if (!batch.ok()) return batch.error();
    if (batch->empty()) break;
    for (auto& integration : *batch) {
      auto old_key = env.keys.Version(env.catalog, organization_id, integration.key_version);
      if (!old_key.ok()) return old_key.error();
      auto sealed = core::Base64UrlDecode(integration.credentials_sealed);
      std::optional<std::string> credentials;
      if (sealed) {
        credentials = crypto::Open(
            old_key->key, *sealed,
            IntegrationAssociatedData(organization_id, integration.id, integration.key_version));
      }
      if (!credentials) {
        return Error::Make(core::ErrorCode::kSecretUnreadable,
                           "the credentials of integration '" + integration.name +
                               "' do not open with their key (moved or changed): replace them "
                               "(PATCH) or delete the integration, then run again");
      }
      integration.key_version = to_version;
      integration.credentials_sealed = core::Base64UrlEncode(
          crypto::Seal(target.key, *credentials,
                       IntegrationAssociatedData(organization_id, integration.id, to_version)));
      BULKHEAD_TRY(store::tenant::ResealIntegration(*lease, integration));
    }
    BULKHEAD_TRY(txn.Commit());
    resealed += static_cast<int64_t>(batch->size());
  }
  return resealed;
}

}  // namespace

core::Result<MasterRotation> KeyRotation::RotateMaster(
    const std::function<void(int64_t)>& progress) {
  MasterRotation out;
  if (!env_.keys.has_master()) return Error::Internal("no master key");
  while (true) {
    auto lease = env_.catalog.Acquire();
    store::Transaction txn(*lease, /*write=*/true);
    BULKHEAD_TRY(txn.begin_status());
    auto batch = store::keys::SealedByOtherMaster(*lease, env_.keys.master_key_id(), kBatch);
    if (!batch.ok()) return batch.error();
    if (batch->empty()) break;
    for (auto& record : *batch) {
      auto key = env_.keys.Unwrap(record);
      if (!key.ok()) return key.error();  // sealed by a master this run was not given
      record.wrapped = env_.keys.Wrap(record.organization_id, record.version, *key);
      record.master_key_id = env_.keys.master_key_id();
      BULKHEAD_TRY(store::keys::Rewrap(*lease, record));
    }
    BULKHEAD_TRY(txn.Commit());
    out.rewrapped += static_cast<int64_t>(batch->size());
    if (progress) progress(out.rewrapped);
  }
  // Then the token signing keys, sealed by the same master (once the loop's connection and
  // transaction are released: SQLite has one writer).
  auto resealed = SigningKeys::ResealUnderMaster(env_);
  if (!resealed.ok()) return resealed.error();
  out.signing_keys = *resealed;
  auto webhooks = ResealWebhookSecrets();
  if (!webhooks.ok()) return webhooks.error();
  out.webhook_secrets = *webhooks;
  return out;
}

core::Result<int64_t> KeyRotation::ResealWebhookSecrets() {
  std::vector<std::string> organizations;
  {
    auto lease = env_.catalog.Acquire();
    auto listed = store::catalog::ListWebhookOrganizations(*lease);
    if (!listed.ok()) return listed.error();
    organizations = std::move(*listed);
  }
  const std::string& master = env_.keys.master_key_id();
  int64_t resealed = 0;
  for (const auto& organization_id : organizations) {
    auto database = env_.tenants.Open(TenantAccess::KeyFor(organization_id));
    if (!database.ok()) {
      // Deleted since it was marked: nothing of it is left to seal.
      if (database.error().code == core::ErrorCode::kOrganizationNotFound) continue;
      return database.error();
    }
    // At most 20 endpoints an organization: one transaction each.
    BULKHEAD_TRY((*database)->Write([&](store::Connection& c) -> core::Status {
      auto endpoints = store::tenant::AllWebhookEndpoints(c);
      if (!endpoints.ok()) return endpoints.error();
      int64_t now = core::NowMs();
      for (auto& endpoint : *endpoints) {
        std::string associated = WebhookSecretAssociatedData(organization_id, endpoint.id);
        bool changed = false;
        auto reseal = [&](std::string& sealed, std::string& master_id) -> core::Status {
          if (sealed.empty() || master_id == master) return core::Ok();
          auto secret = env_.keys.OpenUnderMaster(sealed, master_id, associated);
          if (!secret.ok()) return secret.error();  // sealed by a master this run was not given
          sealed = env_.keys.SealUnderMaster(*secret, associated);
          master_id = master;
          changed = true;
          return core::Ok();
        };
        // An expired previous secret signs nothing any more: dropped rather than resealed.
        if (!endpoint.previous_secret_sealed.empty() &&
            endpoint.previous_secret_expires_at <= now &&
            endpoint.previous_secret_master_id != master) {
          endpoint.previous_secret_sealed.clear();
          endpoint.previous_secret_master_id.clear();
          endpoint.previous_secret_expires_at = 0;
          changed = true;
        }
        BULKHEAD_TRY(reseal(endpoint.secret_sealed, endpoint.secret_master_id));
        BULKHEAD_TRY(reseal(endpoint.previous_secret_sealed, endpoint.previous_secret_master_id));
        if (!changed) continue;
        BULKHEAD_TRY(store::tenant::UpdateWebhookEndpoint(c, endpoint));
        ++resealed;
      }
      return core::Ok();
    }));
  }
  return resealed;
}

core::Result<OrganizationRotation> KeyRotation::RotateOrganization(
    const std::string& organization_id, const Actor& actor) {
  OrganizationRotation out;
  auto current = env_.keys.Current(env_.catalog, organization_id);
  if (!current.ok()) return current.error();
  store::TenantKey tenant = TenantAccess::KeyFor(organization_id);
  auto database = env_.tenants.Open(tenant);
  if (!database.ok()) return database.error();
  {
    // Interrupted before: the minimum was not raised to the newest version yet, or secrets
    // below it remain. Then finish with the newest version instead of making another.
    auto lease = (*database)->Acquire();
    auto minimum = store::tenant::MinimumKeyVersion(*lease);
    if (!minimum.ok()) return minimum.error();
    auto pending = store::tenant::SecretsBelowVersion(*lease, current->version, 1);
    if (!pending.ok()) return pending.error();
    auto pending_integrations =
        store::tenant::IntegrationsBelowVersion(*lease, current->version, 1);
    if (!pending_integrations.ok()) return pending_integrations.error();
    out.resumed = current->version > 1 && (*minimum < current->version || !pending->empty() ||
                                           !pending_integrations->empty());
  }
  out.from_version = current->version;
  out.to_version = current->version;
  if (!out.resumed) {
    // A new version, sealed by the master key, audited in the same catalog transaction.
    std::string key = crypto::NewKey();
    auto lease = env_.catalog.Acquire();
    store::Transaction txn(*lease, /*write=*/true);
    BULKHEAD_TRY(txn.begin_status());
    auto newest = store::keys::Current(*lease, organization_id);
    if (!newest.ok()) return newest.error();
    out.to_version = (*newest ? (*newest)->version : 0) + 1;
    BULKHEAD_TRY(store::keys::Insert(*lease, {organization_id, out.to_version,
                                              env_.keys.Wrap(organization_id, out.to_version, key),
                                              env_.keys.master_key_id(), core::NowMs()}));
    BULKHEAD_TRY(store::catalog::InsertAuditEvent(
        *lease,
        MakeAuditEvent(organization_id, actor, "organization.key_rotated", "organization",
                       organization_id,
                       {{"from_version", out.from_version}, {"to_version", out.to_version}})));
    BULKHEAD_TRY(txn.Commit());
  }
  auto target = env_.keys.Version(env_.catalog, organization_id, out.to_version);
  if (!target.ok()) return target.error();
  {
    // From here on, writes that sealed with an older key retry with this one; what they wrote
    // before is resealed below.
    auto lease = (*database)->Acquire();
    store::Transaction txn(*lease, /*write=*/true);
    BULKHEAD_TRY(txn.begin_status());
    BULKHEAD_TRY(store::tenant::RaiseMinimumKeyVersion(*lease, out.to_version));
    BULKHEAD_TRY(txn.Commit());
  }
  while (true) {
    auto lease = (*database)->Acquire();
    store::Transaction txn(*lease, /*write=*/true);
    BULKHEAD_TRY(txn.begin_status());
    auto batch = store::tenant::SecretsBelowVersion(*lease, out.to_version, kBatch);
    if (!batch.ok()) return batch.error();
    if (batch->empty()) break;
    for (auto& secret : *batch) {
      auto old_key = env_.keys.Version(env_.catalog, organization_id, secret.key_version);
      if (!old_key.ok()) return old_key.error();
      auto sealed = core::Base64UrlDecode(secret.sealed);
      std::optional<std::string> value;
      if (sealed) {
        value = crypto::Open(old_key->key, *sealed,
                             SecretAssociatedData(organization_id, secret.workspace_id, secret.name,
                                                  secret.key_version));
      }
      if (!value) {
        return Error::Make(core::ErrorCode::kSecretUnreadable,
                           "secret '" + secret.name + "' of workspace " + secret.workspace_id +
                               " does not open with its key (moved or changed): delete or replace "
                               "it, then run again");
      }
      secret.key_version = out.to_version;
      secret.sealed = core::Base64UrlEncode(crypto::Seal(
          target->key, *value,
          SecretAssociatedData(organization_id, secret.workspace_id, secret.name, out.to_version)));
      BULKHEAD_TRY(store::tenant::ResealSecret(*lease, secret));
    }
    BULKHEAD_TRY(txn.Commit());
    out.resealed += static_cast<int64_t>(batch->size());
  }
  auto integrations =
      ResealIntegrations(env_, organization_id, **database, out.to_version, *target);
  if (!integrations.ok()) return integrations.error();
  out.integrations_resealed = *integrations;
  return out;
}

}  // namespace bulkhead::service
