#include "service/secret_service.hpp"

#include "core/base64.hpp"
#include "core/time.hpp"
#include "core/workspace_role.hpp"
#include "crypto/seal.hpp"
#include "service/events.hpp"
#include "service/organization_service.hpp"
#include "service/views.hpp"
#include "store/tenant_store.hpp"

namespace bulkhead::service {

using core::Error;
using core::ErrorCode;
using core::Result;

namespace {

Error SecretNotFound() {
  return Error::NotFound("secret");
}

bool ValidSecretName(const std::string& name) {
  if (name.empty() || name.size() > 128) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

std::string SecretAssociatedData(const std::string& organization_id,
                                 const std::string& workspace_id, const std::string& name,
                                 int64_t key_version) {
  return "bulkhead/secret/v1|" + organization_id + "|" + workspace_id + "|" + name + "|" +
         std::to_string(key_version);
}

Result<SecretView> SecretService::Put(const TenantContext& tenant,
                                      const WorkspaceContext& workspace, const std::string& name,
                                      const std::string& value, const Actor& actor, bool* created) {
  if (!ValidSecretName(name)) {
    return Error::Validation("name", "must be 1-128 of A-Z a-z 0-9 _ . -");
  }
  if (value.size() > kMaxSecretValueBytes) {
    return Error::Validation("value", "must be at most 65536 bytes");
  }
  const std::string& org = tenant.organization.id;
  const std::string& ws = workspace.workspace.id;
  // Sealed before the transaction (the key may need the catalog); a rotation that raised the
  // organization's minimum key version meanwhile makes it seal again with the newer key.
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto key = env_.keys.Current(env_.catalog, org);
    if (!key.ok()) return key.error();
    int64_t now = core::NowMs();
    store::SecretRecord record{
        ws,
        name,
        key->version,
        core::Base64UrlEncode(
            crypto::Seal(key->key, value, SecretAssociatedData(org, ws, name, key->version))),
        actor.id,
        actor.id,
        now,
        now};
    bool rotated = false;
    auto put =
        InTenantWrite<SecretView>(env_, tenant, [&](store::Connection& c) -> Result<SecretView> {
          BULKHEAD_TRY(CurrentWorkspace(c, ws));
          auto minimum = store::tenant::MinimumKeyVersion(c);
          if (!minimum.ok()) return minimum.error();
          if (*minimum > record.key_version) {
            rotated = true;
            return Error::Make(ErrorCode::kUnavailable,
                               "the organization's key was rotated meanwhile");
          }
          auto existing = store::tenant::FindSecret(c, ws, name);
          if (!existing.ok()) return existing.error();
          if (*existing) {
            record.created_by = (*existing)->created_by;
            record.created_at = (*existing)->created_at;
          }
          auto inserted = store::tenant::PutSecret(c, record);
          if (!inserted.ok()) return inserted.error();
          if (created) *created = *inserted;
          BULKHEAD_TRY(store::tenant::InsertAuditEvent(
              c,
              MakeAuditEvent(org, actor, *inserted ? "secret.created" : "secret.updated", "secret",
                             ws + "/" + name, {{"workspace_id", ws}, {"name", name}})));
          BULKHEAD_TRY(
              AppendEvent(env_, c, MakeEvent(org, "secret.changed", SecretMetadataJson(record))));
          return SecretView{record, std::nullopt};
        });
    if (!rotated) return put;
  }
  return Error::Make(ErrorCode::kUnavailable, "the organization's key is being rotated; retry");
}

Result<SecretPage> SecretService::List(const TenantContext& tenant,
                                       const WorkspaceContext& workspace,
                                       const std::string& after_name, int limit) {
  auto database = env_.tenants.Open(tenant.key);
  if (!database.ok()) return database.error();
  auto lease = (*database)->Acquire();
  auto rows = store::tenant::ListSecrets(*lease, workspace.workspace.id, after_name, limit + 1);
  if (!rows.ok()) return rows.error();
  SecretPage page;
  for (auto& r : *rows) page.secrets.push_back({std::move(r), std::nullopt});
  page.more = TrimToPage(page.secrets, limit);
  return page;
}

Result<SecretView> SecretService::Get(const TenantContext& tenant,
                                      const WorkspaceContext& workspace, const std::string& name,
                                      bool reveal, const Actor& actor) {
  if (!ValidSecretName(name)) return SecretNotFound();
  if (reveal && !core::WorkspaceRoleHas(workspace.role, core::WorkspaceRole::kEditor)) {
    return Error::Forbidden("revealing a secret's value needs the workspace editor role");
  }
  const std::string& org = tenant.organization.id;
  const std::string& ws = workspace.workspace.id;
  auto read = [&]() -> Result<store::SecretRecord> {
    auto database = env_.tenants.Open(tenant.key);
    if (!database.ok()) return database.error();
    auto lease = (*database)->Acquire();
    auto found = store::tenant::FindSecret(*lease, ws, name);
    if (!found.ok()) return found.error();
    if (!*found) return SecretNotFound();
    return std::move(**found);
  };
  if (!reveal) {
    auto record = read();
    if (!record.ok()) return record.error();
    return SecretView{std::move(*record), std::nullopt};
  }
  // Revealing is audited in the same transaction that reads the value. The data key is
  // unsealed before that transaction (on PostgreSQL the catalog and the tenant share one pool:
  // a transaction must not wait for a second connection); a rotation in between retries.
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto current = read();
    if (!current.ok()) return current.error();
    int64_t version = current->key_version;
    auto unsealed = env_.keys.Version(env_.catalog, org, version);
    if (!unsealed.ok()) return unsealed.error();
    bool rotated = false;
    auto revealed =
        InTenantWrite<SecretView>(env_, tenant, [&](store::Connection& c) -> Result<SecretView> {
          auto found = store::tenant::FindSecret(c, ws, name);
          if (!found.ok()) return found.error();
          if (!*found) return SecretNotFound();
          const store::SecretRecord& record = **found;
          auto key = env_.keys.Cached(org, record.key_version);
          if (!key) {
            rotated = true;
            return Error::Make(ErrorCode::kUnavailable, "the secret was sealed again meanwhile");
          }
          auto sealed = core::Base64UrlDecode(record.sealed);
          std::optional<std::string> value;
          if (sealed) {
            value = crypto::Open(key->key, *sealed,
                                 SecretAssociatedData(org, ws, name, record.key_version));
          }
          if (!value) {
            return Error::Make(
                ErrorCode::kSecretUnreadable,
                "the stored value of secret '" + name +
                    "' does not open with this organization's key for this workspace "
                    "and name: it was sealed elsewhere or changed");
          }
          BULKHEAD_TRY(store::tenant::InsertAuditEvent(
              c, MakeAuditEvent(org, actor, "secret.revealed", "secret", ws + "/" + name,
                                {{"workspace_id", ws}, {"name", name}})));
          return SecretView{record, std::move(value)};
        });
    if (!rotated) return revealed;
  }
  return Error::Make(ErrorCode::kUnavailable, "the secret is being sealed again; retry");
}

core::Status SecretService::Delete(const TenantContext& tenant, const WorkspaceContext& workspace,
                                   const std::string& name, const Actor& actor) {
  if (!ValidSecretName(name)) return SecretNotFound();
  const std::string& ws = workspace.workspace.id;
  return InTenantWrite<core::Unit>(env_, tenant, [&](store::Connection& c) -> core::Status {
    auto existing = store::tenant::FindSecret(c, ws, name);  // its metadata, for the event
    if (!existing.ok()) return existing.error();
    if (!*existing) return SecretNotFound();
    auto deleted = store::tenant::DeleteSecret(c, ws, name);
    if (!deleted.ok()) return deleted.error();
    if (!*deleted) return SecretNotFound();
    BULKHEAD_TRY(store::tenant::InsertAuditEvent(
        c, MakeAuditEvent(tenant.organization.id, actor, "secret.deleted", "secret",
                          ws + "/" + name, {{"workspace_id", ws}, {"name", name}})));
    return AppendEvent(
        env_, c,
        MakeEvent(tenant.organization.id, "secret.deleted", SecretMetadataJson(**existing)));
  });
}

}  // namespace bulkhead::service
