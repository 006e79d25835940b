#pragma once
// Thin handlers: parse the request, call one service, render the result. One function per
// endpoint, grouped by resource in *_handlers.cpp; the route table in routes.cpp wires them.

#include "api/route.hpp"
#include "core/result.hpp"
#include "http/metrics.hpp"
#include "service/account_lifecycle.hpp"
#include "service/account_service.hpp"
#include "service/api_key_service.hpp"
#include "service/audit_service.hpp"
#include "service/domain_service.hpp"
#include "service/environment.hpp"
#include "service/invitation_service.hpp"
#include "service/member_service.hpp"
#include "service/organization_service.hpp"
#include "service/resource_service.hpp"
#include "service/secret_service.hpp"
#include "service/signing_keys.hpp"
#include "service/usage_service.hpp"
#include "service/workspace_service.hpp"

namespace bulkhead::service {
class OAuthClients;
class OAuthProvider;
class ScimService;
class OidcUpstream;
class GrantService;
class RoleService;
class IntegrationService;
}  // namespace bulkhead::service

namespace bulkhead::api {

// The services a handler may call. One per process.
struct Services {
  service::Environment& env;
  service::AccountService& accounts;
  service::OrganizationService& organizations;
  service::MemberService& members;
  service::AuditService& audit;
  service::DomainService& domains;
  service::WorkspaceService& workspaces;
  service::ResourceService& resources;
  service::InvitationService& invitations;
  service::ApiKeyService& api_keys;
  int64_t session_ttl_seconds = 14 * 24 * 3600;
  service::UsageService* usage = nullptr;
  service::SecretService* secrets = nullptr;
  // Set once the router exists (the metrics are per route); read by GET /metrics.
  const http::HttpMetrics* metrics = nullptr;
  const service::UsageMeter* meter = nullptr;
  int64_t started_ms = 0;
  service::AccountLifecycle* lifecycle = nullptr;
  // The OpenID Provider (/oauth2/*).
  service::OAuthClients* oauth_clients = nullptr;
  service::OAuthProvider* oauth = nullptr;
  // The keys that sign the OpenID Provider's tokens (App owns them; serve creates them).
  service::SigningKeys* signing_keys = nullptr;
  // SCIM provisioning (scim_handlers.cpp).
  service::ScimService* scim = nullptr;
  // TXT lookups (email domain verification; App owns it).
  const service::TxtResolver* dns = nullptr;
  // Enterprise SSO over OpenID Connect: Bulkhead as the relying party of organizations' IdPs.
  service::OidcUpstream* oidc_upstream = nullptr;
  // Sharing grants and the shared items they open (grant_handlers.cpp).
  service::GrantService* grants = nullptr;
  // Custom roles (role_handlers.cpp).
  service::RoleService* roles = nullptr;
  // Organization integrations (integration_handlers.cpp).
  service::IntegrationService* integrations = nullptr;
};

using core::Result;

// An organization with its domains, as every response renders it.
Result<nlohmann::json> RenderOrganization(Services& s, const store::OrganizationRecord& org);
// The membership an accepted invitation made, with its organization (and the role in it).
Result<Response> AcceptedMemberResponse(Services& s, RequestContext& c,
                                        const store::MembershipRecord& membership);

// accounts
Result<Response> SignUp(Services& s, RequestContext& c);
Result<Response> LogIn(Services& s, RequestContext& c);
Result<Response> LogOut(Services& s, RequestContext& c);
Result<Response> GetCurrentUser(Services& s, RequestContext& c);
Result<Response> ListCurrentUserOrganizations(Services& s, RequestContext& c);
Result<Response> CheckOrganizationSlug(Services& s, RequestContext& c);
Result<Response> ListUserInvitations(Services& s, RequestContext& c);
Result<Response> AcceptUserInvitation(Services& s, RequestContext& c);
// the account lifecycle: email verification, forgotten and changed passwords
Result<Response> ChangePassword(Services& s, RequestContext& c);
Result<Response> SendEmailVerification(Services& s, RequestContext& c);
Result<Response> VerifyEmail(Services& s, RequestContext& c);
Result<Response> ForgotPassword(Services& s, RequestContext& c);
Result<Response> ResetPassword(Services& s, RequestContext& c);
// organizations
Result<Response> CreateOrganization(Services& s, RequestContext& c);
Result<Response> GetOrganization(Services& s, RequestContext& c);
Result<Response> UpdateOrganization(Services& s, RequestContext& c);
Result<Response> DeleteOrganization(Services& s, RequestContext& c);
Result<Response> ChangePlan(Services& s, RequestContext& c);
Result<Response> GetFeatures(Services& s, RequestContext& c);
// members
Result<Response> ListMembers(Services& s, RequestContext& c);
Result<Response> AddMember(Services& s, RequestContext& c);
Result<Response> ChangeMemberRole(Services& s, RequestContext& c);
Result<Response> RemoveMember(Services& s, RequestContext& c);
// custom roles
Result<Response> ListRoles(Services& s, RequestContext& c);
Result<Response> GetRole(Services& s, RequestContext& c);
Result<Response> CreateRole(Services& s, RequestContext& c);
Result<Response> UpdateRole(Services& s, RequestContext& c);
Result<Response> DeleteRole(Services& s, RequestContext& c);
// audit
Result<Response> ListAuditLog(Services& s, RequestContext& c);
// domains
Result<Response> ListDomains(Services& s, RequestContext& c);
Result<Response> AddDomain(Services& s, RequestContext& c);
Result<Response> VerifyDomain(Services& s, RequestContext& c);
Result<Response> RemoveDomain(Services& s, RequestContext& c);
Result<Response> ResolveHost(Services& s, RequestContext& c);
// secrets
Result<Response> PutSecret(Services& s, RequestContext& c);
Result<Response> ListSecrets(Services& s, RequestContext& c);
Result<Response> GetSecret(Services& s, RequestContext& c);
Result<Response> DeleteSecret(Services& s, RequestContext& c);
// integrations, and their availability to workspaces (integration_handlers.cpp)
Result<Response> ListIntegrations(Services& s, RequestContext& c);
Result<Response> CreateIntegration(Services& s, RequestContext& c);
Result<Response> GetIntegration(Services& s, RequestContext& c);
Result<Response> UpdateIntegration(Services& s, RequestContext& c);
Result<Response> DeleteIntegration(Services& s, RequestContext& c);
Result<Response> ListWorkspaceIntegrations(Services& s, RequestContext& c);
Result<Response> AddWorkspaceIntegration(Services& s, RequestContext& c);
Result<Response> RemoveWorkspaceIntegration(Services& s, RequestContext& c);
// usage and operations
Result<Response> GetUsage(Services& s, RequestContext& c);
Result<Response> Metrics(Services& s, RequestContext& c);
// workspaces and resources
Result<Response> ListWorkspaces(Services& s, RequestContext& c);
Result<Response> CreateWorkspace(Services& s, RequestContext& c);
Result<Response> GetWorkspace(Services& s, RequestContext& c);
Result<Response> UpdateWorkspace(Services& s, RequestContext& c);
Result<Response> DeleteWorkspace(Services& s, RequestContext& c);
Result<Response> ListWorkspaceMembers(Services& s, RequestContext& c);
Result<Response> AssignWorkspaceMember(Services& s, RequestContext& c);
Result<Response> UnassignWorkspaceMember(Services& s, RequestContext& c);
// A resource list's ?kind= and ?label= (repeatable) filters.
Result<store::tenant::ResourceFilter> ReadResourceFilter(const Request& request);
// A resource's create and update bodies (already checked against the route's schema).
service::CreateResourceInput ReadCreateResourceInput(const nlohmann::json& body);
service::UpdateResourceInput ReadUpdateResourceInput(const nlohmann::json& body);
Result<Response> ListResources(Services& s, RequestContext& c);
Result<Response> CreateResource(Services& s, RequestContext& c);
Result<Response> GetResource(Services& s, RequestContext& c);
Result<Response> UpdateResource(Services& s, RequestContext& c);
Result<Response> DeleteResource(Services& s, RequestContext& c);
// invitations and API keys
Result<Response> CreateInvitation(Services& s, RequestContext& c);
Result<Response> ListInvitations(Services& s, RequestContext& c);
Result<Response> RevokeInvitation(Services& s, RequestContext& c);
Result<Response> AcceptInvitation(Services& s, RequestContext& c);
Result<Response> ListApiKeys(Services& s, RequestContext& c);
Result<Response> CreateApiKey(Services& s, RequestContext& c);
Result<Response> RevokeApiKey(Services& s, RequestContext& c);
// hosted pages (page_handlers.cpp): HTML forms, every answer a page
Result<Response> LoginPage(Services& s, RequestContext& c);
Result<Response> SubmitLogin(Services& s, RequestContext& c);
Result<Response> SignUpPage(Services& s, RequestContext& c);
Result<Response> SubmitSignUp(Services& s, RequestContext& c);
Result<Response> OrganizationPickerPage(Services& s, RequestContext& c);
Result<Response> SubmitOrganizationPick(Services& s, RequestContext& c);
Result<Response> ForgotPasswordPage(Services& s, RequestContext& c);
Result<Response> SubmitForgotPassword(Services& s, RequestContext& c);
Result<Response> ResetPasswordPage(Services& s, RequestContext& c);
Result<Response> SubmitResetPassword(Services& s, RequestContext& c);
Result<Response> VerifyEmailPage(Services& s, RequestContext& c);
Result<Response> SubmitVerifyEmail(Services& s, RequestContext& c);
Result<Response> ErrorPage(Services& s, RequestContext& c);
// the OpenID Provider (oauth_handlers.cpp)
Result<Response> OAuthAuthorize(Services& s, RequestContext& c);
Result<Response> OAuthToken(Services& s, RequestContext& c);
Result<Response> OAuthUserInfo(Services& s, RequestContext& c);
Result<Response> OAuthRevoke(Services& s, RequestContext& c);
Result<Response> OAuthIntrospect(Services& s, RequestContext& c);
Result<Response> OAuthLogout(Services& s, RequestContext& c);
// operations
Result<Response> Healthz(Services& s, RequestContext& c);
Result<Response> Readyz(Services& s, RequestContext& c);
// OpenID Provider metadata
Result<Response> GetOpenIdConfiguration(Services& s, RequestContext& c);
Result<Response> GetJwks(Services& s, RequestContext& c);

}  // namespace bulkhead::api
