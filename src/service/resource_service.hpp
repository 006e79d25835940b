#pragma once
// Resources in a workspace: typed (`kind`), named uniquely per workspace and kind, with
// labels and a JSON spec. They live in the organization's own database; each change is audited
// there in the same transaction. Thread-safety: thread-safe.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.hpp"
#include "service/workspace_service.hpp"
#include "store/records.hpp"
#include "store/workspace_store.hpp"

namespace bulkhead::service {

struct CreateResourceInput {
  std::string kind;
  std::string name;
  std::optional<nlohmann::json> labels;
  std::optional<nlohmann::json> spec;
};

struct UpdateResourceInput {
  std::optional<std::string> name;
  std::optional<nlohmann::json> labels;  // merged: null removes a key
  std::optional<nlohmann::json> spec;    // replaces
};

struct ResourcePage {
  std::vector<store::ResourceRecord> resources;
  bool more = false;
};

class ResourceService {
 public:
  explicit ResourceService(Environment& env) : env_(env) {}

  core::Result<ResourcePage> List(const TenantContext& tenant, const WorkspaceContext& workspace,
                                  const store::tenant::ResourceFilter& filter,
                                  const std::string& after_id, int limit);
  core::Result<store::ResourceRecord> Get(const TenantContext& tenant,
                                          const WorkspaceContext& workspace, const std::string& id);
  // kNameTaken when the workspace has a resource of that kind and name. On create and on an
  // update that replaces it, `spec.integration_id` (when present) must name an integration
  // available to the workspace (else kValidationFailed on that field); the resource's
  // integration_id follows it.
  core::Result<store::ResourceRecord> Create(const TenantContext& tenant,
                                             const WorkspaceContext& workspace,
                                             const CreateResourceInput& input, const Actor& actor);
  core::Result<store::ResourceRecord> Update(const TenantContext& tenant,
                                             const WorkspaceContext& workspace,
                                             const std::string& id,
                                             const UpdateResourceInput& input, const Actor& actor);
  core::Status Delete(const TenantContext& tenant, const WorkspaceContext& workspace,
                      const std::string& id, const Actor& actor);

 private:
  Environment& env_;
};

}  // namespace bulkhead::service
