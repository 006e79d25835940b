#include "service/integration_service.hpp"

#include "core/base64.hpp"
#include "core/integration.hpp"
#include "core/text.hpp"
#include "core/time.hpp"
#include "core/uuid.hpp"
#include "crypto/seal.hpp"
#include "service/organization_service.hpp"
#include "store/secret_store.hpp"
#include "store/tenant_store.hpp"

namespace bulkhead::service {

using core::Error;
using core::ErrorCode;
using core::Result;

namespace {

// At most this many of the resources that use an integration are named in a refusal.
constexpr int kUsersNamed = 50;

Error IntegrationNotFound() {
  return Error::NotFound("integration");
}

Error NameTaken() {
  return Error::Make(ErrorCode::kNameTaken, "the organization has an integration with this name");
}

Error KeyRotatedMeanwhile() {
  return Error::Make(ErrorCode::kUnavailable, "the organization's key was rotated meanwhile");
}

bool SeesConfig(const TenantContext& tenant) {
  return tenant.Can(core::Permission::kUpdateOrganization);
}

// Credentials sealed with the organization's current data key.
struct SealedCredentials {
  int64_t key_version = 0;
  std::string sealed;
};

// kIntegrationInUse naming the resources that use `integration` (in `workspace_id` alone,
// when given), or Ok when none does.
core::Status RefuseWhileUsed(store::Connection& c, const store::IntegrationRecord& integration,
                             const std::optional<std::string>& workspace_id,
                             std::string_view verb) {
  auto count = store::tenant::CountIntegrationUsers(c, integration.id, workspace_id);
  if (!count.ok()) return count.error();
  if (*count == 0) return core::Ok();
  auto users = store::tenant::IntegrationUsers(c, integration.id, workspace_id, kUsersNamed);
  if (!users.ok()) return users.error();
  std::string detail = "integration '" + integration.name + "' is used by " +
                       std::to_string(*count) + (*count == 1 ? " resource" : " resources") +
                       (workspace_id ? " of this workspace" : "") + ": ";
  nlohmann::json named = nlohmann::json::array();
  for (std::size_t i = 0; i < users->size(); ++i) {
    const auto& user = (*users)[i];
    if (i > 0) detail += ", ";
    detail += "'" + user.name + "' (" + user.id + ")";
    named.push_back({{"id", user.id}, {"name", user.name}, {"workspace_id", user.workspace_id}});
  }
  if (*count > static_cast<int64_t>(users->size())) detail += ", …";
  detail +=
      "; change their spec.integration_id or delete them before you " + std::string(verb) + " it";
  Error e = Error::Make(ErrorCode::kIntegrationInUse, std::move(detail));
  e.extra_members = nlohmann::json{{"resources", named}, {"resource_count", *count}}.dump();
  return e;
}

}  // namespace

std::string IntegrationAssociatedData(const std::string& organization_id,
                                      const std::string& integration_id, int64_t key_version) {
  return "bulkhead/integration/v1|" + organization_id + "|" + integration_id + "|" +
         std::to_string(key_version);
}

core::Status CheckIntegrationAvailable(store::Connection& c, const std::string& workspace_id,
                                       const std::string& integration_id) {
  auto linked = store::tenant::FindWorkspaceIntegration(c, workspace_id, integration_id);
  if (!linked.ok()) return linked.error();
  if (!*linked) {
    return Error::Validation("spec.integration_id",
                             "names no integration available to this workspace (an admin makes "
                             "one available with PUT …/workspaces/{ws}/integrations/{id})");
  }
  return core::Ok();
}

namespace {

// Seals `credentials` for `integration_id` with the organization's current key.
Result<SealedCredentials> Seal(Environment& env, const std::string& organization_id,
                               const std::string& integration_id,
                               const nlohmann::json& credentials) {
  auto key = env.keys.Current(env.catalog, organization_id);
  if (!key.ok()) return key.error();
  return SealedCredentials{
      key->version, core::Base64UrlEncode(crypto::Seal(
                        key->key, credentials.dump(),
                        IntegrationAssociatedData(organization_id, integration_id, key->version)))};
}

// In the write's transaction: false when a rotation raised the minimum key version above the
// one the credentials were sealed with (the caller seals again with the newer key).
Result<bool> SealedRecentlyEnough(store::Connection& c, int64_t key_version) {
  auto minimum = store::tenant::MinimumKeyVersion(c);
  if (!minimum.ok()) return minimum.error();
  return *minimum <= key_version;
}

}  // namespace

Result<IntegrationPage> IntegrationService::List(const TenantContext& tenant,
                                                 const std::string& after_id, int limit) {
  auto database = env_.tenants.Open(tenant.key);
  if (!database.ok()) return database.error();
  auto lease = (*database)->Acquire();
  auto rows = store::tenant::ListIntegrations(*lease, after_id, limit + 1);
  if (!rows.ok()) return rows.error();
  IntegrationPage page;
  for (auto& r : *rows) page.integrations.push_back({std::move(r), {}, std::nullopt});
  page.more = TrimToPage(page.integrations, limit);
  if (SeesConfig(tenant)) {
    for (auto& view : page.integrations) {
      auto workspaces = store::tenant::ListIntegrationWorkspaces(*lease, view.record.id);
      if (!workspaces.ok()) return workspaces.error();
      view.workspaces = std::move(*workspaces);
    }
  }
  return page;
}

Result<IntegrationView> IntegrationService::Get(const TenantContext& tenant, const std::string& id,
                                                bool reveal, const Actor& actor) {
  if (!core::IsUuid(id)) return IntegrationNotFound();
  if (reveal && !SeesConfig(tenant)) {
    return Error::Forbidden("revealing an integration's credentials needs organization:update");
  }
  const std::string& org = tenant.organization.id;
  auto read = [&]() -> Result<IntegrationView> {
    auto database = env_.tenants.Open(tenant.key);
    if (!database.ok()) return database.error();
    auto lease = (*database)->Acquire();
    auto found = store::tenant::FindIntegration(*lease, id);
    if (!found.ok()) return found.error();
    if (!*found) return IntegrationNotFound();
    IntegrationView view{std::move(**found), {}, std::nullopt};
    if (SeesConfig(tenant)) {
      auto workspaces = store::tenant::ListIntegrationWorkspaces(*lease, id);
      if (!workspaces.ok()) return workspaces.error();
      view.workspaces = std::move(*workspaces);
    }
    return view;
  };
  if (!reveal) return read();
  // Revealing is audited in the same transaction that reads the credentials. The data key is
  // unsealed before it (on PostgreSQL a transaction must not wait for a catalog connection);
  // a rotation in between retries.
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto current = read();
    if (!current.ok()) return current.error();
    auto unsealed = env_.keys.Version(env_.catalog, org, current->record.key_version);
    if (!unsealed.ok()) return unsealed.error();
    bool rotated = false;
    auto revealed = InTenantWrite<IntegrationView>(
        env_, tenant, [&](store::Connection& c) -> Result<IntegrationView> {
          auto found = store::tenant::FindIntegration(c, id);
          if (!found.ok()) return found.error();
          if (!*found) return IntegrationNotFound();
          const store::IntegrationRecord& record = **found;
          auto key = env_.keys.Cached(org, record.key_version);
          if (!key) {
            rotated = true;
            return KeyRotatedMeanwhile();
          }
          auto sealed = core::Base64UrlDecode(record.credentials_sealed);
          std::optional<std::string> text;
          if (sealed) {
            text = crypto::Open(key->key, *sealed,
                                IntegrationAssociatedData(org, id, record.key_version));
          }
          auto credentials = text ? nlohmann::json::parse(*text, nullptr, false)
                                  : nlohmann::json(nlohmann::json::value_t::discarded);
          if (!credentials.is_object()) {
            return Error::Make(ErrorCode::kSecretUnreadable,
                               "the stored credentials of integration '" + record.name +
                                   "' do not open with this organization's key: they were "
                                   "sealed elsewhere or changed");
          }
          BULKHEAD_TRY(store::tenant::InsertAuditEvent(
              c, MakeAuditEvent(org, actor, "integration.credentials_revealed", "integration", id,
                                {{"name", record.name}, {"kind", record.kind}})));
          return IntegrationView{record, std::move(current->workspaces), std::move(credentials)};
        });
    if (!rotated) return revealed;
  }
  return Error::Make(ErrorCode::kUnavailable, "the credentials are being sealed again; retry");
}

Result<IntegrationView> IntegrationService::Create(const TenantContext& tenant,
                                                   const CreateIntegrationInput& input,
                                                   const Actor& actor) {
  std::vector<core::FieldError> errors;
  bool known_kind = core::IsIntegrationKind(input.kind);
  if (!known_kind) {
    errors.push_back({"kind", "must be one of aws, gcp, azure, kubernetes, custom"});
  }
  auto name = core::ValidateDisplayText("name", input.name, core::kMaxIntegrationName);
  if (!name.ok()) errors.push_back(name.error().fields.at(0));
  if (known_kind) core::ValidateIntegrationConfig(input.kind, input.config, errors);
  core::ValidateIntegrationCredentials(input.credentials, errors);
  if (!errors.empty()) return Error::Validation(std::move(errors));

  const std::string& org = tenant.organization.id;
  const std::string id = core::NewUuidV7();
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto sealed = Seal(env_, org, id, input.credentials);
    if (!sealed.ok()) return sealed.error();
    int64_t now = core::NowMs();
    store::IntegrationRecord record{id,
                                    input.kind,
                                    *name,
                                    input.config.dump(),
                                    sealed->key_version,
                                    std::move(sealed->sealed),
                                    actor.id,
                                    now,
                                    now};
    bool rotated = false;
    auto created = InTenantWrite<IntegrationView>(
        env_, tenant, [&](store::Connection& c) -> Result<IntegrationView> {
          auto recent = SealedRecentlyEnough(c, record.key_version);
          if (!recent.ok()) return recent.error();
          if (!*recent) {
            rotated = true;
            return KeyRotatedMeanwhile();
          }
          if (auto st = store::tenant::InsertIntegration(c, record); !st.ok()) {
            return st.error().code == ErrorCode::kConflict ? NameTaken() : st.error();
          }
          BULKHEAD_TRY(store::tenant::InsertAuditEvent(
              c, MakeAuditEvent(org, actor, "integration.created", "integration", id,
                                {{"kind", record.kind}, {"name", record.name}})));
          return IntegrationView{record, {}, std::nullopt};
        });
    if (!rotated) return created;
  }
  return Error::Make(ErrorCode::kUnavailable, "the organization's key is being rotated; retry");
}

Result<IntegrationView> IntegrationService::Update(const TenantContext& tenant,
                                                   const std::string& id,
                                                   const UpdateIntegrationInput& input,
                                                   const Actor& actor) {
  if (!core::IsUuid(id)) return IntegrationNotFound();
  std::vector<core::FieldError> errors;
  std::optional<std::string> name;
  if (input.name) {
    auto checked = core::ValidateDisplayText("name", *input.name, core::kMaxIntegrationName);
    if (checked.ok())
      name = *checked;
    else
      errors.push_back(checked.error().fields.at(0));
  }
  if (input.credentials) core::ValidateIntegrationCredentials(*input.credentials, errors);
  if (!errors.empty()) return Error::Validation(std::move(errors));

  const std::string& org = tenant.organization.id;
  for (int attempt = 0; attempt < 3; ++attempt) {
    std::optional<SealedCredentials> sealed;
    if (input.credentials) {
      auto fresh = Seal(env_, org, id, *input.credentials);
      if (!fresh.ok()) return fresh.error();
      sealed = std::move(*fresh);
    }
    bool rotated = false;
    auto updated = InTenantWrite<IntegrationView>(
        env_, tenant, [&](store::Connection& c) -> Result<IntegrationView> {
          auto found = store::tenant::FindIntegration(c, id);
          if (!found.ok()) return found.error();
          if (!*found) return IntegrationNotFound();
          store::IntegrationRecord record = std::move(**found);
          nlohmann::json changed = nlohmann::json::array();
          if (input.config) {
            std::vector<core::FieldError> config_errors;
            core::ValidateIntegrationConfig(record.kind, *input.config, config_errors);
            if (!config_errors.empty()) return Error::Validation(std::move(config_errors));
            if (input.config->dump() != record.config) {
              record.config = input.config->dump();
              changed.push_back("config");
            }
          }
          if (name && *name != record.name) {
            record.name = *name;
            changed.push_back("name");
          }
          if (sealed) {
            auto recent = SealedRecentlyEnough(c, sealed->key_version);
            if (!recent.ok()) return recent.error();
            if (!*recent) {
              rotated = true;
              return KeyRotatedMeanwhile();
            }
            record.key_version = sealed->key_version;
            record.credentials_sealed = sealed->sealed;
            changed.push_back("credentials");  // replaced, whatever they were
          }
          if (!changed.empty()) {
            record.updated_at = core::NowMs();
            if (auto st = store::tenant::UpdateIntegration(c, record); !st.ok()) {
              return st.error().code == ErrorCode::kConflict ? NameTaken() : st.error();
            }
            BULKHEAD_TRY(store::tenant::InsertAuditEvent(
                c, MakeAuditEvent(org, actor, "integration.updated", "integration", id,
                                  {{"name", record.name}, {"changed", changed}})));
          }
          auto workspaces = store::tenant::ListIntegrationWorkspaces(c, id);
          if (!workspaces.ok()) return workspaces.error();
          return IntegrationView{std::move(record), std::move(*workspaces), std::nullopt};
        });
    if (!rotated) return updated;
  }
  return Error::Make(ErrorCode::kUnavailable, "the organization's key is being rotated; retry");
}

core::Status IntegrationService::Delete(const TenantContext& tenant, const std::string& id,
                                        const Actor& actor) {
  if (!core::IsUuid(id)) return IntegrationNotFound();
  return InTenantWrite<core::Unit>(env_, tenant, [&](store::Connection& c) -> core::Status {
    auto found = store::tenant::FindIntegration(c, id);
    if (!found.ok()) return found.error();
    if (!*found) return IntegrationNotFound();
    BULKHEAD_TRY(RefuseWhileUsed(c, **found, std::nullopt, "delete"));
    BULKHEAD_TRY(store::tenant::DeleteIntegration(c, id));
    return store::tenant::InsertAuditEvent(
        c, MakeAuditEvent(tenant.organization.id, actor, "integration.deleted", "integration", id,
                          {{"kind", (*found)->kind}, {"name", (*found)->name}}));
  });
}

Result<WorkspaceIntegrationPage> IntegrationService::ListForWorkspace(
    const TenantContext& tenant, const WorkspaceContext& workspace, const std::string& after_id,
    int limit) {
  auto database = env_.tenants.Open(tenant.key);
  if (!database.ok()) return database.error();
  auto lease = (*database)->Acquire();
  auto rows =
      store::tenant::ListWorkspaceIntegrations(*lease, workspace.workspace.id, after_id, limit + 1);
  if (!rows.ok()) return rows.error();
  WorkspaceIntegrationPage page{std::move(*rows), false};
  page.more = TrimToPage(page.integrations, limit);
  return page;
}

Result<store::WorkspaceIntegrationRecord> IntegrationService::Link(
    const TenantContext& tenant, const WorkspaceContext& workspace, const std::string& id,
    const Actor& actor, bool* created) {
  if (!core::IsUuid(id)) return IntegrationNotFound();
  const std::string& ws = workspace.workspace.id;
  return InTenantWrite<store::WorkspaceIntegrationRecord>(
      env_, tenant, [&](store::Connection& c) -> Result<store::WorkspaceIntegrationRecord> {
        BULKHEAD_TRY(CurrentWorkspace(c, ws));  // may have been deleted since it resolved
        auto integration = store::tenant::FindIntegration(c, id);
        if (!integration.ok()) return integration.error();
        if (!*integration) return IntegrationNotFound();
        auto linked = store::tenant::LinkIntegration(c, ws, id, core::NowMs());
        if (!linked.ok()) return linked.error();
        if (created) *created = *linked;
        if (*linked) {
          BULKHEAD_TRY(store::tenant::InsertAuditEvent(
              c, MakeAuditEvent(tenant.organization.id, actor, "workspace.integration_added",
                                "workspace", ws,
                                {{"integration_id", id},
                                 {"kind", (*integration)->kind},
                                 {"name", (*integration)->name}})));
        }
        auto row = store::tenant::FindWorkspaceIntegration(c, ws, id);
        if (!row.ok()) return row.error();
        if (!*row) return Error::Internal("the link just written is missing");
        return std::move(**row);
      });
}

core::Status IntegrationService::Unlink(const TenantContext& tenant,
                                        const WorkspaceContext& workspace, const std::string& id,
                                        const Actor& actor) {
  if (!core::IsUuid(id)) return IntegrationNotFound();
  const std::string& ws = workspace.workspace.id;
  return InTenantWrite<core::Unit>(env_, tenant, [&](store::Connection& c) -> core::Status {
    auto integration = store::tenant::FindIntegration(c, id);
    if (!integration.ok()) return integration.error();
    if (!*integration) return IntegrationNotFound();
    BULKHEAD_TRY(RefuseWhileUsed(c, **integration, ws, "remove"));
    auto removed = store::tenant::UnlinkIntegration(c, ws, id);
    if (!removed.ok()) return removed.error();
    if (!*removed) return Error::NotFound("integration available to this workspace");
    return store::tenant::InsertAuditEvent(
        c, MakeAuditEvent(tenant.organization.id, actor, "workspace.integration_removed",
                          "workspace", ws,
                          {{"integration_id", id},
                           {"kind", (*integration)->kind},
                           {"name", (*integration)->name}}));
  });
}

}  // namespace bulkhead::service
