#include "service/resource_service.hpp"

#include "core/integration.hpp"
#include "core/resource.hpp"
#include "core/text.hpp"
#include "core/time.hpp"
#include "core/uuid.hpp"
#include "service/events.hpp"
#include "service/integration_service.hpp"
#include "service/organization_service.hpp"
#include "service/views.hpp"
#include "store/tenant_store.hpp"

namespace bulkhead::service {

using core::Error;
using core::ErrorCode;
using core::Result;

namespace {

Error ResourceNotFound() {
  return Error::NotFound("resource");
}

Error NameTaken() {
  return Error::Make(ErrorCode::kNameTaken,
                     "the workspace already has a resource of this kind with this name");
}

// The resource event of `resource` as the API renders it (as text: no JSON tree to build).
store::EventRecord ResourceEvent(const std::string& organization_id, std::string type,
                                 const store::ResourceRecord& resource) {
  std::string data;
  data.reserve(256 + resource.labels.size() + resource.spec.size());
  AppendResourceJson(data, resource);
  return MakeEventFromText(organization_id, std::move(type), std::move(data));
}

nlohmann::json LabelsJson(const core::Labels& labels) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [k, v] : labels) out[k] = v;
  return out;
}

core::Labels LabelsOf(const store::ResourceRecord& r) {
  core::Labels labels;
  const nlohmann::json stored = nlohmann::json::parse(r.labels);  // outlives the loop below
  for (const auto& [k, v] : stored.items()) labels[k] = v.get<std::string>();
  return labels;
}

}  // namespace

Result<ResourcePage> ResourceService::List(const TenantContext& tenant,
                                           const WorkspaceContext& workspace,
                                           const store::tenant::ResourceFilter& filter,
                                           const std::string& after_id, int limit) {
  auto database = env_.tenants.Open(tenant.key);
  if (!database.ok()) return database.error();
  auto lease = (*database)->Acquire();
  auto rows =
      store::tenant::ListResources(*lease, workspace.workspace.id, filter, after_id, limit + 1);
  if (!rows.ok()) return rows.error();
  ResourcePage page{std::move(*rows), false};
  page.more = TrimToPage(page.resources, limit);
  return page;
}

Result<store::ResourceRecord> ResourceService::Get(const TenantContext& tenant,
                                                   const WorkspaceContext& workspace,
                                                   const std::string& id) {
  if (!core::IsUuid(id)) return ResourceNotFound();
  auto database = env_.tenants.Open(tenant.key);
  if (!database.ok()) return database.error();
  auto lease = (*database)->Acquire();
  auto found = store::tenant::FindResource(*lease, workspace.workspace.id, id);
  if (!found.ok()) return found.error();
  if (!*found) return ResourceNotFound();
  return **found;
}

Result<store::ResourceRecord> ResourceService::Create(const TenantContext& tenant,
                                                      const WorkspaceContext& workspace,
                                                      const CreateResourceInput& input,
                                                      const Actor& actor) {
  std::vector<core::FieldError> errors;
  if (auto st = core::ValidateKind(input.kind); !st.ok()) errors.push_back(st.error().fields.at(0));
  auto name = core::ValidateDisplayText("name", input.name, core::kMaxResourceName);
  if (!name.ok()) errors.push_back(name.error().fields.at(0));
  core::Labels labels;
  if (input.labels) {
    auto parsed = core::LabelsFromJson(*input.labels);
    if (parsed.ok())
      labels = std::move(*parsed);
    else
      errors.push_back(parsed.error().fields.at(0));
  }
  nlohmann::json spec = input.spec.value_or(nlohmann::json::object());
  if (auto st = core::ValidateSpec(spec); !st.ok()) errors.push_back(st.error().fields.at(0));
  auto integration = core::SpecIntegrationId(spec);
  if (!integration.ok()) errors.push_back(integration.error().fields.at(0));
  if (!errors.empty()) return Error::Validation(std::move(errors));

  int64_t now = core::NowMs();
  store::ResourceRecord resource{core::NewUuidV7(),
                                 workspace.workspace.id,
                                 input.kind,
                                 *name,
                                 LabelsJson(labels).dump(),
                                 spec.dump(),
                                 actor.id,
                                 now,
                                 now,
                                 integration->value_or("")};
  // Rendered before the write, so the write lock is held no longer for it.
  store::EventRecord event = ResourceEvent(tenant.organization.id, "resource.created", resource);
  return InTenantWrite<store::ResourceRecord>(
      env_, tenant, [&](store::Connection& c) -> Result<store::ResourceRecord> {
        // The workspace may have been deleted since the request resolved it.
        BULKHEAD_TRY(CurrentWorkspace(c, workspace.workspace.id));
        if (!resource.integration_id.empty()) {
          BULKHEAD_TRY(
              CheckIntegrationAvailable(c, workspace.workspace.id, resource.integration_id));
        }
        if (auto max = OrganizationLimit(env_, tenant.organization, "max_resources")) {
          auto count = store::tenant::CountResources(c);
          if (!count.ok()) return count.error();
          if (*count >= *max) {
            return Error::LimitReached("max_resources", *count, *max);
          }
        }
        if (auto st = store::tenant::InsertResource(c, resource, labels); !st.ok()) {
          return st.error().code == ErrorCode::kConflict ? NameTaken() : st.error();
        }
        BULKHEAD_TRY(store::tenant::InsertAuditEvent(
            c, MakeAuditEvent(tenant.organization.id, actor, "resource.created", "resource",
                              resource.id,
                              {{"workspace_id", resource.workspace_id},
                               {"kind", resource.kind},
                               {"name", resource.name}})));
        BULKHEAD_TRY(AppendEvent(env_, c, event));
        return resource;
      });
}

Result<store::ResourceRecord> ResourceService::Update(const TenantContext& tenant,
                                                      const WorkspaceContext& workspace,
                                                      const std::string& id,
                                                      const UpdateResourceInput& input,
                                                      const Actor& actor) {
  if (!core::IsUuid(id)) return ResourceNotFound();
  std::vector<core::FieldError> errors;
  std::optional<std::string> name;
  if (input.name) {
    auto checked = core::ValidateDisplayText("name", *input.name, core::kMaxResourceName);
    if (checked.ok())
      name = *checked;
    else
      errors.push_back(checked.error().fields.at(0));
  }
  if (input.labels && !input.labels->is_object()) {
    errors.push_back({"labels", "must be an object of strings"});
  }
  std::optional<std::string> integration_id;  // with a new spec: the one it names, or ""
  if (input.spec) {
    if (auto st = core::ValidateSpec(*input.spec); !st.ok())
      errors.push_back(st.error().fields.at(0));
    auto named = core::SpecIntegrationId(*input.spec);
    if (named.ok())
      integration_id = named->value_or("");
    else
      errors.push_back(named.error().fields.at(0));
  }
  if (!errors.empty()) return Error::Validation(std::move(errors));

  return InTenantWrite<store::ResourceRecord>(
      env_, tenant, [&](store::Connection& c) -> Result<store::ResourceRecord> {
        auto found = store::tenant::FindResource(c, workspace.workspace.id, id);
        if (!found.ok()) return found.error();
        if (!*found) return ResourceNotFound();
        store::ResourceRecord resource = **found;
        core::Labels labels = LabelsOf(resource);
        if (input.labels) {
          auto merged = core::MergeLabels(labels, *input.labels);
          if (!merged.ok()) return merged.error();
          labels = std::move(*merged);
        }
        nlohmann::json changed = nlohmann::json::array();
        if (name && *name != resource.name) {
          resource.name = *name;
          changed.push_back("name");
        }
        std::string labels_text = LabelsJson(labels).dump();
        if (labels_text != resource.labels) {
          resource.labels = labels_text;
          changed.push_back("labels");
        }
        if (input.spec && input.spec->dump() != resource.spec) {
          resource.spec = input.spec->dump();
          changed.push_back("spec");
          if (!integration_id->empty()) {
            BULKHEAD_TRY(CheckIntegrationAvailable(c, workspace.workspace.id, *integration_id));
          }
          resource.integration_id = *integration_id;
        }
        if (changed.empty()) return resource;
        resource.updated_at = core::NowMs();
        if (auto st = store::tenant::UpdateResource(c, resource, labels); !st.ok()) {
          return st.error().code == ErrorCode::kConflict ? NameTaken() : st.error();
        }
        BULKHEAD_TRY(store::tenant::InsertAuditEvent(
            c, MakeAuditEvent(tenant.organization.id, actor, "resource.updated", "resource",
                              resource.id,
                              {{"workspace_id", resource.workspace_id}, {"changed", changed}})));
        BULKHEAD_TRY(AppendEvent(
            env_, c, ResourceEvent(tenant.organization.id, "resource.updated", resource)));
        return resource;
      });
}

core::Status ResourceService::Delete(const TenantContext& tenant, const WorkspaceContext& workspace,
                                     const std::string& id, const Actor& actor) {
  if (!core::IsUuid(id)) return ResourceNotFound();
  return InTenantWrite<core::Unit>(env_, tenant, [&](store::Connection& c) -> core::Status {
    auto found = store::tenant::FindResource(c, workspace.workspace.id, id);
    if (!found.ok()) return found.error();
    if (!*found) return ResourceNotFound();
    BULKHEAD_TRY(store::tenant::DeleteResource(c, id));
    BULKHEAD_TRY(store::tenant::InsertAuditEvent(
        c, MakeAuditEvent(tenant.organization.id, actor, "resource.deleted", "resource", id,
                          {{"workspace_id", (*found)->workspace_id},
                           {"kind", (*found)->kind},
                           {"name", (*found)->name}})));
    return AppendEvent(env_, c, ResourceEvent(tenant.organization.id, "resource.deleted", **found));
  });
}

}  // namespace bulkhead::service
