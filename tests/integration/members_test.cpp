// Members over real HTTP: listing with pagination, adding, roles, removal and the invariants.

#include <set>

#include "integration/harness.hpp"

namespace bulkhead::testing {
namespace {

class MembersTest : public ServerTest<MembersTest> {
 protected:
  HttpResponse Patch(const std::string& token, const std::string& user_id,
                     const std::string& role) {
    return client().Request("PATCH", "/api/v1/organizations/acme/members/" + user_id,
                            Json{{"role", role}}, Bearer(token));
  }
  HttpResponse Remove(const std::string& token, const std::string& user_id) {
    return client().Request("DELETE", "/api/v1/organizations/acme/members/" + user_id, std::nullopt,
                            Bearer(token));
  }
};

TEST_F(MembersTest, ListPagesThroughEveryMemberOnce) {
  auto c = client();
  auto owner = SignUp(c, "Owner");
  CreateOrganization(c, owner.token, "Acme", "acme");
  std::set<std::string> expected = {owner.user_id};
  for (int i = 0; i < 4; ++i) {
    auto u = SignUp(c, "Member " + std::to_string(i));
    AddMember(c, owner.token, "acme", u.user_id, "member");
    expected.insert(u.user_id);
  }
  std::set<std::string> seen;
  std::string cursor;
  int pages = 0;
  while (true) {
    std::string target = "/api/v1/organizations/acme/members?limit=2";
    if (!cursor.empty()) target += "&cursor=" + cursor;
    auto r = c.Request("GET", target, std::nullopt, Bearer(owner.token));
    ASSERT_EQ(r.status, 200) << r.body;
    ++pages;
    EXPECT_LE(r.json["data"].size(), 2u);
    for (const auto& m : r.json["data"]) {
      EXPECT_TRUE(seen.insert(m["user"]["id"].get<std::string>()).second) << "seen twice";
      EXPECT_TRUE(m["user"].contains("email"));
      EXPECT_TRUE(m.contains("joined_at"));
    }
    if (r.json["next_cursor"].is_null()) break;
    cursor = r.json["next_cursor"];
  }
  EXPECT_EQ(seen, expected);
  EXPECT_EQ(pages, 3);
}

TEST_F(MembersTest, BadPaginationParametersAreRefused) {
  auto c = client();
  auto owner = SignUp(c, "Owner");
  CreateOrganization(c, owner.token, "Acme", "acme");
  for (std::string query : {"limit=0", "limit=201", "limit=abc", "limit=-1", "limit=5x",
                            "cursor=garbage!!", "cursor=bm90LWEtY3Vyc29y"}) {
    auto r = c.Request("GET", "/api/v1/organizations/acme/members?" + query, std::nullopt,
                       Bearer(owner.token));
    EXPECT_EQ(r.status, 422) << query;
    EXPECT_EQ(r.Code(), "validation_failed") << query;
  }
  auto ok = c.Request("GET", "/api/v1/organizations/acme/members?limit=200", std::nullopt,
                      Bearer(owner.token));
  EXPECT_EQ(ok.status, 200);
}

TEST_F(MembersTest, AddValidatesUserAndMembership) {
  auto c = client();
  auto owner = SignUp(c, "Owner");
  auto bob = SignUp(c, "Bob");
  CreateOrganization(c, owner.token, "Acme", "acme");
  auto added = c.Request("POST", "/api/v1/organizations/acme/members",
                         Json{{"user_id", bob.user_id}, {"role", "admin"}}, Bearer(owner.token));
  ASSERT_EQ(added.status, 201) << added.body;
  EXPECT_EQ(added.json["role"], "admin");
  EXPECT_EQ(added.json["user"]["id"], bob.user_id);
  EXPECT_EQ(added.json["user"]["email"], bob.email);
  auto again = c.Request("POST", "/api/v1/organizations/acme/members",
                         Json{{"user_id", bob.user_id}, {"role", "member"}}, Bearer(owner.token));
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.Code(), "already_member");
  auto unknown =
      c.Request("POST", "/api/v1/organizations/acme/members",
                Json{{"user_id", "01890a5d-ac96-774b-bcce-b302099a8057"}, {"role", "member"}},
                Bearer(owner.token));
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.Code(), "not_found");
  auto bad_role =
      c.Request("POST", "/api/v1/organizations/acme/members",
                Json{{"user_id", bob.user_id}, {"role", "superuser"}}, Bearer(owner.token));
  EXPECT_EQ(bad_role.status, 422);
  // Bob now sees the organization.
  auto orgs = c.Request("GET", "/api/v1/user/organizations", std::nullopt, Bearer(bob.token));
  bool found = false;
  for (const auto& e : orgs.json["data"])
    found |= e["organization"]["slug"] == "acme" && e["role"] == "admin";
  EXPECT_TRUE(found);
}

TEST_F(MembersTest, PersonalOrganizationRefusesMembers) {
  auto c = client();
  auto owner = SignUp(c, "Solo");
  auto bob = SignUp(c, "Bob");
  std::string personal = owner.personal_organization["slug"];
  auto r = c.Request("POST", "/api/v1/organizations/" + personal + "/members",
                     Json{{"user_id", bob.user_id}, {"role", "member"}}, Bearer(owner.token));
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.Code(), "personal_organization");
  auto members = c.Request("GET", "/api/v1/organizations/" + personal + "/members", std::nullopt,
                           Bearer(owner.token));
  EXPECT_EQ(members.json["data"].size(), 1u);
}

TEST_F(MembersTest, TheLastOwnerCannotLeaveBeRemovedOrDemoted) {
  auto c = client();
  auto owner = SignUp(c, "Owner");
  auto admin = SignUp(c, "Admin");
  CreateOrganization(c, owner.token, "Acme", "acme");
  AddMember(c, owner.token, "acme", admin.user_id, "admin");
  auto leave = Remove(owner.token, owner.user_id);
  EXPECT_EQ(leave.status, 409);
  EXPECT_EQ(leave.Code(), "last_owner");
  auto demote = Patch(owner.token, owner.user_id, "admin");
  EXPECT_EQ(demote.status, 409);
  EXPECT_EQ(demote.Code(), "last_owner");
  // An admin cannot touch the owner at all.
  EXPECT_EQ(Remove(admin.token, owner.user_id).status, 403);
  EXPECT_EQ(Patch(admin.token, owner.user_id, "member").status, 403);

  // With a second owner, one may leave.
  ASSERT_EQ(Patch(owner.token, admin.user_id, "owner").status, 200);
  EXPECT_EQ(Remove(owner.token, owner.user_id).status, 204);
  auto last = Remove(admin.token, admin.user_id);
  EXPECT_EQ(last.status, 409);
  EXPECT_EQ(last.Code(), "last_owner");
  // The personal organization's only owner cannot leave either.
  std::string personal = owner.personal_organization["slug"];
  auto p = c.Request("DELETE", "/api/v1/organizations/" + personal + "/members/" + owner.user_id,
                     std::nullopt, Bearer(owner.token));
  EXPECT_EQ(p.status, 409);
}

TEST_F(MembersTest, AdminsCannotGrantOwnerButOwnersCan) {
  auto c = client();
  auto owner = SignUp(c, "Owner");
  auto admin = SignUp(c, "Admin");
  auto m = SignUp(c, "Member");
  auto newcomer = SignUp(c, "Newcomer");
  CreateOrganization(c, owner.token, "Acme", "acme");
  AddMember(c, owner.token, "acme", admin.user_id, "admin");
  AddMember(c, owner.token, "acme", m.user_id, "member");
  auto grant = Patch(admin.token, m.user_id, "owner");
  EXPECT_EQ(grant.status, 403);
  EXPECT_EQ(grant.Code(), "forbidden");
  auto add_owner =
      c.Request("POST", "/api/v1/organizations/acme/members",
                Json{{"user_id", newcomer.user_id}, {"role", "owner"}}, Bearer(admin.token));
  EXPECT_EQ(add_owner.status, 403);
  // Admins manage admins and members.
  EXPECT_EQ(Patch(admin.token, m.user_id, "admin").status, 200);
  EXPECT_EQ(Patch(admin.token, m.user_id, "member").status, 200);
  // Owners grant owner.
  auto promoted = Patch(owner.token, m.user_id, "owner");
  EXPECT_EQ(promoted.status, 200);
  EXPECT_EQ(promoted.json["role"], "owner");
}

TEST_F(MembersTest, MembersCanLeaveButNotRemoveOthers) {
  auto c = client();
  auto owner = SignUp(c, "Owner");
  auto m1 = SignUp(c, "Member One");
  auto m2 = SignUp(c, "Member Two");
  CreateOrganization(c, owner.token, "Acme", "acme");
  AddMember(c, owner.token, "acme", m1.user_id, "member");
  AddMember(c, owner.token, "acme", m2.user_id, "member");
  auto kick = Remove(m1.token, m2.user_id);
  EXPECT_EQ(kick.status, 403);
  EXPECT_EQ(kick.Code(), "forbidden");
  EXPECT_EQ(Patch(m1.token, m1.user_id, "admin").status, 403);
  EXPECT_EQ(Remove(m1.token, m1.user_id).status, 204);
  // Access ends at once.
  auto after = c.Request("GET", "/api/v1/organizations/acme", std::nullopt, Bearer(m1.token));
  EXPECT_EQ(after.status, 404);
  EXPECT_EQ(after.Code(), "organization_not_found");
  auto missing = Remove(owner.token, m1.user_id);
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.Code(), "not_found");
}

TEST_F(MembersTest, RemovedMemberLosesAccessOnTheNextRequest) {
  auto c = client();
  auto owner = SignUp(c, "Owner");
  auto m = SignUp(c, "Member");
  CreateOrganization(c, owner.token, "Acme", "acme");
  AddMember(c, owner.token, "acme", m.user_id, "admin");
  ASSERT_EQ(c.Request("GET", "/api/v1/organizations/acme/audit-log", std::nullopt, Bearer(m.token))
                .status,
            200);
  ASSERT_EQ(Patch(owner.token, m.user_id, "member").status, 200);
  EXPECT_EQ(c.Request("GET", "/api/v1/organizations/acme/audit-log", std::nullopt, Bearer(m.token))
                .status,
            403);
  ASSERT_EQ(Remove(owner.token, m.user_id).status, 204);
  EXPECT_EQ(c.Request("GET", "/api/v1/organizations/acme", std::nullopt, Bearer(m.token)).status,
            404);
}

TEST_F(MembersTest, MaxMembersLimitIsEnforced) {
  auto c = client();
  auto owner = SignUp(c, "Owner");
  auto a = SignUp(c, "A");
  auto b = SignUp(c, "B");
  CreateOrganization(c, owner.token, "Acme", "acme");
  auto patch =
      c.Request("PATCH", "/api/v1/organizations/acme",
                Json{{"settings", {{"limits", {{"max_members", 2}}}}}}, Bearer(owner.token));
  ASSERT_EQ(patch.status, 200) << patch.body;
  AddMember(c, owner.token, "acme", a.user_id, "member");
  auto over = c.Request("POST", "/api/v1/organizations/acme/members",
                        Json{{"user_id", b.user_id}, {"role", "member"}}, Bearer(owner.token));
  EXPECT_EQ(over.status, 409);
  EXPECT_EQ(over.Code(), "limit_reached");
  EXPECT_NE(over.json["detail"].get<std::string>().find("max_members"), std::string::npos);
  auto members =
      c.Request("GET", "/api/v1/organizations/acme/members", std::nullopt, Bearer(owner.token));
  EXPECT_EQ(members.json["data"].size(), 2u);
}

}  // namespace
}  // namespace bulkhead::testing
