// The permission matrix of DESIGN.md, checked over real HTTP on every organization route.
// The expected outcomes come from the policy table below, written by hand from DESIGN.md's
// "Roles and permissions" (and API.md's "who" columns), not from what the routes declare: a
// route whose declaration drifts from the design fails here. Every organization route in the
// server's OpenAPI document must have its row (and every row its route), so a new endpoint
// cannot go unchecked. Outcomes that hold on every route:
//
//   anonymous                 401 unauthenticated
//   non-member                404 organization_not_found
//
// Callers: owner, admin, members assigned to the workspace as viewer, editor and admin, an
// unassigned member, a member holding the custom role `auditor` (organization:read,
// audit_log:read, usage:read, workspaces:see_all, resources:read_all; no workspace assignment),
// a non-member, anonymous, and API keys with each organization role (a key acts with its role
// and holds no workspace assignment).

#include <functional>
#include <map>
#include <set>

#include "integration/harness.hpp"

namespace bulkhead::testing {
namespace {

const std::string kPrefix = "/api/v1/organizations/{org}";

// One cell of the table: what an organization's own caller gets.
//   Y  the route's success status
//   F  403 forbidden              (the caller's organization or workspace role is too low)
//   N  404 not_found              (a workspace the member is not assigned to: not visible)
enum Column { kOwner, kAdmin, kViewer, kEditor, kWorkspaceAdmin, kUnassigned, kAuditor, kColumns };

struct Policy {
  std::string method;
  std::string path;  // after /api/v1/organizations/{org}
  int success;
  // owner, admin, then members by their assignment in the workspace: viewer, editor, admin,
  // none; then the custom role `auditor` (unassigned), each cell from the permission the row
  // needs.
  std::string cells;
};

// DESIGN.md, "Roles and permissions". The comment above each group names its row.
const std::vector<Policy>& PolicyTable() {
  static const std::vector<Policy> kTable = {
      // read the organization, list members: everyone.
      {"GET", "", 200, "YYYYYYY"},
      {"GET", "/features", 200, "YYYYYYY"},
      {"GET", "/members", 200, "YYYYYYY"},
      {"GET", "/domains", 200, "YYYYYYY"},
      // update name, branding, settings; manage domains, API keys: owners and admins.
      {"PATCH", "", 200, "YYFFFFF"},
      {"POST", "/domains", 201, "YYFFFFF"},
      {"POST", "/domains/{hostname}/verify", 200, "YYFFFFF"},
      {"DELETE", "/domains/{hostname}", 204, "YYFFFFF"},
      {"GET", "/api-keys", 200, "YYFFFFF"},
      {"POST", "/api-keys", 201, "YYFFFFF"},
      {"DELETE", "/api-keys/{id}", 204, "YYFFFFF"},
      // webhook endpoints, like integrations and API keys: owners and admins.
      {"GET", "/webhooks", 200, "YYFFFFF"},
      {"POST", "/webhooks", 201, "YYFFFFF"},
      {"GET", "/webhooks/{id}", 200, "YYFFFFF"},
      {"PATCH", "/webhooks/{id}", 200, "YYFFFFF"},
      {"DELETE", "/webhooks/{id}", 204, "YYFFFFF"},
      {"POST", "/webhooks/{id}/rotate-secret", 200, "YYFFFFF"},
      {"GET", "/webhooks/{id}/deliveries", 200, "YYFFFFF"},
      {"POST", "/webhooks/{id}/replay", 202, "YYFFFFF"},
      {"POST", "/webhooks/{id}/test", 202, "YYFFFFF"},
      // SCIM tokens and group mappings (issue 20), like API keys: owners and admins.
      {"GET", "/scim-tokens", 200, "YYFFFFF"},
      {"POST", "/scim-tokens", 201, "YYFFFFF"},
      {"DELETE", "/scim-tokens/{id}", 204, "YYFFFFF"},
      {"GET", "/scim-settings", 200, "YYFFFFF"},
      {"PUT", "/scim-settings", 200, "YYFFFFF"},
      // SSO connections and email domains, like domains and integrations: owners and admins.
      {"GET", "/sso-connections", 200, "YYFFFFF"},
      {"POST", "/sso-connections", 201, "YYFFFFF"},
      {"GET", "/sso-connections/{id}", 200, "YYFFFFF"},
      {"PATCH", "/sso-connections/{id}", 200, "YYFFFFF"},
      {"DELETE", "/sso-connections/{id}", 204, "YYFFFFF"},
      {"POST", "/sso-connections/{id}/test", 201, "YYFFFFF"},
      {"GET", "/sso-connections/{id}/tests/{test_id}", 200, "YYFFFFF"},
      {"GET", "/email-domains", 200, "YYFFFFF"},
      {"POST", "/email-domains", 201, "YYFFFFF"},
      {"GET", "/email-domains/{domain}", 200, "YYFFFFF"},
      {"PATCH", "/email-domains/{domain}", 200, "YYFFFFF"},
      {"POST", "/email-domains/{domain}/verify", 200, "YYFFFFF"},
      {"DELETE", "/email-domains/{domain}", 204, "YYFFFFF"},
      // integrations (issue 21): any member sees names and kinds; owners and admins manage
      // them (like domains and API keys) and make them available to workspaces, which those
      // who see the workspace may list.
      {"GET", "/integrations", 200, "YYYYYYY"},
      {"POST", "/integrations", 201, "YYFFFFF"},
      {"GET", "/integrations/{id}", 200, "YYYYYYY"},
      {"PATCH", "/integrations/{id}", 200, "YYFFFFF"},
      {"DELETE", "/integrations/{id}", 204, "YYFFFFF"},
      {"GET", "/workspaces/{ws}/integrations", 200, "YYYYYNY"},
      {"PUT", "/workspaces/{ws}/integrations/{id}", 200, "YYFFFNF"},  // already available: 200
      {"DELETE", "/workspaces/{ws}/integrations/{id}", 204, "YYFFFNF"},
      // invite, add, remove members; change roles of admins and members: owners and admins.
      {"POST", "/members", 201, "YYFFFFF"},
      {"PATCH", "/members/{user_id}", 200, "YYFFFFF"},
      {"DELETE", "/members/{user_id}", 204, "YYFFFFF"},  // another member (leaving: its own test)
      {"GET", "/invitations", 200, "YYFFFFF"},
      {"POST", "/invitations", 201, "YYFFFFF"},
      {"DELETE", "/invitations/{id}", 204, "YYFFFFF"},
      // custom roles (issue 21): any member reads them; changing them needs members:manage.
      {"GET", "/roles", 200, "YYYYYYY"},
      {"GET", "/roles/{key}", 200, "YYYYYYY"},
      {"POST", "/roles", 201, "YYFFFFF"},
      {"PATCH", "/roles/{key}", 200, "YYFFFFF"},
      {"DELETE", "/roles/{key}", 204, "YYFFFFF"},
      // billing: plan, billing contact; delete the organization: the owner alone.
      {"PUT", "/plan", 200, "YFFFFFF"},
      {"DELETE", "", 204, "YFFFFFF"},
      // read the audit log; usage (API.md: admin): owners and admins.
      {"GET", "/audit-log", 200, "YYFFFFY"},
      // the event log (issue 19: like the audit log, owners, admins and admin API keys).
      {"GET", "/events", 200, "YYFFFFY"},
      {"GET", "/events/{id}", 200, "YYFFFFY"},
      {"GET", "/usage", 200, "YYFFFFY"},
      // see workspaces: all for owners and admins, a member those assigned to (an unassigned
      // member's list is empty, not refused).
      {"GET", "/workspaces", 200, "YYYYYYY"},
      {"GET", "/workspaces/{ws}", 200, "YYYYYNY"},
      // create, update, delete workspaces: owners and admins, whatever a member's workspace role.
      {"POST", "/workspaces", 201, "YYFFFFF"},
      {"PATCH", "/workspaces/{ws}", 200, "YYFFFNF"},
      {"DELETE", "/workspaces/{ws}", 204, "YYFFFNF"},
      // assign workspace members: owners, admins, and a member who is the workspace's admin.
      {"GET", "/workspaces/{ws}/members", 200, "YYFFYNF"},
      {"PUT", "/workspaces/{ws}/members/{user_id}", 200, "YYFFYNF"},
      {"DELETE", "/workspaces/{ws}/members/{user_id}", 204, "YYFFYNF"},
      // read resources: owners, admins, members by workspace role (viewer and up).
      {"GET", "/workspaces/{ws}/resources", 200, "YYYYYNY"},
      {"GET", "/workspaces/{ws}/resources/{id}", 200, "YYYYYNY"},
      {"GET", "/workspaces/{ws}/secrets", 200, "YYYYYNY"},
      {"GET", "/workspaces/{ws}/secrets/{name}", 200, "YYYYYNY"},  // metadata; values: secrets_test
      // write resources: owners, admins, members by workspace role (editor and up).
      {"POST", "/workspaces/{ws}/resources", 201, "YYFYYNF"},
      {"PATCH", "/workspaces/{ws}/resources/{id}", 200, "YYFYYNF"},
      {"DELETE", "/workspaces/{ws}/resources/{id}", 204, "YYFYYNF"},
      {"PUT", "/workspaces/{ws}/secrets/{name}", 200, "YYFYYNF"},
      {"DELETE", "/workspaces/{ws}/secrets/{name}", 204, "YYFYYNF"},
      // sharing grants (issue 21): offering, revoking, accepting and declining need
      // grants:manage (owners and admins); using a live grant that covers every member is for
      // any member of the receiving organization, whatever their workspace assignments here.
      {"GET", "/grants", 200, "YYFFFFF"},
      {"POST", "/grants", 201, "YYFFFFF"},
      {"GET", "/grants/{id}", 200, "YYFFFFF"},
      {"DELETE", "/grants/{id}", 204, "YYFFFFF"},
      {"GET", "/incoming-grants", 200, "YYFFFFF"},
      {"POST", "/incoming-grants/{id}/accept", 200, "YYFFFFF"},
      {"POST", "/incoming-grants/{id}/decline", 200, "YYFFFFF"},
      {"GET", "/shared", 200, "YYYYYYY"},
      {"GET", "/shared/{grant_id}/resources", 200, "YYYYYYY"},
      {"POST", "/shared/{grant_id}/resources", 201, "YYYYYYY"},
      {"GET", "/shared/{grant_id}/resources/{id}", 200, "YYYYYYY"},
      {"PATCH", "/shared/{grant_id}/resources/{id}", 200, "YYYYYYY"},
      {"DELETE", "/shared/{grant_id}/resources/{id}", 204, "YYYYYYY"},
  };
  return kTable;
}

struct Caller {
  std::string name;
  std::string org_role;  // "" for a non-member or anonymous
  Column column = kUnassigned;
  bool anonymous = false;
  bool api_key = false;
};

const std::vector<Caller>& Callers() {
  static const std::vector<Caller> kCallers = {
      {"owner", "owner", kOwner},
      {"admin", "admin", kAdmin},
      {"member as workspace viewer", "member", kViewer},
      {"member as workspace editor", "member", kEditor},
      {"member as workspace admin", "member", kWorkspaceAdmin},
      {"unassigned member", "member", kUnassigned},
      {"custom role auditor", "auditor", kAuditor},
      {"non-member", ""},
      {"anonymous", "", kUnassigned, true},
      {"owner API key", "owner", kOwner, false, true},
      {"admin API key", "admin", kAdmin, false, true},
      {"member API key", "member", kUnassigned, false, true},
  };
  return kCallers;
}

struct Expected {
  int status;
  std::string code;  // empty for a success
};

// What the table says `caller` gets.
Expected FromTable(const Policy& policy, const Caller& caller) {
  if (caller.anonymous) return {401, "unauthenticated"};
  if (caller.org_role.empty()) return {404, "organization_not_found"};
  switch (policy.cells.at(caller.column)) {
    case 'Y': return {policy.success, ""};
    case 'F': return {403, "forbidden"};
    case 'N': return {404, "not_found"};
  }
  ADD_FAILURE() << "bad cell in the policy table for " << policy.method << " " << policy.path;
  return {0, ""};
}

const Policy* FindPolicy(const std::string& method, const std::string& path) {
  for (const auto& p : PolicyTable()) {
    if (p.method == method && p.path == path) return &p;
  }
  return nullptr;
}

// People, signed up once (password hashing is slow); organizations are made per fixture.
struct People {
  Account owner, admin, viewer, editor, ws_admin, unassigned, outsider, target, candidate, auditor;
};

// One organization with everything a route can act on.
struct Fixture {
  std::string org_id, slug, workspace, resource, invitation, spare_key, domain, webhook, event;
  std::string sso_connection, sso_test, email_domain, scim_token;
  // Sharing: a grant this organization gave; one offered to it; one it accepted (write, every
  // member) on a workspace of the giver's that holds `shared_resource`.
  std::string giver_slug, grant, incoming_grant, shared_grant, shared_resource;
  std::string spare_role;                   // a custom role nobody holds
  std::string integration;                  // available to `workspace`, used by no resource
  std::map<std::string, std::string> keys;  // org role -> API key secret
};

// Whether a route needs the fixture's sharing grants (made only then: they cost a second
// organization and a few requests per fixture).
bool NeedsSharing(const std::string& suffix) {
  return suffix.rfind("/grants", 0) == 0 || suffix.rfind("/incoming-grants", 0) == 0 ||
         suffix.rfind("/shared", 0) == 0;
}

Fixture MakeFixture(const HttpClient& c, const People& p, int n, bool sharing = true) {
  Fixture f;
  auto org =
      CreateOrganization(c, p.owner.token, "Matrix " + std::to_string(n), UniqueSlug("matrix"));
  f.org_id = org["id"];
  f.slug = org["slug"];
  std::string base = "/api/v1/organizations/" + f.org_id;
  auto owner = Bearer(p.owner.token);
  AddMember(c, p.owner.token, f.org_id, p.admin.user_id, "admin");
  for (const Account* m : {&p.viewer, &p.editor, &p.ws_admin, &p.unassigned, &p.target}) {
    AddMember(c, p.owner.token, f.org_id, m->user_id, "member");
  }
  // Custom roles: `auditor`, held by the auditor (assigned to no workspace), and a spare one.
  EXPECT_EQ(c.Request("POST", base + "/roles",
                      Json{{"key", "auditor"},
                           {"name", "Auditor"},
                           {"permissions",
                            {"organization:read", "audit_log:read", "usage:read",
                             "workspaces:see_all", "resources:read_all"}}},
                      owner)
                .status,
            201);
  f.spare_role = "spare";
  EXPECT_EQ(
      c.Request("POST", base + "/roles",
                Json{{"key", f.spare_role}, {"name", "Spare"}, {"permissions", {"usage:read"}}},
                owner)
          .status,
      201);
  AddMember(c, p.owner.token, f.org_id, p.auditor.user_id, "auditor");
  f.workspace = c.Request("POST", base + "/workspaces", Json{{"name", "W"}}, owner).json["id"];
  for (const auto& [who, role] :
       std::vector<std::pair<const Account*, std::string>>{{&p.viewer, "viewer"},
                                                           {&p.editor, "editor"},
                                                           {&p.ws_admin, "admin"},
                                                           {&p.target, "viewer"}}) {
    auto r = c.Request("PUT", base + "/workspaces/" + f.workspace + "/members/" + who->user_id,
                       Json{{"role", role}}, owner);
    EXPECT_EQ(r.status, 200) << r.body;
  }
  f.resource = c.Request("POST", base + "/workspaces/" + f.workspace + "/resources",
                         Json{{"kind", "monitor"}, {"name", "existing"}}, owner)
                   .json["id"];
  EXPECT_EQ(c.Request("PUT", base + "/workspaces/" + f.workspace + "/secrets/existing",
                      Json{{"value", "s3cret"}}, owner)
                .status,
            200);
  f.domain = f.slug + ".example.com";
  EXPECT_EQ(c.Request("POST", base + "/domains", Json{{"hostname", f.domain}}, owner).status, 201);
  f.invitation = c.Request("POST", base + "/invitations",
                           Json{{"email", UniqueEmail("pending")}, {"role", "member"}}, owner)
                     .json["id"];
  for (const std::string role : {"owner", "admin", "member"}) {
    f.keys[role] =
        c.Request("POST", base + "/api-keys", Json{{"name", role}, {"role", role}}, owner)
            .json["key"];
  }
  f.spare_key =
      c.Request("POST", base + "/api-keys", Json{{"name", "spare"}, {"role", "member"}}, owner)
          .json["id"];
  f.event = c.Request("GET", base + "/events?limit=1", std::nullopt, owner).json["data"][0]["id"];
  // Subscribed to an event nothing here causes: the dispatcher has nothing to send it.
  f.webhook = c.Request("POST", base + "/webhooks",
                        Json{{"url", "https://hooks.example.com/matrix"},
                             {"event_types", {"domain.removed"}}},
                        owner)
                  .json["id"];
  // SSO (the enterprise plan's feature): a connection, a test of it, an email domain.
  EXPECT_EQ(c.Request("PUT", base + "/plan", Json{{"plan", "enterprise"}}, owner).status, 200);
  f.sso_connection = c.Request("POST", base + "/sso-connections",
                               Json{{"type", "oidc"},
                                    {"issuer", "https://idp.example.com"},
                                    {"client_id", "matrix"},
                                    {"client_secret", "matrix-secret"}},
                               owner)
                         .json["id"];
  f.sso_test = c.Request("POST", base + "/sso-connections/" + f.sso_connection + "/test",
                         std::nullopt, owner)
                   .json["test_id"];
  f.email_domain = "mail." + f.slug + ".example.com";
  EXPECT_EQ(
      c.Request("POST", base + "/email-domains", Json{{"domain", f.email_domain}}, owner).status,
      201);
  // SCIM (the same feature): a token.
  f.scim_token =
      c.Request("POST", base + "/scim-tokens", Json{{"name", "matrix"}}, owner).json["id"];
  // An integration, available to the workspace.
  f.integration =
      c.Request("POST", base + "/integrations", Json{{"kind", "custom"}, {"name", "matrix"}}, owner)
          .json["id"];
  EXPECT_EQ(c.Request("PUT", base + "/workspaces/" + f.workspace + "/integrations/" + f.integration,
                      std::nullopt, owner)
                .status,
            201);
  if (!sharing) return f;
  // Sharing: another organization of the same owner gives and receives.
  auto giver =
      CreateOrganization(c, p.owner.token, "Giver " + std::to_string(n), UniqueSlug("giver"));
  f.giver_slug = giver["slug"];
  std::string giver_base = "/api/v1/organizations/" + f.giver_slug;
  std::string giver_ws =
      c.Request("POST", giver_base + "/workspaces", Json{{"name", "Shared"}}, owner).json["id"];
  f.shared_resource = c.Request("POST", giver_base + "/workspaces/" + giver_ws + "/resources",
                                Json{{"kind", "monitor"}, {"name", "shared"}}, owner)
                          .json["id"];
  auto offer = [&](const std::string& level) -> std::string {
    auto r = c.Request(
        "POST", giver_base + "/grants",
        Json{{"target_organization", f.org_id}, {"workspace_id", giver_ws}, {"level", level}},
        owner);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json["id"];
  };
  f.incoming_grant = offer("read");
  f.shared_grant = offer("write");
  EXPECT_EQ(c.Request("POST", base + "/incoming-grants/" + f.shared_grant + "/accept",
                      Json{{"members", "all"}}, owner)
                .status,
            200);
  f.grant = c.Request("POST", base + "/grants",
                      Json{{"target_organization", f.giver_slug},
                           {"workspace_id", f.workspace},
                           {"level", "read"}},
                      owner)
                .json["id"];
  return f;
}

// The request each route gets: path parameters and a body that succeeds for an allowed caller.
struct Request {
  std::string path;
  std::optional<Json> body;
};

std::optional<Request> RequestFor(const std::string& method, const std::string& pattern,
                                  const Fixture& f, const People& p, bool by_slug) {
  std::string suffix = pattern.substr(kPrefix.size());
  std::string path = "/api/v1/organizations/" + (by_slug ? f.slug : f.org_id) + suffix;
  auto fill = [&](const std::string& param, const std::string& value) {
    if (auto at = path.find(param); at != std::string::npos) path.replace(at, param.size(), value);
  };
  fill("{ws}", f.workspace);
  fill("{user_id}", p.target.user_id);
  fill("{hostname}", f.domain);
  fill("{name}", "existing");
  if (suffix.rfind("/invitations/{id}", 0) == 0) fill("{id}", f.invitation);
  if (suffix.rfind("/api-keys/{id}", 0) == 0) fill("{id}", f.spare_key);
  fill("{grant_id}", f.shared_grant);
  if (suffix.rfind("/shared/", 0) == 0) fill("{id}", f.shared_resource);
  if (suffix.rfind("/grants/{id}", 0) == 0) fill("{id}", f.grant);
  if (suffix.rfind("/incoming-grants/{id}", 0) == 0) fill("{id}", f.incoming_grant);
  if (suffix.find("/resources/{id}") != std::string::npos) fill("{id}", f.resource);
  if (suffix.rfind("/webhooks/{id}", 0) == 0) fill("{id}", f.webhook);
  if (suffix.rfind("/events/{id}", 0) == 0) fill("{id}", f.event);
  if (suffix.rfind("/scim-tokens/{id}", 0) == 0) fill("{id}", f.scim_token);
  if (suffix.rfind("/sso-connections/{id}", 0) == 0) fill("{id}", f.sso_connection);
  if (suffix.find("/integrations/{id}") != std::string::npos) fill("{id}", f.integration);
  fill("{test_id}", f.sso_test);
  fill("{domain}", f.email_domain);
  fill("{key}", f.spare_role);
  if (path.find('{') != std::string::npos) return std::nullopt;

  static const std::map<std::pair<std::string, std::string>,
                        std::function<Json(const Fixture&, const People&)>>
      kBodies = {
          {{"PATCH", ""},
           [](auto&, auto&) {
             return Json{{"name", "Renamed"}};
           }},
          {{"PUT", "/plan"},
           [](auto&, auto&) {
             return Json{{"plan", "enterprise"}};
           }},
          {{"DELETE", ""},
           [](const Fixture& f, auto&) {
             return Json{{"confirm", f.slug}};
           }},
          {{"POST", "/members"},
           [](auto&, const People& p) {
             return Json{{"user_id", p.candidate.user_id}, {"role", "member"}};
           }},
          {{"PATCH", "/members/{user_id}"},
           [](auto&, auto&) {
             return Json{{"role", "admin"}};
           }},
          {{"POST", "/domains"},
           [](const Fixture& f, auto&) {
             return Json{{"hostname", "new-" + f.slug + ".example.org"}};
           }},
          {{"POST", "/invitations"},
           [](auto&, auto&) {
             return Json{{"email", UniqueEmail("invitee")}, {"role", "member"}};
           }},
          {{"POST", "/api-keys"},
           [](auto&, auto&) {
             return Json{{"name", "new"}, {"role", "member"}};
           }},
          {{"POST", "/workspaces"},
           [](auto&, auto&) {
             return Json{{"name", "New"}};
           }},
          {{"PATCH", "/workspaces/{ws}"},
           [](auto&, auto&) {
             return Json{{"name", "Renamed"}};
           }},
          {{"PUT", "/workspaces/{ws}/members/{user_id}"},
           [](auto&, auto&) {
             return Json{{"role", "editor"}};
           }},
          {{"POST", "/workspaces/{ws}/resources"},
           [](auto&, auto&) {
             return Json{{"kind", "monitor"}, {"name", "new"}};
           }},
          {{"PATCH", "/workspaces/{ws}/resources/{id}"},
           [](auto&, auto&) {
             return Json{{"spec", {{"a", 1}}}};
           }},
          {{"PUT", "/workspaces/{ws}/secrets/{name}"},
           [](auto&, auto&) {
             return Json{{"value", "new"}};
           }},
          {{"POST", "/webhooks"},
           [](auto&, auto&) {
             return Json{{"url", "https://hooks.example.com/new"},
                         {"event_types", {"domain.removed"}}};
           }},
          {{"PATCH", "/webhooks/{id}"},
           [](auto&, auto&) {
             return Json{{"description", "Renamed"}};
           }},
          {{"POST", "/webhooks/{id}/replay"},
           [](auto&, auto&) {
             return Json{{"from_sequence", 1}};
           }},
          {{"POST", "/scim-tokens"},
           [](auto&, auto&) {
             return Json{{"name", "IdP"}};
           }},
          {{"PUT", "/scim-settings"},
           [](auto&, auto&) {
             return Json{{"group_mappings", Json::array()}};
           }},
          {{"POST", "/sso-connections"},
           [](auto&, auto&) {
             return Json{{"type", "oidc"},
                         {"issuer", "https://idp.example.org"},
                         {"client_id", "new"},
                         {"client_secret", "new-secret"}};
           }},
          {{"PATCH", "/sso-connections/{id}"},
           [](auto&, auto&) {
             return Json{{"name", "Renamed"}};
           }},
          {{"POST", "/email-domains"},
           [](const Fixture& f, auto&) {
             return Json{{"domain", "new-" + f.slug + ".example.org"}};
           }},
          {{"PATCH", "/email-domains/{domain}"},
           [](auto&, auto&) {
             return Json{{"enforce_sso", false}};
           }},
          {{"POST", "/grants"},
           [](const Fixture& f, auto&) {
             return Json{{"target_organization", f.giver_slug},
                         {"workspace_id", f.workspace},
                         {"level", "write"}};
           }},
          {{"POST", "/incoming-grants/{id}/accept"},
           [](auto&, auto&) {
             return Json{{"members", "all"}};
           }},
          {{"POST", "/shared/{grant_id}/resources"},
           [](auto&, auto&) {
             return Json{{"kind", "monitor"}, {"name", "new"}};
           }},
          {{"PATCH", "/shared/{grant_id}/resources/{id}"},
           [](auto&, auto&) {
             return Json{{"spec", {{"a", 1}}}};
           }},
          {{"POST", "/roles"},
           [](auto&, auto&) {
             return Json{{"key", "reader"}, {"name", "Reader"}, {"permissions", {"usage:read"}}};
           }},
          {{"PATCH", "/roles/{key}"},
           [](auto&, auto&) {
             return Json{{"name", "Renamed"}, {"permissions", {"audit_log:read"}}};
           }},
          {{"POST", "/integrations"},
           [](auto&, auto&) {
             return Json{{"kind", "custom"}, {"name", "new"}};
           }},
          {{"PATCH", "/integrations/{id}"},
           [](auto&, auto&) {
             return Json{{"name", "Renamed"}};
           }},
      };
  static const std::set<std::pair<std::string, std::string>> kNoBody = {
      {"DELETE", "/members/{user_id}"},
      {"POST", "/domains/{hostname}/verify"},
      {"DELETE", "/domains/{hostname}"},
      {"DELETE", "/invitations/{id}"},
      {"DELETE", "/api-keys/{id}"},
      {"DELETE", "/workspaces/{ws}"},
      {"DELETE", "/workspaces/{ws}/members/{user_id}"},
      {"DELETE", "/workspaces/{ws}/resources/{id}"},
      {"DELETE", "/workspaces/{ws}/secrets/{name}"},
      {"DELETE", "/webhooks/{id}"},
      {"POST", "/webhooks/{id}/rotate-secret"},
      {"POST", "/webhooks/{id}/test"},
      {"DELETE", "/scim-tokens/{id}"},
      {"DELETE", "/sso-connections/{id}"},
      {"POST", "/sso-connections/{id}/test"},
      {"POST", "/email-domains/{domain}/verify"},
      {"DELETE", "/email-domains/{domain}"},
      {"DELETE", "/grants/{id}"},
      {"POST", "/incoming-grants/{id}/decline"},
      {"DELETE", "/shared/{grant_id}/resources/{id}"},
      {"DELETE", "/roles/{key}"},
      {"DELETE", "/integrations/{id}"},
      {"PUT", "/workspaces/{ws}/integrations/{id}"},
      {"DELETE", "/workspaces/{ws}/integrations/{id}"},
  };
  if (method == "GET" || kNoBody.count({method, suffix})) return Request{path, std::nullopt};
  auto body = kBodies.find({method, suffix});
  if (body == kBodies.end()) return std::nullopt;
  return Request{path, body->second(f, p)};
}

// Outcomes that the route's declarations do not decide, for callers it lets through.
std::optional<Expected> BusinessRule(const std::string& method, const std::string& suffix) {
  // No TXT record is published in this suite: an allowed caller gets as far as the DNS check
  // (verification itself is covered in domains_test.cpp against a real DNS server).
  if (method == "POST" && suffix == "/domains/{hostname}/verify")
    return Expected{422, "verification_failed"};
  if (method == "POST" && suffix == "/email-domains/{domain}/verify")
    return Expected{422, "verification_failed"};
  return std::nullopt;
}

std::string Upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// One owner makes a fresh organization per route and caller: far more, and faster, than the
// per-account limits allow by default, so they are off here (plans_test.cpp tests them).
class RoleMatrixTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServerProcess>(std::vector<std::string>{
        "--max-organizations-per-user", "0", "--organization-creation-rate", "0"});
  }
  void TearDown() override { server_.reset(); }
  HttpClient client() { return server_->client(); }

 private:
  std::unique_ptr<ServerProcess> server_;
};

// The matrix runs in shards (every kShards-th route), each against its own server, so that ctest
// runs them side by side and none nears the test timeout under the sanitizers.
constexpr int kShards = 4;

class RoleMatrixShardTest : public RoleMatrixTest, public ::testing::WithParamInterface<int> {};

// Every organization route in the server's OpenAPI document has its row, and every row its route.
TEST_F(RoleMatrixTest, EveryOrganizationRouteHasItsRowAndEveryRowItsRoute) {
  auto c = client();
  auto doc = c.Request("GET", "/openapi.json");
  ASSERT_EQ(doc.status, 200);
  std::set<const Policy*> covered;
  for (const auto& [pattern, methods] : doc.json["paths"].items()) {
    if (pattern.rfind(kPrefix, 0) != 0) continue;
    std::string suffix = pattern.substr(kPrefix.size());
    for (const auto& [lower, op] : methods.items()) {
      if (op.value("x-bulkhead-scope", "") == "public") continue;
      const Policy* policy = FindPolicy(Upper(lower), suffix);
      EXPECT_NE(policy, nullptr) << Upper(lower) << " " << pattern
                                 << " has no row in the policy table: add what DESIGN.md says";
      if (policy) covered.insert(policy);
    }
  }
  for (const auto& policy : PolicyTable()) {
    EXPECT_EQ(policy.cells.size(), std::size_t{kColumns}) << policy.method << " " << policy.path;
    EXPECT_TRUE(covered.count(&policy))
        << "the policy table names " << policy.method << " " << kPrefix << policy.path
        << ", which the server does not serve";
  }
}

TEST_P(RoleMatrixShardTest, EveryCallerGetsWhatThePolicyTableSaysOnEveryOrganizationRoute) {
  const int shard = GetParam();
  auto c = client();
  People p{SignUp(c, "Owner"),    SignUp(c, "Admin"),    SignUp(c, "Viewer"),
           SignUp(c, "Editor"),   SignUp(c, "Ws Admin"), SignUp(c, "Unassigned"),
           SignUp(c, "Outsider"), SignUp(c, "Target"),   SignUp(c, "Candidate"),
           SignUp(c, "Auditor")};
  std::map<std::string, const Account*> people = {{"owner", &p.owner},
                                                  {"admin", &p.admin},
                                                  {"member as workspace viewer", &p.viewer},
                                                  {"member as workspace editor", &p.editor},
                                                  {"member as workspace admin", &p.ws_admin},
                                                  {"unassigned member", &p.unassigned},
                                                  {"custom role auditor", &p.auditor},
                                                  {"non-member", &p.outsider}};

  auto doc = c.Request("GET", "/openapi.json");
  ASSERT_EQ(doc.status, 200);
  for (const auto& policy : PolicyTable()) {
    ASSERT_EQ(policy.cells.size(), std::size_t{kColumns}) << policy.method << " " << policy.path;
  }
  int fixtures = 0, checked = 0, routes = 0, in_shard = 0;
  std::optional<Fixture> shared;  // reads do not change a fixture: one serves them all
  for (const auto& [pattern, methods] : doc.json["paths"].items()) {
    if (pattern.rfind(kPrefix, 0) != 0) continue;
    std::string suffix = pattern.substr(kPrefix.size());
    for (const auto& [lower, op] : methods.items()) {
      // A public route under the organization's path (the SAML SP metadata) serves anyone.
      if (op.value("x-bulkhead-scope", "") == "public") continue;
      std::string method = Upper(lower);
      const Policy* policy = FindPolicy(method, suffix);
      ASSERT_NE(policy, nullptr) << method << " " << pattern
                                 << " has no row in the policy table: add what DESIGN.md says";
      if (routes++ % kShards != shard) continue;
      ++in_shard;
      for (const auto& caller : Callers()) {
        // A mutating attempt gets a fixture of its own; reads share one.
        if (method == "GET" && !shared) shared = MakeFixture(c, p, ++fixtures);
        Fixture f = method == "GET" ? *shared : MakeFixture(c, p, ++fixtures, NeedsSharing(suffix));
        auto request = RequestFor(method, pattern, f, p, checked % 2 == 0);
        ASSERT_TRUE(request) << "no role-matrix fixture for " << method << " " << pattern
                             << ": add its parameters and body to RequestFor";
        Headers headers;
        if (caller.api_key)
          headers = Bearer(f.keys[caller.org_role]);
        else if (!caller.anonymous)
          headers = Bearer(people[caller.name]->token);
        auto r = c.Request(method, request->path, request->body, headers);
        Expected expected = FromTable(*policy, caller);
        if (expected.code.empty()) {
          if (auto rule = BusinessRule(method, suffix)) expected = *rule;
        }
        ++checked;
        EXPECT_EQ(r.status, expected.status)
            << method << " " << pattern << " as " << caller.name << ": " << r.body;
        if (!expected.code.empty()) {
          EXPECT_EQ(r.Code(), expected.code) << method << " " << pattern << " as " << caller.name;
          EXPECT_EQ(r.Header("content-type"), "application/problem+json");
        }
      }
    }
  }
  EXPECT_GT(in_shard, 0);
  EXPECT_EQ(checked, static_cast<int>(in_shard * Callers().size()));
  // Together the shards check every route the table has (each with every caller).
  EXPECT_EQ(routes, static_cast<int>(PolicyTable().size()));
}

INSTANTIATE_TEST_SUITE_P(Shards, RoleMatrixShardTest, ::testing::Range(0, kShards));

TEST_F(RoleMatrixTest, NonMembersCannotTellExistingFromMissingOrganizations) {
  auto c = client();
  Account owner = SignUp(c, "Owner");
  Account outsider = SignUp(c, "Outsider");
  auto org = CreateOrganization(c, owner.token, "Secret", "secret-org");
  for (const std::string& ref : {std::string("secret-org"), org["id"].get<std::string>()}) {
    auto existing = c.Request("GET", "/api/v1/organizations/" + ref + "/members", std::nullopt,
                              Bearer(outsider.token));
    auto missing = c.Request("GET", "/api/v1/organizations/no-such-org-x/members", std::nullopt,
                             Bearer(outsider.token));
    EXPECT_EQ(existing.status, missing.status);
    EXPECT_EQ(existing.Code(), missing.Code());
    EXPECT_EQ(existing.json["detail"], missing.json["detail"]);
  }
}

TEST_F(RoleMatrixTest, AMemberMayLeaveButNotRemoveOthers) {
  auto c = client();
  Account owner = SignUp(c, "Owner");
  Account member = SignUp(c, "Member");
  Account other = SignUp(c, "Other");
  std::string slug = CreateOrganization(c, owner.token, "Leavers", UniqueSlug("leave"))["slug"];
  AddMember(c, owner.token, slug, member.user_id, "member");
  AddMember(c, owner.token, slug, other.user_id, "member");
  std::string base = "/api/v1/organizations/" + slug + "/members/";
  EXPECT_EQ(c.Request("DELETE", base + other.user_id, std::nullopt, Bearer(member.token)).status,
            403);
  EXPECT_EQ(c.Request("DELETE", base + member.user_id, std::nullopt, Bearer(member.token)).status,
            204);
  EXPECT_EQ(
      c.Request("GET", "/api/v1/organizations/" + slug, std::nullopt, Bearer(member.token)).status,
      404);
}

}  // namespace
}  // namespace bulkhead::testing
