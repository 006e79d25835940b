#pragma once
// Integrations in an organization's own database (service/integration_service): the config in
// the clear, the credentials only ever sealed; the workspaces each is available to; and which
// resources use one (resources.integration_id).
// Thread-safety: functions, on the caller's connection.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/database.hpp"

namespace bulkhead::store {

struct IntegrationRecord {
  std::string id;  // UUIDv7: pages are ordered by id
  std::string kind;
  std::string name;
  std::string config;  // JSON object text
  int64_t key_version = 0;
  std::string credentials_sealed;  // base64url
  std::string created_by;
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

// An integration made available to a workspace.
struct WorkspaceIntegrationRecord {
  std::string workspace_id;
  std::string integration_id;
  std::string kind;  // the integration's, for lists
  std::string name;
  int64_t created_at = 0;  // when it was made available
};

// A workspace an integration is available to (an admin's view lists them).
struct IntegrationWorkspace {
  std::string id;
  std::string name;
  int64_t added_at = 0;
};

// A resource that uses an integration (what a refused delete or unlink names).
struct IntegrationUser {
  std::string id;
  std::string name;
  std::string workspace_id;
};

namespace tenant {

// kConflict when the name is taken.
Status InsertIntegration(Connection& c, const IntegrationRecord& integration);
Status UpdateIntegration(Connection& c, const IntegrationRecord& integration);
Result<std::optional<IntegrationRecord>> FindIntegration(Connection& c, std::string_view id);
// By id, after `after_id` (empty: from the first), at most `limit`.
Result<std::vector<IntegrationRecord>> ListIntegrations(Connection& c, std::string_view after_id,
                                                        int limit);
Status DeleteIntegration(Connection& c, std::string_view id);  // its links go with it
// Up to `limit` integrations sealed with a key version below `version` (for rotation).
Result<std::vector<IntegrationRecord>> IntegrationsBelowVersion(Connection& c, int64_t version,
                                                                int limit);
Status ResealIntegration(Connection& c, const IntegrationRecord& integration);

// Availability. LinkIntegration: true when the link is new.
Result<bool> LinkIntegration(Connection& c, std::string_view workspace_id,
                             std::string_view integration_id, int64_t now);
Result<bool> UnlinkIntegration(Connection& c, std::string_view workspace_id,
                               std::string_view integration_id);
Result<std::optional<WorkspaceIntegrationRecord>> FindWorkspaceIntegration(
    Connection& c, std::string_view workspace_id, std::string_view integration_id);
// A workspace's integrations by integration id, after `after_id`, at most `limit`.
Result<std::vector<WorkspaceIntegrationRecord>> ListWorkspaceIntegrations(
    Connection& c, std::string_view workspace_id, std::string_view after_id, int limit);
// The workspaces an integration is available to, by workspace id.
Result<std::vector<IntegrationWorkspace>> ListIntegrationWorkspaces(
    Connection& c, std::string_view integration_id);

// Resources using the integration (in one workspace, when `workspace_id` is given): the count,
// and the first `limit` of them by id.
Result<int64_t> CountIntegrationUsers(Connection& c, std::string_view integration_id,
                                      const std::optional<std::string>& workspace_id);
Result<std::vector<IntegrationUser>> IntegrationUsers(
    Connection& c, std::string_view integration_id, const std::optional<std::string>& workspace_id,
    int limit);

}  // namespace tenant
}  // namespace bulkhead::store
