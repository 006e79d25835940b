#include "api/routes.hpp"

#include <memory>

#include "api/render.hpp"

namespace bulkhead::api {

using core::Permission;
using http::Route;
using core::WorkspaceRole;
using http::Scope;

namespace {

// Binds a handler to the services.
http::HandlerFn Bind(Services& s, Result<Response> (*fn)(Services&, RequestContext&)) {
  return [&s, fn](RequestContext& c) { return fn(s, c); };
}

}  // namespace

std::vector<Route> BuildRoutes(Services& s) {
  const std::string org(kOrganizationPrefix);
  const std::string ws = org + "/workspaces/{ws}";
  std::vector<Route> routes = {
      // Accounts.
      // Sign-up and login hash passwords (argon2id): the hashing lane, so that a login flood
      // cannot take the worker threads other organizations' writes need.
      {"POST", "/api/v1/auth/signup", Scope::kPublic, std::nullopt, Bind(s, SignUp),
       "Create an account and its personal organization", 201, true, std::nullopt, false,
       std::nullopt, std::nullopt, http::Lane::kHashing},
      {"POST", "/api/v1/auth/login", Scope::kPublic, std::nullopt, Bind(s, LogIn),
       "Log in with email and password", 200, true, std::nullopt, false, std::nullopt,
       std::nullopt, http::Lane::kHashing},
      {"POST", "/api/v1/auth/logout", Scope::kUser, std::nullopt, Bind(s, LogOut),
       "End the current session", 204, true},
      {"GET", "/api/v1/user", Scope::kUser, std::nullopt, Bind(s, GetCurrentUser),
       "The caller", 200, false},
      {"GET", "/api/v1/user/organizations", Scope::kUser, std::nullopt,
       Bind(s, ListCurrentUserOrganizations), "Every organization the caller belongs to", 200,
       false},
      // Organizations.
      {"POST", "/api/v1/organizations", Scope::kUser, std::nullopt, Bind(s, CreateOrganization),
       "Create a team organization owned by the caller", 201, true},
      {"GET", org, Scope::kOrganization, Permission::kReadOrganization, Bind(s, GetOrganization),
       "Get an organization", 200, false},
      {"PATCH", org, Scope::kOrganization, Permission::kUpdateOrganization,
       Bind(s, UpdateOrganization), "Update name, slug or settings", 200, true},
      {"DELETE", org, Scope::kOrganization, Permission::kDeleteOrganization,
       Bind(s, DeleteOrganization), "Delete an organization and everything it owns", 204, true},
      // Plans and features: the plan is the owner's (billing); everyone sees what it gives.
      {"PUT", org + "/plan", Scope::kOrganization, Permission::kBilling, Bind(s, ChangePlan),
       "Move the organization to another plan", 200, true},
      {"GET", org + "/features", Scope::kOrganization, Permission::kReadOrganization,
       Bind(s, GetFeatures), "The organization's plan, effective features and limits", 200, false},
      // Usage, per organization and day (admins); /metrics has no per-organization labels.
      // Blocking: it may wait for a usage flush to commit.
      {"GET", org + "/usage", Scope::kOrganization, Permission::kReadUsage, Bind(s, GetUsage),
       "Requests, writes, members, workspaces, resources and stored bytes per day (?from=&to=)",
       200, true},
      // Members. Removing needs manage-members, except for oneself (leaving); the service
      // enforces the rest of the matrix (owners, the last owner).
      {"GET", org + "/members", Scope::kOrganization, Permission::kReadOrganization,
       Bind(s, ListMembers), "List members", 200, false},
      {"POST", org + "/members", Scope::kOrganization, Permission::kManageMembers,
       Bind(s, AddMember), "Add a user as a member", 201, true},
      {"PATCH", org + "/members/{user_id}", Scope::kOrganization, Permission::kManageMembers,
       Bind(s, ChangeMemberRole), "Change a member's role", 200, true},
      {"DELETE", org + "/members/{user_id}", Scope::kOrganization, Permission::kManageMembers,
       Bind(s, RemoveMember), "Remove a member, or leave", 204, true, std::nullopt, false,
       "user_id"},
      // Audit.
      {"GET", org + "/audit-log", Scope::kOrganization, Permission::kReadAuditLog,
       Bind(s, ListAuditLog), "The organization's audit log, newest first", 200, false,
       std::nullopt, false, std::nullopt, "audit_log"},
      // Domains: the subdomain and custom domains; verifying looks up DNS (the outbound lane).
      {"GET", org + "/domains", Scope::kOrganization, Permission::kReadOrganization,
       Bind(s, ListDomains), "The organization's subdomain and custom domains", 200, false},
      {"POST", org + "/domains", Scope::kOrganization, Permission::kUpdateOrganization,
       Bind(s, AddDomain), "Claim a custom domain; returns the TXT record to publish", 201, true,
       std::nullopt, false, std::nullopt, "custom_domains"},
      {"POST", org + "/domains/{hostname}/verify", Scope::kOrganization,
       Permission::kUpdateOrganization, Bind(s, VerifyDomain),
       "Check the domain's TXT record and mark it verified", 200, true, std::nullopt, false,
       std::nullopt, "custom_domains", http::Lane::kOutbound},
      {"DELETE", org + "/domains/{hostname}", Scope::kOrganization,
       Permission::kUpdateOrganization, Bind(s, RemoveDomain), "Remove a custom domain", 204,
       true},
      {"GET", "/api/v1/resolve", Scope::kUser, std::nullopt, Bind(s, ResolveHost),
       "The organization a hostname routes to", 200, false, std::nullopt, /*api_keys=*/true},
      // Invitations: admins invite; the invitee accepts with a session of the invited email.
      {"GET", org + "/invitations", Scope::kOrganization, Permission::kManageMembers,
       Bind(s, ListInvitations), "Pending and past invitations (no tokens)", 200, false},
      {"POST", org + "/invitations", Scope::kOrganization, Permission::kManageMembers,
       Bind(s, CreateInvitation), "Invite an email address; the token is shown once", 201, true},
      {"DELETE", org + "/invitations/{id}", Scope::kOrganization, Permission::kManageMembers,
       Bind(s, RevokeInvitation), "Revoke a pending invitation", 204, true},
      {"POST", "/api/v1/invitations/accept", Scope::kUser, std::nullopt,
       Bind(s, AcceptInvitation), "Accept an invitation sent to the caller's email", 200, true},
      // API keys.
      {"GET", org + "/api-keys", Scope::kOrganization, Permission::kUpdateOrganization,
       Bind(s, ListApiKeys), "The organization's API keys (never the secrets)", 200, false},
      {"POST", org + "/api-keys", Scope::kOrganization, Permission::kUpdateOrganization,
       Bind(s, CreateApiKey), "Create an API key; the secret is shown once", 201, true},
      {"DELETE", org + "/api-keys/{id}", Scope::kOrganization, Permission::kUpdateOrganization,
       Bind(s, RevokeApiKey), "Revoke an API key at once", 204, true},
      // Workspaces: members see those they are assigned to; admins and owners see all.
      {"GET", org + "/workspaces", Scope::kOrganization, Permission::kReadOrganization,
       Bind(s, ListWorkspaces), "Workspaces the caller can see", 200, false},
      {"POST", org + "/workspaces", Scope::kOrganization, Permission::kManageWorkspaces,
       Bind(s, CreateWorkspace), "Create a workspace", 201, true},
      {"GET", ws, Scope::kWorkspace, Permission::kReadOrganization, Bind(s, GetWorkspace),
       "Get a workspace", 200, false, WorkspaceRole::kViewer},
      {"PATCH", ws, Scope::kWorkspace, Permission::kManageWorkspaces, Bind(s, UpdateWorkspace),
       "Rename or describe a workspace", 200, true, WorkspaceRole::kViewer},
      {"DELETE", ws, Scope::kWorkspace, Permission::kManageWorkspaces, Bind(s, DeleteWorkspace),
       "Delete a workspace and its resources", 204, true, WorkspaceRole::kViewer},
      {"GET", ws + "/members", Scope::kWorkspace, Permission::kReadOrganization,
       Bind(s, ListWorkspaceMembers), "Members assigned to a workspace", 200, false,
       WorkspaceRole::kAdmin},
      {"PUT", ws + "/members/{user_id}", Scope::kWorkspace, Permission::kReadOrganization,
       Bind(s, AssignWorkspaceMember), "Assign an organization member with a workspace role",
       200, true, WorkspaceRole::kAdmin},
      {"DELETE", ws + "/members/{user_id}", Scope::kWorkspace, Permission::kReadOrganization,
       Bind(s, UnassignWorkspaceMember), "Unassign a member from a workspace", 204, true,
       WorkspaceRole::kAdmin},
      // Resources.
      {"GET", ws + "/resources", Scope::kWorkspace, Permission::kReadOrganization,
       Bind(s, ListResources), "Resources, oldest first (?kind=, ?label=key=value)", 200, false,
       WorkspaceRole::kViewer},
      {"POST", ws + "/resources", Scope::kWorkspace, Permission::kReadOrganization,
       Bind(s, CreateResource), "Create a resource", 201, true, WorkspaceRole::kEditor},
      {"GET", ws + "/resources/{id}", Scope::kWorkspace, Permission::kReadOrganization,
       Bind(s, GetResource), "Get a resource", 200, false, WorkspaceRole::kViewer},
      {"PATCH", ws + "/resources/{id}", Scope::kWorkspace, Permission::kReadOrganization,
       Bind(s, UpdateResource), "Update a resource: spec replaced, labels merged", 200, true,
       WorkspaceRole::kEditor},
      {"DELETE", ws + "/resources/{id}", Scope::kWorkspace, Permission::kReadOrganization,
       Bind(s, DeleteResource), "Delete a resource", 204, true, WorkspaceRole::kEditor},
      // Secrets: sealed with the organization's key; values only for editors who ask (audited).
      {"GET", ws + "/secrets", Scope::kWorkspace, Permission::kReadOrganization,
       Bind(s, ListSecrets), "Secrets' names and metadata, never values", 200, false,
       WorkspaceRole::kViewer},
      // Blocking: a reveal writes its audit event.
      {"GET", ws + "/secrets/{name}", Scope::kWorkspace, Permission::kReadOrganization,
       Bind(s, GetSecret), "A secret's metadata; its value with ?reveal=true (editors, audited)",
       200, true, WorkspaceRole::kViewer},
      {"PUT", ws + "/secrets/{name}", Scope::kWorkspace, Permission::kReadOrganization,
       Bind(s, PutSecret), "Create or replace a secret's value", 200, true,
       WorkspaceRole::kEditor},
      {"DELETE", ws + "/secrets/{name}", Scope::kWorkspace, Permission::kReadOrganization,
       Bind(s, DeleteSecret), "Delete a secret", 204, true, WorkspaceRole::kEditor},
      // Operations.
      {"GET", "/healthz", Scope::kPublic, std::nullopt, Bind(s, Healthz), "Process is up", 200,
       false},
      {"GET", "/readyz", Scope::kPublic, std::nullopt, Bind(s, Readyz), "Database reachable", 200,
       false},
      {"GET", "/metrics", Scope::kPublic, std::nullopt, Bind(s, Metrics),
       "Prometheus metrics (no per-organization labels)", 200, false},
  };

  // An owner can always change the settings and the plan, and read what they give, whatever
  // the organization's request budget: else a budget set too low refuses the request that
  // raises it.
  for (auto& route : routes) {
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
  routes.push_back({"GET", "/openapi.json", Scope::kPublic, std::nullopt,
                    [document](RequestContext&) -> Result<Response> {
                      Response response;
                      response.body = *document;
                      return response;
                    },
                    "This document", 200, false});
  *document = OpenApiDocument(routes).dump();
  return routes;
}

}  // namespace bulkhead::api
