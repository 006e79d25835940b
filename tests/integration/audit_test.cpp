// The audit log over real HTTP: every mutation leaves its event, newest first, with filters.

#include <chrono>
#include <thread>

#include "integration/harness.hpp"

namespace bulkhead::testing {
namespace {

class AuditTest : public ServerTest<AuditTest> {
 protected:
  HttpResponse Log(const std::string& token, const std::string& query = "") {
    return client().Request("GET", "/api/v1/organizations/acme/audit-log" + query, std::nullopt,
                            Bearer(token));
  }
  static std::vector<std::string> Actions(const HttpResponse& r) {
    std::vector<std::string> out;
    for (const auto& e : r.json["data"]) out.push_back(e["action"]);
    return out;
  }
};

TEST_F(AuditTest, MutationsAreAuditedNewestFirst) {
  auto c = client();
  auto owner = SignUp(c, "Owner");
  auto bob = SignUp(c, "Bob");
  auto org = CreateOrganization(c, owner.token, "Acme", "acme");
  AddMember(c, owner.token, "acme", bob.user_id, "member");
  ASSERT_EQ(c.Request("PATCH", "/api/v1/organizations/acme/members/" + bob.user_id,
                      Json{{"role", "admin"}}, Bearer(owner.token))
                .status,
            200);
  ASSERT_EQ(c.Request("PATCH", "/api/v1/organizations/acme", Json{{"name", "Acme 2"}},
                      Bearer(owner.token))
                .status,
            200);
  ASSERT_EQ(c.Request("DELETE", "/api/v1/organizations/acme/members/" + bob.user_id, std::nullopt,
                      Bearer(owner.token, {{"X-Request-Id", "remove-bob"}}))
                .status,
            204);

  auto r = Log(owner.token);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Actions(r), (std::vector<std::string>{"member.removed", "organization.updated",
                                                  "member.role_changed", "member.added",
                                                  "member.added", "organization.created"}));
  const auto& removed = r.json["data"][0];
  EXPECT_EQ(removed["actor"]["type"], "user");
  EXPECT_EQ(removed["actor"]["id"], owner.user_id);
  EXPECT_EQ(removed["target"]["type"], "membership");
  EXPECT_EQ(removed["target"]["id"], bob.user_id);
  EXPECT_EQ(removed["request_id"], "remove-bob");
  EXPECT_EQ(removed["details"]["left"], false);
  EXPECT_TRUE(removed.contains("ts"));
  EXPECT_TRUE(removed.contains("id"));
  const auto& changed = r.json["data"][2];
  EXPECT_EQ(changed["details"]["from"], "member");
  EXPECT_EQ(changed["details"]["to"], "admin");
  EXPECT_EQ(r.json["data"][1]["details"]["name"]["to"], "Acme 2");
  (void)org;
}

TEST_F(AuditTest, NoChangeWritesNoEvent) {
  auto c = client();
  auto owner = SignUp(c, "Owner");
  CreateOrganization(c, owner.token, "Acme", "acme");
  auto before = Log(owner.token).json["data"].size();
  ASSERT_EQ(
      c.Request("PATCH", "/api/v1/organizations/acme", Json{{"name", "Acme"}}, Bearer(owner.token))
          .status,
      200);
  EXPECT_EQ(Log(owner.token).json["data"].size(), before);
}

TEST_F(AuditTest, FiltersByActionAndSinceAndPaginates) {
  auto c = client();
  auto owner = SignUp(c, "Owner");
  CreateOrganization(c, owner.token, "Acme", "acme");
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(c.Request("PATCH", "/api/v1/organizations/acme",
                        Json{{"name", "Acme " + std::to_string(i)}}, Bearer(owner.token))
                  .status,
              200);
  }
  auto updated = Log(owner.token, "?action=organization.updated");
  ASSERT_EQ(updated.status, 200);
  EXPECT_EQ(updated.json["data"].size(), 5u);
  for (const auto& e : updated.json["data"]) EXPECT_EQ(e["action"], "organization.updated");

  auto future = Log(owner.token, "?since=2999-01-01T00:00:00Z");
  ASSERT_EQ(future.status, 200);
  EXPECT_TRUE(future.json["data"].empty());
  auto past = Log(owner.token, "?since=2000-01-01T00:00:00Z");
  EXPECT_EQ(past.json["data"].size(), 7u);
  std::string newest_ts = past.json["data"][0]["ts"];
  auto since_newest = Log(owner.token, "?since=" + newest_ts);
  EXPECT_GE(since_newest.json["data"].size(), 1u);
  EXPECT_EQ(Log(owner.token, "?since=yesterday").status, 422);

  std::vector<std::string> ids;
  std::string cursor;
  while (true) {
    auto page = Log(owner.token, "?limit=3" + (cursor.empty() ? "" : "&cursor=" + cursor));
    ASSERT_EQ(page.status, 200);
    for (const auto& e : page.json["data"]) ids.push_back(e["id"]);
    if (page.json["next_cursor"].is_null()) break;
    cursor = page.json["next_cursor"];
  }
  EXPECT_EQ(ids.size(), 7u);
  EXPECT_TRUE(std::is_sorted(ids.rbegin(), ids.rend()));
}

// ?until= keeps events strictly before it, in the catalog and in the organization's own store
// alike, beside ?since= and paging.
TEST_F(AuditTest, UntilKeepsEventsStrictlyBeforeIt) {
  auto c = client();
  auto owner = SignUp(c, "Owner");
  CreateOrganization(c, owner.token, "Acme", "acme");
  auto step = [] { std::this_thread::sleep_for(std::chrono::milliseconds(5)); };
  step();
  ASSERT_EQ(c.Request("PATCH", "/api/v1/organizations/acme", Json{{"name", "Acme 1"}},
                      Bearer(owner.token))
                .status,
            200);
  step();
  ASSERT_EQ(c.Request("POST", "/api/v1/organizations/acme/workspaces", Json{{"name", "Prod"}},
                      Bearer(owner.token))
                .status,
            201);
  step();
  ASSERT_EQ(c.Request("PATCH", "/api/v1/organizations/acme", Json{{"name", "Acme 2"}},
                      Bearer(owner.token))
                .status,
            200);
  auto all = Log(owner.token);
  ASSERT_EQ(all.status, 200) << all.body;
  ASSERT_EQ(Actions(all), (std::vector<std::string>{"organization.updated", "workspace.created",
                                                    "organization.updated", "member.added",
                                                    "organization.created"}));
  std::string renamed = all.json["data"][2]["ts"];
  std::string workspace = all.json["data"][1]["ts"];
  std::string latest = all.json["data"][0]["ts"];

  auto before_latest = Log(owner.token, "?until=" + latest);
  ASSERT_EQ(before_latest.status, 200) << before_latest.body;
  EXPECT_EQ(Actions(before_latest),
            (std::vector<std::string>{"workspace.created", "organization.updated", "member.added",
                                      "organization.created"}));
  EXPECT_EQ(
      Actions(Log(owner.token, "?until=" + workspace)),
      (std::vector<std::string>{"organization.updated", "member.added", "organization.created"}));
  EXPECT_EQ(Actions(Log(owner.token, "?since=" + renamed + "&until=" + latest)),
            (std::vector<std::string>{"workspace.created", "organization.updated"}));
  EXPECT_EQ(Actions(Log(owner.token, "?until=2999-01-01T00:00:00Z")), Actions(all));
  EXPECT_TRUE(Log(owner.token, "?until=2000-01-01T00:00:00Z").json["data"].empty());
  EXPECT_EQ(Log(owner.token, "?action=organization.updated&until=" + latest).json["data"].size(),
            1u);

  // Paged under the bound: the same events, one at a time.
  std::vector<std::string> paged;
  std::string cursor;
  do {
    auto page =
        Log(owner.token, "?limit=1&until=" + latest + (cursor.empty() ? "" : "&cursor=" + cursor));
    ASSERT_EQ(page.status, 200) << page.body;
    for (const auto& action : Actions(page)) paged.push_back(action);
    cursor =
        page.json["next_cursor"].is_string() ? page.json["next_cursor"].get<std::string>() : "";
  } while (!cursor.empty() && paged.size() < 10);
  EXPECT_EQ(paged, Actions(before_latest));

  auto bad = Log(owner.token, "?until=tomorrow");
  EXPECT_EQ(bad.status, 422) << bad.body;
  EXPECT_EQ(bad.Code(), "validation_failed");
}

TEST_F(AuditTest, MembersCannotReadTheAuditLog) {
  auto c = client();
  auto owner = SignUp(c, "Owner");
  auto m = SignUp(c, "Member");
  CreateOrganization(c, owner.token, "Acme", "acme");
  AddMember(c, owner.token, "acme", m.user_id, "member");
  auto r = Log(m.token);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.Code(), "forbidden");
}

TEST_F(AuditTest, PersonalOrganizationRecordsItsDefaultWorkspace) {
  auto c = client();
  auto a = SignUp(c, "Solo");
  std::string slug = a.personal_organization["slug"];
  // A personal organization is on the free plan, which does not include audit_log.
  ASSERT_EQ(c.Request("PUT", "/api/v1/organizations/" + slug + "/plan", Json{{"plan", "team"}},
                      Bearer(a.token))
                .status,
            200);
  auto r = c.Request("GET", "/api/v1/organizations/" + slug + "/audit-log", std::nullopt,
                     Bearer(a.token));
  ASSERT_EQ(r.status, 200);
  std::vector<std::string> actions = Actions(r);
  EXPECT_NE(std::find(actions.begin(), actions.end(), "workspace.created"), actions.end());
  EXPECT_NE(std::find(actions.begin(), actions.end(), "organization.created"), actions.end());
}

}  // namespace
}  // namespace bulkhead::testing
