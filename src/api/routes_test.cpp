// Checks over the route table itself, so that a new route cannot skip its declarations.

#include "api/routes.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "store/migrations.hpp"
#include "store/sqlite_database.hpp"

namespace bulkhead::api {
namespace {

namespace fs = std::filesystem;

class RouteTableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("bulkhead-routes-" + std::to_string(::getpid()));
    fs::create_directories(dir_ / "tenants");
    auto db = store::SqliteDatabase::Open(dir_ / "catalog.db", 1);
    ASSERT_TRUE(db.ok());
    db_ = std::move(db).value();
    tenants_ = std::make_unique<store::SqliteTenantDatabases>(*db_, dir_ / "tenants", 4);
    env_ = std::make_unique<service::Environment>(
        service::Environment{*db_, *tenants_, cache_, throttle_, keys_, {}});
    organizations_ = std::make_unique<service::OrganizationService>(*env_);
    accounts_ = std::make_unique<service::AccountService>(*env_, *organizations_);
    members_ = std::make_unique<service::MemberService>(*env_);
    audit_ = std::make_unique<service::AuditService>(*env_);
    resolver_ = std::make_unique<service::TenantResolver>(*env_);
    domains_ = std::make_unique<service::DomainService>(*env_, *resolver_, dns_);
    workspaces_ = std::make_unique<service::WorkspaceService>(*env_);
    resources_ = std::make_unique<service::ResourceService>(*env_);
    outbox_ = std::make_unique<service::MailOutbox>(service::MailConfig{dir_ / "outbox"});
    invitations_ = std::make_unique<service::InvitationService>(*env_, *outbox_);
    api_keys_ = std::make_unique<service::ApiKeyService>(*env_);
    services_ = std::make_unique<Services>(Services{*env_, *accounts_, *organizations_, *members_,
                                                    *audit_, *domains_, *workspaces_, *resources_,
                                                    *invitations_, *api_keys_});
    routes_ = BuildRoutes(*services_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
  std::unique_ptr<store::SqliteDatabase> db_;
  std::unique_ptr<store::TenantDatabases> tenants_;
  service::CatalogCache cache_;
  service::LoginThrottle throttle_;
  service::KeyRing keys_{""};
  std::unique_ptr<service::Environment> env_;
  std::unique_ptr<service::OrganizationService> organizations_;
  std::unique_ptr<service::AccountService> accounts_;
  std::unique_ptr<service::MemberService> members_;
  std::unique_ptr<service::AuditService> audit_;
  std::unique_ptr<service::TenantResolver> resolver_;
  service::TxtResolver dns_{std::nullopt, std::chrono::milliseconds(1000)};
  std::unique_ptr<service::DomainService> domains_;
  std::unique_ptr<service::WorkspaceService> workspaces_;
  std::unique_ptr<service::ResourceService> resources_;
  std::unique_ptr<service::MailOutbox> outbox_;
  std::unique_ptr<service::InvitationService> invitations_;
  std::unique_ptr<service::ApiKeyService> api_keys_;
  std::unique_ptr<Services> services_;
  std::vector<Route> routes_;
};

TEST_F(RouteTableTest, EveryOrganizationRouteDeclaresAPermission) {
  for (const auto& r : routes_) {
    bool tenant_scoped = r.scope == Scope::kOrganization || r.scope == Scope::kWorkspace;
    EXPECT_EQ(tenant_scoped, r.permission.has_value()) << r.method << " " << r.pattern;
    EXPECT_TRUE(r.handler) << r.method << " " << r.pattern;
  }
}

TEST_F(RouteTableTest, OrganizationPathsAreOrganizationScoped) {
  for (const auto& r : routes_) {
    bool under_org =
        r.pattern.rfind(std::string(kOrganizationPrefix), 0) == 0 ||
        (r.pattern.rfind(std::string(kAliasPrefix), 0) == 0 &&
         (r.pattern.size() == kAliasPrefix.size() || r.pattern[kAliasPrefix.size()] == '/'));
    // The one public route under an organization's path: its SAML SP metadata, which IdP
    // admins fetch without credentials (docs/sso.md).
    if (under_org && r.scope == Scope::kPublic &&
        r.response_type == "application/samlmetadata+xml") {
      continue;
    }
    if (under_org) {
      bool names_workspace = r.pattern.find("{ws}") != std::string::npos;
      EXPECT_EQ(r.scope, names_workspace ? Scope::kWorkspace : Scope::kOrganization)
          << r.method << " " << r.pattern;
    }
  }
}

TEST_F(RouteTableTest, EveryOrganizationRouteHasItsCurrentOrganizationAlias) {
  std::set<std::pair<std::string, std::string>> table;
  for (const auto& r : routes_) table.insert({r.method, r.pattern});
  const std::string prefix(kOrganizationPrefix);
  for (const auto& r : routes_) {
    if (r.pattern.rfind(prefix, 0) != 0 || r.scope == Scope::kPublic) continue;
    std::string alias = std::string(kAliasPrefix) + r.pattern.substr(prefix.size());
    EXPECT_TRUE(table.count({r.method, alias})) << r.method << " " << alias;
  }
}

TEST_F(RouteTableTest, WorkspaceRoutesDeclareAWorkspaceRoleAndOnlyThey) {
  for (const auto& r : routes_) {
    EXPECT_EQ(r.scope == Scope::kWorkspace, r.workspace_role.has_value())
        << r.method << " " << r.pattern;
  }
}

TEST_F(RouteTableTest, EveryRouteThatChangesStateRunsOnTheWorkerPool) {
  for (const auto& r : routes_) {
    if (r.method != "GET") {
      EXPECT_TRUE(r.blocking) << r.method << " " << r.pattern;
    }
  }
}

TEST_F(RouteTableTest, NoTwoRoutesShareMethodAndPattern) {
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& r : routes_) {
    EXPECT_TRUE(seen.insert({r.method, r.pattern}).second) << r.method << " " << r.pattern;
  }
}

TEST_F(RouteTableTest, OpenApiListsEveryDocumentedRoute) {
  auto doc = OpenApiDocument(routes_);
  EXPECT_EQ(doc["openapi"], "3.1.0");
  for (const auto& r : routes_) {
    if (!r.documented) continue;
    std::string method = r.method;
    for (auto& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_TRUE(doc["paths"].contains(r.pattern)) << r.pattern;
    EXPECT_TRUE(doc["paths"][r.pattern].contains(method)) << r.method << " " << r.pattern;
  }
}

std::string LowerMethod(std::string method) {
  for (auto& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return method;
}

// Every "$ref" in `value`, with where it was found.
void CollectRefs(const nlohmann::json& value, const std::string& where,
                 std::vector<std::pair<std::string, std::string>>& out) {
  if (value.is_object()) {
    for (const auto& [key, child] : value.items()) {
      if (key == "$ref" && child.is_string()) out.push_back({child.get<std::string>(), where});
      CollectRefs(child, where + "/" + key, out);
    }
  } else if (value.is_array()) {
    for (std::size_t i = 0; i < value.size(); ++i) {
      CollectRefs(value[i], where + "/" + std::to_string(i), out);
    }
  }
}

// A JSON pointer ("#/components/schemas/Organization") into `doc`, or nullptr.
const nlohmann::json* Pointer(const nlohmann::json& doc, const std::string& ref) {
  if (ref.rfind("#/", 0) != 0) return nullptr;
  try {
    return &doc.at(nlohmann::json::json_pointer(ref.substr(1)));
  } catch (const nlohmann::json::exception&) {
    return nullptr;
  }
}

TEST_F(RouteTableTest, EveryRouteDeclaresItsContractAndTheDocumentCarriesIt) {
  auto doc = OpenApiDocument(routes_);
  for (const auto& r : routes_) {
    if (!r.documented) continue;
    const std::string what = r.method + " " + r.pattern;
    EXPECT_FALSE(r.tag.empty()) << what;
    // Writes that take a body declare it; every success but 204 declares its content.
    EXPECT_EQ(r.success_status == 204, r.response_body.is_null()) << what;
    const auto& op = doc["paths"][r.pattern][LowerMethod(r.method)];
    ASSERT_TRUE(op.is_object()) << what;
    EXPECT_FALSE(op.value("operationId", "").empty()) << what;
    EXPECT_EQ(op["tags"], nlohmann::json::array({r.tag})) << what;
    const auto& success = op["responses"][std::to_string(r.success_status)];
    ASSERT_TRUE(success.is_object()) << what;
    if (r.success_status == 204) {
      EXPECT_FALSE(success.contains("content")) << what;
    } else {
      EXPECT_EQ(success["content"][r.response_type]["schema"], r.response_body) << what;
    }
    if (r.request_body.is_null()) {
      EXPECT_FALSE(op.contains("requestBody")) << what;
    } else {
      EXPECT_EQ(op["requestBody"]["content"]["application/json"]["schema"], r.request_body) << what;
      EXPECT_TRUE(op["responses"].contains("400")) << what;
      EXPECT_TRUE(op["responses"].contains("422")) << what;
    }
    // Each {name} of the pattern is a required path parameter, and nothing else is.
    std::set<std::string> in_path;
    for (const auto& p : op.value("parameters", nlohmann::json::array())) {
      if (p["in"] == "path") {
        in_path.insert(p["name"].get<std::string>());
        EXPECT_TRUE(p["required"].get<bool>()) << what;
      }
      EXPECT_TRUE(p.contains("schema")) << what;
    }
    std::set<std::string> expected;
    for (std::size_t pos = 0; (pos = r.pattern.find('{', pos)) != std::string::npos; ++pos) {
      expected.insert(r.pattern.substr(pos + 1, r.pattern.find('}', pos) - pos - 1));
    }
    EXPECT_EQ(in_path, expected) << what;
    // Problems, public routes too: each refers to the Problem component.
    bool any_problem = false;
    for (const auto& [status, response] : op["responses"].items()) {
      if (status[0] != '4' && status[0] != '5') continue;
      any_problem = true;
      EXPECT_EQ(response["content"]["application/problem+json"]["schema"]["$ref"],
                "#/components/schemas/Problem")
          << what << " " << status;
    }
    EXPECT_TRUE(any_problem) << what;
    if (r.scope != Scope::kPublic) {
      EXPECT_TRUE(op["responses"].contains("401")) << what;
    }
    if (r.scope == Scope::kOrganization || r.scope == Scope::kWorkspace) {
      for (const char* status : {"403", "404", "429"}) {
        EXPECT_TRUE(op["responses"].contains(status)) << what << " " << status;
      }
    }
  }
}

TEST_F(RouteTableTest, TheDocumentsReferencesResolveAndItsNamedComponentsExist) {
  auto doc = OpenApiDocument(routes_);
  EXPECT_EQ(doc["openapi"], "3.1.0");
  EXPECT_FALSE(doc["servers"].empty());
  EXPECT_TRUE(doc["info"].contains("license"));
  for (const char* name : {"Organization", "Settings", "Member", "User", "Invitation", "Workspace",
                           "WorkspaceMember", "Resource", "Secret", "Domain", "ApiKey",
                           "AuditEvent", "Usage", "Features", "Page", "Problem"}) {
    EXPECT_TRUE(doc["components"]["schemas"].contains(name)) << name;
  }
  for (const char* field : {"errors", "limit", "maximum", "current", "request_id", "detail"}) {
    EXPECT_TRUE(doc["components"]["schemas"]["Problem"]["properties"].contains(field)) << field;
  }
  std::vector<std::pair<std::string, std::string>> refs;
  CollectRefs(doc, "", refs);
  EXPECT_GT(refs.size(), routes_.size());
  std::set<std::string> used;
  for (const auto& [ref, where] : refs) {
    EXPECT_NE(Pointer(doc, ref), nullptr) << ref << " at " << where;
    used.insert(ref);
  }
  // Every component is used somewhere (an unused one would be a dead declaration).
  for (const auto& [name, component] : doc["components"]["schemas"].items()) {
    EXPECT_TRUE(used.count("#/components/schemas/" + name)) << name;
  }
  // Every operation's security names a declared scheme.
  std::set<std::string> ids;
  for (const auto& [path, methods] : doc["paths"].items()) {
    for (const auto& [method, op] : methods.items()) {
      EXPECT_TRUE(ids.insert(op["operationId"].get<std::string>()).second) << path;
      for (const auto& requirement : op["security"]) {
        for (const auto& [scheme, scopes] : requirement.items()) {
          EXPECT_TRUE(doc["components"]["securitySchemes"].contains(scheme)) << scheme;
        }
      }
    }
  }
}

TEST_F(RouteTableTest, OnlyWritesAndRoutesThatSayWhyBlock) {
  for (const auto& r : routes_) {
    if (r.method != "GET") continue;
    bool says_why = r.pattern.ends_with("/usage") || r.pattern.ends_with("/secrets/{name}");
    // An integration's reveal writes its audit event.
    says_why = says_why || r.pattern.ends_with("/integrations/{id}");
    // The authorization endpoint stores a code; logout deletes a session and revokes tokens.
    says_why = says_why || r.pattern == "/oauth2/authorize" || r.pattern == "/oauth2/logout";
    // An SSO sign-in's start stores the pending sign-in it redirects with.
    says_why = says_why || (r.pattern.starts_with("/sso/") && r.pattern.ends_with("/start"));
    // The OpenID Connect callback takes the pending sign-in and signs the user in.
    says_why = says_why || r.pattern == "/sso/oidc/callback";
    // A shared resource's read is audited in both organizations' logs (docs/sharing.md).
    says_why = says_why || r.pattern.find("/shared/{grant_id}/") != std::string::npos;
    EXPECT_EQ(r.blocking, says_why) << r.method << " " << r.pattern;
  }
}

}  // namespace
}  // namespace bulkhead::api
