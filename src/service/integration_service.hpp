#pragma once
// Integrations of an organization: cloud connections (aws, gcp, azure, kubernetes, custom) that
// admins configure once and make available to chosen workspaces, whose resources then name one
// (spec.integration_id). Credentials are sealed with the organization's data key
// (XChaCha20-Poly1305; the associated data names the organization, the integration and the key
// version, so a sealed value copied anywhere else does not open) and never returned, except to
// an admin who asks (reveal), audited. Every change is audited in the organization's own
// database in the same transaction, never with a credential.
// Thread-safety: thread-safe.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.hpp"
#include "service/workspace_service.hpp"
#include "store/integration_store.hpp"

namespace bulkhead::service {

struct IntegrationView {
  store::IntegrationRecord record;  // `credentials_sealed` is never rendered
  // The workspaces it is available to: filled for callers who may see the config
  // (organization:update), else empty.
  std::vector<store::IntegrationWorkspace> workspaces;
  std::optional<nlohmann::json> credentials;  // only when revealed
};

struct IntegrationPage {
  std::vector<IntegrationView> integrations;
  bool more = false;
};

struct WorkspaceIntegrationPage {
  std::vector<store::WorkspaceIntegrationRecord> integrations;
  bool more = false;
};

struct CreateIntegrationInput {
  std::string kind;
  std::string name;
  nlohmann::json config = nlohmann::json::object();
  nlohmann::json credentials = nlohmann::json::object();
};

// Each present field replaces the stored one.
struct UpdateIntegrationInput {
  std::optional<std::string> name;
  std::optional<nlohmann::json> config;
  std::optional<nlohmann::json> credentials;
};

class IntegrationService {
 public:
  explicit IntegrationService(Environment& env) : env_(env) {}

  // By id, after `after_id`, at most `limit`.
  core::Result<IntegrationPage> List(const TenantContext& tenant, const std::string& after_id,
                                     int limit);
  // With `reveal`, opens the credentials (kForbidden without organization:update, audited as
  // integration.credentials_revealed). kSecretUnreadable when they do not open here.
  core::Result<IntegrationView> Get(const TenantContext& tenant, const std::string& id, bool reveal,
                                    const Actor& actor);
  // kNameTaken when the organization has an integration of that name.
  core::Result<IntegrationView> Create(const TenantContext& tenant,
                                       const CreateIntegrationInput& input, const Actor& actor);
  core::Result<IntegrationView> Update(const TenantContext& tenant, const std::string& id,
                                       const UpdateIntegrationInput& input, const Actor& actor);
  // kIntegrationInUse (naming them) while resources use it.
  core::Status Delete(const TenantContext& tenant, const std::string& id, const Actor& actor);

  // Availability to a workspace.
  core::Result<WorkspaceIntegrationPage> ListForWorkspace(const TenantContext& tenant,
                                                          const WorkspaceContext& workspace,
                                                          const std::string& after_id, int limit);
  // Makes it available; `created` tells whether it was not yet.
  core::Result<store::WorkspaceIntegrationRecord> Link(const TenantContext& tenant,
                                                       const WorkspaceContext& workspace,
                                                       const std::string& id, const Actor& actor,
                                                       bool* created = nullptr);
  // kIntegrationInUse (naming them) while resources of the workspace use it.
  core::Status Unlink(const TenantContext& tenant, const WorkspaceContext& workspace,
                      const std::string& id, const Actor& actor);

 private:
  Environment& env_;
};

// In a resource write's transaction: kValidationFailed on `spec.integration_id` unless the
// integration exists and is available to the workspace.
core::Status CheckIntegrationAvailable(store::Connection& c, const std::string& workspace_id,
                                       const std::string& integration_id);

// The associated data an integration's credentials are sealed with.
std::string IntegrationAssociatedData(const std::string& organization_id,
                                      const std::string& integration_id, int64_t key_version);

}  // namespace bulkhead::service
