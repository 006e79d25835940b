// Cross-tenant isolation, generated from the route table. Organization A carries a unique
// marker in every field it has; a member of organization B tries every organization route
// (read from the server's OpenAPI document) naming A in every way a request can: the path by
// id and by slug, the alias with X-Organization, the Host subdomain, A's verified custom
// domain, and mixtures of those with B. Every attempt must be refused, must not show the
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
    server_ = std::make_unique<ServerProcess>(std::vector<std::string>{"--dns-server", dns_->address()});
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
    auto verified = c.Request("POST", "/api/v1/organizations/" + a_id_ + "/domains/" + a_domain_ + "/verify",
                              std::nullopt, Bearer(a_owner_.token));
    ASSERT_EQ(verified.status, 200) << verified.body;
    // The custom domain really routes to A for A's owner: the attempts below are meaningful.
    auto routed = c.Request("GET", "/api/v1/org", std::nullopt,
                            Bearer(a_owner_.token, {{"Host", a_domain_}}));
    ASSERT_EQ(routed.status, 200) << routed.body;

    // Organization B and its owner, the attacker.
    b_owner_ = SignUp(c, "Bob");
    auto b = CreateOrganization(c, b_owner_.token, "Bee", UniqueSlug("bee"));
    b_slug_ = b["slug"];
  }

  HttpClient client() { return server_->client(); }

  // Everything A's owner can see of A.
  Json SnapshotOfA() {
    auto c = client();
    Json snapshot;
    for (const std::string& part : {"", "/members?limit=200", "/domains", "/audit-log?limit=200"}) {
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
};

// A request body that would succeed if the caller were allowed, for each route that takes one.
// nullopt: the route takes none. A route missing here fails the suite.
std::optional<std::optional<Json>> BodyFor(const std::string& method, const std::string& suffix,
                                           const std::string& a_slug, const std::string& b_user) {
  using B = std::optional<Json>;
  if (method == "GET") return B{};
  if (method == "PATCH" && suffix == "") return B{Json{{"name", "Taken Over"}}};
  if (method == "DELETE" && suffix == "") return B{Json{{"confirm", a_slug}}};
  if (method == "POST" && suffix == "/members") return B{Json{{"user_id", b_user}, {"role", "owner"}}};
  if (method == "PATCH" && suffix == "/members/{user_id}") return B{Json{{"role", "owner"}}};
  if (method == "DELETE" && suffix == "/members/{user_id}") return B{};
  if (method == "POST" && suffix == "/domains") return B{Json{{"hostname", "attacker.example.org"}}};
  if (method == "POST" && suffix == "/domains/{hostname}/verify") return B{};
  if (method == "DELETE" && suffix == "/domains/{hostname}") return B{};
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
    bool alias = !long_form && (pattern == alias_prefix || pattern.rfind(alias_prefix + "/", 0) == 0);
    if (!long_form && !alias) continue;
    std::string suffix = pattern.substr(long_form ? long_prefix.size() : alias_prefix.size());
    for (const auto& [lower_method, op] : methods.items()) {
      std::string method = Upper(lower_method);
      auto body = BodyFor(method, suffix, a_slug_, b_owner_.user_id);
      ASSERT_TRUE(body.has_value()) << "no isolation case for " << method << " " << pattern
                                    << ": add its request body to BodyFor";
      auto fill = [&](std::string path) {
        for (const auto& [param, value] :
             {std::pair<std::string, std::string>{"{user_id}", a_member_.user_id},
              {"{hostname}", a_domain_}}) {
          if (auto at = path.find(param); at != std::string::npos) path.replace(at, param.size(), value);
        }
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
      for (const auto& naming : namings) {
        std::string path = pattern;
        if (long_form) path.replace(0, long_prefix.size(), "/api/v1/organizations/" + naming.org);
        path = fill(path);
        auto r = c.Request(method, path, *body, Bearer(b_owner_.token, naming.headers));
        ++attempts;
        std::string what = method + " " + path + " " + (naming.headers.empty() ? "" : naming.headers[0].second);
        EXPECT_TRUE(r.status == 404 || r.status == 400) << what << " -> " << r.status << " " << r.body;
        EXPECT_TRUE(r.Code() == "organization_not_found" || r.Code() == "tenant_conflict")
            << what << " -> " << r.body;
        EXPECT_EQ(r.body.find(marker_), std::string::npos) << what << " leaked A's marker: " << r.body;
        for (const auto& [name, value] : r.headers) {
          EXPECT_EQ(value.find(marker_), std::string::npos) << what << " leaked in " << name;
        }
      }
      routes_tried.insert(method + " " + pattern);
    }
  }
  EXPECT_GE(routes_tried.size(), 24u);  // 12 organization routes, each also as an alias
  EXPECT_GT(attempts, 200);
  EXPECT_EQ(SnapshotOfA(), before) << "an attempt changed organization A";
}

}  // namespace
}  // namespace bulkhead::testing
