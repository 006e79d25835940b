#include "api/routes.hpp"

#include <memory>

#include "api/render.hpp"
#include "api/schema.hpp"
#include "api/schema_hook.hpp"

namespace bulkhead::api {

using core::ErrorCode;
using core::Permission;
using core::WorkspaceRole;

namespace {

// Binds a handler to the services.
HandlerFn Bind(Services& s, Result<Response> (*fn)(Services&, RequestContext&)) {
  return [&s, fn](RequestContext& c) { return fn(s, c); };
}

}  // namespace

// The table's schema words. A named namespace, so that the using-directive stays here even
// when several files are compiled as one (unity builds).
namespace route_schemas {

using namespace schema;  // NOLINT(google-build-using-namespace): the table reads as a contract

// API.md "Lists": ?limit= and ?cursor=.
std::vector<Parameter> PageQuery(std::vector<Parameter> more = {}) {
  std::vector<Parameter> out = {
      {.name = "limit",
       .schema = Integer(1, 200, "Items per page (default 50)"),
       .description = "Items per page, 1-200 (default 50)"},
      {.name = "cursor", .schema = String(), .description = "The previous page's next_cursor"},
  };
  for (auto& p : more) out.push_back(std::move(p));
  return out;
}

Json OrgRoleField() {
  return String({.one_of = {"owner", "admin", "member"}});
}
Json WorkspaceRoleField() {
  return String({.one_of = {"viewer", "editor", "admin"}});
}
Json NameField(int64_t max) {
  return String({.min_length = 1, .max_length = max});
}
Json Slug() {
  return String({.min_length = 3, .max_length = 63});
}
Json Email() {
  return String({.format = "email"});
}
Json Password() {
  return String({.min_length = 10, .max_length = 256});
}
Json Labels() {
  return Map(Nullable(String()));
}  // null removes a label on update
Json Spec() {
  return AnyObject("Any JSON object up to 64 KiB");
}
Json Status(std::string_view value) {
  return Object({{"status", String({.one_of = {std::string(value)}}), true}});
}

}  // namespace route_schemas

std::vector<Route> BuildRoutes(Services& s) {
  using namespace schema;         // NOLINT(google-build-using-namespace)
  using namespace route_schemas;  // NOLINT(google-build-using-namespace)
  const std::string org(kOrganizationPrefix);
  const std::string ws = org + "/workspaces/{ws}";
  std::vector<Route> routes = {
    // Accounts. Sign-up and login hash passwords (argon2id): the hashing lane, so that a
    // login flood cannot take the worker threads other organizations' writes need.
    {.method = "POST",
     .pattern = "/api/v1/auth/signup",
     .handler = Bind(s, SignUp),
     .summary = "Create an account and its personal organization",
     .success_status = 201,
     .lane = http::Lane::kHashing,
     .request_body = Object({{"email", Email(), true},
                             {"password", Password(), true},
                             {"name", NameField(200), true}}),
     .response_body = Object({{"user", Ref("User"), true},
                              {"session_token", String(), true},
                              {"personal_organization", Ref("Organization"), true}}),
     .tag = "Accounts",
     .json_only = true,
     .refusals = {ErrorCode::kEmailTaken}},
    {.method = "POST",
     .pattern = "/api/v1/auth/login",
     .handler = Bind(s, LogIn),
     .summary = "Log in with email and password",
     .lane = http::Lane::kHashing,
     .request_body = Object({{"email", String(), true}, {"password", String(), true}}),
     .response_body = Object({{"user", Ref("User"), true}, {"session_token", String(), true}}),
     .tag = "Accounts",
     .json_only = true,
     .refusals = {ErrorCode::kUnauthenticated, ErrorCode::kRateLimited}},
    {.method = "POST",
     .pattern = "/api/v1/auth/logout",
     .scope = Scope::kUser,
     .handler = Bind(s, LogOut),
     .summary = "End the current session",
     .success_status = 204,
     .tag = "Accounts"},
    {.method = "GET",
     .pattern = "/api/v1/user",
     .scope = Scope::kUser,
     .handler = Bind(s, GetCurrentUser),
     .summary = "The caller",
     .response_body = Ref("User"),
     .tag = "Accounts"},
    {.method = "GET",
     .pattern = "/api/v1/user/organizations",
     .scope = Scope::kUser,
     .handler = Bind(s, ListCurrentUserOrganizations),
     .summary = "The organizations the caller belongs to, a page at a time",
     .parameters = PageQuery(),
     .response_body = Page(
         Object({{"organization", Ref("Organization"), true}, {"role", OrgRoleField(), true}})),
     .tag = "Accounts"},
    // Organizations.
    {.method = "POST",
     .pattern = "/api/v1/organizations",
     .scope = Scope::kUser,
     .handler = Bind(s, CreateOrganization),
     .summary = "Create a team organization owned by the caller",
     .success_status = 201,
     .request_body = Object({{"name", NameField(200), true},
                             {"slug", Nullable(Slug())},
                             {"settings", Nullable(Ref("SettingsPatch"))}}),
     .response_body = Ref("Organization"),
     .tag = "Organizations",
     // 409 limit_reached past --max-organizations-per-user; 429 past the creation rate.
     .refusals = {ErrorCode::kSlugTaken, ErrorCode::kLimitReached, ErrorCode::kRateLimited}},
    {.method = "GET",
     .pattern = org,
     .scope = Scope::kOrganization,
     .permission = Permission::kReadOrganization,
     .handler = Bind(s, GetOrganization),
     .summary = "Get an organization",
     .response_body = Ref("Organization"),
     .tag = "Organizations"},
    {.method = "PATCH",
     .pattern = org,
     .scope = Scope::kOrganization,
     .permission = Permission::kUpdateOrganization,
     .handler = Bind(s, UpdateOrganization),
     .summary = "Update name, slug, settings or the billing contact (owners)",
     .request_body = Object({{"name", Nullable(NameField(200))},
                             {"slug", Nullable(Slug())},
                             {"settings", Nullable(Ref("SettingsPatch"))},
                             {"billing_email", Nullable(Email())}}),
     .response_body = Ref("Organization"),
     .tag = "Organizations",
     .refusals = {ErrorCode::kSlugTaken}},
    {.method = "DELETE",
     .pattern = org,
     .scope = Scope::kOrganization,
     .permission = Permission::kDeleteOrganization,
     .handler = Bind(s, DeleteOrganization),
     .summary = "Delete an organization and everything it owns",
     .success_status = 204,
     .request_body =
         Object({{"confirm", String({.description = "The organization's slug"}), true}}),
     .tag = "Organizations",
     .refusals = {ErrorCode::kPersonalOrganization}},
    // Plans and features: the plan is the owner's (billing); everyone sees what it gives.
    {.method = "PUT",
     .pattern = org + "/plan",
     .scope = Scope::kOrganization,
     .permission = Permission::kBilling,
     .handler = Bind(s, ChangePlan),
     .summary = "Move the organization to another plan",
     .request_body = Object({{"plan", String({.description = "A plan the server offers"}), true}}),
     .response_body = Ref("Organization"),
     .tag = "Plans"},
    {.method = "GET",
     .pattern = org + "/features",
     .scope = Scope::kOrganization,
     .permission = Permission::kReadOrganization,
     .handler = Bind(s, GetFeatures),
     .summary = "The organization's plan, effective features and limits",
     .response_body = Ref("Features"),
     .tag = "Plans"},
    // Usage, per organization and day (admins); /metrics has no per-organization labels.
    // Blocking: it may wait for a usage flush to commit.
    {.method = "GET",
     .pattern = org + "/usage",
     .scope = Scope::kOrganization,
     .permission = Permission::kReadUsage,
     .handler = Bind(s, GetUsage),
     .summary = "Requests, writes, members, workspaces, resources and stored bytes per day",
     .blocking = true,
     .parameters = {{.name = "from",
                     .schema = String({.format = "date"}),
                     .description = "First day, YYYY-MM-DD (default: 29 days before to)"},
                    {.name = "to",
                     .schema = String({.format = "date"}),
                     .description = "Last day, YYYY-MM-DD (default: today)"}},
     .response_body = Ref("Usage"),
     .tag = "Usage"},
    // Members. Removing needs manage-members, except for oneself (leaving); the service
    // enforces the rest of the matrix (owners, the last owner).
    {.method = "GET",
     .pattern = org + "/members",
     .scope = Scope::kOrganization,
     .permission = Permission::kReadOrganization,
     .handler = Bind(s, ListMembers),
     .summary = "List members",
     .parameters = PageQuery(),
     .response_body = Page(Ref("Member")),
     .tag = "Members"},
    {.method = "POST",
     .pattern = org + "/members",
     .scope = Scope::kOrganization,
     .permission = Permission::kManageMembers,
     .handler = Bind(s, AddMember),
     .summary = "Add a user as a member",
     .success_status = 201,
     .request_body =
         Object({{"user_id", String({.format = "uuid"}), true}, {"role", OrgRoleField(), true}}),
     .response_body = Ref("Member"),
     .tag = "Members",
     .refusals = {ErrorCode::kAlreadyMember, ErrorCode::kLimitReached, ErrorCode::kNotFound}},
    {.method = "PATCH",
     .pattern = org + "/members/{user_id}",
     .scope = Scope::kOrganization,
     .permission = Permission::kManageMembers,
     .handler = Bind(s, ChangeMemberRole),
     .summary = "Change a member's role",
     .request_body = Object({{"role", OrgRoleField(), true}}),
     .response_body = Ref("Member"),
     .tag = "Members",
     .refusals = {ErrorCode::kLastOwner, ErrorCode::kNotFound}},
    {.method = "DELETE",
     .pattern = org + "/members/{user_id}",
     .scope = Scope::kOrganization,
     .permission = Permission::kManageMembers,
     .handler = Bind(s, RemoveMember),
     .summary = "Remove a member, or leave",
     .success_status = 204,
     .self_param = "user_id",
     .tag = "Members",
     .refusals = {ErrorCode::kLastOwner, ErrorCode::kNotFound}},
    // Audit.
    {.method = "GET",
     .pattern = org + "/audit-log",
     .scope = Scope::kOrganization,
     .permission = Permission::kReadAuditLog,
     .handler = Bind(s, ListAuditLog),
     .summary = "The organization's audit log, newest first (plans with audit_log)",
     .feature = "audit_log",
     .parameters = PageQuery(
         {{.name = "action", .schema = String(), .description = "Only this action (noun.verb)"},
          {.name = "since",
           .schema = String({.format = "date-time"}),
           .description = "Only events at or after this RFC 3339 time"}}),
     .response_body = Page(Ref("AuditEvent")),
     .tag = "Audit"},
    // Domains: the subdomain and custom domains; verifying looks up DNS (the outbound lane).
    {.method = "GET",
     .pattern = org + "/domains",
     .scope = Scope::kOrganization,
     .permission = Permission::kReadOrganization,
     .handler = Bind(s, ListDomains),
     .summary = "The organization's subdomain and custom domains",
     .parameters = PageQuery(),
     .response_body = Page(Ref("Domain")),
     .tag = "Domains"},
    {.method = "POST",
     .pattern = org + "/domains",
     .scope = Scope::kOrganization,
     .permission = Permission::kUpdateOrganization,
     .handler = Bind(s, AddDomain),
     .summary = "Claim a custom domain; returns the TXT record to publish",
     .success_status = 201,
     .feature = "custom_domains",
     .request_body = Object({{"hostname", String({.min_length = 1, .max_length = 253}), true}}),
     .response_body = Ref("Domain"),
     .tag = "Domains",
     .refusals = {ErrorCode::kDomainTaken, ErrorCode::kLimitReached}},
    {.method = "POST",
     .pattern = org + "/domains/{hostname}/verify",
     .scope = Scope::kOrganization,
     .permission = Permission::kUpdateOrganization,
     .handler = Bind(s, VerifyDomain),
     .summary = "Check the domain's TXT record and mark it verified",
     .feature = "custom_domains",
     .lane = http::Lane::kOutbound,
     .response_body = Ref("Domain"),
     .tag = "Domains",
     .refusals = {ErrorCode::kVerificationFailed, ErrorCode::kNotFound}},
    {.method = "DELETE",
     .pattern = org + "/domains/{hostname}",
     .scope = Scope::kOrganization,
     .permission = Permission::kUpdateOrganization,
     .handler = Bind(s, RemoveDomain),
     .summary = "Remove a custom domain",
     .success_status = 204,
     .tag = "Domains",
     .refusals = {ErrorCode::kNotFound}},
    {.method = "GET",
     .pattern = "/api/v1/resolve",
     .scope = Scope::kUser,
     .handler = Bind(s, ResolveHost),
     .summary = "The organization a hostname routes to",
     .api_keys = true,
     .parameters = {{.name = "host",
                     .schema = String({.min_length = 1, .max_length = 253}),
                     .required = true,
                     .description = "A hostname (a subdomain or a verified custom domain)"}},
     .response_body =
         Object({{"organization_id", String({.format = "uuid"}), true},
                 {"slug", String(), true},
                 {"matched_by", String({.one_of = {"subdomain", "custom_domain"}}), true}}),
     .tag = "Domains",
     .refusals = {ErrorCode::kNotFound}},
    // Invitations: admins invite; the invitee accepts with a session of the invited email.
    {.method = "GET",
     .pattern = org + "/invitations",
     .scope = Scope::kOrganization,
     .permission = Permission::kManageMembers,
     .handler = Bind(s, ListInvitations),
     .summary = "Pending and past invitations (no tokens)",
     .parameters = PageQuery(),
     .response_body = Page(Ref("Invitation")),
     .tag = "Invitations"},
    {.method = "POST",
     .pattern = org + "/invitations",
     .scope = Scope::kOrganization,
     .permission = Permission::kManageMembers,
     .handler = Bind(s, CreateInvitation),
     .summary = "Invite an email address; the token is shown once",
     .success_status = 201,
     .request_body = Object({{"email", Email(), true}, {"role", OrgRoleField(), true}}),
     .response_body = Ref("CreatedInvitation"),
     .tag = "Invitations",
     .refusals = {ErrorCode::kAlreadyMember, ErrorCode::kLimitReached}},
    {.method = "DELETE",
     .pattern = org + "/invitations/{id}",
     .scope = Scope::kOrganization,
     .permission = Permission::kManageMembers,
     .handler = Bind(s, RevokeInvitation),
     .summary = "Revoke a pending invitation",
     .success_status = 204,
     .tag = "Invitations",
     .refusals = {ErrorCode::kNotFound, ErrorCode::kInvitationUnusable}},
    {.method = "POST",
     .pattern = "/api/v1/invitations/accept",
     .scope = Scope::kUser,
     .handler = Bind(s, AcceptInvitation),
     .summary = "Accept an invitation sent to the caller's email",
     .request_body =
         Object({{"token", String({.description = "From the invitation email"}), true}}),
     .response_body = Ref("Member"),
     .tag = "Invitations",
     .refusals = {ErrorCode::kInvitationUnusable, ErrorCode::kAlreadyMember, ErrorCode::kNotFound,
                  ErrorCode::kLimitReached}},
    // API keys.
    {.method = "GET",
     .pattern = org + "/api-keys",
     .scope = Scope::kOrganization,
     .permission = Permission::kUpdateOrganization,
     .handler = Bind(s, ListApiKeys),
     .summary = "The organization's API keys (never the secrets)",
     .parameters = PageQuery(),
     .response_body = Page(Ref("ApiKey")),
     .tag = "API keys"},
    {.method = "POST",
     .pattern = org + "/api-keys",
     .scope = Scope::kOrganization,
     .permission = Permission::kUpdateOrganization,
     .handler = Bind(s, CreateApiKey),
     .summary = "Create an API key; the secret is shown once",
     .success_status = 201,
     .request_body = Object({{"name", NameField(100), true}, {"role", OrgRoleField(), true}}),
     .response_body = Ref("CreatedApiKey"),
     .tag = "API keys",
     .refusals = {ErrorCode::kLimitReached}},
    {.method = "DELETE",
     .pattern = org + "/api-keys/{id}",
     .scope = Scope::kOrganization,
     .permission = Permission::kUpdateOrganization,
     .handler = Bind(s, RevokeApiKey),
     .summary = "Revoke an API key at once",
     .success_status = 204,
     .tag = "API keys",
     .refusals = {ErrorCode::kNotFound}},
    // Workspaces: members see those they are assigned to; admins and owners see all.
    {.method = "GET",
     .pattern = org + "/workspaces",
     .scope = Scope::kOrganization,
     .permission = Permission::kReadOrganization,
     .handler = Bind(s, ListWorkspaces),
     .summary = "Workspaces the caller can see",
     .parameters = PageQuery(),
     .response_body = Page(Ref("Workspace")),
     .tag = "Workspaces"},
    {.method = "POST",
     .pattern = org + "/workspaces",
     .scope = Scope::kOrganization,
     .permission = Permission::kManageWorkspaces,
     .handler = Bind(s, CreateWorkspace),
     .summary = "Create a workspace",
     .success_status = 201,
     .request_body = Object(
         {{"name", NameField(100), true}, {"description", Nullable(String({.max_length = 1000}))}}),
     .response_body = Ref("Workspace"),
     .tag = "Workspaces",
     .refusals = {ErrorCode::kNameTaken, ErrorCode::kLimitReached}},
    {.method = "GET",
     .pattern = ws,
     .scope = Scope::kWorkspace,
     .permission = Permission::kReadOrganization,
     .handler = Bind(s, GetWorkspace),
     .summary = "Get a workspace",
     .workspace_role = WorkspaceRole::kViewer,
     .response_body = Ref("Workspace"),
     .tag = "Workspaces"},
    {.method = "PATCH",
     .pattern = ws,
     .scope = Scope::kWorkspace,
     .permission = Permission::kManageWorkspaces,
     .handler = Bind(s, UpdateWorkspace),
     .summary = "Rename or describe a workspace",
     .workspace_role = WorkspaceRole::kViewer,
     .request_body = Object({{"name", Nullable(NameField(100))},
                             {"description", Nullable(String({.max_length = 1000}))}}),
     .response_body = Ref("Workspace"),
     .tag = "Workspaces",
     .refusals = {ErrorCode::kNameTaken}},
    {.method = "DELETE",
     .pattern = ws,
     .scope = Scope::kWorkspace,
     .permission = Permission::kManageWorkspaces,
     .handler = Bind(s, DeleteWorkspace),
     .summary = "Delete a workspace and its resources",
     .success_status = 204,
     .workspace_role = WorkspaceRole::kViewer,
     .tag = "Workspaces"},
    {.method = "GET",
     .pattern = ws + "/members",
     .scope = Scope::kWorkspace,
     .permission = Permission::kReadOrganization,
     .handler = Bind(s, ListWorkspaceMembers),
     .summary = "Members assigned to a workspace",
     .workspace_role = WorkspaceRole::kAdmin,
     .parameters = PageQuery(),
     .response_body = Page(Ref("WorkspaceMember")),
     .tag = "Workspaces"},
    {.method = "PUT",
     .pattern = ws + "/members/{user_id}",
     .scope = Scope::kWorkspace,
     .permission = Permission::kReadOrganization,
     .handler = Bind(s, AssignWorkspaceMember),
     .summary = "Assign an organization member with a workspace role",
     .workspace_role = WorkspaceRole::kAdmin,
     .request_body = Object({{"role", WorkspaceRoleField(), true}}),
     .response_body = Ref("WorkspaceMember"),
     .tag = "Workspaces",
     .refusals = {ErrorCode::kNotFound}},
    {.method = "DELETE",
     .pattern = ws + "/members/{user_id}",
     .scope = Scope::kWorkspace,
     .permission = Permission::kReadOrganization,
     .handler = Bind(s, UnassignWorkspaceMember),
     .summary = "Unassign a member from a workspace",
     .success_status = 204,
     .workspace_role = WorkspaceRole::kAdmin,
     .tag = "Workspaces",
     .refusals = {ErrorCode::kNotFound}},
    // Resources.
    {.method = "GET",
     .pattern = ws + "/resources",
     .scope = Scope::kWorkspace,
     .permission = Permission::kReadOrganization,
     .handler = Bind(s, ListResources),
     .summary = "Resources, oldest first",
     .workspace_role = WorkspaceRole::kViewer,
     .parameters =
         PageQuery({{.name = "kind", .schema = NameField(63), .description = "Only this kind"},
                    {.name = "label",
                     .schema = String(),
                     .description = "key=value; repeat to require several"}}),
     .response_body = Page(Ref("Resource")),
     .tag = "Resources"},
    {.method = "POST",
     .pattern = ws + "/resources",
     .scope = Scope::kWorkspace,
     .permission = Permission::kReadOrganization,
     .handler = Bind(s, CreateResource),
     .summary = "Create a resource",
     .success_status = 201,
     .workspace_role = WorkspaceRole::kEditor,
     .request_body = Object({{"kind", NameField(63), true},
                             {"name", NameField(200), true},
                             {"labels", Nullable(Labels())},
                             {"spec", Nullable(Spec())}}),
     .response_body = Ref("Resource"),
     .tag = "Resources",
     .refusals = {ErrorCode::kNameTaken, ErrorCode::kLimitReached}},
    {.method = "GET",
     .pattern = ws + "/resources/{id}",
     .scope = Scope::kWorkspace,
     .permission = Permission::kReadOrganization,
     .handler = Bind(s, GetResource),
     .summary = "Get a resource",
     .workspace_role = WorkspaceRole::kViewer,
     .response_body = Ref("Resource"),
     .tag = "Resources",
     .refusals = {ErrorCode::kNotFound}},
    {.method = "PATCH",
     .pattern = ws + "/resources/{id}",
     .scope = Scope::kWorkspace,
     .permission = Permission::kReadOrganization,
     .handler = Bind(s, UpdateResource),
     .summary = "Update a resource: spec replaced, labels merged",
     .workspace_role = WorkspaceRole::kEditor,
     .request_body = Object({{"name", Nullable(NameField(200))},
                             {"labels", Nullable(Labels())},
                             {"spec", Nullable(Spec())}}),
     .response_body = Ref("Resource"),
     .tag = "Resources",
     .refusals = {ErrorCode::kNotFound, ErrorCode::kNameTaken}},
    {.method = "DELETE",
     .pattern = ws + "/resources/{id}",
     .scope = Scope::kWorkspace,
     .permission = Permission::kReadOrganization,
     .handler = Bind(s, DeleteResource),
     .summary = "Delete a resource",
     .success_status = 204,
     .workspace_role = WorkspaceRole::kEditor,
     .tag = "Resources",
     .refusals = {ErrorCode::kNotFound}},
    // Secrets: sealed with the organization's key; values only for editors who ask (audited).
    {.method = "GET",
     .pattern = ws + "/secrets",
     .scope = Scope::kWorkspace,
     .permission = Permission::kReadOrganization,
     .handler = Bind(s, ListSecrets),
     .summary = "Secrets' names and metadata, never values",
     .workspace_role = WorkspaceRole::kViewer,
     .parameters = PageQuery(),
     .response_body = Page(Ref("Secret")),
     .tag = "Secrets"},
    // Blocking: a reveal writes its audit event.
    {.method = "GET",
     .pattern = ws + "/secrets/{name}",
     .scope = Scope::kWorkspace,
     .permission = Permission::kReadOrganization,
     .handler = Bind(s, GetSecret),
     .summary = "A secret's metadata; its value with ?reveal=true (editors, audited)",
     .blocking = true,
     .workspace_role = WorkspaceRole::kViewer,
     .parameters = {{.name = "reveal",
                     .schema = Boolean(),
                     .description = "Include the value (editors; audited)"}},
     .response_body = Ref("Secret"),
     .tag = "Secrets",
     .refusals = {ErrorCode::kNotFound, ErrorCode::kSecretUnreadable}},
    {.method = "PUT",
     .pattern = ws + "/secrets/{name}",
     .scope = Scope::kWorkspace,
     .permission = Permission::kReadOrganization,
     .handler = Bind(s, PutSecret),
     .summary = "Create or replace a secret's value",
     .workspace_role = WorkspaceRole::kEditor,
     .request_body = Object({{"value", String({.description = "At most 64 KiB"}), true}}),
     .response_body = Ref("Secret"),
     .tag = "Secrets"},
    {.method = "DELETE",
     .pattern = ws + "/secrets/{name}",
     .scope = Scope::kWorkspace,
     .permission = Permission::kReadOrganization,
     .handler = Bind(s, DeleteSecret),
     .summary = "Delete a secret",
     .success_status = 204,
     .workspace_role = WorkspaceRole::kEditor,
     .tag = "Secrets",
     .refusals = {ErrorCode::kNotFound}},
    // Operations.
    {.method = "GET",
     .pattern = "/healthz",
     .handler = Bind(s, Healthz),
     .summary = "Process is up",
     .response_body = Status("ok"),
     .tag = "Operations"},
    {.method = "GET",
     .pattern = "/readyz",
     .handler = Bind(s, Readyz),
     .summary = "Database reachable",
     .response_body = Status("ready"),
     .tag = "Operations",
     .refusals = {ErrorCode::kUnavailable}},
    {.method = "GET",
     .pattern = "/metrics",
     .handler = Bind(s, Metrics),
     .summary = "Prometheus metrics (no per-organization labels)",
     .response_body = String({.description = "Prometheus text format 0.0.4"}),
     .response_type = "text/plain",
     .tag = "Operations"},
    // The OpenID Provider: described by its discovery document, with OAuth's own error
    // bodies, so not part of /openapi.json. Each may write (codes, refresh rotation,
    // revocation, logout): the worker lane. Their handlers set their own statuses (303, 400,
    // 401), so success_status stays 200 (the contract hook would overwrite them).
    {.method = "GET",
     .pattern = "/oauth2/authorize",
     .handler = Bind(s, OAuthAuthorize),
     .summary = "OpenID Connect authorization endpoint",
     .blocking = true,
     .response_type = "text/html",
     .tag = "OpenID Connect",
     .documented = false},
    {.method = "POST",
     .pattern = "/oauth2/token",
     .handler = Bind(s, OAuthToken),
     .summary = "OAuth 2.0 token endpoint",
     .tag = "OpenID Connect",
     .documented = false},
    {.method = "GET",
     .pattern = "/oauth2/userinfo",
     .handler = Bind(s, OAuthUserInfo),
     .summary = "OpenID Connect userinfo endpoint",
     .tag = "OpenID Connect",
     .documented = false},
    {.method = "POST",
     .pattern = "/oauth2/userinfo",
     .handler = Bind(s, OAuthUserInfo),
     .summary = "OpenID Connect userinfo endpoint",
     .tag = "OpenID Connect",
     .documented = false},
    {.method = "POST",
     .pattern = "/oauth2/revoke",
     .handler = Bind(s, OAuthRevoke),
     .summary = "OAuth 2.0 token revocation (RFC 7009)",
     .tag = "OpenID Connect",
     .documented = false},
    {.method = "POST",
     .pattern = "/oauth2/introspect",
     .handler = Bind(s, OAuthIntrospect),
     .summary = "OAuth 2.0 token introspection (RFC 7662)",
     .tag = "OpenID Connect",
     .documented = false},
    {
        .method = "GET",
        .pattern = "/oauth2/logout",
        .handler = Bind(s, OAuthLogout),
        .summary = "OpenID Connect RP-initiated logout",
        .blocking = true,
        .response_type = "text/html",
        .tag = "OpenID Connect",
        // OpenID Provider metadata (described by the discovery document itself).
        {.method = "GET",
         .pattern = "/.well-known/openid-configuration",
         .handler = Bind(s, GetOpenIdConfiguration),
         .summary = "OpenID Connect discovery document",
         .documented = false},
        {.method = "GET",
         .pattern = "/.well-known/jwks.json",
         .handler = Bind(s, GetJwks),
         .summary = "The public keys that verify this server's tokens",
         .response_type = "application/jwk-set+json",
         .documented = false},
    };

  for (auto& route : routes) {
    // Every route that changes state waits (durable writes, a writer's lock).
    route.blocking = route.blocking || route.method != "GET";
    // An owner can always change the settings and the plan, and read what they give, whatever
    // the organization's request budget: else a budget set too low refuses the request that
    // raises it.
    route.owner_ignores_budget = (route.method == "PATCH" && route.pattern == org) ||
                                 (route.method == "PUT" && route.pattern == org + "/plan") ||
                                 (route.method == "GET" && route.pattern == org + "/features");
  }

  // The current-organization alias: same route, organization from the Host or X-Organization.
  std::vector<Route> aliases;
  for (const auto& route : routes) {
    if (route.pattern.rfind(org, 0) != 0) continue;
    Route alias = route;
    alias.pattern = std::string(kAliasPrefix) + route.pattern.substr(org.size());
    alias.summary += " (current organization)";
    aliases.push_back(std::move(alias));
  }
  routes.insert(routes.end(), aliases.begin(), aliases.end());

  auto document = std::make_shared<std::string>();
  routes.push_back({.method = "GET",
                    .pattern = "/openapi.json",
                    .handler = [document](RequestContext&) -> Result<Response> {
                      return RawJsonResponse(*document);
                    },
                    .summary = "This document",
                    .response_body = Described(AnyObject(), "An OpenAPI 3.1 document"),
                    .tag = "Operations"});

  // Path parameters come from the pattern; then each handler gets its contract's checks.
  for (auto& route : routes) {
    auto path = PathParameters(route.pattern);
    route.parameters.insert(route.parameters.begin(), path.begin(), path.end());
    route.handler = WithContract(route, std::move(route.handler));
  }
  *document = OpenApiDocument(routes).dump();
  return routes;
}

}  // namespace bulkhead::api
