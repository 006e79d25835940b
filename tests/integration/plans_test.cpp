// Plans, features and limits over real HTTP: the plan is the owner's, features gate routes,
// limits come from the plan unless the organization's settings override them, and a limit
// refusal names the limit, its maximum and the current value.

#include <atomic>
#include <chrono>
#include <fstream>
#include <thread>

#include "integration/harness.hpp"

namespace bulkhead::testing {
namespace {

class PlansTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/bulkhead-plans-XXXXXX";
    dir_ = ::mkdtemp(pattern);
    std::ofstream(dir_ / "plans.json") << R"({
      "default_plan": "starter", "personal_plan": "solo",
      "plans": {
        "solo": {"limits": {"max_workspaces": 2}},
        "starter": {"limits": {"max_members": 2, "max_api_keys": 1}},
        "business": {"features": ["custom_domains"], "limits": {"max_members": 100}}
      }})";
    server_ = std::make_unique<ServerProcess>(
        std::vector<std::string>{"--plans", (dir_ / "plans.json").string()});
    owner_ = SignUp(client(), "Owner");
    slug_ = CreateOrganization(client(), owner_.token, "Acme", UniqueSlug("acme"))["slug"];
  }
  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(dir_);
  }
  HttpClient client() { return server_->client(); }
  std::string Org() { return "/api/v1/organizations/" + slug_; }

  std::filesystem::path dir_;
  std::unique_ptr<ServerProcess> server_;
  Account owner_;
  std::string slug_;
};

TEST_F(PlansTest, NewOrganizationsGetTheDefaultPlanAndItsEntitlements) {
  auto features = client().Request("GET", Org() + "/features", std::nullopt, Bearer(owner_.token));
  ASSERT_EQ(features.status, 200) << features.body;
  EXPECT_EQ(features.json["plan"], "starter");
  EXPECT_EQ(features.json["features"], Json::array());
  EXPECT_EQ(features.json["limits"]["max_members"], 2);
  std::string personal = owner_.personal_organization["slug"];
  auto solo = client().Request("GET", "/api/v1/organizations/" + personal + "/features", std::nullopt,
                               Bearer(owner_.token));
  EXPECT_EQ(solo.json["plan"], "solo");
}

TEST_F(PlansTest, AFeatureTheOrganizationLacksIsRefused) {
  auto r = client().Request("POST", Org() + "/domains", Json{{"hostname", "app.acme-plans.test"}},
                            Bearer(owner_.token));
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.Code(), "feature_not_enabled");
  ASSERT_EQ(client().Request("PUT", Org() + "/plan", Json{{"plan", "business"}}, Bearer(owner_.token)).status,
            200);
  EXPECT_EQ(client().Request("POST", Org() + "/domains", Json{{"hostname", "app.acme-plans.test"}},
                             Bearer(owner_.token)).status, 201);
}

TEST_F(PlansTest, OnlyTheOwnerChangesThePlanAndItIsAudited) {
  Account admin = SignUp(client(), "Admin");
  AddMember(client(), owner_.token, slug_, admin.user_id, "admin");
  auto denied = client().Request("PUT", Org() + "/plan", Json{{"plan", "business"}}, Bearer(admin.token));
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(denied.Code(), "forbidden");
  auto unknown = client().Request("PUT", Org() + "/plan", Json{{"plan", "platinum"}}, Bearer(owner_.token));
  EXPECT_EQ(unknown.status, 422);
  auto changed = client().Request("PUT", Org() + "/plan", Json{{"plan", "business"}}, Bearer(owner_.token));
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(changed.json["plan"], "business");
  auto audit = client().Request("GET", Org() + "/audit-log?action=organization.plan_changed", std::nullopt,
                                Bearer(owner_.token));
  ASSERT_EQ(audit.json["data"].size(), 1u);
  EXPECT_EQ(audit.json["data"][0]["details"], (Json{{"from", "starter"}, {"to", "business"}}));
  auto cli = RunCli({"org", "set-plan", slug_, "starter", "--plans", (dir_ / "plans.json").string()}, *server_);
  EXPECT_EQ(cli.exit_code, 0) << cli.err;
  EXPECT_TRUE([&] {
    for (int i = 0; i < 50; ++i) {
      auto f = client().Request("GET", Org() + "/features", std::nullopt, Bearer(owner_.token));
      if (f.json["plan"] == "starter") return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }());
}

TEST_F(PlansTest, TheBillingContactIsTheOwnersAndAudited) {
  Account admin = SignUp(client(), "Admin");
  AddMember(client(), owner_.token, slug_, admin.user_id, "admin");
  EXPECT_TRUE(client().Request("GET", Org(), std::nullopt, Bearer(owner_.token)).json["billing_email"].is_null());
  auto denied = client().Request("PATCH", Org(), Json{{"billing_email", "evil@example.com"}}, Bearer(admin.token));
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(denied.Code(), "forbidden");
  // Admins still update everything else.
  EXPECT_EQ(client().Request("PATCH", Org(), Json{{"name", "Acme Two"}}, Bearer(admin.token)).status, 200);
  auto bad = client().Request("PATCH", Org(), Json{{"billing_email", "not-an-email"}}, Bearer(owner_.token));
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(bad.json["errors"][0]["field"], "billing_email");
  EXPECT_EQ(client().Request("PATCH", Org(), Json{{"billing_email", 7}}, Bearer(owner_.token)).status, 422);
  auto set = client().Request("PATCH", Org(), Json{{"billing_email", "Invoices@Acme.example"}}, Bearer(owner_.token));
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(set.json["billing_email"], "invoices@acme.example");
  EXPECT_EQ(client().Request("GET", Org(), std::nullopt, Bearer(admin.token)).json["billing_email"],
            "invoices@acme.example");
  auto cleared = client().Request("PATCH", Org(), Json{{"billing_email", nullptr}}, Bearer(owner_.token));
  EXPECT_TRUE(cleared.json["billing_email"].is_null());
  auto audit = client().Request("GET", Org() + "/audit-log?action=organization.billing_contact_changed",
                                std::nullopt, Bearer(owner_.token));
  ASSERT_EQ(audit.json["data"].size(), 2u) << audit.body;
  EXPECT_EQ(audit.json["data"][0]["details"], (Json{{"from", "invoices@acme.example"}, {"to", nullptr}}));
  EXPECT_EQ(audit.json["data"][1]["details"], (Json{{"from", nullptr}, {"to", "invoices@acme.example"}}));
  EXPECT_EQ(audit.json["data"][1]["actor"]["id"], owner_.user_id);
}

TEST_F(PlansTest, PlanLimitsAreEnforcedAndNamedAndSettingsOverrideThem) {
  Account second = SignUp(client(), "Second");
  Account third = SignUp(client(), "Third");
  AddMember(client(), owner_.token, slug_, second.user_id, "member");
  auto over = client().Request("POST", Org() + "/members", Json{{"user_id", third.user_id}, {"role", "member"}},
                               Bearer(owner_.token));
  EXPECT_EQ(over.status, 409);
  EXPECT_EQ(over.Code(), "limit_reached");
  EXPECT_EQ(over.json["limit"], "max_members");
  EXPECT_EQ(over.json["maximum"], 2);
  EXPECT_EQ(over.json["current"], 2);

  ASSERT_EQ(client().Request("POST", Org() + "/api-keys", Json{{"name", "one"}, {"role", "member"}},
                             Bearer(owner_.token)).status, 201);
  auto keys = client().Request("POST", Org() + "/api-keys", Json{{"name", "two"}, {"role", "member"}},
                               Bearer(owner_.token));
  EXPECT_EQ(keys.json["limit"], "max_api_keys");

  ASSERT_EQ(client().Request("PATCH", Org(), Json{{"settings", {{"limits", {{"max_members", 3}}}}}},
                             Bearer(owner_.token)).status, 200);
  EXPECT_EQ(client().Request("POST", Org() + "/members", Json{{"user_id", third.user_id}, {"role", "member"}},
                             Bearer(owner_.token)).status, 201);
}

TEST_F(PlansTest, LoweringALimitBelowTheCurrentCountBlocksAdditionsAndDeletesNothing) {
  ASSERT_EQ(client().Request("PUT", Org() + "/plan", Json{{"plan", "business"}}, Bearer(owner_.token)).status, 200);
  std::vector<Account> members;
  for (int i = 0; i < 3; ++i) {
    members.push_back(SignUp(client(), "Member " + std::to_string(i)));
    AddMember(client(), owner_.token, slug_, members.back().user_id, "member");
  }
  for (const char* host : {"a.lower-limits.test", "b.lower-limits.test"}) {
    ASSERT_EQ(client().Request("POST", Org() + "/domains", Json{{"hostname", host}}, Bearer(owner_.token)).status, 201);
  }
  ASSERT_EQ(client().Request("PATCH", Org(), Json{{"settings", {{"limits", {{"max_members", 2}, {"max_custom_domains", 1}}}}}},
                             Bearer(owner_.token)).status, 200);
  auto listed = client().Request("GET", Org() + "/members", std::nullopt, Bearer(owner_.token));
  EXPECT_EQ(listed.json["data"].size(), 4u);
  EXPECT_EQ(client().Request("GET", Org(), std::nullopt, Bearer(members[2].token)).status, 200);
  auto domains = client().Request("GET", Org() + "/domains", std::nullopt, Bearer(owner_.token));
  EXPECT_EQ(domains.json["data"].size(), 3u) << domains.body;  // the subdomain and both custom domains

  Account late = SignUp(client(), "Late");
  auto over = client().Request("POST", Org() + "/members", Json{{"user_id", late.user_id}, {"role", "member"}},
                               Bearer(owner_.token));
  EXPECT_EQ(over.status, 409);
  EXPECT_EQ(over.json["limit"], "max_members");
  EXPECT_EQ(over.json["maximum"], 2);
  EXPECT_EQ(over.json["current"], 4);
  auto domain = client().Request("POST", Org() + "/domains", Json{{"hostname", "c.lower-limits.test"}},
                                 Bearer(owner_.token));
  EXPECT_EQ(domain.status, 409);
  EXPECT_EQ(domain.json["limit"], "max_custom_domains");
  EXPECT_EQ(domain.json["current"], 2);
  // Leaving makes room only once the count is under the limit again.
  ASSERT_EQ(client().Request("DELETE", Org() + "/members/" + members[0].user_id, std::nullopt,
                             Bearer(members[0].token)).status, 204);
  EXPECT_EQ(client().Request("POST", Org() + "/members", Json{{"user_id", late.user_id}, {"role", "member"}},
                             Bearer(owner_.token)).status, 409);
}

TEST_F(PlansTest, FiftyConcurrentAddsStopExactlyAtTheLimit) {
  ASSERT_EQ(client().Request("PUT", Org() + "/plan", Json{{"plan", "business"}}, Bearer(owner_.token)).status, 200);
  ASSERT_EQ(client().Request("PATCH", Org(), Json{{"settings", {{"limits", {{"max_members", 10}}}}}},
                             Bearer(owner_.token)).status, 200);
  std::vector<Account> candidates;
  for (int i = 0; i < 50; ++i) candidates.push_back(SignUp(client(), "Candidate " + std::to_string(i)));
  std::vector<std::thread> threads;
  std::atomic<int> added{0}, refused{0};
  for (const auto& candidate : candidates) {
    threads.emplace_back([&, id = candidate.user_id] {
      auto r = client().Request("POST", Org() + "/members", Json{{"user_id", id}, {"role", "member"}},
                                Bearer(owner_.token));
      if (r.status == 201) ++added;
      if (r.status == 409 && r.Code() == "limit_reached") ++refused;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(added.load(), 9);  // the owner is the tenth
  EXPECT_EQ(refused.load(), 41);
  auto members = client().Request("GET", Org() + "/members?limit=200", std::nullopt, Bearer(owner_.token));
  EXPECT_EQ(members.json["data"].size(), 10u);
}

TEST_F(PlansTest, AnOrganizationOverItsRequestBudgetIsLimitedAndOthersAreNot) {
  ASSERT_EQ(client().Request("PATCH", Org(), Json{{"settings", {{"limits", {{"requests_per_minute", 30}}}}}},
                             Bearer(owner_.token)).status, 200);
  std::string quiet = CreateOrganization(client(), owner_.token, "Quiet", UniqueSlug("quiet"))["slug"];
  int ok = 0, limited = 0, quiet_ok = 0;
  std::string retry_after;
  for (int i = 0; i < 60; ++i) {
    auto noisy = client().Request("GET", Org() + "/members", std::nullopt, Bearer(owner_.token));
    if (noisy.status == 200) ++ok;
    if (noisy.status == 429 && noisy.Code() == "rate_limited") {
      ++limited;
      retry_after = noisy.Header("retry-after");
    }
    auto other = client().Request("GET", "/api/v1/organizations/" + quiet + "/members", std::nullopt,
                                  Bearer(owner_.token));
    if (other.status == 200) ++quiet_ok;
  }
  // A minute's worth (30, plus what refilled during the loop), then refusals.
  EXPECT_GE(ok, 30);
  EXPECT_LE(ok, 40);
  EXPECT_EQ(ok + limited, 60);
  EXPECT_FALSE(retry_after.empty());
  EXPECT_GE(std::stoi(retry_after), 1);
  EXPECT_EQ(quiet_ok, 60);  // the neighbour was never limited
}

TEST_F(PlansTest, WhileOneOrganizationFloodsOverItsBudgetItsNeighbourIsServedInFull) {
  // Latency under a flood is measured by bench/noisy_neighbour.sh; this checks that every
  // neighbour request is answered, correctly, while the flooder is refused.
  ASSERT_EQ(client().Request("PATCH", Org(), Json{{"settings", {{"limits", {{"requests_per_minute", 60}}}}}},
                             Bearer(owner_.token)).status, 200);
  Account other = SignUp(client(), "Other");
  std::string quiet = CreateOrganization(client(), other.token, "Quiet", UniqueSlug("quiet"))["slug"];
  std::atomic<bool> stop{false};
  std::atomic<int> flood_ok{0}, flood_limited{0}, flood_other{0};
  std::vector<std::thread> flooders;
  for (int t = 0; t < 8; ++t) {
    flooders.emplace_back([&] {
      while (!stop) {
        auto r = client().Request("GET", Org() + "/members", std::nullopt, Bearer(owner_.token));
        if (r.status == 200) {
          ++flood_ok;
        } else if (r.status == 429 && r.Code() == "rate_limited" && !r.Header("retry-after").empty()) {
          ++flood_limited;
        } else {
          ++flood_other;
        }
      }
    });
  }
  int served = 0, wrong = 0;
  for (int i = 0; i < 200; ++i) {
    auto r = client().Request("POST", "/api/v1/organizations/" + quiet + "/workspaces",
                              Json{{"name", "w" + std::to_string(i)}}, Bearer(other.token));
    (r.status == 201 ? served : wrong) += 1;
  }
  stop = true;
  for (auto& t : flooders) t.join();
  EXPECT_EQ(served, 200);
  EXPECT_EQ(wrong, 0);
  EXPECT_LE(flood_ok.load(), 70);  // a minute's budget, plus what refilled meanwhile
  EXPECT_GT(flood_limited.load(), 200);
  EXPECT_EQ(flood_other.load(), 0);
  auto list = client().Request("GET", "/api/v1/organizations/" + quiet + "/workspaces?limit=200",
                               std::nullopt, Bearer(other.token));
  EXPECT_EQ(list.json["data"].size(), 200u);
}

TEST(PlansFile, AnInvalidPlansFileStopsTheServerAtStart) {
  char pattern[] = "/tmp/bulkhead-plans-XXXXXX";
  std::filesystem::path dir = ::mkdtemp(pattern);
  std::ofstream(dir / "plans.json") << R"({"default_plan": "x", "personal_plan": "x", "plans": {"x": {"limits": {"max_cats": 1}}}})";
  auto r = RunCli({"serve", "--listen", "127.0.0.1:0", "--data", (dir / "data").string(), "--plans",
                   (dir / "plans.json").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("max_cats"), std::string::npos) << r.err;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace bulkhead::testing
