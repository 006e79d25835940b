// Organization integrations over real HTTP, on the real storage (SQLite and PostgreSQL): admins
// create, change and delete them; members see names and kinds only; credentials never leave but
// in an admin's audited, uncached reveal, and are stored only sealed; an integration is made
// available to chosen workspaces, whose resources alone may name it (spec.integration_id);
// deleting or unlinking one that resources use is refused naming them; key rotation reseals the
// credentials and deleting the organization leaves nothing that opens.

#include "integration/harness.hpp"

namespace bulkhead::testing {
namespace {

class IntegrationsTest : public ServerTest<IntegrationsTest> {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    owner_ = SignUp(client(), "Owner");
    admin_ = SignUp(client(), "Admin");
    member_ = SignUp(client(), "Member");
    auto org = CreateOrganization(client(), owner_.token, "Acme", UniqueSlug("acme"));
    org_id_ = org["id"];
    slug_ = org["slug"];
    base_ = "/api/v1/organizations/" + org_id_;
    AddMember(client(), owner_.token, org_id_, admin_.user_id, "admin");
    AddMember(client(), owner_.token, org_id_, member_.user_id, "member");
    workspace_ = NewWorkspace("Production");
    auto assigned =
        client().Request("PUT", base_ + "/workspaces/" + workspace_ + "/members/" + member_.user_id,
                         Json{{"role", "editor"}}, Bearer(owner_.token));
    EXPECT_EQ(assigned.status, 200) << assigned.body;
  }
  std::string NewWorkspace(const std::string& name) {
    auto w =
        client().Request("POST", base_ + "/workspaces", Json{{"name", name}}, Bearer(owner_.token));
    EXPECT_EQ(w.status, 201) << w.body;
    return w.json["id"];
  }
  HttpResponse Create(const Json& body, const Account& who) {
    return client().Request("POST", base_ + "/integrations", body, Bearer(who.token));
  }
  // An aws integration; returns its id.
  std::string NewAws(const std::string& name, const std::string& secret = "s3cr3t") {
    auto r = Create(
        Json{{"kind", "aws"},
             {"name", name},
             {"config", {{"region", "eu-west-1"}}},
             {"credentials", {{"access_key_id", "AKIAEXAMPLE"}, {"secret_access_key", secret}}}},
        admin_);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json["id"];
  }
  HttpResponse Get(const std::string& id, const Account& who, bool reveal = false) {
    return client().Request("GET", base_ + "/integrations/" + id + (reveal ? "?reveal=true" : ""),
                            std::nullopt, Bearer(who.token));
  }
  HttpResponse Link(const std::string& ws, const std::string& id, const Account& who,
                    const std::string& method = "PUT") {
    return client().Request(method, base_ + "/workspaces/" + ws + "/integrations/" + id,
                            std::nullopt, Bearer(who.token));
  }
  HttpResponse NewResource(const std::string& ws, const std::string& name, const Json& spec,
                           const Account& who) {
    return client().Request("POST", base_ + "/workspaces/" + ws + "/resources",
                            Json{{"kind", "kubernetes_cluster"}, {"name", name}, {"spec", spec}},
                            Bearer(who.token));
  }
  Json Audit(const std::string& action) {
    auto r = client().Request("GET", base_ + "/audit-log?limit=200&action=" + action, std::nullopt,
                              Bearer(owner_.token));
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json["data"];
  }

  Account owner_, admin_, member_;
  std::string org_id_, slug_, base_, workspace_;
};

TEST_F(IntegrationsTest, AdminsCreateThemAndMembersSeeNamesAndKindsOnly) {
  const std::string marker = "m4rk3r-" + UniqueSlug("cred");
  auto created = Create(
      Json{{"kind", "aws"},
           {"name", "aws-production"},
           {"config", {{"region", "eu-west-1"}, {"account_id", "123456789012"}}},
           {"credentials", {{"access_key_id", "AKIAEXAMPLE"}, {"secret_access_key", marker}}}},
      admin_);
  ASSERT_EQ(created.status, 201) << created.body;
  std::string id = created.json["id"];
  EXPECT_EQ(created.json["kind"], "aws");
  EXPECT_EQ(created.json["config"]["region"], "eu-west-1");
  EXPECT_EQ(created.json["workspaces"], Json::array());
  EXPECT_FALSE(created.json.contains("credentials"));
  EXPECT_EQ(created.body.find(marker), std::string::npos);

  // Members: names and kinds, never config or credentials.
  auto listed =
      client().Request("GET", base_ + "/integrations", std::nullopt, Bearer(member_.token));
  ASSERT_EQ(listed.status, 200) << listed.body;
  ASSERT_EQ(listed.json["data"].size(), 1u);
  const Json& seen = listed.json["data"][0];
  EXPECT_EQ(seen["id"], id);
  EXPECT_EQ(seen["name"], "aws-production");
  EXPECT_EQ(seen["kind"], "aws");
  EXPECT_FALSE(seen.contains("config"));
  EXPECT_FALSE(seen.contains("workspaces"));
  auto one = Get(id, member_);
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_FALSE(one.json.contains("config"));
  EXPECT_EQ(one.body.find("123456789012"), std::string::npos);
  // Admins and owners: the config too, never the credentials without asking.
  auto full = Get(id, owner_);
  ASSERT_EQ(full.status, 200) << full.body;
  EXPECT_EQ(full.json["config"]["account_id"], "123456789012");
  EXPECT_FALSE(full.json.contains("credentials"));
  auto admins_list =
      client().Request("GET", base_ + "/integrations", std::nullopt, Bearer(admin_.token));
  EXPECT_EQ(admins_list.json["data"][0]["config"]["region"], "eu-west-1");
  EXPECT_EQ(admins_list.body.find(marker), std::string::npos);

  // Members change nothing.
  EXPECT_EQ(Create(Json{{"kind", "custom"}, {"name", "mine"}}, member_).status, 403);
  EXPECT_EQ(client()
                .Request("PATCH", base_ + "/integrations/" + id, Json{{"name", "x"}},
                         Bearer(member_.token))
                .status,
            403);
  EXPECT_EQ(
      client()
          .Request("DELETE", base_ + "/integrations/" + id, std::nullopt, Bearer(member_.token))
          .status,
      403);

  auto audit = Audit("integration.created");
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0]["actor"]["id"], admin_.user_id);
  EXPECT_EQ(audit[0]["target"]["id"], id);
  EXPECT_EQ(audit[0]["details"], (Json{{"kind", "aws"}, {"name", "aws-production"}}));
  auto all =
      client().Request("GET", base_ + "/audit-log?limit=200", std::nullopt, Bearer(owner_.token));
  EXPECT_EQ(all.body.find(marker), std::string::npos);
  // Stored only sealed.
  auto stored = QuerySql(server(), org_id_, "SELECT config, credentials_sealed FROM integrations");
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_NE(stored[0][0].find("eu-west-1"), std::string::npos);
  EXPECT_EQ(stored[0][1].find(marker), std::string::npos);
  EXPECT_EQ(stored[0][1].find("AKIAEXAMPLE"), std::string::npos);
}

TEST_F(IntegrationsTest, BadInputIsRefusedNamingTheFieldAndChangesNothing) {
  struct Case {
    Json body;
    std::string field;
  };
  const std::vector<Case> cases = {
      {{{"kind", "aws"}, {"name", "no-region"}, {"config", {{"account_id", "1"}}}},
       "config.region"},
      {{{"kind", "aws"}, {"name", "no-config"}}, "config.region"},
      {{{"kind", "gcp"}, {"name", "g"}, {"config", Json::object()}}, "config.project_id"},
      {{{"kind", "azure"}, {"name", "a"}, {"config", {{"tenant_id", "t"}}}},
       "config.subscription_id"},
      {{{"kind", "kubernetes"}, {"name", "k"}, {"config", {{"server", "k8s.internal"}}}},
       "config.server"},
      {{{"kind", "openstack"}, {"name", "o"}}, "kind"},
      {{{"kind", "custom"}, {"name", ""}}, "name"},
      {{{"kind", "custom"}, {"name", std::string(101, 'n')}}, "name"},
      {{{"kind", "custom"}, {"name", "c"}, {"credentials", {{"token", 42}}}}, "credentials.token"},
      {{{"kind", "custom"}, {"name", "c"}, {"config", {{"big", std::string(17000, 'x')}}}},
       "config"},
      {{{"kind", "custom"}, {"name", "c"}, {"credentials", {{"key", std::string(17000, 'k')}}}},
       "credentials"},
      {{{"kind", "custom"}, {"name", "c"}, {"secret", "s"}}, "secret"},
  };
  for (const auto& c : cases) {
    auto r = Create(c.body, admin_);
    EXPECT_EQ(r.status, 422) << c.body.dump().substr(0, 200) << " -> " << r.body;
    EXPECT_EQ(r.Code(), "validation_failed");
    bool named = false;
    for (const auto& e : r.json["errors"]) named = named || e["field"] == c.field;
    EXPECT_TRUE(named) << c.field << " not named in " << r.body;
  }
  EXPECT_EQ(QuerySql(server(), org_id_, "SELECT COUNT(*) FROM integrations")[0][0], "0");

  std::string id = NewAws("taken");
  auto duplicate = Create(Json{{"kind", "custom"}, {"name", "taken"}}, admin_);
  EXPECT_EQ(duplicate.status, 409);
  EXPECT_EQ(duplicate.Code(), "name_taken");
  NewAws("other");
  auto renamed = client().Request("PATCH", base_ + "/integrations/" + id, Json{{"name", "other"}},
                                  Bearer(admin_.token));
  EXPECT_EQ(renamed.status, 409);
  EXPECT_EQ(renamed.Code(), "name_taken");
  // A config replaced must still suit the kind; the kind cannot change.
  auto bad_config = client().Request("PATCH", base_ + "/integrations/" + id,
                                     Json{{"config", {{"account_id", "1"}}}}, Bearer(admin_.token));
  EXPECT_EQ(bad_config.status, 422);
  EXPECT_EQ(bad_config.json["errors"][0]["field"], "config.region");
  EXPECT_EQ(client()
                .Request("PATCH", base_ + "/integrations/" + id, Json{{"kind", "gcp"}},
                         Bearer(admin_.token))
                .status,
            422);
  EXPECT_EQ(Get(id, admin_).json["config"], (Json{{"region", "eu-west-1"}}));
  EXPECT_EQ(Get(id, admin_).json["name"], "taken");
  EXPECT_EQ(Get("01936f0e-7a1b-7c3d-8e9f-0a1b2c3d4e5f", admin_).status, 404);
  EXPECT_EQ(Get("not-an-id", admin_).status, 404);
}

TEST_F(IntegrationsTest, CredentialsAreRevealedToAdminsOnlyAuditedAndNeverCached) {
  std::string id = NewAws("aws-production", "first-secret");
  auto revealed = Get(id, admin_, true);
  ASSERT_EQ(revealed.status, 200) << revealed.body;
  EXPECT_EQ(revealed.json["credentials"],
            (Json{{"access_key_id", "AKIAEXAMPLE"}, {"secret_access_key", "first-secret"}}));
  EXPECT_EQ(revealed.Header("cache-control"), "no-store");
  auto denied = Get(id, member_, true);
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(denied.Code(), "forbidden");
  EXPECT_EQ(denied.body.find("first-secret"), std::string::npos);
  auto audit = Audit("integration.credentials_revealed");
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0]["actor"]["id"], admin_.user_id);
  EXPECT_EQ(audit[0]["target"]["id"], id);

  // PATCH replaces the credentials (and the config) wholesale.
  auto patched = client().Request("PATCH", base_ + "/integrations/" + id,
                                  Json{{"name", "aws-prod"},
                                       {"config", {{"region", "us-east-1"}}},
                                       {"credentials", {{"role_arn", "arn:aws:iam::1:role/b"}}}},
                                  Bearer(owner_.token));
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(patched.json["name"], "aws-prod");
  EXPECT_EQ(patched.json["config"], (Json{{"region", "us-east-1"}}));
  EXPECT_FALSE(patched.json.contains("credentials"));
  EXPECT_EQ(Get(id, owner_, true).json["credentials"],
            (Json{{"role_arn", "arn:aws:iam::1:role/b"}}));
  auto updated = Audit("integration.updated");
  ASSERT_EQ(updated.size(), 1u);
  EXPECT_EQ(updated[0]["details"]["changed"], (Json{"config", "name", "credentials"}));
  auto all =
      client().Request("GET", base_ + "/audit-log?limit=200", std::nullopt, Bearer(owner_.token));
  EXPECT_EQ(all.body.find("first-secret"), std::string::npos);
  EXPECT_EQ(all.body.find("role/b"), std::string::npos);

  // A sealed value moved to another integration does not open there.
  std::string other = NewAws("aws-staging", "staging-secret");
  auto sealed = QuerySql(server(), org_id_,
                         "SELECT credentials_sealed FROM integrations WHERE id = '" + id + "'");
  ExecuteSql(server(), org_id_,
             "UPDATE integrations SET credentials_sealed = '" + sealed[0][0] + "' WHERE id = '" +
                 other + "'");
  auto moved = Get(other, owner_, true);
  EXPECT_EQ(moved.status, 409);
  EXPECT_EQ(moved.Code(), "secret_unreadable");
  EXPECT_EQ(moved.body.find("role/b"), std::string::npos);
}

TEST_F(IntegrationsTest, ResourcesNameOnlyIntegrationsAvailableToTheirWorkspace) {
  std::string id = NewAws("aws-production");
  std::string staging = NewWorkspace("Staging");
  // Not available yet: refused, naming the field.
  auto early = NewResource(workspace_, "eu-west", {{"integration_id", id}}, member_);
  EXPECT_EQ(early.status, 422) << early.body;
  EXPECT_EQ(early.json["errors"][0]["field"], "spec.integration_id");
  for (const Json& bad :
       {Json("aws-production"), Json(7), Json("01936f0e-7a1b-7c3d-8e9f-0a1b2c3d4e5f")}) {
    auto r = NewResource(workspace_, "bad", {{"integration_id", bad}}, member_);
    EXPECT_EQ(r.status, 422) << bad << ": " << r.body;
    EXPECT_EQ(r.json["errors"][0]["field"], "spec.integration_id");
  }

  // Made available: 201, then 200 (already there); only admins.
  EXPECT_EQ(Link(workspace_, id, member_).status, 403);
  auto linked = Link(workspace_, id, admin_);
  ASSERT_EQ(linked.status, 201) << linked.body;
  EXPECT_EQ(linked.json["id"], id);
  EXPECT_EQ(linked.json["workspace_id"], workspace_);
  EXPECT_EQ(Link(workspace_, id, admin_).status, 200);
  EXPECT_EQ(Link(workspace_, "01936f0e-7a1b-7c3d-8e9f-0a1b2c3d4e5f", admin_).Code(), "not_found");
  EXPECT_EQ(Audit("workspace.integration_added").size(), 1u);
  // Members who see the workspace see names and kinds.
  auto available = client().Request("GET", base_ + "/workspaces/" + workspace_ + "/integrations",
                                    std::nullopt, Bearer(member_.token));
  ASSERT_EQ(available.status, 200) << available.body;
  ASSERT_EQ(available.json["data"].size(), 1u);
  EXPECT_EQ(available.json["data"][0]["name"], "aws-production");
  EXPECT_EQ(available.json["data"][0]["kind"], "aws");
  EXPECT_EQ(client()
                .Request("GET", base_ + "/workspaces/" + staging + "/integrations", std::nullopt,
                         Bearer(member_.token))
                .status,
            404);  // not assigned there
  EXPECT_EQ(Get(id, admin_).json["workspaces"][0]["id"], workspace_);

  auto resource =
      NewResource(workspace_, "eu-west", {{"integration_id", id}, {"nodes", 3}}, member_);
  ASSERT_EQ(resource.status, 201) << resource.body;
  std::string resource_id = resource.json["id"];
  EXPECT_EQ(resource.json["spec"]["integration_id"], id);
  EXPECT_EQ(QuerySql(server(), org_id_,
                     "SELECT integration_id FROM resources WHERE id = '" + resource_id + "'")[0][0],
            id);
  // Another workspace has not got it.
  auto elsewhere = NewResource(staging, "us-east", {{"integration_id", id}}, owner_);
  EXPECT_EQ(elsewhere.status, 422);
  EXPECT_EQ(elsewhere.json["errors"][0]["field"], "spec.integration_id");
  // An update is held to the same rule.
  std::string plain = NewResource(workspace_, "plain", Json::object(), member_).json["id"];
  auto moved =
      client().Request("PATCH", base_ + "/workspaces/" + workspace_ + "/resources/" + plain,
                       Json{{"spec", {{"integration_id", "01936f0e-7a1b-7c3d-8e9f-0a1b2c3d4e5f"}}}},
                       Bearer(member_.token));
  EXPECT_EQ(moved.status, 422);
  EXPECT_EQ(moved.json["errors"][0]["field"], "spec.integration_id");

  // In use: neither deleted nor unlinked, and the refusal names the resource.
  auto in_use =
      client().Request("DELETE", base_ + "/integrations/" + id, std::nullopt, Bearer(admin_.token));
  EXPECT_EQ(in_use.status, 409);
  EXPECT_EQ(in_use.Code(), "integration_in_use");
  EXPECT_NE(in_use.json["detail"].get<std::string>().find("eu-west"), std::string::npos);
  EXPECT_NE(in_use.json["detail"].get<std::string>().find(resource_id), std::string::npos);
  ASSERT_EQ(in_use.json["resources"].size(), 1u);
  EXPECT_EQ(in_use.json["resources"][0]["id"], resource_id);
  EXPECT_EQ(in_use.json["resources"][0]["name"], "eu-west");
  EXPECT_EQ(in_use.json["resource_count"], 1);
  auto unlink = Link(workspace_, id, admin_, "DELETE");
  EXPECT_EQ(unlink.status, 409);
  EXPECT_EQ(unlink.Code(), "integration_in_use");
  EXPECT_EQ(unlink.json["resources"][0]["id"], resource_id);
  EXPECT_EQ(Get(id, admin_).status, 200);

  // Once the resource names it no more, both succeed.
  auto released =
      client().Request("PATCH", base_ + "/workspaces/" + workspace_ + "/resources/" + resource_id,
                       Json{{"spec", {{"nodes", 3}}}}, Bearer(member_.token));
  ASSERT_EQ(released.status, 200) << released.body;
  EXPECT_EQ(QuerySql(server(), org_id_,
                     "SELECT integration_id FROM resources WHERE id = '" + resource_id + "'")[0][0],
            "");
  EXPECT_EQ(Link(workspace_, id, member_, "DELETE").status, 403);
  EXPECT_EQ(Link(workspace_, id, admin_, "DELETE").status, 204);
  EXPECT_EQ(Link(workspace_, id, admin_, "DELETE").status, 404);
  EXPECT_EQ(Audit("workspace.integration_removed").size(), 1u);
  EXPECT_EQ(
      client()
          .Request("DELETE", base_ + "/integrations/" + id, std::nullopt, Bearer(admin_.token))
          .status,
      204);
  EXPECT_EQ(Get(id, admin_).status, 404);
  auto deleted = Audit("integration.deleted");
  ASSERT_EQ(deleted.size(), 1u);
  EXPECT_EQ(deleted[0]["details"]["name"], "aws-production");
}

TEST_F(IntegrationsTest, DeletingAWorkspaceTakesItsLinksAndResourcesWithIt) {
  std::string id = NewAws("aws-production");
  std::string staging = NewWorkspace("Staging");
  ASSERT_EQ(Link(staging, id, admin_).status, 201);
  ASSERT_EQ(NewResource(staging, "c", {{"integration_id", id}}, owner_).status, 201);
  ASSERT_EQ(
      client()
          .Request("DELETE", base_ + "/workspaces/" + staging, std::nullopt, Bearer(owner_.token))
          .status,
      204);
  EXPECT_EQ(Get(id, admin_).json["workspaces"], Json::array());
  EXPECT_EQ(
      client()
          .Request("DELETE", base_ + "/integrations/" + id, std::nullopt, Bearer(admin_.token))
          .status,
      204);
}

TEST_F(IntegrationsTest, KeyRotationResealsCredentialsAndTheyStillOpen) {
  std::string id = NewAws("aws-production", "before-rotation");
  std::string other = NewAws("aws-staging", "other-secret");
  auto rotated = RunCli({"keys", "rotate", "--org", slug_}, server());
  ASSERT_EQ(rotated.exit_code, 0) << rotated.err;
  EXPECT_NE(rotated.out.find("2 integrations' credentials sealed again"), std::string::npos)
      << rotated.out;
  EXPECT_EQ(
      QuerySql(server(), org_id_, "SELECT COUNT(*) FROM integrations WHERE key_version = 2")[0][0],
      "2")
      << rotated.out << QuerySql(server(), org_id_, "SELECT key_version FROM integrations")[0][0];
  EXPECT_EQ(Get(id, admin_, true).json["credentials"]["secret_access_key"], "before-rotation");
  EXPECT_EQ(Get(other, admin_, true).json["credentials"]["secret_access_key"], "other-secret");
  // New credentials use the new key at once.
  ASSERT_EQ(client()
                .Request("PATCH", base_ + "/integrations/" + id,
                         Json{{"credentials", {{"token", "after-rotation"}}}}, Bearer(admin_.token))
                .status,
            200);
  EXPECT_EQ(QuerySql(server(), org_id_,
                     "SELECT key_version FROM integrations WHERE id = '" + id + "'")[0][0],
            "2");
  EXPECT_EQ(Get(id, admin_, true).json["credentials"], (Json{{"token", "after-rotation"}}));
}

TEST_F(IntegrationsTest, DeletingTheOrganizationLeavesNothingThatOpens) {
  std::string id = NewAws("aws-production", "shredded");
  auto sealed = QuerySql(server(), org_id_,
                         "SELECT credentials_sealed FROM integrations WHERE id = '" + id + "'");
  ASSERT_EQ(sealed.size(), 1u);
  const std::string keys =
      "SELECT COUNT(*) FROM organization_keys WHERE organization_id = '" + org_id_ + "'";
  EXPECT_EQ(QuerySql(server(), "", keys)[0][0], "1");
  ASSERT_EQ(
      client().Request("DELETE", base_, Json{{"confirm", slug_}}, Bearer(owner_.token)).status,
      204);
  // Its data key and its store are gone.
  EXPECT_EQ(QuerySql(server(), "", keys)[0][0], "0");
  EXPECT_FALSE(TenantStoreExists(server(), org_id_));
  // The sealed credentials, kept by someone, open under no other organization's key.
  auto other = CreateOrganization(client(), owner_.token, "Globex", UniqueSlug("globex"));
  std::string other_id = other["id"];
  auto planted =
      client().Request("POST", "/api/v1/organizations/" + other_id + "/integrations",
                       Json{{"kind", "custom"}, {"name", "planted"}, {"credentials", {{"k", "v"}}}},
                       Bearer(owner_.token));
  ASSERT_EQ(planted.status, 201) << planted.body;
  std::string planted_id = planted.json["id"];
  ExecuteSql(server(), other_id,
             "UPDATE integrations SET id = '" + id + "', credentials_sealed = '" + sealed[0][0] +
                 "' WHERE id = '" + planted_id + "'");
  auto opened = client().Request(
      "GET", "/api/v1/organizations/" + other_id + "/integrations/" + id + "?reveal=true",
      std::nullopt, Bearer(owner_.token));
  EXPECT_EQ(opened.status, 409);
  EXPECT_EQ(opened.Code(), "secret_unreadable");
  EXPECT_EQ(opened.body.find("shredded"), std::string::npos);
}

}  // namespace
}  // namespace bulkhead::testing
