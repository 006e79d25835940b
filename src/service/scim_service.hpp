#pragma once
// SCIM 2.0 provisioning (RFC 7643/7644) of one organization by its identity provider: Users are
// the organization's members (SCIM user ids are Bulkhead user ids), Groups are the
// organization's own, mapped to organization roles and workspace memberships by its settings.
// Membership changes go through MemberService and WorkspaceService (their rules, audit and
// events); what is SCIM's own (tokens, provisioned attributes, groups, settings) is audited here.
//  - POST /Users: a userName (email) that is already an account links that account (the global
//    account is never duplicated); one that already is a user of this organization (a member,
//    or provisioned before), or an externalId in use here, is 409 uniqueness.
//  - active false or DELETE: the membership goes, the user's refresh tokens for the
//    organization are revoked and the sessions its SSO connections made are deleted; the
//    account stays. active true again re-adds the membership.
//  - Roles: with role mappings configured, a member's role is the best role mapped to one of
//    their groups, else `member`; owners are never changed. Workspace mappings assign (and
//    unassign) their workspaces.
// SCIM acts with the admin role: it cannot change or remove owners (403).
// Errors: core/scim_filter.hpp's ScimError for SCIM's 400s and 409 uniqueness; kNotFound.
// Thread-safety: thread-safe.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.hpp"
#include "service/environment.hpp"
#include "service/member_service.hpp"
#include "service/organization_service.hpp"
#include "service/tenant_resolver.hpp"
#include "service/workspace_service.hpp"
#include "store/scim_store.hpp"

namespace bulkhead::service {

inline constexpr std::string_view kScimTokenPrefix = "bks_scim_";
inline constexpr std::string_view kScimUserSchema = "urn:ietf:params:scim:schemas:core:2.0:User";
inline constexpr std::string_view kScimGroupSchema = "urn:ietf:params:scim:schemas:core:2.0:Group";
inline constexpr std::string_view kScimListSchema =
    "urn:ietf:params:scim:api:messages:2.0:ListResponse";
// The most resources one list answers (a larger count is lowered to it, RFC 7644 §3.4.2.4).
inline constexpr int kScimMaxCount = 200;
inline constexpr int kScimMaxTokens = 20;     // per organization
inline constexpr int kScimMaxMappings = 100;  // group mappings per organization
inline constexpr int kScimMaxGroupMembers = 10000;

struct CreatedScimToken {
  store::scim::ScimTokenRecord token;
  std::string secret;  // shown once
};

// What a SCIM token stands for: its organization, acted in as an admin, and the audit actor.
struct ScimCaller {
  TenantContext tenant;
  Principal principal;  // an admin of the organization (workspace lookups)
  Actor actor;          // {"scim_token", token id, request id}
};

// One list request (RFC 7644 §3.4.2).
struct ScimQuery {
  std::string filter;  // "" for none
  int start_index = 1;
  int count = 100;
};

class ScimService {
 public:
  ScimService(Environment& env, OrganizationService& organizations, MemberService& members,
              WorkspaceService& workspaces, TenantResolver& resolver)
      : env_(env),
        organizations_(organizations),
        members_(members),
        workspaces_(workspaces),
        resolver_(resolver) {}

  // Tokens and settings (the organization's admins, through the JSON API).
  core::Result<CreatedScimToken> CreateToken(const TenantContext& tenant, const std::string& name,
                                             const Actor& actor);
  core::Result<std::vector<store::scim::ScimTokenRecord>> ListTokens(const TenantContext& tenant);
  core::Status DeleteToken(const TenantContext& tenant, const std::string& id, const Actor& actor);
  core::Result<nlohmann::json> GetSettings(const TenantContext& tenant);
  // `settings` as PUT …/scim-settings takes it (validated here: roles, workspaces).
  core::Result<nlohmann::json> PutSettings(const TenantContext& tenant,
                                           const nlohmann::json& settings, const Actor& actor);

  // The organization a SCIM token is for, when `org_ref` (id or slug, the URL's) names it:
  // kUnauthenticated for an unknown token, kNotFound for another organization's URL,
  // kOrganizationSuspended, kFeatureNotEnabled without the `sso` feature.
  core::Result<ScimCaller> Authenticate(std::string_view token, const std::string& org_ref,
                                        const std::string& request_id);

  // Resources as SCIM renders them; `base` is the URL of the organization's SCIM root.
  core::Result<nlohmann::json> ListUsers(const ScimCaller& caller, const ScimQuery& query,
                                         const std::string& base);
  core::Result<nlohmann::json> GetUser(const ScimCaller& caller, const std::string& id,
                                       const std::string& base);
  core::Result<nlohmann::json> CreateUser(const ScimCaller& caller, const nlohmann::json& body,
                                          const std::string& base);
  core::Result<nlohmann::json> ReplaceUser(const ScimCaller& caller, const std::string& id,
                                           const nlohmann::json& body, const std::string& base);
  core::Result<nlohmann::json> PatchUser(const ScimCaller& caller, const std::string& id,
                                         const nlohmann::json& body, const std::string& base);
  core::Status DeleteUser(const ScimCaller& caller, const std::string& id);

  core::Result<nlohmann::json> ListGroups(const ScimCaller& caller, const ScimQuery& query,
                                          const std::string& base);
  core::Result<nlohmann::json> GetGroup(const ScimCaller& caller, const std::string& id,
                                        const std::string& base);
  core::Result<nlohmann::json> CreateGroup(const ScimCaller& caller, const nlohmann::json& body,
                                           const std::string& base);
  core::Result<nlohmann::json> ReplaceGroup(const ScimCaller& caller, const std::string& id,
                                            const nlohmann::json& body, const std::string& base);
  core::Result<nlohmann::json> PatchGroup(const ScimCaller& caller, const std::string& id,
                                          const nlohmann::json& body, const std::string& base);
  core::Status DeleteGroup(const ScimCaller& caller, const std::string& id);

 private:
  struct UserState;
  core::Result<std::optional<UserState>> LoadUser(const std::string& org_id,
                                                  const std::string& user_id);
  core::Result<nlohmann::json> RenderUser(const ScimCaller& caller, const UserState& state,
                                          const std::string& base);
  core::Result<nlohmann::json> WriteUser(const ScimCaller& caller, const UserState& state,
                                         const nlohmann::json& resource, const std::string& base);
  core::Result<nlohmann::json> RenderGroup(const store::scim::ScimGroupRecord& group,
                                           const std::vector<std::string>& members,
                                           const std::string& base);
  core::Result<nlohmann::json> WriteGroup(const ScimCaller& caller,
                                          const store::scim::ScimGroupRecord& group,
                                          const nlohmann::json& resource, const std::string& base);
  // Makes the user's membership, role and mapped workspaces what SCIM says they should be.
  core::Status Reconcile(const ScimCaller& caller, const std::string& user_id);
  core::Status Deprovision(const ScimCaller& caller, const std::string& user_id);

  Environment& env_;
  OrganizationService& organizations_;
  MemberService& members_;
  WorkspaceService& workspaces_;
  TenantResolver& resolver_;
};

}  // namespace bulkhead::service
