// Custom roles (issue 21, docs/roles.md) over real HTTP, on SQLite and PostgreSQL: the roles
// routes and their refusals (key shape, the vocabulary without wildcards, owner-only
// permissions, duplicates, read-only built-ins, a role in use), the subset rule wherever a role
// is created, changed, deleted or assigned, custom keys on members and invitations, and a
// change of a role's permissions reaching its holders on their next request (and on another
// instance within a second). Each refusal also checks that nothing changed.

#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "integration/harness.hpp"

namespace bulkhead::testing {
namespace {

const std::vector<std::string> kAuditorPermissions = {"organization:read", "workspaces:see_all",
                                                      "audit_log:read", "usage:read",
                                                      "resources:read_all"};

class CustomRolesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServerProcess>();
    owner_ = SignUp(client(), "Owner");
    slug_ = CreateOrganization(client(), owner_.token, "Roles", UniqueSlug("roles"))["slug"];
    // The audit log is a plan feature; the team plan has it.
    ASSERT_EQ(Do("PUT", "/plan", Json{{"plan", "team"}}).status, 200);
  }

  HttpClient client() { return server_->client(); }
  std::string Org() { return "/api/v1/organizations/" + slug_; }
  HttpResponse Do(const std::string& method, const std::string& path,
                  const std::optional<Json>& body = std::nullopt, const Account* as = nullptr) {
    return client().Request(method, Org() + path, body, Bearer((as ? *as : owner_).token));
  }
  HttpResponse CreateRole(const std::string& key, const std::vector<std::string>& permissions,
                          const Account* as = nullptr) {
    return Do("POST", "/roles", Json{{"key", key}, {"name", key}, {"permissions", permissions}},
              as);
  }
  // A new account holding `role` in the organization.
  Account Holder(const std::string& name, const std::string& role) {
    Account a = SignUp(client(), name);
    AddMember(client(), owner_.token, slug_, a.user_id, role);
    return a;
  }
  Json Roles() {
    auto r = Do("GET", "/roles");
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json["data"];
  }
  std::vector<std::string> AuditActions(const std::string& action) {
    auto r = Do("GET", "/audit-log?action=" + action);
    EXPECT_EQ(r.status, 200) << r.body;
    std::vector<std::string> out;
    for (const auto& e : r.json["data"]) out.push_back(e["target"]["id"]);
    return out;
  }

  std::unique_ptr<ServerProcess> server_;
  Account owner_;
  std::string slug_;
};

::testing::AssertionResult Refused(const HttpResponse& r, int status, const std::string& code) {
  if (r.status == status && r.Code() == code) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "expected " << status << " " << code << ", got " << r.status << ": " << r.body;
}

TEST_F(CustomRolesTest, BuiltInsAreListedFirstThenCustomRolesWhichAreCreatedReadChangedDeleted) {
  auto roles = Roles();
  ASSERT_EQ(roles.size(), 3u);
  EXPECT_EQ(roles[0]["key"], "owner");
  EXPECT_EQ(roles[1]["key"], "admin");
  EXPECT_EQ(roles[2]["key"], "member");
  for (const auto& r : roles) EXPECT_EQ(r["built_in"], true);
  EXPECT_EQ(roles[2]["permissions"], Json({"organization:read"}));
  std::set<std::string> owner_permissions(roles[0]["permissions"].begin(),
                                          roles[0]["permissions"].end());
  for (const char* name : {"owners:manage", "billing:manage", "organization:delete",
                           "members:manage", "grants:manage", "resources:read_all"}) {
    EXPECT_TRUE(owner_permissions.count(name)) << name;
  }
  std::set<std::string> admin_permissions(roles[1]["permissions"].begin(),
                                          roles[1]["permissions"].end());
  EXPECT_FALSE(admin_permissions.count("owners:manage"));
  EXPECT_TRUE(admin_permissions.count("members:manage"));

  // organization:read is in every role, listed or not.
  auto created = Do("POST", "/roles",
                    Json{{"key", "auditor"},
                         {"name", "Auditor"},
                         {"description", "Reads the audit log"},
                         {"permissions", {"audit_log:read", "usage:read"}}});
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.json["key"], "auditor");
  EXPECT_EQ(created.json["built_in"], false);
  EXPECT_EQ(created.json["permissions"],
            Json({"organization:read", "audit_log:read", "usage:read"}));
  EXPECT_TRUE(created.json.contains("created_at"));

  roles = Roles();
  ASSERT_EQ(roles.size(), 4u);
  EXPECT_EQ(roles[3]["key"], "auditor");
  EXPECT_EQ(roles[3]["description"], "Reads the audit log");

  // Any member reads them.
  Account member = Holder("Member", "member");
  EXPECT_EQ(Do("GET", "/roles", std::nullopt, &member).json["data"].size(), 4u);
  EXPECT_EQ(Do("GET", "/roles/auditor", std::nullopt, &member).json["name"], "Auditor");
  EXPECT_EQ(Do("GET", "/roles/admin", std::nullopt, &member).json["built_in"], true);
  EXPECT_TRUE(Refused(Do("GET", "/roles/nobody"), 404, "not_found"));

  auto patched = Do("PATCH", "/roles/auditor",
                    Json{{"name", "Auditors"}, {"permissions", {"audit_log:read"}}});
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(patched.json["name"], "Auditors");
  EXPECT_EQ(patched.json["description"], "Reads the audit log");
  EXPECT_EQ(patched.json["permissions"], Json({"organization:read", "audit_log:read"}));
  EXPECT_EQ(Do("GET", "/roles/auditor").json["permissions"], patched.json["permissions"]);

  EXPECT_EQ(Do("DELETE", "/roles/auditor").status, 204);
  EXPECT_TRUE(Refused(Do("GET", "/roles/auditor"), 404, "not_found"));
  EXPECT_TRUE(Refused(Do("DELETE", "/roles/auditor"), 404, "not_found"));
  EXPECT_TRUE(Refused(Do("PATCH", "/roles/auditor", Json{{"name", "X"}}), 404, "not_found"));

  EXPECT_EQ(AuditActions("role.created"), std::vector<std::string>{"auditor"});
  EXPECT_EQ(AuditActions("role.updated"), std::vector<std::string>{"auditor"});
  EXPECT_EQ(AuditActions("role.deleted"), std::vector<std::string>{"auditor"});
  auto updated = Do("GET", "/audit-log?action=role.updated").json["data"][0]["details"];
  EXPECT_EQ(updated["permissions"]["from"],
            Json({"organization:read", "audit_log:read", "usage:read"}));
  EXPECT_EQ(updated["permissions"]["to"], Json({"organization:read", "audit_log:read"}));
}

TEST_F(CustomRolesTest, BadKeysUnknownAndOwnerOnlyPermissionsAndDuplicatesAreRefused) {
  ASSERT_EQ(CreateRole("auditor", {"audit_log:read"}).status, 201);
  for (const std::string& key :
       std::vector<std::string>{"owner", "admin", "member", "Auditor", "2fa", "_x", "a",
                                "has space", "dots.not", std::string(64, 'a')}) {
    EXPECT_TRUE(Refused(CreateRole(key, {"usage:read"}), 422, "validation_failed")) << key;
  }
  auto unknown = CreateRole("reader", {"usage:read", "resources:*"});
  EXPECT_TRUE(Refused(unknown, 422, "validation_failed"));
  EXPECT_NE(unknown.json["detail"].get<std::string>().find("resources:*"), std::string::npos)
      << unknown.body;
  EXPECT_TRUE(Refused(CreateRole("reader", {"*"}), 422, "validation_failed"));
  EXPECT_TRUE(Refused(CreateRole("reader", {"Usage:Read"}), 422, "validation_failed"));
  for (const std::string owner_only : {"owners:manage", "billing:manage", "organization:delete"}) {
    auto r = CreateRole("reader", {"usage:read", owner_only});
    EXPECT_TRUE(Refused(r, 422, "validation_failed")) << owner_only;
    EXPECT_NE(r.json["detail"].get<std::string>().find(owner_only), std::string::npos) << r.body;
    // Nor by a change.
    EXPECT_TRUE(Refused(Do("PATCH", "/roles/auditor", Json{{"permissions", {owner_only}}}), 422,
                        "validation_failed"));
  }
  EXPECT_TRUE(Refused(
      Do("POST", "/roles", Json{{"key", "reader"}, {"name", ""}, {"permissions", Json::array()}}),
      422, "validation_failed"));
  EXPECT_TRUE(Refused(
      Do("POST", "/roles",
         Json{{"key", "reader"}, {"name", std::string(101, 'n')}, {"permissions", Json::array()}}),
      422, "validation_failed"));
  EXPECT_TRUE(Refused(Do("POST", "/roles", Json{{"key", "reader"}, {"name", "Reader"}}), 422,
                      "validation_failed"));
  EXPECT_TRUE(Refused(CreateRole("auditor", {"usage:read"}), 409, "conflict"));

  // Nothing of that was stored; the one role is as it was.
  auto roles = Roles();
  ASSERT_EQ(roles.size(), 4u);
  EXPECT_EQ(roles[3]["permissions"], Json({"organization:read", "audit_log:read"}));
  EXPECT_EQ(AuditActions("role.created").size(), 1u);
  EXPECT_TRUE(AuditActions("role.updated").empty());
}

TEST_F(CustomRolesTest, BuiltInRolesAreReadOnly) {
  for (const std::string key : {"owner", "admin", "member"}) {
    EXPECT_TRUE(Refused(Do("PATCH", "/roles/" + key, Json{{"name", "Boss"}}), 403, "forbidden"));
    EXPECT_TRUE(Refused(Do("DELETE", "/roles/" + key), 403, "forbidden"));
    EXPECT_EQ(Do("GET", "/roles/" + key).json["built_in"], true);
  }
  EXPECT_EQ(Roles()[1]["name"], "Admin");
}

TEST_F(CustomRolesTest, ARoleSomeoneHoldsIsNotDeletedAndTheDetailSaysHowMany) {
  ASSERT_EQ(CreateRole("auditor", {"audit_log:read"}).status, 201);
  Account a = Holder("A", "auditor");
  Account b = Holder("B", "auditor");
  auto refused = Do("DELETE", "/roles/auditor");
  EXPECT_TRUE(Refused(refused, 409, "role_in_use"));
  EXPECT_NE(refused.json["detail"].get<std::string>().find("2 members hold"), std::string::npos)
      << refused.body;
  EXPECT_EQ(Do("GET", "/roles/auditor").status, 200);
  ASSERT_EQ(Do("PATCH", "/members/" + a.user_id, Json{{"role", "member"}}).status, 200);
  ASSERT_EQ(Do("DELETE", "/members/" + b.user_id).status, 204);
  EXPECT_EQ(Do("DELETE", "/roles/auditor").status, 204);
}

TEST_F(CustomRolesTest, MembersAndInvitationsTakeCustomKeysAndResponsesShowTheKey) {
  ASSERT_EQ(CreateRole("auditor", kAuditorPermissions).status, 201);
  Account user = SignUp(client(), "User");
  auto added = Do("POST", "/members", Json{{"user_id", user.user_id}, {"role", "auditor"}});
  ASSERT_EQ(added.status, 201) << added.body;
  EXPECT_EQ(added.json["role"], "auditor");
  auto org = client().Request("GET", Org(), std::nullopt, Bearer(user.token));
  ASSERT_EQ(org.status, 200) << org.body;
  EXPECT_EQ(org.json["role"], "auditor");
  bool listed = false;
  auto members = Do("GET", "/members");
  for (const auto& m : members.json["data"]) {
    if (m["user"]["id"] == user.user_id) listed = m["role"] == "auditor";
  }
  EXPECT_TRUE(listed);

  auto changed = Do("PATCH", "/members/" + user.user_id, Json{{"role", "member"}});
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(changed.json["role"], "member");
  ASSERT_EQ(Do("PATCH", "/members/" + user.user_id, Json{{"role", "auditor"}}).status, 200);
  auto logged = Do("GET", "/audit-log?action=member.role_changed").json["data"][0]["details"];
  EXPECT_EQ(logged["from"], "member");
  EXPECT_EQ(logged["to"], "auditor");

  // A key no role of the organization has, or no key at all: 422, and nothing changes.
  Account other = SignUp(client(), "Other");
  EXPECT_TRUE(Refused(Do("POST", "/members", Json{{"user_id", other.user_id}, {"role", "nobody"}}),
                      422, "validation_failed"));
  EXPECT_TRUE(Refused(Do("PATCH", "/members/" + user.user_id, Json{{"role", "nobody"}}), 422,
                      "validation_failed"));
  EXPECT_TRUE(Refused(Do("PATCH", "/members/" + user.user_id, Json{{"role", "Not A Key"}}), 422,
                      "validation_failed"));
  EXPECT_TRUE(Refused(
      Do("POST", "/invitations", Json{{"email", UniqueEmail("nobody")}, {"role", "nobody"}}), 422,
      "validation_failed"));
  EXPECT_EQ(client().Request("GET", Org(), std::nullopt, Bearer(user.token)).json["role"],
            "auditor");
  EXPECT_EQ(client().Request("GET", Org(), std::nullopt, Bearer(other.token)).status, 404);

  // An invitation with a custom key makes a member holding it.
  Account invitee = SignUp(client(), "Invitee");
  auto invited = Do("POST", "/invitations", Json{{"email", invitee.email}, {"role", "auditor"}});
  ASSERT_EQ(invited.status, 201) << invited.body;
  EXPECT_EQ(invited.json["role"], "auditor");
  auto accepted = client().Request("POST", "/api/v1/invitations/accept",
                                   Json{{"token", invited.json["token"]}}, Bearer(invitee.token));
  ASSERT_EQ(accepted.status, 200) << accepted.body;
  EXPECT_EQ(accepted.json["role"], "auditor");
  EXPECT_EQ(Do("GET", "/audit-log", std::nullopt, &invitee).status, 200);

  // API keys stay built-in roles only.
  EXPECT_TRUE(Refused(Do("POST", "/api-keys", Json{{"name", "k"}, {"role", "auditor"}}), 422,
                      "validation_failed"));
}

TEST_F(CustomRolesTest, ACustomRoleGivesExactlyItsPermissions) {
  ASSERT_EQ(CreateRole("auditor", kAuditorPermissions).status, 201);
  Account auditor = Holder("Auditor", "auditor");
  auto ws = Do("POST", "/workspaces", Json{{"name", "W"}});
  ASSERT_EQ(ws.status, 201);
  std::string wpath = "/workspaces/" + ws.json["id"].get<std::string>();
  auto resource = Do("POST", wpath + "/resources", Json{{"kind", "monitor"}, {"name", "m"}});
  ASSERT_EQ(resource.status, 201);

  EXPECT_EQ(Do("GET", "/audit-log", std::nullopt, &auditor).status, 200);
  EXPECT_EQ(Do("GET", "/usage", std::nullopt, &auditor).status, 200);
  EXPECT_EQ(Do("GET", "/workspaces", std::nullopt, &auditor).json["data"].size(), 1u);
  EXPECT_EQ(Do("GET", wpath + "/resources", std::nullopt, &auditor).status, 200);
  EXPECT_TRUE(
      Refused(Do("POST", wpath + "/resources", Json{{"kind", "monitor"}, {"name", "n"}}, &auditor),
              403, "forbidden"));
  EXPECT_TRUE(Refused(Do("PATCH", "", Json{{"name", "Mine"}}, &auditor), 403, "forbidden"));
  EXPECT_TRUE(Refused(Do("GET", "/invitations", std::nullopt, &auditor), 403, "forbidden"));
  EXPECT_TRUE(
      Refused(Do("POST", "/roles",
                 Json{{"key", "x1"}, {"name", "X"}, {"permissions", Json::array()}}, &auditor),
              403, "forbidden"));
}

TEST_F(CustomRolesTest, NobodyCreatesChangesDeletesOrAssignsARoleHoldingWhatTheyLack) {
  // A people manager may manage members and nothing else.
  ASSERT_EQ(CreateRole("people", {"members:manage"}).status, 201);
  ASSERT_EQ(CreateRole("auditor", {"audit_log:read"}).status, 201);
  Account manager = Holder("Manager", "people");
  Account admin = Holder("Admin", "admin");
  Account member = Holder("Member", "member");
  Account auditor = Holder("Auditor", "auditor");
  Account candidate = SignUp(client(), "Candidate");

  // Roles: only subsets of what the caller holds.
  EXPECT_TRUE(Refused(CreateRole("reader", {"usage:read"}, &manager), 403, "forbidden"));
  EXPECT_EQ(CreateRole("helper", {"members:manage"}, &manager).status, 201);
  EXPECT_TRUE(Refused(Do("PATCH", "/roles/helper", Json{{"permissions", {"usage:read"}}}, &manager),
                      403, "forbidden"));
  EXPECT_TRUE(
      Refused(Do("PATCH", "/roles/auditor", Json{{"name", "Mine"}}, &manager), 403, "forbidden"));
  EXPECT_TRUE(Refused(Do("DELETE", "/roles/auditor", std::nullopt, &manager), 403, "forbidden"));
  EXPECT_EQ(Do("GET", "/roles/auditor").json["name"], "auditor");
  // An admin holds every permission a custom role may: any custom role is theirs to manage.
  EXPECT_EQ(Do("PATCH", "/roles/auditor", Json{{"name", "Audit"}}, &admin).status, 200);

  // Members: assign, change and remove only within what the caller holds.
  EXPECT_TRUE(Refused(
      Do("POST", "/members", Json{{"user_id", candidate.user_id}, {"role", "admin"}}, &manager),
      403, "forbidden"));
  EXPECT_TRUE(Refused(
      Do("POST", "/members", Json{{"user_id", candidate.user_id}, {"role", "auditor"}}, &manager),
      403, "forbidden"));
  EXPECT_TRUE(
      Refused(Do("PATCH", "/members/" + member.user_id, Json{{"role", "auditor"}}, &manager), 403,
              "forbidden"));
  EXPECT_TRUE(Refused(Do("PATCH", "/members/" + admin.user_id, Json{{"role", "member"}}, &manager),
                      403, "forbidden"));
  EXPECT_TRUE(
      Refused(Do("PATCH", "/members/" + auditor.user_id, Json{{"role", "member"}}, &manager), 403,
              "forbidden"));
  EXPECT_TRUE(
      Refused(Do("DELETE", "/members/" + admin.user_id, std::nullopt, &manager), 403, "forbidden"));
  EXPECT_TRUE(Refused(Do("DELETE", "/members/" + auditor.user_id, std::nullopt, &manager), 403,
                      "forbidden"));
  EXPECT_TRUE(Refused(
      Do("POST", "/invitations", Json{{"email", UniqueEmail("x")}, {"role", "auditor"}}, &manager),
      403, "forbidden"));
  EXPECT_TRUE(Refused(
      Do("POST", "/invitations", Json{{"email", UniqueEmail("x")}, {"role", "admin"}}, &manager),
      403, "forbidden"));
  // Nothing changed.
  EXPECT_EQ(client().Request("GET", Org(), std::nullopt, Bearer(admin.token)).json["role"],
            "admin");
  EXPECT_EQ(client().Request("GET", Org(), std::nullopt, Bearer(auditor.token)).json["role"],
            "auditor");
  EXPECT_EQ(client().Request("GET", Org(), std::nullopt, Bearer(candidate.token)).status, 404);

  // What they hold, they may give.
  EXPECT_EQ(
      Do("POST", "/members", Json{{"user_id", candidate.user_id}, {"role", "member"}}, &manager)
          .status,
      201);
  EXPECT_EQ(Do("PATCH", "/members/" + candidate.user_id, Json{{"role", "helper"}}, &manager).status,
            200);
  EXPECT_EQ(Do("DELETE", "/members/" + member.user_id, std::nullopt, &manager).status, 204);
  EXPECT_EQ(
      Do("POST", "/invitations", Json{{"email", UniqueEmail("y")}, {"role", "people"}}, &manager)
          .status,
      201);

  // Owner rules stay: an admin neither grants nor removes the owner role.
  EXPECT_TRUE(Refused(Do("PATCH", "/members/" + candidate.user_id, Json{{"role", "owner"}}, &admin),
                      403, "forbidden"));
  EXPECT_TRUE(
      Refused(Do("DELETE", "/members/" + owner_.user_id, std::nullopt, &admin), 403, "forbidden"));
}

TEST_F(CustomRolesTest, AnInvitationStopsWorkingWhenItsSenderNoLongerHoldsItsRole) {
  ASSERT_EQ(CreateRole("people", {"members:manage"}).status, 201);
  Account manager = Holder("Manager", "people");
  Account invitee = SignUp(client(), "Invitee");
  auto invited =
      Do("POST", "/invitations", Json{{"email", invitee.email}, {"role", "people"}}, &manager);
  ASSERT_EQ(invited.status, 201) << invited.body;
  // The role grows past what its own holders held when they invited: still the same role, and
  // the sender holds it, so it still works; lose members:manage and it stops.
  ASSERT_EQ(Do("PATCH", "/roles/people", Json{{"permissions", {"usage:read"}}}).status, 200);
  auto refused = client().Request("POST", "/api/v1/invitations/accept",
                                  Json{{"token", invited.json["token"]}}, Bearer(invitee.token));
  EXPECT_TRUE(Refused(refused, 410, "invitation_unusable"));
  EXPECT_EQ(client().Request("GET", Org(), std::nullopt, Bearer(invitee.token)).status, 404);
}

TEST_F(CustomRolesTest, AChangeToARoleReachesItsHoldersOnTheirNextRequest) {
  ASSERT_EQ(CreateRole("auditor", {"audit_log:read"}).status, 201);
  Account auditor = Holder("Auditor", "auditor");
  for (int i = 0; i < 3; ++i) {  // warm: the membership and its permissions are cached
    ASSERT_EQ(Do("GET", "/audit-log", std::nullopt, &auditor).status, 200);
    ASSERT_TRUE(Refused(Do("GET", "/usage", std::nullopt, &auditor), 403, "forbidden"));
  }
  ASSERT_EQ(Do("PATCH", "/roles/auditor", Json{{"permissions", {"usage:read"}}}).status, 200);
  EXPECT_TRUE(Refused(Do("GET", "/audit-log", std::nullopt, &auditor), 403, "forbidden"));
  EXPECT_EQ(Do("GET", "/usage", std::nullopt, &auditor).status, 200);
}

TEST_F(CustomRolesTest, AnOrganizationsRolesGoWithIt) {
  ASSERT_EQ(CreateRole("auditor", {"audit_log:read"}).status, 201);
  std::string id = Do("GET", "").json["id"];
  auto count = [&] {
    return QuerySql(*server_, "",
                    "SELECT COUNT(*) FROM custom_roles WHERE organization_id = '" + id + "'")[0][0];
  };
  ASSERT_EQ(count(), "1");
  ASSERT_EQ(Do("DELETE", "", Json{{"confirm", slug_}}).status, 204);
  EXPECT_EQ(count(), "0");
}

// Polls until `done` or one second has passed.
template <typename F>
bool RolesWithinASecond(F done) {
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return done();
}

TEST_F(CustomRolesTest, AChangeToARoleReachesItsHoldersOnAnotherInstance) {
  ServerProcess other(ServerProcess::SameStorageAs{*server_});
  ASSERT_EQ(CreateRole("auditor", {"audit_log:read"}).status, 201);
  Account auditor = Holder("Auditor", "auditor");
  auto read_log = [&] {
    return other.client()
        .Request("GET", Org() + "/audit-log", std::nullopt, Bearer(auditor.token))
        .status;
  };
  for (int i = 0; i < 3; ++i) ASSERT_EQ(read_log(), 200);  // the other instance has it cached
  ASSERT_EQ(Do("PATCH", "/roles/auditor", Json{{"permissions", {"usage:read"}}}).status, 200);
  EXPECT_TRUE(RolesWithinASecond([&] { return read_log() == 403; }));
}

}  // namespace
}  // namespace bulkhead::testing
