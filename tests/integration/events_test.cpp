// The event log over real HTTP (docs/events.md): every audited change leaves its event with the
// object after the change, numbered per organization from 1 without gaps (also under concurrent
// writers), readable with GET …/events and …/events/{id} by admins, and changes made by the
// operator CLI reach the log through the running server's sweep.

#include <atomic>
#include <chrono>
#include <set>
#include <thread>
#include <vector>

#include "integration/harness.hpp"

namespace bulkhead::testing {
namespace {

class EventsTest : public ServerTest<EventsTest> {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    owner_ = SignUp(client(), "Owner");
    slug_ = UniqueSlug("acme");
    org_ = CreateOrganization(client(), owner_.token, "Acme", slug_);
  }
  std::string Org() { return "/api/v1/organizations/" + slug_; }
  HttpResponse Call(const std::string& method, const std::string& path,
                    const std::optional<Json>& body = std::nullopt) {
    return client().Request(method, Org() + path, body, Bearer(owner_.token));
  }
  // Every event of the organization, walking the pages.
  std::vector<Json> AllEvents(const std::string& filter = "") {
    std::vector<Json> out;
    std::string after = "0";
    for (int page = 0; page < 1000; ++page) {
      auto r = Call("GET", "/events?limit=7&after=" + after + filter);
      EXPECT_EQ(r.status, 200) << r.body;
      if (r.status != 200) break;
      for (const auto& e : r.json["data"]) out.push_back(e);
      if (r.json["next_cursor"].is_null()) break;
      after = r.json["next_cursor"].get<std::string>();
    }
    return out;
  }
  static std::vector<std::string> Types(const std::vector<Json>& events) {
    std::vector<std::string> out;
    for (const auto& e : events) out.push_back(e["type"]);
    return out;
  }
  // The last event of `type`, or null.
  static Json Last(const std::vector<Json>& events, const std::string& type) {
    for (auto it = events.rbegin(); it != events.rend(); ++it) {
      if ((*it)["type"] == type) return *it;
    }
    return nullptr;
  }
  static void ExpectGapless(const std::vector<Json>& events) {
    for (std::size_t i = 0; i < events.size(); ++i) {
      ASSERT_EQ(events[i]["sequence"].get<int64_t>(), static_cast<int64_t>(i + 1))
          << events[i].dump();
    }
  }

  Account owner_;
  std::string slug_;
  Json org_;
};

TEST_F(EventsTest, EveryAuditedChangeHasItsEventWithTheObject) {
  auto c = client();
  auto bob = SignUp(c, "Bob");
  // Organization and members.
  ASSERT_EQ(Call("PATCH", "", Json{{"name", "Acme 2"}}).status, 200);
  AddMember(c, owner_.token, slug_, bob.user_id, "member");
  ASSERT_EQ(Call("PATCH", "/members/" + bob.user_id, Json{{"role", "admin"}}).status, 200);
  // Invitations: one revoked, one accepted.
  auto carol =
      Call("POST", "/invitations", Json{{"email", UniqueEmail("carol")}, {"role", "member"}});
  ASSERT_EQ(carol.status, 201) << carol.body;
  ASSERT_EQ(Call("DELETE", "/invitations/" + carol.json["id"].get<std::string>()).status, 204);
  auto dave = SignUp(c, "Dave");
  auto invited = Call("POST", "/invitations", Json{{"email", dave.email}, {"role", "member"}});
  ASSERT_EQ(invited.status, 201) << invited.body;
  auto accepted = c.Request("POST", "/api/v1/invitations/accept",
                            Json{{"token", invited.json["token"]}}, Bearer(dave.token));
  ASSERT_EQ(accepted.status, 200) << accepted.body;
  // Domains and API keys.
  std::string hostname = slug_ + ".example.com";
  ASSERT_EQ(Call("POST", "/domains", Json{{"hostname", hostname}}).status, 201);
  ASSERT_EQ(Call("DELETE", "/domains/" + hostname).status, 204);
  auto key = Call("POST", "/api-keys", Json{{"name", "ci"}, {"role", "member"}});
  ASSERT_EQ(key.status, 201) << key.body;
  ASSERT_EQ(Call("DELETE", "/api-keys/" + key.json["id"].get<std::string>()).status, 204);
  // Workspaces, their members, resources and secrets.
  auto ws = Call("POST", "/workspaces", Json{{"name", "Production"}});
  ASSERT_EQ(ws.status, 201) << ws.body;
  std::string w = "/workspaces/" + ws.json["id"].get<std::string>();
  ASSERT_EQ(Call("PATCH", w, Json{{"name", "Prod"}}).status, 200);
  ASSERT_EQ(Call("PUT", w + "/members/" + bob.user_id, Json{{"role", "viewer"}}).status, 200);
  ASSERT_EQ(Call("PUT", w + "/members/" + bob.user_id, Json{{"role", "editor"}}).status, 200);
  ASSERT_EQ(Call("DELETE", w + "/members/" + bob.user_id).status, 204);
  auto resource = Call("POST", w + "/resources", Json{{"kind", "db"}, {"name", "main"}});
  ASSERT_EQ(resource.status, 201) << resource.body;
  std::string r = w + "/resources/" + resource.json["id"].get<std::string>();
  ASSERT_EQ(Call("PATCH", r, Json{{"name", "primary"}}).status, 200);
  ASSERT_EQ(Call("DELETE", r).status, 204);
  ASSERT_EQ(Call("PUT", w + "/secrets/DB_PASSWORD", Json{{"value", "hunter2-value"}}).status, 200);
  ASSERT_EQ(Call("DELETE", w + "/secrets/DB_PASSWORD").status, 204);
  ASSERT_EQ(Call("DELETE", w).status, 204);
  ASSERT_EQ(Call("DELETE", "/members/" + bob.user_id).status, 204);

  auto events = AllEvents();
  ExpectGapless(events);
  EXPECT_EQ(Types(events), (std::vector<std::string>{"organization.created",
                                                     "member.added",
                                                     "organization.updated",
                                                     "member.added",
                                                     "member.role_changed",
                                                     "invitation.created",
                                                     "invitation.revoked",
                                                     "invitation.created",
                                                     "invitation.accepted",
                                                     "member.added",
                                                     "domain.added",
                                                     "domain.removed",
                                                     "api_key.created",
                                                     "api_key.revoked",
                                                     "workspace.created",
                                                     "workspace.updated",
                                                     "workspace_member.added",
                                                     "workspace_member.role_changed",
                                                     "workspace_member.removed",
                                                     "resource.created",
                                                     "resource.updated",
                                                     "resource.deleted",
                                                     "secret.changed",
                                                     "secret.deleted",
                                                     "workspace.deleted",
                                                     "member.removed"}));
  for (const auto& e : events) {
    EXPECT_EQ(e["organization_id"], org_["id"]);
    EXPECT_EQ(e["id"].get<std::string>().rfind("evt_", 0), 0u);
    EXPECT_EQ(e["id"].get<std::string>().size(), 36u);
    EXPECT_EQ(e["occurred_at"].get<std::string>().size(), 24u);  // 2026-…T…:…:….mmmZ
    EXPECT_FALSE(e.contains("data_truncated"));
    EXPECT_EQ(e["data"].dump().find("hunter2-value"), std::string::npos);
    EXPECT_FALSE(e["data"].contains("token"));
    EXPECT_FALSE(e["data"].contains("key"));
  }
  EXPECT_EQ(events[0]["data"]["slug"], slug_);
  EXPECT_EQ(events[0]["data"]["name"], "Acme");
  EXPECT_FALSE(events[0]["data"].contains("role"));
  EXPECT_EQ(events[1]["data"]["user"]["id"], owner_.user_id);
  EXPECT_EQ(events[1]["data"]["role"], "owner");
  EXPECT_EQ(events[2]["data"]["name"], "Acme 2");
  EXPECT_EQ(events[3]["data"]["user"]["id"], bob.user_id);
  EXPECT_EQ(events[3]["data"]["user"]["email"], bob.email);
  EXPECT_EQ(events[3]["data"]["role"], "member");
  EXPECT_TRUE(events[3]["data"].contains("joined_at"));
  EXPECT_EQ(events[4]["data"]["role"], "admin");
  EXPECT_EQ(events[4]["data"]["previous_role"], "member");
  EXPECT_EQ(events[6]["data"]["status"], "revoked");
  EXPECT_EQ(events[8]["data"]["status"], "accepted");
  EXPECT_EQ(events[9]["data"]["user"]["email"], dave.email);
  EXPECT_EQ(events[10]["data"]["hostname"], hostname);
  EXPECT_EQ(events[10]["data"]["verified"], false);
  EXPECT_EQ(events[12]["data"]["name"], "ci");
  EXPECT_EQ(events[12]["data"]["prefix"], key.json["prefix"]);
  EXPECT_EQ(events[15]["data"]["name"], "Prod");
  EXPECT_EQ(events[16]["data"]["workspace_id"], ws.json["id"]);
  EXPECT_EQ(events[16]["data"]["user"]["id"], bob.user_id);
  EXPECT_EQ(events[16]["data"]["role"], "viewer");
  EXPECT_EQ(events[17]["data"]["role"], "editor");
  EXPECT_EQ(events[17]["data"]["previous_role"], "viewer");
  EXPECT_EQ(events[18]["data"]["role"], "editor");
  EXPECT_EQ(events[19]["data"], resource.json);
  EXPECT_EQ(events[20]["data"]["name"], "primary");
  EXPECT_EQ(events[22]["data"]["name"], "DB_PASSWORD");
  EXPECT_EQ(events[22]["data"]["workspace_id"], ws.json["id"]);
  EXPECT_FALSE(events[22]["data"].contains("value"));
  EXPECT_EQ(events[25]["data"]["user"]["id"], bob.user_id);
  EXPECT_EQ(events[25]["data"]["role"], "admin");

  // One event by its id is the same object.
  auto one = Call("GET", "/events/" + events[4]["id"].get<std::string>());
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(one.json, events[4]);
}

TEST_F(EventsTest, APersonalOrganizationStartsWithItsWorkspace) {
  auto r = client().Request(
      "GET",
      "/api/v1/organizations/" + owner_.personal_organization["id"].get<std::string>() + "/events",
      std::nullopt, Bearer(owner_.token));
  ASSERT_EQ(r.status, 200) << r.body;
  std::vector<Json> events(r.json["data"].begin(), r.json["data"].end());
  ExpectGapless(events);
  EXPECT_EQ(Types(events), (std::vector<std::string>{"organization.created", "member.added",
                                                     "workspace.created"}));
  EXPECT_EQ(events[2]["data"]["name"], "Personal");
}

TEST_F(EventsTest, SequencesHaveNoGapsUnderConcurrentWriters) {
  auto ws = Call("POST", "/workspaces", Json{{"name", "Load"}});
  ASSERT_EQ(ws.status, 201);
  std::string w = "/workspaces/" + ws.json["id"].get<std::string>();
  constexpr int kThreads = 6;
  constexpr int kEach = 15;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        // Resources (tenant writes, group-committed), one duplicate name each (a rolled-back
        // change must not take a number), and API keys (catalog writes, relayed).
        std::string name = "r-" + std::to_string(t) + "-" + std::to_string(i);
        if (Call("POST", w + "/resources", Json{{"kind", "k"}, {"name", name}}).status != 201)
          ++failures;
        if (i == 0 &&
            Call("POST", w + "/resources", Json{{"kind", "k"}, {"name", name}}).status != 409)
          ++failures;
        if (i % 5 == 0 &&
            Call("POST", "/api-keys", Json{{"name", name}, {"role", "member"}}).status != 201)
          ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_EQ(failures.load(), 0);
  auto events = AllEvents();
  ExpectGapless(events);
  int resources = 0, keys = 0;
  std::set<std::string> ids;
  for (const auto& e : events) {
    ids.insert(e["id"]);
    resources += e["type"] == "resource.created";
    keys += e["type"] == "api_key.created";
  }
  EXPECT_EQ(ids.size(), events.size());
  EXPECT_EQ(resources, kThreads * kEach);
  EXPECT_EQ(keys, kThreads * 3);
}

TEST_F(EventsTest, PagesFilterByTypeAndAfter) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(Call("POST", "/workspaces", Json{{"name", "W" + std::to_string(i)}}).status, 201);
  }
  // organization.created, member.added, then 5 workspace.created: 7 events.
  auto first = Call("GET", "/events?limit=3");
  ASSERT_EQ(first.status, 200) << first.body;
  ASSERT_EQ(first.json["data"].size(), 3u);
  EXPECT_EQ(first.json["next_cursor"], "3");
  auto rest = Call("GET", "/events?after=3");
  ASSERT_EQ(rest.json["data"].size(), 4u);
  EXPECT_EQ(rest.json["data"][0]["sequence"], 4);
  EXPECT_TRUE(rest.json["next_cursor"].is_null());
  auto exact = Call("GET", "/events?after=4&limit=3");
  EXPECT_EQ(exact.json["data"].size(), 3u);
  EXPECT_TRUE(exact.json["next_cursor"].is_null());
  auto typed = AllEvents("&types=workspace.created,member.added");
  EXPECT_EQ(Types(typed), (std::vector<std::string>{"member.added", "workspace.created",
                                                    "workspace.created", "workspace.created",
                                                    "workspace.created", "workspace.created"}));
  auto none = Call("GET", "/events?after=7");
  EXPECT_EQ(none.json["data"].size(), 0u);
  EXPECT_TRUE(none.json["next_cursor"].is_null());
  // The current-organization alias serves the same log.
  auto alias = client().Request("GET", "/api/v1/org/events", std::nullopt,
                                Bearer(owner_.token, {{"X-Organization", slug_}}));
  ASSERT_EQ(alias.status, 200) << alias.body;
  EXPECT_EQ(alias.json["data"].size(), 7u);
}

TEST_F(EventsTest, BadQueriesAreRefusedWithTheField) {
  struct Case {
    std::string query;
    std::string field;
  };
  for (const auto& [query, field] : std::vector<Case>{{"after=-1", "after"},
                                                      {"after=x", "after"},
                                                      {"after=1.5", "after"},
                                                      {"limit=0", "limit"},
                                                      {"limit=201", "limit"},
                                                      {"limit=ten", "limit"},
                                                      {"types=member.added,nope", "types"},
                                                      {"types=", "types"}}) {
    auto r = Call("GET", "/events?" + query);
    EXPECT_EQ(r.status, 422) << query << " " << r.body;
    EXPECT_EQ(r.Code(), "validation_failed") << query;
    EXPECT_NE(r.body.find("\"" + field + "\""), std::string::npos) << query << " " << r.body;
  }
}

TEST_F(EventsTest, OnlyAdminsReadEventsAndUnknownIdsAreNotFound) {
  auto member = SignUp(client(), "Member");
  AddMember(client(), owner_.token, slug_, member.user_id, "member");
  auto admin = SignUp(client(), "Admin");
  AddMember(client(), owner_.token, slug_, admin.user_id, "admin");
  EXPECT_EQ(client().Request("GET", Org() + "/events", std::nullopt, Bearer(member.token)).status,
            403);
  auto listed = client().Request("GET", Org() + "/events", std::nullopt, Bearer(admin.token));
  ASSERT_EQ(listed.status, 200);
  std::string id = listed.json["data"][0]["id"];
  EXPECT_EQ(
      client().Request("GET", Org() + "/events/" + id, std::nullopt, Bearer(member.token)).status,
      403);
  EXPECT_EQ(Call("GET", "/events/evt_00000000000000000000000000000000").status, 404);
  EXPECT_EQ(Call("GET", "/events/not-an-id").status, 404);
  // Another organization's event is unknown here.
  auto other = CreateOrganization(client(), owner_.token, "Other", UniqueSlug("other"));
  auto theirs = client().Request(
      "GET", "/api/v1/organizations/" + other["slug"].get<std::string>() + "/events", std::nullopt,
      Bearer(owner_.token));
  ASSERT_EQ(theirs.status, 200);
  EXPECT_EQ(Call("GET", "/events/" + theirs.json["data"][0]["id"].get<std::string>()).status, 404);
  // An API key with the admin role reads them; a member key does not.
  auto admin_key = Call("POST", "/api-keys", Json{{"name", "admin"}, {"role", "admin"}});
  auto member_key = Call("POST", "/api-keys", Json{{"name", "member"}, {"role", "member"}});
  EXPECT_EQ(client()
                .Request("GET", Org() + "/events", std::nullopt,
                         Bearer(admin_key.json["key"].get<std::string>()))
                .status,
            200);
  EXPECT_EQ(client()
                .Request("GET", Org() + "/events", std::nullopt,
                         Bearer(member_key.json["key"].get<std::string>()))
                .status,
            403);
}

TEST_F(EventsTest, EventsPastTheRetentionArePrunedAsTheLogGrows) {
  auto ws = Call("POST", "/workspaces", Json{{"name", "Old"}});
  ASSERT_EQ(ws.status, 201);
  std::string w = "/workspaces/" + ws.json["id"].get<std::string>();
  // The first three events (organization.created, member.added, workspace.created) made old.
  ExecuteSql(server(), org_["id"], "UPDATE events SET occurred_at = 1000 WHERE seq <= 3");
  // Pruning runs when the head passes a multiple of 512.
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 130; ++i) {
        std::string name = "r-" + std::to_string(t) + "-" + std::to_string(i);
        if (Call("POST", w + "/resources", Json{{"kind", "k"}, {"name", name}}).status != 201)
          ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_EQ(failures.load(), 0);
  auto events = AllEvents();
  ASSERT_EQ(events.size(), 520u);  // 523 written, the 3 old ones gone
  EXPECT_EQ(events.front()["sequence"], 4);
  EXPECT_EQ(events.back()["sequence"], 523);
  EXPECT_EQ(Call("GET", "/events/" + events.front()["id"].get<std::string>()).status, 200);
}

TEST_F(EventsTest, OperatorChangesReachTheLogThroughTheRunningServer) {
  auto suspend = RunCli({"org", "suspend", slug_}, server());
  ASSERT_EQ(suspend.exit_code, 0) << suspend.err;
  auto resume = RunCli({"org", "resume", slug_}, server());
  ASSERT_EQ(resume.exit_code, 0) << resume.err;
  // The CLI leaves its events in the outbox; the server's sweep (every second) relays them.
  std::vector<Json> events;
  for (int i = 0; i < 100; ++i) {
    events = AllEvents();
    if (events.size() >= 4) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ExpectGapless(events);
  ASSERT_EQ(Types(events),
            (std::vector<std::string>{"organization.created", "member.added",
                                      "organization.suspended", "organization.resumed"}));
  EXPECT_EQ(events[2]["data"]["status"], "suspended");
  EXPECT_EQ(events[3]["data"]["status"], "active");
  // A request's own change after them comes after them.
  ASSERT_EQ(Call("PATCH", "", Json{{"name", "Acme 3"}}).status, 200);
  EXPECT_EQ(Last(AllEvents(), "organization.updated")["sequence"], 5);
}

TEST_F(EventsTest, OneSweepRelaysTheOutboxRowsOfManyOrganizationsEachInOrder) {
  // Three organizations changed by another process between two sweeps: the sweep reads the
  // outbox oldest first across organizations and writes each one's log on its own.
  std::vector<std::string> slugs{slug_};
  for (int i = 0; i < 2; ++i) {
    slugs.push_back(UniqueSlug("acme"));
    CreateOrganization(client(), owner_.token, "Acme", slugs.back());
  }
  for (const auto& slug : slugs) {
    auto suspend = RunCli({"org", "suspend", slug}, server());
    ASSERT_EQ(suspend.exit_code, 0) << suspend.err;
  }
  for (const auto& slug : slugs) {
    auto resume = RunCli({"org", "resume", slug}, server());
    ASSERT_EQ(resume.exit_code, 0) << resume.err;
  }
  for (const auto& slug : slugs) {
    slug_ = slug;
    std::vector<Json> events;
    for (int i = 0; i < 100; ++i) {
      events = AllEvents();
      if (events.size() >= 4) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ExpectGapless(events);
    EXPECT_EQ(Types(events),
              (std::vector<std::string>{"organization.created", "member.added",
                                        "organization.suspended", "organization.resumed"}))
        << slug;
  }
}

}  // namespace
}  // namespace bulkhead::testing
