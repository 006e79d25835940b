#pragma once
// Sharing grants (DESIGN.md guarantee 8, docs/sharing.md): organization A offers organization B
// one of its workspaces or resources, to read or to write; B's admins accept (for all of B's
// members or a list) or decline; A revokes. B's members then reach the shared item only under
// B's own path (…/{B}/shared/{grant_id}/resources), and only while the grant is accepted,
// unexpired, unrevoked and covers them: the grant is read from the catalog on every such
// request (no cache), so a revocation holds on the next request on every instance. Anything
// else of A is "not found", exactly as before.
//
// The data stays in A's database: a shared request runs A's ResourceService with a context for
// A (a member with no permissions of its own) and the workspace role the grant's level gives
// (viewer for read, editor for write), so A's limits, events and rules apply unchanged. Every
// use is audited in both organizations' logs.
// Thread-safety: thread-safe.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.hpp"
#include "service/environment.hpp"
#include "service/resource_service.hpp"
#include "service/tenant_resolver.hpp"
#include "service/workspace_service.hpp"
#include "store/grant_store.hpp"
#include "store/records.hpp"

namespace bulkhead::service {

struct OfferGrantInput {
  std::string target_organization;  // an id or a slug
  std::optional<std::string> workspace_id;
  std::optional<std::string> resource_id;
  std::string level;                      // "read" | "write"
  std::optional<std::string> expires_at;  // RFC 3339, in the future
};

// A grant with both organizations, as responses render it.
struct GrantView {
  store::grants::GrantRecord grant;
  store::OrganizationRecord organization;         // the giver
  store::OrganizationRecord target_organization;  // the receiver
};

struct GrantPage {
  std::vector<GrantView> grants;
  bool more = false;
};

class GrantService {
 public:
  GrantService(Environment& env, TenantResolver& resolver, WorkspaceService& workspaces,
               ResourceService& resources)
      : env_(env), resolver_(resolver), workspaces_(workspaces), resources_(resources) {}

  // The giver's side (`tenant` is A). Offer: kValidationFailed for a bad target, both or
  // neither of workspace_id and resource_id, or an expiry not in the future; kNotFound when
  // the workspace or resource is not one the caller can see in A.
  core::Result<GrantView> Offer(const TenantContext& tenant, const Principal& caller,
                                const OfferGrantInput& input, const Actor& actor);
  core::Result<GrantPage> ListGiven(const TenantContext& tenant, const std::string& after_id,
                                    int limit);
  // kNotFound unless A gave it.
  core::Result<GrantView> GetGiven(const TenantContext& tenant, const std::string& id);
  core::Status Revoke(const TenantContext& tenant, const std::string& id, const Actor& actor);

  // The receiver's side (`tenant` is B). Accept: `members` is "all" or an array of B's
  // members' user ids (kValidationFailed otherwise); kConflict unless the grant is offered
  // and unexpired. Decline: an offered or accepted grant; kConflict otherwise.
  core::Result<GrantPage> ListIncoming(const TenantContext& tenant, const std::string& after_id,
                                       int limit);
  core::Result<GrantView> Accept(const TenantContext& tenant, const std::string& id,
                                 const std::optional<nlohmann::json>& members, const Actor& actor);
  core::Result<GrantView> Decline(const TenantContext& tenant, const std::string& id,
                                  const Actor& actor);
  // The accepted, live grants that cover the caller.
  core::Result<std::vector<GrantView>> ListShared(const TenantContext& tenant,
                                                  const Principal& caller);

  // Shared resources (`tenant` is B). kNotFound for a grant that is unknown, not B's, not
  // accepted, revoked, expired or not covering the caller, and for any resource the grant does
  // not reach; kForbidden for a write through a read grant, and for creating or deleting
  // through a resource grant (write on a resource is update only).
  core::Result<ResourcePage> ListSharedResources(const TenantContext& tenant,
                                                 const Principal& caller, const Actor& actor,
                                                 const std::string& grant_id,
                                                 const store::tenant::ResourceFilter& filter,
                                                 const std::string& after_id, int limit);
  core::Result<store::ResourceRecord> GetSharedResource(const TenantContext& tenant,
                                                        const Principal& caller, const Actor& actor,
                                                        const std::string& grant_id,
                                                        const std::string& id);
  core::Result<store::ResourceRecord> CreateSharedResource(const TenantContext& tenant,
                                                           const Principal& caller,
                                                           const Actor& actor,
                                                           const std::string& grant_id,
                                                           const CreateResourceInput& input);
  core::Result<store::ResourceRecord> UpdateSharedResource(
      const TenantContext& tenant, const Principal& caller, const Actor& actor,
      const std::string& grant_id, const std::string& id, const UpdateResourceInput& input);
  core::Status DeleteSharedResource(const TenantContext& tenant, const Principal& caller,
                                    const Actor& actor, const std::string& grant_id,
                                    const std::string& id);

 private:
  enum class Verb { kList, kRead, kCreate, kUpdate, kDelete };
  // A grant's use, once every check passed: A's context and workspace, and who acts in A.
  struct SharedAccess {
    store::grants::GrantRecord grant;
    TenantContext giver;
    WorkspaceContext workspace;
    Actor actor_in_giver;
  };
  core::Result<SharedAccess> OpenShared(const TenantContext& tenant, const Principal& caller,
                                        const Actor& actor, const std::string& grant_id, Verb verb,
                                        const std::string& resource_id);
  // The use in both logs: `giver_action` in A (empty: none, a write's resource.* entry is
  // there already) and `target_action` in B.
  core::Status RecordUse(const TenantContext& tenant, const SharedAccess& access,
                         const Actor& actor, const std::string& giver_action,
                         const std::string& target_action, const std::string& resource_id);
  core::Result<GrantView> ViewOf(store::grants::GrantRecord grant);
  core::Result<GrantPage> PageOf(std::vector<store::grants::GrantRecord> rows, int limit);

  Environment& env_;
  TenantResolver& resolver_;
  WorkspaceService& workspaces_;
  ResourceService& resources_;
};

}  // namespace bulkhead::service
