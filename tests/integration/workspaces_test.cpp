// Workspaces and resources over real HTTP: visibility by assignment, workspace roles,
// resources with labels and specs, filters, pagination under concurrent writes, cascades.

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "integration/harness.hpp"

namespace bulkhead::testing {
namespace {

class WorkspacesTest : public ServerTest<WorkspacesTest> {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    owner_ = SignUp(client(), "Owner");
    member_ = SignUp(client(), "Member");
    org_ = CreateOrganization(client(), owner_.token, "Acme", UniqueSlug("acme"));
    slug_ = org_["slug"];
    AddMember(client(), owner_.token, slug_, member_.user_id, "member");
  }
  std::string Org() { return "/api/v1/organizations/" + slug_; }
  HttpResponse Call(const std::string& method, const std::string& path, const Account& as,
                    std::optional<Json> body = std::nullopt) {
    return client().Request(method, Org() + path, body, Bearer(as.token));
  }
  std::string NewWorkspace(const std::string& name) {
    auto r = Call("POST", "/workspaces", owner_, Json{{"name", name}});
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json.value("id", "");
  }

  Account owner_, member_;
  Json org_;
  std::string slug_;
};

TEST_F(WorkspacesTest, APersonalOrganizationStartsWithItsPersonalWorkspace) {
  std::string personal = owner_.personal_organization["slug"];
  auto r = client().Request("GET", "/api/v1/organizations/" + personal + "/workspaces",
                            std::nullopt, Bearer(owner_.token));
  ASSERT_EQ(r.status, 200);
  ASSERT_EQ(r.json["data"].size(), 1u);
  EXPECT_EQ(r.json["data"][0]["name"], "Personal");
}

TEST_F(WorkspacesTest, MembersSeeOnlyTheWorkspacesTheyAreAssignedTo) {
  std::string shared = NewWorkspace("Shared");
  std::string hidden = NewWorkspace("Hidden");
  auto assigned = Call("PUT", "/workspaces/" + shared + "/members/" + member_.user_id, owner_,
                       Json{{"role", "viewer"}});
  ASSERT_EQ(assigned.status, 200) << assigned.body;
  EXPECT_EQ(assigned.json["role"], "viewer");

  auto mine = Call("GET", "/workspaces", member_);
  ASSERT_EQ(mine.status, 200);
  ASSERT_EQ(mine.json["data"].size(), 1u);
  EXPECT_EQ(mine.json["data"][0]["id"], shared);
  EXPECT_EQ(Call("GET", "/workspaces", owner_).json["data"].size(), 2u);

  auto seen = Call("GET", "/workspaces/" + shared, member_);
  EXPECT_EQ(seen.status, 200);
  EXPECT_EQ(seen.json["role"], "viewer");
  // A workspace the member is not assigned to is exactly as unknown as one that does not exist.
  auto invisible = Call("GET", "/workspaces/" + hidden + "/resources", member_);
  auto missing = Call("GET", "/workspaces/01a20000-0000-7000-8000-000000000000/resources", member_);
  EXPECT_EQ(invisible.status, 404);
  EXPECT_EQ(invisible.Code(), "not_found");
  EXPECT_EQ(invisible.json["detail"], missing.json["detail"]);
  EXPECT_EQ(missing.status, 404);
}

TEST_F(WorkspacesTest, WorkspaceRolesGateReadsWritesAndAssignments) {
  std::string ws = NewWorkspace("Prod");
  Account other = SignUp(client(), "Other");
  AddMember(client(), owner_.token, slug_, other.user_id, "member");
  auto assign = [&](const std::string& role) {
    ASSERT_EQ(Call("PUT", "/workspaces/" + ws + "/members/" + member_.user_id, owner_,
                   Json{{"role", role}})
                  .status,
              200);
  };
  Json resource = {{"kind", "monitor"}, {"name", "api"}};

  assign("viewer");
  EXPECT_EQ(Call("GET", "/workspaces/" + ws + "/resources", member_).status, 200);
  auto denied = Call("POST", "/workspaces/" + ws + "/resources", member_, resource);
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(denied.Code(), "forbidden");

  assign("editor");
  auto created = Call("POST", "/workspaces/" + ws + "/resources", member_, resource);
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.json["created_by"], member_.user_id);
  EXPECT_EQ(Call("PUT", "/workspaces/" + ws + "/members/" + other.user_id, member_,
                 Json{{"role", "viewer"}})
                .status,
            403);

  assign("admin");
  EXPECT_EQ(Call("PUT", "/workspaces/" + ws + "/members/" + other.user_id, member_,
                 Json{{"role", "viewer"}})
                .status,
            200);
  EXPECT_EQ(Call("GET", "/workspaces/" + ws + "/members", member_).json["data"].size(), 2u);
  // Renaming or deleting the workspace itself is for organization admins.
  EXPECT_EQ(Call("PATCH", "/workspaces/" + ws, member_, Json{{"name", "X"}}).status, 403);
  EXPECT_EQ(Call("DELETE", "/workspaces/" + ws, member_).status, 403);
  // Only members of the organization can be assigned.
  Account stranger = SignUp(client(), "Stranger");
  EXPECT_EQ(Call("PUT", "/workspaces/" + ws + "/members/" + stranger.user_id, owner_,
                 Json{{"role", "viewer"}})
                .status,
            404);
  EXPECT_EQ(Call("PUT", "/workspaces/" + ws + "/members/" + other.user_id, owner_,
                 Json{{"role", "owner"}})
                .Code(),
            "validation_failed");
}

TEST_F(WorkspacesTest, ResourcesHaveUniqueNamesPerKindLabelsAndSpecs) {
  std::string ws = NewWorkspace("Infra");
  Json body = {{"kind", "kubernetes_cluster"},
               {"name", "prod-eu"},
               {"labels", {{"env", "prod"}, {"region", "eu"}}},
               {"spec", {{"nodes", 3}, {"version", "1.31"}}}};
  auto created = Call("POST", "/workspaces/" + ws + "/resources", owner_, body);
  ASSERT_EQ(created.status, 201) << created.body;
  std::string id = created.json["id"];
  EXPECT_EQ(created.json["workspace_id"], ws);
  EXPECT_EQ(created.json["labels"]["region"], "eu");
  EXPECT_EQ(created.json["spec"]["nodes"], 3);

  auto duplicate = Call("POST", "/workspaces/" + ws + "/resources", owner_, body);
  EXPECT_EQ(duplicate.status, 409);
  EXPECT_EQ(duplicate.Code(), "name_taken");
  body["kind"] = "monitor";  // same name, another kind: fine
  EXPECT_EQ(Call("POST", "/workspaces/" + ws + "/resources", owner_, body).status, 201);

  auto patched =
      Call("PATCH", "/workspaces/" + ws + "/resources/" + id, owner_,
           Json{{"labels", {{"region", nullptr}, {"tier", "gold"}}}, {"spec", {{"nodes", 5}}}});
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(patched.json["labels"], (Json{{"env", "prod"}, {"tier", "gold"}}));
  EXPECT_EQ(patched.json["spec"], (Json{{"nodes", 5}}));  // replaced, not merged

  auto by_label = Call("GET", "/workspaces/" + ws + "/resources?label=tier=gold", owner_);
  ASSERT_EQ(by_label.json["data"].size(), 1u);
  EXPECT_EQ(by_label.json["data"][0]["id"], id);
  EXPECT_EQ(
      Call("GET", "/workspaces/" + ws + "/resources?kind=monitor", owner_).json["data"].size(), 1u);
  EXPECT_EQ(Call("GET", "/workspaces/" + ws + "/resources?kind=monitor&label=env=prod", owner_)
                .json["data"]
                .size(),
            1u);
  EXPECT_EQ(
      Call("GET", "/workspaces/" + ws + "/resources?label=env=staging", owner_).json["data"].size(),
      0u);

  EXPECT_EQ(Call("DELETE", "/workspaces/" + ws + "/resources/" + id, owner_).status, 204);
  EXPECT_EQ(Call("GET", "/workspaces/" + ws + "/resources/" + id, owner_).status, 404);
}

TEST_F(WorkspacesTest, BadResourcesAreRefusedAndChangeNothing) {
  std::string ws = NewWorkspace("Checks");
  std::vector<Json> bad = {
      {{"kind", "Not Valid"}, {"name", "x"}},
      {{"kind", "monitor"}, {"name", ""}},
      {{"kind", "monitor"}, {"name", "x"}, {"spec", Json::array()}},
      {{"kind", "monitor"}, {"name", "x"}, {"spec", {{"blob", std::string(70000, 'x')}}}},
      {{"kind", "monitor"}, {"name", "x"}, {"labels", {{"env", 1}}}},
      {{"kind", "monitor"}, {"name", "x"}, {"labels", {{"bad key!", "v"}}}},
      {{"kind", "monitor"}, {"name", "x"}, {"extra", true}},
      {{"name", "x"}},
  };
  for (const auto& body : bad) {
    auto r = Call("POST", "/workspaces/" + ws + "/resources", owner_, body);
    EXPECT_EQ(r.status, 422) << body.dump().substr(0, 120) << ": " << r.body;
    EXPECT_EQ(r.Code(), "validation_failed");
  }
  EXPECT_EQ(Call("GET", "/workspaces/" + ws + "/resources", owner_).json["data"].size(), 0u);
  EXPECT_EQ(Call("GET", "/workspaces/" + ws + "/resources?label=novalue", owner_).status, 422);
  EXPECT_EQ(Call("GET", "/workspaces/" + ws + "/resources?kind=BAD", owner_).status, 422);
}

TEST_F(WorkspacesTest, PaginationSeesEveryRowOnceWhileRowsAreInsertedAndDeleted) {
  std::string ws = NewWorkspace("Many");
  std::vector<std::string> ids;
  for (int i = 0; i < 1000; ++i) {
    auto r = Call("POST", "/workspaces/" + ws + "/resources", owner_,
                  Json{{"kind", "monitor"}, {"name", "m" + std::to_string(i)}});
    ASSERT_EQ(r.status, 201) << r.body;
    ids.push_back(r.json["id"]);
  }
  // While one client pages through, another inserts new rows and deletes a few old ones that
  // the walk has already passed or never will see twice.
  std::atomic<bool> done{false};
  std::set<std::string> deleted;
  std::mutex deleted_mu;
  std::thread writer([&] {
    auto c = client();
    for (int i = 0; !done && i < 400; ++i) {
      c.Request("POST", Org() + "/workspaces/" + ws + "/resources",
                Json{{"kind", "monitor"}, {"name", "late" + std::to_string(i)}},
                Bearer(owner_.token));
      if (i % 10 == 0) {
        std::string victim = ids[static_cast<std::size_t>(i) * 2];
        if (c.Request("DELETE", Org() + "/workspaces/" + ws + "/resources/" + victim, std::nullopt,
                      Bearer(owner_.token))
                .status == 204) {
          std::lock_guard lock(deleted_mu);
          deleted.insert(victim);
        }
      }
    }
  });
  std::multiset<std::string> seen;
  std::string cursor;
  int pages = 0;
  while (true) {
    auto r = Call(
        "GET",
        "/workspaces/" + ws + "/resources?limit=37" + (cursor.empty() ? "" : "&cursor=" + cursor),
        owner_);
    ASSERT_EQ(r.status, 200) << r.body;
    for (const auto& row : r.json["data"]) seen.insert(row["id"].get<std::string>());
    ++pages;
    if (r.json["next_cursor"].is_null()) break;
    cursor = r.json["next_cursor"];
  }
  done = true;
  writer.join();
  EXPECT_GT(pages, 27);
  for (const auto& id : ids) {
    EXPECT_LE(seen.count(id), 1u) << id << " seen twice";
    std::lock_guard lock(deleted_mu);
    if (!deleted.count(id)) {
      EXPECT_EQ(seen.count(id), 1u) << id << " never seen";
    }
  }
  for (const auto& id : seen) EXPECT_EQ(seen.count(id), 1u) << id << " seen twice";
}

TEST_F(WorkspacesTest, DeletingAWorkspaceDeletesItsResourcesAndRemovingAMemberEndsTheirAccess) {
  std::string ws = NewWorkspace("Doomed");
  ASSERT_EQ(Call("PUT", "/workspaces/" + ws + "/members/" + member_.user_id, owner_,
                 Json{{"role", "editor"}})
                .status,
            200);
  auto resource = Call("POST", "/workspaces/" + ws + "/resources", member_,
                       Json{{"kind", "monitor"}, {"name", "x"}});
  ASSERT_EQ(resource.status, 201);

  // Removed and added back: the old assignment does not come back with the membership.
  ASSERT_EQ(Call("DELETE", "/members/" + member_.user_id, owner_).status, 204);
  EXPECT_EQ(Call("GET", "/workspaces/" + ws, member_).Code(), "organization_not_found");
  AddMember(client(), owner_.token, slug_, member_.user_id, "member");
  EXPECT_EQ(Call("GET", "/workspaces/" + ws, member_).status, 404);
  EXPECT_EQ(Call("GET", "/workspaces", member_).json["data"].size(), 0u);

  ASSERT_EQ(Call("DELETE", "/workspaces/" + ws, owner_).status, 204);
  EXPECT_EQ(
      Call("GET", "/workspaces/" + ws + "/resources/" + resource.json["id"].get<std::string>(),
           owner_)
          .status,
      404);
  auto audit = Call("GET", "/audit-log?action=resource.created", owner_);
  EXPECT_EQ(audit.json["data"].size(), 1u);
  auto deleted = Call("GET", "/audit-log?action=workspace.deleted", owner_);
  EXPECT_EQ(deleted.json["data"].size(), 1u);
}

TEST_F(WorkspacesTest, LimitsOnWorkspacesAndResourcesAreEnforced) {
  ASSERT_EQ(Call("PATCH", "", owner_,
                 Json{{"settings", {{"limits", {{"max_workspaces", 1}, {"max_resources", 2}}}}}})
                .status,
            200);
  std::string ws = NewWorkspace("Only");
  auto second = Call("POST", "/workspaces", owner_, Json{{"name", "Two"}});
  EXPECT_EQ(second.status, 409);
  EXPECT_EQ(second.Code(), "limit_reached");
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(Call("POST", "/workspaces/" + ws + "/resources", owner_,
                   Json{{"kind", "k"}, {"name", "r" + std::to_string(i)}})
                  .status,
              201);
  }
  auto third =
      Call("POST", "/workspaces/" + ws + "/resources", owner_, Json{{"kind", "k"}, {"name", "r9"}});
  EXPECT_EQ(third.status, 409);
  EXPECT_EQ(third.Code(), "limit_reached");
  EXPECT_EQ(third.json["current"], 2);
}

// The count that max_resources is checked against follows every way resources go: one deleted,
// a workspace deleted with its resources, a refused create (which counts nothing).
TEST_F(WorkspacesTest, TheResourceCountFollowsDeletesOfResourcesAndWorkspaces) {
  ASSERT_EQ(
      Call("PATCH", "", owner_, Json{{"settings", {{"limits", {{"max_resources", 3}}}}}}).status,
      200);
  std::string first = NewWorkspace("First");
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    auto made = Call("POST", "/workspaces/" + first + "/resources", owner_,
                     Json{{"kind", "k"}, {"name", "a" + std::to_string(i)}});
    ASSERT_EQ(made.status, 201);
    ids.push_back(made.json["id"]);
  }
  auto refused = Call("POST", "/workspaces/" + first + "/resources", owner_,
                      Json{{"kind", "k"}, {"name", "a9"}});
  EXPECT_EQ(refused.status, 409);
  EXPECT_EQ(refused.json["current"], 3);
  ASSERT_EQ(Call("DELETE", "/workspaces/" + first + "/resources/" + ids[0], owner_).status, 204);
  EXPECT_EQ(Call("POST", "/workspaces/" + first + "/resources", owner_,
                 Json{{"kind", "k"}, {"name", "a3"}})
                .status,
            201);
  EXPECT_EQ(Call("POST", "/workspaces/" + first + "/resources", owner_,
                 Json{{"kind", "k"}, {"name", "a4"}})
                .status,
            409);
  std::string second = NewWorkspace("Second");
  ASSERT_EQ(Call("DELETE", "/workspaces/" + first, owner_).status, 204);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(Call("POST", "/workspaces/" + second + "/resources", owner_,
                   Json{{"kind", "k"}, {"name", "b" + std::to_string(i)}})
                  .status,
              201);
  }
  auto full = Call("POST", "/workspaces/" + second + "/resources", owner_,
                   Json{{"kind", "k"}, {"name", "b9"}});
  EXPECT_EQ(full.status, 409);
  EXPECT_EQ(full.json["current"], 3);
}

}  // namespace
}  // namespace bulkhead::testing
