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
    bool under_org = r.pattern.rfind(std::string(kOrganizationPrefix), 0) == 0 ||
                     r.pattern.rfind(std::string(kAliasPrefix), 0) == 0 &&
                         (r.pattern.size() == kAliasPrefix.size() ||
                          r.pattern[kAliasPrefix.size()] == '/');
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
    if (r.pattern.rfind(prefix, 0) != 0) continue;
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
    if (r.method != "GET") EXPECT_TRUE(r.blocking) << r.method << " " << r.pattern;
  }
}

TEST_F(RouteTableTest, NoTwoRoutesShareMethodAndPattern) {
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& r : routes_) {
    EXPECT_TRUE(seen.insert({r.method, r.pattern}).second) << r.method << " " << r.pattern;
  }
}

TEST_F(RouteTableTest, OpenApiListsEveryRoute) {
  auto doc = OpenApiDocument(routes_);
  EXPECT_EQ(doc["openapi"], "3.1.0");
  for (const auto& r : routes_) {
    std::string method = r.method;
    for (auto& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_TRUE(doc["paths"].contains(r.pattern)) << r.pattern;
    EXPECT_TRUE(doc["paths"][r.pattern].contains(method)) << r.method << " " << r.pattern;
  }
}

}  // namespace
}  // namespace bulkhead::api
