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
// unassigned member, a non-member, anonymous, and API keys with each organization role (a key
// acts with its role and holds no workspace assignment).

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
enum Column { kOwner, kAdmin, kViewer, kEditor, kWorkspaceAdmin, kUnassigned, kColumns };

struct Policy {
  std::string method;
  std::string path;  // after /api/v1/organizations/{org}
  int success;
  // owner, admin, then members by their assignment in the workspace: viewer, editor, admin,
  // none.
  std::string cells;
};

// DESIGN.md, "Roles and permissions". The comment above each group names its row.
const std::vector<Policy>& PolicyTable() {
  static const std::vector<Policy> kTable = {
      // read the organization, list members: everyone.
      {"GET", "", 200, "YYYYYY"},
      {"GET", "/features", 200, "YYYYYY"},
      {"GET", "/members", 200, "YYYYYY"},
      {"GET", "/domains", 200, "YYYYYY"},
      // update name, branding, settings; manage domains, API keys: owners and admins.
      {"PATCH", "", 200, "YYFFFF"},
      {"POST", "/domains", 201, "YYFFFF"},
      {"POST", "/domains/{hostname}/verify", 200, "YYFFFF"},
      {"DELETE", "/domains/{hostname}", 204, "YYFFFF"},
      {"GET", "/api-keys", 200, "YYFFFF"},
      {"POST", "/api-keys", 201, "YYFFFF"},
      {"DELETE", "/api-keys/{id}", 204, "YYFFFF"},
      // webhook endpoints, like integrations and API keys: owners and admins.
      {"GET", "/webhooks", 200, "YYFFFF"},
      {"POST", "/webhooks", 201, "YYFFFF"},
      {"GET", "/webhooks/{id}", 200, "YYFFFF"},
      {"PATCH", "/webhooks/{id}", 200, "YYFFFF"},
      {"DELETE", "/webhooks/{id}", 204, "YYFFFF"},
      {"POST", "/webhooks/{id}/rotate-secret", 200, "YYFFFF"},
      {"GET", "/webhooks/{id}/deliveries", 200, "YYFFFF"},
      {"POST", "/webhooks/{id}/replay", 202, "YYFFFF"},
      {"POST", "/webhooks/{id}/test", 202, "YYFFFF"},
      // SCIM tokens and group mappings (issue 20), like API keys: owners and admins.
      {"GET", "/scim-tokens", 200, "YYFFFF"},
      {"POST", "/scim-tokens", 201, "YYFFFF"},
      {"DELETE", "/scim-tokens/{id}", 204, "YYFFFF"},
      {"GET", "/scim-settings", 200, "YYFFFF"},
      {"PUT", "/scim-settings", 200, "YYFFFF"},
      // SSO connections and email domains, like domains and integrations: owners and admins.
      {"GET", "/sso-connections", 200, "YYFFFF"},
      {"POST", "/sso-connections", 201, "YYFFFF"},
      {"GET", "/sso-connections/{id}", 200, "YYFFFF"},
      {"PATCH", "/sso-connections/{id}", 200, "YYFFFF"},
      {"DELETE", "/sso-connections/{id}", 204, "YYFFFF"},
      {"POST", "/sso-connections/{id}/test", 201, "YYFFFF"},
      {"GET", "/sso-connections/{id}/tests/{test_id}", 200, "YYFFFF"},
      {"GET", "/email-domains", 200, "YYFFFF"},
      {"POST", "/email-domains", 201, "YYFFFF"},
      {"GET", "/email-domains/{domain}", 200, "YYFFFF"},
      {"PATCH", "/email-domains/{domain}", 200, "YYFFFF"},
      {"POST", "/email-domains/{domain}/verify", 200, "YYFFFF"},
      {"DELETE", "/email-domains/{domain}", 204, "YYFFFF"},
      // integrations (issue 21): any member sees names and kinds; owners and admins manage
      // them (like domains and API keys) and make them available to workspaces, which those
      // who see the workspace may list.
      {"GET", "/integrations", 200, "YYYYYY"},
      {"POST", "/integrations", 201, "YYFFFF"},
      {"GET", "/integrations/{id}", 200, "YYYYYY"},
      {"PATCH", "/integrations/{id}", 200, "YYFFFF"},
      {"DELETE", "/integrations/{id}", 204, "YYFFFF"},
      {"GET", "/workspaces/{ws}/integrations", 200, "YYYYYN"},
      {"PUT", "/workspaces/{ws}/integrations/{id}", 200, "YYFFFN"},  // already available: 200
      {"DELETE", "/workspaces/{ws}/integrations/{id}", 204, "YYFFFN"},
      // invite, add, remove members; change roles of admins and members: owners and admins.
      {"POST", "/members", 201, "YYFFFF"},
      {"PATCH", "/members/{user_id}", 200, "YYFFFF"},
      {"DELETE", "/members/{user_id}", 204, "YYFFFF"},  // another member (leaving: its own test)
      {"GET", "/invitations", 200, "YYFFFF"},
      {"POST", "/invitations", 201, "YYFFFF"},
      {"DELETE", "/invitations/{id}", 204, "YYFFFF"},
      // billing: plan, billing contact; delete the organization: the owner alone.
      {"PUT", "/plan", 200, "YFFFFF"},
      {"DELETE", "", 204, "YFFFFF"},
      // read the audit log; usage (API.md: admin): owners and admins.
      {"GET", "/audit-log", 200, "YYFFFF"},
      // the event log (issue 19: like the audit log, owners, admins and admin API keys).
      {"GET", "/events", 200, "YYFFFF"},
      {"GET", "/events/{id}", 200, "YYFFFF"},
      {"GET", "/usage", 200, "YYFFFF"},
      // see workspaces: all for owners and admins, a member those assigned to (an unassigned
      // member's list is empty, not refused).
      {"GET", "/workspaces", 200, "YYYYYY"},
      {"GET", "/workspaces/{ws}", 200, "YYYYYN"},
      // create, update, delete workspaces: owners and admins, whatever a member's workspace role.
      {"POST", "/workspaces", 201, "YYFFFF"},
      {"PATCH", "/workspaces/{ws}", 200, "YYFFFN"},
      {"DELETE", "/workspaces/{ws}", 204, "YYFFFN"},
      // assign workspace members: owners, admins, and a member who is the workspace's admin.
      {"GET", "/workspaces/{ws}/members", 200, "YYFFYN"},
      {"PUT", "/workspaces/{ws}/members/{user_id}", 200, "YYFFYN"},
      {"DELETE", "/workspaces/{ws}/members/{user_id}", 204, "YYFFYN"},
      // read resources: owners, admins, members by workspace role (viewer and up).
      {"GET", "/workspaces/{ws}/resources", 200, "YYYYYN"},
      {"GET", "/workspaces/{ws}/resources/{id}", 200, "YYYYYN"},
      {"GET", "/workspaces/{ws}/secrets", 200, "YYYYYN"},
      {"GET", "/workspaces/{ws}/secrets/{name}", 200, "YYYYYN"},  // metadata; values: secrets_test
      // write resources: owners, admins, members by workspace role (editor and up).
      {"POST", "/workspaces/{ws}/resources", 201, "YYFYYN"},
      {"PATCH", "/workspaces/{ws}/resources/{id}", 200, "YYFYYN"},
      {"DELETE", "/workspaces/{ws}/resources/{id}", 204, "YYFYYN"},
      {"PUT", "/workspaces/{ws}/secrets/{name}", 200, "YYFYYN"},
      {"DELETE", "/workspaces/{ws}/secrets/{name}", 204, "YYFYYN"},
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
  Account owner, admin, viewer, editor, ws_admin, unassigned, outsider, target, candidate;
};

// One organization with everything a route can act on.
struct Fixture {
  std::string org_id, slug, workspace, resource, invitation, spare_key, domain, webhook, event;
  std::string sso_connection, sso_test, email_domain, scim_token;
  std::string integration;                  // available to `workspace`, used by no resource
  std::map<std::string, std::string> keys;  // org role -> API key secret
};

Fixture MakeFixture(const HttpClient& c, const People& p, int n) {
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
  if (suffix.find("/resources/{id}") != std::string::npos) fill("{id}", f.resource);
  if (suffix.rfind("/webhooks/{id}", 0) == 0) fill("{id}", f.webhook);
  if (suffix.rfind("/events/{id}", 0) == 0) fill("{id}", f.event);
  if (suffix.rfind("/scim-tokens/{id}", 0) == 0) fill("{id}", f.scim_token);
  if (suffix.rfind("/sso-connections/{id}", 0) == 0) fill("{id}", f.sso_connection);
  if (suffix.find("/integrations/{id}") != std::string::npos) fill("{id}", f.integration);
  fill("{test_id}", f.sso_test);
  fill("{domain}", f.email_domain);
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

TEST_F(RoleMatrixTest, EveryCallerGetsWhatThePolicyTableSaysOnEveryOrganizationRoute) {
  auto c = client();
  People p{SignUp(c, "Owner"),    SignUp(c, "Admin"),    SignUp(c, "Viewer"),
           SignUp(c, "Editor"),   SignUp(c, "Ws Admin"), SignUp(c, "Unassigned"),
           SignUp(c, "Outsider"), SignUp(c, "Target"),   SignUp(c, "Candidate")};
  std::map<std::string, const Account*> people = {{"owner", &p.owner},
                                                  {"admin", &p.admin},
                                                  {"member as workspace viewer", &p.viewer},
                                                  {"member as workspace editor", &p.editor},
                                                  {"member as workspace admin", &p.ws_admin},
                                                  {"unassigned member", &p.unassigned},
                                                  {"non-member", &p.outsider}};

  auto doc = c.Request("GET", "/openapi.json");
  ASSERT_EQ(doc.status, 200);
  for (const auto& policy : PolicyTable()) {
    ASSERT_EQ(policy.cells.size(), std::size_t{kColumns}) << policy.method << " " << policy.path;
  }
  int fixtures = 0, checked = 0;
  std::set<const Policy*> covered;
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
      covered.insert(policy);
      for (const auto& caller : Callers()) {
        // A mutating attempt gets a fixture of its own; reads share one.
        if (method == "GET" && !shared) shared = MakeFixture(c, p, ++fixtures);
        Fixture f = method == "GET" ? *shared : MakeFixture(c, p, ++fixtures);
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
  for (const auto& policy : PolicyTable()) {
    EXPECT_TRUE(covered.count(&policy))
        << "the policy table names " << policy.method << " " << kPrefix << policy.path
        << ", which the server does not serve";
  }
  EXPECT_EQ(checked, static_cast<int>(PolicyTable().size() * Callers().size()));
}

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
