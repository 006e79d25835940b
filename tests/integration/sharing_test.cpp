// Sharing grants (docs/sharing.md) over HTTP: offering, accepting, declining and revoking, the
// shared resource routes with each grant kind and level, and the audit entries on both sides.
// The refusals an attacker would try are in tests/security/sharing_isolation_test.cpp.

#include <set>
#include <tuple>

#include "integration/harness.hpp"

namespace bulkhead::testing {
namespace {

class SharingTest : public ServerTest<SharingTest> {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    auto c = client();
    a_owner_ = SignUp(c, "Alice");
    a_member_ = SignUp(c, "Arthur");
    b_owner_ = SignUp(c, "Bob");
    b_member_ = SignUp(c, "Bea");
    b_other_ = SignUp(c, "Ben");
    auto a = CreateOrganization(c, a_owner_.token, "Giver", UniqueSlug("giver"));
    a_id_ = a["id"];
    a_slug_ = a["slug"];
    auto b = CreateOrganization(c, b_owner_.token, "Taker", UniqueSlug("taker"));
    b_id_ = b["id"];
    b_slug_ = b["slug"];
    AddMember(c, a_owner_.token, a_id_, a_member_.user_id, "member");
    AddMember(c, b_owner_.token, b_id_, b_member_.user_id, "member");
    AddMember(c, b_owner_.token, b_id_, b_other_.user_id, "member");
    workspace_ = Post(a_owner_, "/api/v1/organizations/" + a_id_ + "/workspaces",
                      Json{{"name", "Shared"}})["id"];
    other_workspace_ = Post(a_owner_, "/api/v1/organizations/" + a_id_ + "/workspaces",
                            Json{{"name", "Private"}})["id"];
    resource_ =
        Post(a_owner_, ResourcesOf(workspace_),
             Json{{"kind", "monitor"}, {"name", "probe"}, {"labels", {{"env", "prod"}}}})["id"];
    sibling_ =
        Post(a_owner_, ResourcesOf(workspace_), Json{{"kind", "monitor"}, {"name", "twin"}})["id"];
    hidden_ = Post(a_owner_, ResourcesOf(other_workspace_),
                   Json{{"kind", "monitor"}, {"name", "hidden"}})["id"];
  }

  std::string ResourcesOf(const std::string& ws) {
    return "/api/v1/organizations/" + a_id_ + "/workspaces/" + ws + "/resources";
  }
  std::string Shared(const std::string& grant, const std::string& rest = "") {
    return "/api/v1/organizations/" + b_slug_ + "/shared/" + grant + "/resources" + rest;
  }
  Json Post(const Account& who, const std::string& path, const Json& body) {
    auto r = client().Request("POST", path, body, Bearer(who.token));
    EXPECT_EQ(r.status, 201) << path << ": " << r.body;
    return r.json;
  }
  HttpResponse Call(const Account& who, const std::string& method, const std::string& path,
                    const std::optional<Json>& body = std::nullopt) {
    return client().Request(method, path, body, Bearer(who.token));
  }
  // A grant A offers B (and, when `accept`, B accepts for `members`).
  std::string Grant(Json body, bool accept = true, const Json& members = "all") {
    if (!body.contains("target_organization")) body["target_organization"] = b_slug_;
    auto offered = Call(a_owner_, "POST", "/api/v1/organizations/" + a_id_ + "/grants", body);
    EXPECT_EQ(offered.status, 201) << offered.body;
    std::string id = offered.json["id"];
    if (accept) {
      auto accepted = Call(b_owner_, "POST",
                           "/api/v1/organizations/" + b_id_ + "/incoming-grants/" + id + "/accept",
                           Json{{"members", members}});
      EXPECT_EQ(accepted.status, 200) << accepted.body;
    }
    return id;
  }
  Json AuditOf(const Account& owner, const std::string& org, const std::string& action) {
    auto r = Call(owner, "GET", "/api/v1/organizations/" + org + "/audit-log?action=" + action);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json["data"];
  }

  Account a_owner_, a_member_, b_owner_, b_member_, b_other_;
  std::string a_id_, a_slug_, b_id_, b_slug_;
  std::string workspace_, other_workspace_, resource_, sibling_, hidden_;
};

TEST_F(SharingTest, AnOfferedGrantRendersBothOrganizationsAndWaitsForTheTarget) {
  auto r = Call(a_owner_, "POST", "/api/v1/organizations/" + a_id_ + "/grants",
                Json{{"target_organization", b_slug_},
                     {"workspace_id", workspace_},
                     {"level", "read"},
                     {"expires_at", "2099-01-01T00:00:00Z"}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.json["organization"]["id"], a_id_);
  EXPECT_EQ(r.json["target_organization"]["id"], b_id_);
  EXPECT_EQ(r.json["target_organization"]["slug"], b_slug_);
  EXPECT_EQ(r.json["workspace_id"], workspace_);
  EXPECT_TRUE(r.json["resource_id"].is_null());
  EXPECT_EQ(r.json["status"], "offered");
  EXPECT_EQ(r.json["members"], "all");
  EXPECT_EQ(r.json["expires_at"], "2099-01-01T00:00:00.000Z");
  std::string id = r.json["id"];
  // Given, in A's list and by id; incoming, in B's; nothing shared with B's members yet.
  auto given = Call(a_owner_, "GET", "/api/v1/organizations/" + a_id_ + "/grants");
  ASSERT_EQ(given.status, 200);
  ASSERT_EQ(given.json["data"].size(), 1u);
  EXPECT_EQ(given.json["data"][0]["id"], id);
  EXPECT_EQ(Call(a_owner_, "GET", "/api/v1/organizations/" + a_id_ + "/grants/" + id).status, 200);
  EXPECT_EQ(Call(b_owner_, "GET", "/api/v1/organizations/" + b_id_ + "/grants/" + id).status, 404);
  auto incoming = Call(b_owner_, "GET", "/api/v1/organizations/" + b_id_ + "/incoming-grants");
  ASSERT_EQ(incoming.status, 200);
  ASSERT_EQ(incoming.json["data"].size(), 1u);
  EXPECT_EQ(incoming.json["data"][0]["organization"]["slug"], a_slug_);
  EXPECT_TRUE(
      Call(b_member_, "GET", "/api/v1/organizations/" + b_id_ + "/shared").json["data"].empty());
  EXPECT_EQ(Call(b_member_, "GET", Shared(id)).status, 404);
  EXPECT_EQ(AuditOf(a_owner_, a_id_, "grant.offered").size(), 1u);
}

TEST_F(SharingTest, OffersAreValidated) {
  std::string base = "/api/v1/organizations/" + a_id_ + "/grants";
  auto expect_422 = [&](Json body, const std::string& field) {
    auto r = Call(a_owner_, "POST", base, body);
    EXPECT_EQ(r.status, 422) << body.dump() << ": " << r.body;
    EXPECT_EQ(r.Code(), "validation_failed");
    EXPECT_NE(r.body.find(field), std::string::npos) << r.body;
  };
  expect_422(
      Json{{"target_organization", a_slug_}, {"workspace_id", workspace_}, {"level", "read"}},
      "target_organization");
  expect_422(Json{{"target_organization", a_id_}, {"workspace_id", workspace_}, {"level", "read"}},
             "target_organization");
  expect_422(Json{{"target_organization", "no-such-org-here"},
                  {"workspace_id", workspace_},
                  {"level", "read"}},
             "target_organization");
  expect_422(Json{{"target_organization", b_slug_}, {"level", "read"}}, "workspace_id");
  expect_422(Json{{"target_organization", b_slug_},
                  {"workspace_id", workspace_},
                  {"resource_id", resource_},
                  {"level", "read"}},
             "workspace_id");
  expect_422(Json{{"target_organization", b_slug_},
                  {"workspace_id", workspace_},
                  {"level", "read"},
                  {"expires_at", "2001-01-01T00:00:00Z"}},
             "expires_at");
  expect_422(
      Json{{"target_organization", b_slug_}, {"workspace_id", workspace_}, {"level", "admin"}},
      "level");
  // The item must exist in A.
  auto missing = Call(a_owner_, "POST", base,
                      Json{{"target_organization", b_id_},
                           {"workspace_id", "01936f0e-7a1b-7c3d-8e9f-0a1b2c3d4e5f"},
                           {"level", "read"}});
  EXPECT_EQ(missing.status, 404) << missing.body;
  EXPECT_EQ(missing.Code(), "not_found");
  auto no_resource = Call(a_owner_, "POST", base,
                          Json{{"target_organization", b_id_},
                               {"resource_id", "01936f0e-7a1b-7c3d-8e9f-0a1b2c3d4e5f"},
                               {"level", "read"}});
  EXPECT_EQ(no_resource.status, 404) << no_resource.body;
  // grants:manage: owners and admins only.
  auto member =
      Call(a_member_, "POST", base,
           Json{{"target_organization", b_id_}, {"workspace_id", workspace_}, {"level", "read"}});
  EXPECT_EQ(member.status, 403) << member.body;
  EXPECT_TRUE(Call(a_owner_, "GET", base).json["data"].empty());
}

TEST_F(SharingTest, AWriteGrantOnAWorkspaceServesEveryVerbAndIsAuditedOnBothSides) {
  std::string grant = Grant(Json{{"workspace_id", workspace_}, {"level", "write"}});
  auto shared = Call(b_member_, "GET", "/api/v1/organizations/" + b_id_ + "/shared");
  ASSERT_EQ(shared.status, 200) << shared.body;
  ASSERT_EQ(shared.json["data"].size(), 1u);
  EXPECT_EQ(shared.json["data"][0]["id"], grant);
  EXPECT_EQ(shared.json["data"][0]["organization"]["id"], a_id_);
  EXPECT_EQ(shared.json["data"][0]["level"], "write");

  auto list = Call(b_member_, "GET", Shared(grant));
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(list.json["data"].size(), 2u);  // probe and twin, not the other workspace's
  auto filtered = Call(b_member_, "GET", Shared(grant, "?label=env%3Dprod"));
  ASSERT_EQ(filtered.status, 200) << filtered.body;
  ASSERT_EQ(filtered.json["data"].size(), 1u);
  EXPECT_EQ(filtered.json["data"][0]["id"], resource_);
  auto read = Call(b_member_, "GET", Shared(grant, "/" + resource_));
  ASSERT_EQ(read.status, 200) << read.body;
  EXPECT_EQ(read.json["name"], "probe");
  EXPECT_EQ(Call(b_member_, "GET", Shared(grant, "/" + hidden_)).status, 404);

  auto created =
      Call(b_member_, "POST", Shared(grant), Json{{"kind", "monitor"}, {"name", "from-b"}});
  ASSERT_EQ(created.status, 201) << created.body;
  std::string created_id = created.json["id"];
  EXPECT_EQ(created.json["workspace_id"], workspace_);
  auto updated =
      Call(b_member_, "PATCH", Shared(grant, "/" + resource_), Json{{"spec", {{"v", 2}}}});
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(updated.json["spec"]["v"], 2);
  EXPECT_EQ(Call(b_member_, "DELETE", Shared(grant, "/" + sibling_)).status, 204);

  // The data lives in A: A's owner sees B's changes in A's workspace.
  auto in_a = Call(a_owner_, "GET", ResourcesOf(workspace_));
  ASSERT_EQ(in_a.status, 200);
  std::set<std::string> names;
  for (const auto& r : in_a.json["data"]) names.insert(r["name"].get<std::string>());
  EXPECT_EQ(names, (std::set<std::string>{"probe", "from-b"}));

  // A's log: the resource.* entries name organization B, with the grant and the user.
  auto a_created = AuditOf(a_owner_, a_id_, "resource.created");
  ASSERT_FALSE(a_created.empty());
  EXPECT_EQ(a_created[0]["actor"]["type"], "organization");
  EXPECT_EQ(a_created[0]["actor"]["id"], b_id_);
  EXPECT_EQ(a_created[0]["details"]["grant_id"], grant);
  EXPECT_EQ(a_created[0]["details"]["user_id"], b_member_.user_id);
  EXPECT_EQ(a_created[0]["target"]["id"], created_id);
  for (const char* action : {"resource.updated", "resource.deleted"}) {
    auto entries = AuditOf(a_owner_, a_id_, action);
    ASSERT_FALSE(entries.empty()) << action;
    EXPECT_EQ(entries[0]["actor"]["id"], b_id_) << action;
    EXPECT_EQ(entries[0]["details"]["grant_id"], grant) << action;
  }
  for (const char* action : {"shared_resource.listed", "shared_resource.read"}) {
    auto entries = AuditOf(a_owner_, a_id_, action);
    ASSERT_FALSE(entries.empty()) << action;
    EXPECT_EQ(entries[0]["actor"]["type"], "organization") << action;
    EXPECT_EQ(entries[0]["actor"]["id"], b_id_) << action;
    EXPECT_EQ(entries[0]["details"]["user_id"], b_member_.user_id) << action;
  }
  // B's log: each use, by the user, naming A and the grant.
  for (const char* action :
       {"shared_resource.listed", "shared_resource.read", "shared_resource.created",
        "shared_resource.updated", "shared_resource.deleted"}) {
    auto entries = AuditOf(b_owner_, b_id_, action);
    ASSERT_FALSE(entries.empty()) << action;
    EXPECT_EQ(entries[0]["actor"]["type"], "user") << action;
    EXPECT_EQ(entries[0]["actor"]["id"], b_member_.user_id) << action;
    EXPECT_EQ(entries[0]["details"]["grant_id"], grant) << action;
    EXPECT_EQ(entries[0]["details"]["organization_id"], a_id_) << action;
  }
  EXPECT_EQ(AuditOf(b_owner_, b_id_, "shared_resource.created")[0]["details"]["resource_id"],
            created_id);
  EXPECT_EQ(AuditOf(a_owner_, a_id_, "grant.accepted").size(), 1u);
  EXPECT_EQ(AuditOf(b_owner_, b_id_, "grant.accepted").size(), 1u);
}

TEST_F(SharingTest, AReadGrantRefusesWritesWithForbidden) {
  std::string grant = Grant(Json{{"workspace_id", workspace_}, {"level", "read"}});
  EXPECT_EQ(Call(b_member_, "GET", Shared(grant, "/" + resource_)).status, 200);
  for (const auto& [method, path, body] :
       std::vector<std::tuple<std::string, std::string, std::optional<Json>>>{
           {"POST", Shared(grant), Json{{"kind", "monitor"}, {"name", "planted"}}},
           {"PATCH", Shared(grant, "/" + resource_), Json{{"name", "renamed"}}},
           {"DELETE", Shared(grant, "/" + resource_), std::nullopt}}) {
    auto r = Call(b_member_, method, path, body);
    EXPECT_EQ(r.status, 403) << method << ": " << r.body;
    EXPECT_EQ(r.Code(), "forbidden");
  }
  EXPECT_EQ(Call(a_owner_, "GET", ResourcesOf(workspace_)).json["data"].size(), 2u);
}

TEST_F(SharingTest, AResourceGrantReachesThatResourceAloneAndWritesMeanUpdate) {
  std::string grant = Grant(Json{{"resource_id", resource_}, {"level", "write"}});
  auto list = Call(b_member_, "GET", Shared(grant));
  ASSERT_EQ(list.status, 200) << list.body;
  ASSERT_EQ(list.json["data"].size(), 1u);
  EXPECT_EQ(list.json["data"][0]["id"], resource_);
  EXPECT_TRUE(Call(b_member_, "GET", Shared(grant, "?kind=other")).json["data"].empty());
  EXPECT_EQ(Call(b_member_, "GET", Shared(grant, "/" + resource_)).status, 200);
  EXPECT_EQ(Call(b_member_, "GET", Shared(grant, "/" + sibling_)).status, 404);
  EXPECT_EQ(Call(b_member_, "PATCH", Shared(grant, "/" + sibling_), Json{{"name", "x"}}).status,
            404);
  auto patched =
      Call(b_member_, "PATCH", Shared(grant, "/" + resource_), Json{{"name", "renamed"}});
  EXPECT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(
      Call(b_member_, "POST", Shared(grant), Json{{"kind", "monitor"}, {"name", "new"}}).status,
      403);
  EXPECT_EQ(Call(b_member_, "DELETE", Shared(grant, "/" + resource_)).status, 403);
  auto in_a = Call(a_owner_, "GET", ResourcesOf(workspace_) + "/" + resource_);
  EXPECT_EQ(in_a.json["name"], "renamed");
}

TEST_F(SharingTest, AcceptingForSomeMembersCoversThemAlone) {
  // Every id must be a member of B.
  auto offered =
      Call(a_owner_, "POST", "/api/v1/organizations/" + a_id_ + "/grants",
           Json{{"target_organization", b_id_}, {"workspace_id", workspace_}, {"level", "read"}});
  ASSERT_EQ(offered.status, 201);
  std::string id = offered.json["id"];
  std::string accept = "/api/v1/organizations/" + b_id_ + "/incoming-grants/" + id + "/accept";
  auto outsider =
      Call(b_owner_, "POST", accept, Json{{"members", Json::array({a_member_.user_id})}});
  EXPECT_EQ(outsider.status, 422) << outsider.body;
  EXPECT_EQ(Call(b_owner_, "POST", accept, Json{{"members", "some"}}).status, 422);
  auto accepted =
      Call(b_owner_, "POST", accept, Json{{"members", Json::array({b_member_.user_id})}});
  ASSERT_EQ(accepted.status, 200) << accepted.body;
  EXPECT_EQ(accepted.json["members"], Json::array({b_member_.user_id}));
  EXPECT_EQ(accepted.json["status"], "accepted");
  EXPECT_EQ(Call(b_member_, "GET", Shared(id)).status, 200);
  EXPECT_EQ(Call(b_other_, "GET", Shared(id)).status, 404);
  EXPECT_EQ(Call(b_owner_, "GET", Shared(id)).status, 404);
  EXPECT_TRUE(
      Call(b_other_, "GET", "/api/v1/organizations/" + b_id_ + "/shared").json["data"].empty());
  // Accepting twice: 409.
  EXPECT_EQ(Call(b_owner_, "POST", accept, Json::object()).status, 409);
}

TEST_F(SharingTest, RevokedDeclinedAndExpiredGrantsCannotBeAccepted) {
  std::string base = "/api/v1/organizations/" + b_id_ + "/incoming-grants/";
  std::string revoked = Grant(Json{{"workspace_id", workspace_}, {"level", "read"}}, false);
  EXPECT_EQ(
      Call(a_owner_, "DELETE", "/api/v1/organizations/" + a_id_ + "/grants/" + revoked).status,
      204);
  auto r = Call(b_owner_, "POST", base + revoked + "/accept", Json::object());
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(r.Code(), "conflict");

  std::string declined = Grant(Json{{"workspace_id", workspace_}, {"level", "read"}}, false);
  auto d = Call(b_owner_, "POST", base + declined + "/decline");
  ASSERT_EQ(d.status, 200) << d.body;
  EXPECT_EQ(d.json["status"], "declined");
  EXPECT_EQ(Call(b_owner_, "POST", base + declined + "/accept", Json::object()).status, 409);
  EXPECT_EQ(AuditOf(a_owner_, a_id_, "grant.declined").size(), 1u);
  EXPECT_EQ(AuditOf(b_owner_, b_id_, "grant.declined").size(), 1u);

  std::string expired = Grant(Json{{"workspace_id", workspace_}, {"level", "read"}}, false);
  ExecuteSql(server(), "", "UPDATE grants SET expires_at = 1000 WHERE id = '" + expired + "'");
  EXPECT_EQ(Call(b_owner_, "POST", base + expired + "/accept", Json::object()).status, 409);

  // Someone else's grant, or none: 404. A member without grants:manage: 403.
  EXPECT_EQ(
      Call(b_owner_, "POST", base + "01936f0e-7a1b-7c3d-8e9f-0a1b2c3d4e5f/accept", Json::object())
          .status,
      404);
  std::string fresh = Grant(Json{{"workspace_id", workspace_}, {"level", "read"}}, false);
  EXPECT_EQ(Call(b_member_, "POST", base + fresh + "/accept", Json::object()).status, 403);
  EXPECT_EQ(Call(a_owner_, "POST",
                 "/api/v1/organizations/" + a_id_ + "/incoming-grants/" + fresh + "/accept",
                 Json::object())
                .status,
            404);
}

TEST_F(SharingTest, RevocationHoldsOnTheVeryNextRequest) {
  std::string grant = Grant(Json{{"workspace_id", workspace_}, {"level", "write"}});
  ASSERT_EQ(Call(b_member_, "GET", Shared(grant)).status, 200);
  ASSERT_EQ(Call(a_owner_, "DELETE", "/api/v1/organizations/" + a_id_ + "/grants/" + grant).status,
            204);
  auto after = Call(b_member_, "GET", Shared(grant));
  EXPECT_EQ(after.status, 404) << after.body;
  EXPECT_EQ(after.Code(), "not_found");
  auto view = Call(a_owner_, "GET", "/api/v1/organizations/" + a_id_ + "/grants/" + grant);
  EXPECT_EQ(view.json["status"], "revoked");
  EXPECT_FALSE(view.json["revoked_at"].is_null());
  EXPECT_EQ(AuditOf(a_owner_, a_id_, "grant.revoked").size(), 1u);
  // Revoking again changes nothing.
  EXPECT_EQ(Call(a_owner_, "DELETE", "/api/v1/organizations/" + a_id_ + "/grants/" + grant).status,
            204);
  EXPECT_EQ(AuditOf(a_owner_, a_id_, "grant.revoked").size(), 1u);
}

TEST_F(SharingTest, RevocationHoldsOnAnotherInstanceToo) {
  std::string grant = Grant(Json{{"workspace_id", workspace_}, {"level", "read"}});
  ServerProcess second(ServerProcess::SameStorageAs{server()});
  auto other = second.client();
  ASSERT_EQ(other.Request("GET", Shared(grant), std::nullopt, Bearer(b_member_.token)).status, 200);
  ASSERT_EQ(Call(a_owner_, "DELETE", "/api/v1/organizations/" + a_id_ + "/grants/" + grant).status,
            204);
  EXPECT_EQ(other.Request("GET", Shared(grant), std::nullopt, Bearer(b_member_.token)).status, 404);
}

TEST_F(SharingTest, DeletingEitherOrganizationTakesItsGrants) {
  std::string grant = Grant(Json{{"workspace_id", workspace_}, {"level", "read"}});
  ASSERT_EQ(
      Call(b_owner_, "DELETE", "/api/v1/organizations/" + b_id_, Json{{"confirm", b_slug_}}).status,
      204);
  EXPECT_TRUE(QuerySql(server(), "", "SELECT id FROM grants WHERE id = '" + grant + "'").empty());
  EXPECT_TRUE(
      Call(a_owner_, "GET", "/api/v1/organizations/" + a_id_ + "/grants").json["data"].empty());
}

}  // namespace
}  // namespace bulkhead::testing
