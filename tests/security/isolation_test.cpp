// Cross-tenant isolation, generated from the route table. Organization A carries a unique
// marker in every field it has; a member of organization B tries every organization route
// (read from the server's OpenAPI document) naming A in every way a request can: the path by
// id and by slug, the alias with X-Organization, the Host subdomain, A's verified custom
// domain, and mixtures of those with B. Every attempt must be refused as 404
// organization_not_found (a conflict with B would confirm that A exists), must not show the
// marker, and must change nothing of A. A route the table adds without a request body here
// fails the suite, so a new endpoint is covered before it ships.

#include <random>
#include <set>

#include "integration/harness.hpp"
#include "support/dnsmasq.hpp"

namespace bulkhead::testing {
namespace {

std::string NewMarker() {
  std::random_device rd;
  std::string marker = "mk";
  for (int i = 0; i < 10; ++i) marker += "abcdefghijklmnopqrstuvwxyz0123456789"[rd() % 36];
  return marker;
}

std::string Upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

class IsolationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dns_ = std::make_unique<Dnsmasq>();
    server_ =
        std::make_unique<ServerProcess>(std::vector<std::string>{"--dns-server", dns_->address()});
    auto c = client();
    marker_ = NewMarker();
    // Organization A: the marker in every field it has.
    a_owner_ = SignUp(c, "Owner " + marker_, marker_ + "-owner@example.com");
    a_member_ = SignUp(c, "Member " + marker_, marker_ + "-member@example.com");
    auto org = c.Request("POST", "/api/v1/organizations",
                         Json{{"name", "Org " + marker_},
                              {"slug", marker_ + "-org"},
                              {"settings",
                               {{"branding",
                                 {{"display_name", "Brand " + marker_},
                                  {"logo_url", "https://" + marker_ + ".example.com/logo.png"}}},
                                {"features", {marker_}}}}},
                         Bearer(a_owner_.token));
    ASSERT_EQ(org.status, 201) << org.body;
    a_id_ = org.json["id"];
    a_slug_ = org.json["slug"];
    AddMember(c, a_owner_.token, a_id_, a_member_.user_id, "member");
    a_domain_ = marker_ + ".example.com";
    auto domain = c.Request("POST", "/api/v1/organizations/" + a_id_ + "/domains",
                            Json{{"hostname", a_domain_}}, Bearer(a_owner_.token));
    ASSERT_EQ(domain.status, 201) << domain.body;
    dns_->SetTxt("_bulkhead-challenge." + a_domain_, {domain.json["verification"]["value"]});
    auto verified =
        c.Request("POST", "/api/v1/organizations/" + a_id_ + "/domains/" + a_domain_ + "/verify",
                  std::nullopt, Bearer(a_owner_.token));
    ASSERT_EQ(verified.status, 200) << verified.body;
    // A's workspace, resource, invitation and API key, all marked.
    std::string base = "/api/v1/organizations/" + a_id_;
    auto owner = Bearer(a_owner_.token);
    auto ws = c.Request("POST", base + "/workspaces",
                        Json{{"name", "Space " + marker_}, {"description", marker_}}, owner);
    ASSERT_EQ(ws.status, 201) << ws.body;
    a_workspace_ = ws.json["id"];
    ASSERT_EQ(
        c.Request("PUT", base + "/workspaces/" + a_workspace_ + "/members/" + a_member_.user_id,
                  Json{{"role", "editor"}}, owner)
            .status,
        200);
    auto resource =
        c.Request("POST", base + "/workspaces/" + a_workspace_ + "/resources",
                  Json{{"kind", "monitor"},
                       {"name", "Probe " + marker_},
                       {"labels", {{"owner", marker_}}},
                       {"spec", {{"url", "https://" + marker_ + ".example.com/health"}}}},
                  owner);
    ASSERT_EQ(resource.status, 201) << resource.body;
    a_resource_ = resource.json["id"];
    auto secret = c.Request("PUT", base + "/workspaces/" + a_workspace_ + "/secrets/" + a_secret_,
                            Json{{"value", "secret " + marker_}}, owner);
    ASSERT_EQ(secret.status, 200) << secret.body;
    auto invitation =
        c.Request("POST", base + "/invitations",
                  Json{{"email", marker_ + "-invitee@example.com"}, {"role", "member"}}, owner);
    ASSERT_EQ(invitation.status, 201) << invitation.body;
    a_invitation_ = invitation.json["id"];
    auto key = c.Request("POST", base + "/api-keys",
                         Json{{"name", "Key " + marker_}, {"role", "admin"}}, owner);
    ASSERT_EQ(key.status, 201) << key.body;
    a_key_id_ = key.json["id"];
    // A webhook endpoint, subscribed to an event nothing here causes, so that the dispatcher
    // leaves its state alone while the attempts run.
    auto webhook = c.Request("POST", base + "/webhooks",
                             Json{{"url", "https://" + marker_ + ".example.com/hook"},
                                  {"event_types", {"domain.removed"}},
                                  {"description", "Hook " + marker_}},
                             owner);
    ASSERT_EQ(webhook.status, 201) << webhook.body;
    a_webhook_ = webhook.json["id"];
    // A custom role, its key the marker.
    auto role = c.Request(
        "POST", base + "/roles",
        Json{{"key", marker_}, {"name", "Role " + marker_}, {"permissions", {"usage:read"}}},
        owner);
    ASSERT_EQ(role.status, 201) << role.body;
    // An integration, marked in its name, config and credentials, available to the workspace.
    auto integration =
        c.Request("POST", base + "/integrations",
                  Json{{"kind", "kubernetes"},
                       {"name", "Cluster " + marker_},
                       {"config", {{"server", "https://" + marker_ + ".example.com:6443"}}},
                       {"credentials", {{"token", "token-" + marker_}}}},
                  owner);
    ASSERT_EQ(integration.status, 201) << integration.body;
    a_integration_ = integration.json["id"];
    ASSERT_EQ(
        c.Request("PUT", base + "/workspaces/" + a_workspace_ + "/integrations/" + a_integration_,
                  std::nullopt, owner)
            .status,
        201);
    auto events = c.Request("GET", base + "/events?limit=1", std::nullopt, owner);
    ASSERT_EQ(events.status, 200) << events.body;
    a_event_ = events.json["data"][0]["id"];

    // The custom domain really routes to A for A's owner: the attempts below are meaningful.
    auto routed = c.Request("GET", "/api/v1/org", std::nullopt,
                            Bearer(a_owner_.token, {{"Host", a_domain_}}));
    ASSERT_EQ(routed.status, 200) << routed.body;

    // Organization B and its owner, the attacker.
    b_owner_ = SignUp(c, "Bob");
    auto b = CreateOrganization(c, b_owner_.token, "Bee", UniqueSlug("bee"));
    b_slug_ = b["slug"];
    // B's owner-role API key attacks too: a key is confined to its own organization.
    auto b_key = c.Request("POST", "/api/v1/organizations/" + b_slug_ + "/api-keys",
                           Json{{"name", "bee key"}, {"role", "owner"}}, Bearer(b_owner_.token));
    ASSERT_EQ(b_key.status, 201) << b_key.body;
    b_key_ = b_key.json["key"];
  }

  HttpClient client() { return server_->client(); }

  // Everything A's owner can see of A.
  Json SnapshotOfA() {
    auto c = client();
    Json snapshot;
    for (const std::string& part :
         {std::string(), std::string("/members?limit=200"), std::string("/domains"),
          std::string("/audit-log?limit=200"), std::string("/workspaces"),
          "/workspaces/" + a_workspace_ + "/members", "/workspaces/" + a_workspace_ + "/resources",
          "/workspaces/" + a_workspace_ + "/secrets", std::string("/invitations"),
          std::string("/api-keys"), std::string("/webhooks"), std::string("/roles"),
          std::string("/integrations"), "/workspaces/" + a_workspace_ + "/integrations"}) {
      auto r = c.Request("GET", "/api/v1/organizations/" + a_id_ + part, std::nullopt,
                         Bearer(a_owner_.token));
      EXPECT_EQ(r.status, 200) << part << ": " << r.body;
      snapshot[part.empty() ? "organization" : part] = r.json;
    }
    return snapshot;
  }

  std::unique_ptr<Dnsmasq> dns_;
  std::unique_ptr<ServerProcess> server_;
  std::string marker_;
  Account a_owner_, a_member_, b_owner_;
  std::string a_id_, a_slug_, a_domain_, b_slug_;
  std::string a_workspace_, a_resource_, a_invitation_, a_key_id_, a_webhook_, a_event_;
  std::string a_integration_;
  std::string a_secret_ = "api-token";
  std::string b_key_;
};

// A request body that would succeed if the caller were allowed, for each route that takes one.
// nullopt: the route takes none. A route missing here fails the suite.
std::optional<std::optional<Json>> BodyFor(const std::string& method, const std::string& suffix,
                                           const std::string& a_slug, const std::string& b_user) {
  using B = std::optional<Json>;
  if (method == "GET") return B{};
  if (method == "PATCH" && suffix == "") return B{Json{{"name", "Taken Over"}}};
  if (method == "PUT" && suffix == "/plan") return B{Json{{"plan", "free"}}};
  if (method == "DELETE" && suffix == "") return B{Json{{"confirm", a_slug}}};
  if (method == "POST" && suffix == "/members")
    return B{Json{{"user_id", b_user}, {"role", "owner"}}};
  if (method == "PATCH" && suffix == "/members/{user_id}") return B{Json{{"role", "owner"}}};
  if (method == "DELETE" && suffix == "/members/{user_id}") return B{};
  if (method == "POST" && suffix == "/domains")
    return B{Json{{"hostname", "attacker.example.org"}}};
  if (method == "POST" && suffix == "/domains/{hostname}/verify") return B{};
  if (method == "DELETE" && suffix == "/domains/{hostname}") return B{};
  if (method == "POST" && suffix == "/invitations") {
    return B{Json{{"email", "attacker@example.org"}, {"role", "owner"}}};
  }
  if (method == "DELETE" && suffix == "/invitations/{id}") return B{};
  if (method == "POST" && suffix == "/api-keys")
    return B{Json{{"name", "stolen"}, {"role", "owner"}}};
  if (method == "DELETE" && suffix == "/api-keys/{id}") return B{};
  if (method == "POST" && suffix == "/workspaces") return B{Json{{"name", "Planted"}}};
  if (method == "PATCH" && suffix == "/workspaces/{ws}") return B{Json{{"name", "Taken Over"}}};
  if (method == "DELETE" && suffix == "/workspaces/{ws}") return B{};
  if (method == "PUT" && suffix == "/workspaces/{ws}/members/{user_id}") {
    return B{Json{{"role", "admin"}}};
  }
  if (method == "DELETE" && suffix == "/workspaces/{ws}/members/{user_id}") return B{};
  if (method == "POST" && suffix == "/workspaces/{ws}/resources") {
    return B{Json{{"kind", "monitor"}, {"name", "planted"}}};
  }
  if (method == "PATCH" && suffix == "/workspaces/{ws}/resources/{id}") {
    return B{Json{{"spec", {{"pwned", true}}}}};
  }
  if (method == "DELETE" && suffix == "/workspaces/{ws}/resources/{id}") return B{};
  if (method == "PUT" && suffix == "/workspaces/{ws}/secrets/{name}")
    return B{Json{{"value", "planted"}}};
  if (method == "DELETE" && suffix == "/workspaces/{ws}/secrets/{name}") return B{};
  if (method == "POST" && suffix == "/webhooks")
    return B{Json{{"url", "https://attacker.example.org/in"}}};
  if (method == "PATCH" && suffix == "/webhooks/{id}")
    return B{Json{{"url", "https://attacker.example.org/in"}}};
  if (method == "DELETE" && suffix == "/webhooks/{id}") return B{};
  if (method == "POST" && suffix == "/webhooks/{id}/rotate-secret") return B{};
  if (method == "POST" && suffix == "/webhooks/{id}/replay") return B{Json{{"from_sequence", 1}}};
  if (method == "POST" && suffix == "/webhooks/{id}/test") return B{};
  // Enterprise SSO
  if (method == "GET" &&
      (suffix.rfind("/sso-connections", 0) == 0 || suffix.rfind("/email-domains", 0) == 0)) {
    return B{};
  }
  if (method == "POST" && suffix == "/sso-connections") {
    return B{Json{{"type", "oidc"},
                  {"issuer", "https://attacker.example.org"},
                  {"client_id", "planted"},
                  {"client_secret", "planted-secret"}}};
  }
  if (method == "PATCH" && suffix == "/sso-connections/{id}") return B{Json{{"jit", true}}};
  if (method == "DELETE" && suffix == "/sso-connections/{id}") return B{};
  if (method == "POST" && suffix == "/sso-connections/{id}/test") return B{};
  if (method == "POST" && suffix == "/email-domains") {
    return B{Json{{"domain", "attacker.example.org"}}};
  }
  if (method == "PATCH" && suffix == "/email-domains/{domain}") {
    return B{Json{{"enforce_sso", true}}};
  }
  if (method == "POST" && suffix == "/email-domains/{domain}/verify") return B{};
  if (method == "DELETE" && suffix == "/email-domains/{domain}") return B{};
  // Integrations and their availability to workspaces (issue 21)
  if (method == "POST" && suffix == "/integrations") {
    return B{Json{{"kind", "custom"}, {"name", "planted"}, {"credentials", {{"k", "v"}}}}};
  }
  if (method == "PATCH" && suffix == "/integrations/{id}") {
    return B{Json{{"credentials", {{"token", "planted"}}}}};
  }
  if (method == "DELETE" && suffix == "/integrations/{id}") return B{};
  if ((method == "PUT" || method == "DELETE") && suffix == "/workspaces/{ws}/integrations/{id}") {
    return B{};
  }
  // SCIM provisioning's management routes (the SCIM protocol routes are not in /openapi.json)
  if (method == "POST" && suffix == "/scim-tokens") return B{Json{{"name", "planted"}}};
  if (method == "DELETE" && suffix == "/scim-tokens/{id}") return B{};
  if (method == "PUT" && suffix == "/scim-settings") {
    return B{
        Json{{"group_mappings", Json::array({Json{{"group", "planted"}, {"role", "admin"}}})}}};
  }
  // Sharing grants (cross-organization access through a grant: sharing_isolation_test.cpp)
  if (method == "POST" && suffix == "/grants") {
    return B{Json{{"target_organization", "attacker-org"},
                  {"workspace_id", "01936f0e-7a1b-7c3d-8e9f-0a1b2c3d4e63"},
                  {"level", "write"}}};
  }
  if (method == "DELETE" && suffix == "/grants/{id}") return B{};
  if (method == "POST" && suffix == "/incoming-grants/{id}/accept")
    return B{Json{{"members", "all"}}};
  if (method == "POST" && suffix == "/incoming-grants/{id}/decline") return B{};
  if (method == "POST" && suffix == "/shared/{grant_id}/resources") {
    return B{Json{{"kind", "monitor"}, {"name", "planted"}}};
  }
  if (method == "PATCH" && suffix == "/shared/{grant_id}/resources/{id}") {
    return B{Json{{"spec", {{"pwned", true}}}}};
  }
  if (method == "DELETE" && suffix == "/shared/{grant_id}/resources/{id}") return B{};
  // Custom roles
  if (method == "POST" && suffix == "/roles") {
    return B{Json{{"key", "planted"}, {"name", "Planted"}, {"permissions", {"members:manage"}}}};
  }
  if (method == "PATCH" && suffix == "/roles/{key}") {
    return B{Json{{"permissions", {"members:manage"}}}};
  }
  if (method == "DELETE" && suffix == "/roles/{key}") return B{};
  return std::nullopt;
}

TEST_F(IsolationTest, NoOrganizationRouteServesAnotherOrganizationHowEverItIsNamed) {
  auto c = client();
  auto doc = c.Request("GET", "/openapi.json");
  ASSERT_EQ(doc.status, 200);
  Json before = SnapshotOfA();
  ASSERT_NE(before.dump().find(marker_), std::string::npos);  // the marker is there to leak

  const std::string long_prefix = "/api/v1/organizations/{org}";
  const std::string alias_prefix = "/api/v1/org";
  int attempts = 0;
  std::set<std::string> routes_tried;
  for (const auto& [pattern, methods] : doc.json["paths"].items()) {
    bool long_form = pattern.rfind(long_prefix, 0) == 0;
    bool alias =
        !long_form && (pattern == alias_prefix || pattern.rfind(alias_prefix + "/", 0) == 0);
    if (!long_form && !alias) continue;
    std::string suffix = pattern.substr(long_form ? long_prefix.size() : alias_prefix.size());
    for (const auto& [lower_method, op] : methods.items()) {
      // A public route under the organization's path (the SAML SP metadata) serves anyone.
      if (op.value("x-bulkhead-scope", "") == "public") continue;
      std::string method = Upper(lower_method);
      auto body = BodyFor(method, suffix, a_slug_, b_owner_.user_id);
      ASSERT_TRUE(body.has_value()) << "no isolation case for " << method << " " << pattern
                                    << ": add its request body to BodyFor";
      std::string id_value = suffix.find("/resources/{id}") != std::string::npos ? a_resource_
                             : suffix.find("/integrations/{id}") != std::string::npos
                                 ? a_integration_
                             : suffix.rfind("/invitations/{id}", 0) == 0 ? a_invitation_
                             : suffix.rfind("/api-keys/{id}", 0) == 0    ? a_key_id_
                             : suffix.rfind("/webhooks/{id}", 0) == 0    ? a_webhook_
                             : suffix.rfind("/events/{id}", 0) == 0      ? a_event_
                             : suffix.rfind("/sso-connections/{id}", 0) == 0 ||
                                     suffix.rfind("/scim-tokens/{id}", 0) == 0 ||
                                     suffix.rfind("/grants/{id}", 0) == 0 ||
                                     suffix.rfind("/incoming-grants/{id}", 0) == 0
                                 ? "01936f0e-7a1b-7c3d-8e9f-0a1b2c3d4e60"
                                 : "";
      auto fill = [&](std::string path) {
        for (const auto& [param, value] :
             {std::pair<std::string, std::string>{"{user_id}", a_member_.user_id},
              {"{hostname}", a_domain_},
              {"{ws}", a_workspace_},
              {"{id}", id_value},
              {"{name}", a_secret_},
              {"{domain}", a_domain_},
              {"{test_id}", "01936f0e-7a1b-7c3d-8e9f-0a1b2c3d4e5f"},
              {"{grant_id}", "01936f0e-7a1b-7c3d-8e9f-0a1b2c3d4e62"},
              {"{key}", marker_}}) {
          if (auto at = path.find(param); at != std::string::npos)
            path.replace(at, param.size(), value);
        }
        EXPECT_EQ(path.find('{'), std::string::npos) << "unfilled parameter in " << path;
        return path;
      };
      struct Naming {
        std::string org;  // for the long form
        Headers headers;
      };
      std::vector<Naming> namings;
      if (long_form) {
        namings = {{a_id_, {}},
                   {a_slug_, {}},
                   {Upper(a_slug_), {}},
                   {a_slug_, {{"Host", a_slug_ + ".localhost"}}},
                   {a_slug_, {{"Host", a_domain_}}},
                   {a_id_, {{"X-Organization", a_id_}}},
                   {b_slug_, {{"X-Organization", a_id_}}},
                   {b_slug_, {{"X-Organization", a_slug_}}},
                   {b_slug_, {{"Host", a_slug_ + ".localhost"}}},
                   {b_slug_, {{"Host", a_domain_}}}};
      } else {
        namings = {{"", {{"X-Organization", a_id_}}},
                   {"", {{"X-Organization", a_slug_}}},
                   {"", {{"Host", a_slug_ + ".localhost"}}},
                   {"", {{"Host", a_slug_ + ".localhost:8080"}}},
                   {"", {{"Host", Upper(a_domain_) + "."}}},
                   {"", {{"Host", a_domain_}}},
                   {"", {{"Host", a_domain_}, {"X-Organization", b_slug_}}},
                   {"", {{"Host", b_slug_ + ".localhost"}, {"X-Organization", a_id_}}}};
      }
      for (const auto& naming : namings)
        for (const std::string& credential : {b_owner_.token, b_key_}) {
          std::string path = pattern;
          if (long_form) path.replace(0, long_prefix.size(), "/api/v1/organizations/" + naming.org);
          path = fill(path);
          auto r = c.Request(method, path, *body, Bearer(credential, naming.headers));
          ++attempts;
          std::string what = method + " " + path + " " +
                             (naming.headers.empty() ? "" : naming.headers[0].second) +
                             (credential == b_key_ ? " (B's API key)" : " (B's owner)");
          // Always 404, never 400 tenant_conflict, even when B is named too: a conflict would
          // tell B that A exists (B is no member of A, so A is reported before any comparison).
          EXPECT_EQ(r.status, 404) << what << " -> " << r.status << " " << r.body;
          EXPECT_EQ(r.Code(), "organization_not_found") << what << " -> " << r.body;
          EXPECT_EQ(r.body.find(marker_), std::string::npos)
              << what << " leaked A's marker: " << r.body;
          for (const auto& [name, value] : r.headers) {
            EXPECT_EQ(value.find(marker_), std::string::npos) << what << " leaked in " << name;
          }
        }
      routes_tried.insert(method + " " + pattern);
    }
  }
  EXPECT_GE(routes_tried.size(), 60u);  // 30 organization routes, each also as an alias
  EXPECT_GT(attempts, 900);
  EXPECT_EQ(SnapshotOfA(), before) << "an attempt changed organization A";
}

}  // namespace
}  // namespace bulkhead::testing
