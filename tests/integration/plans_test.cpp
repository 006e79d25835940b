// Plans, features and limits over real HTTP: the plan is the owner's, features gate routes,
// limits come from the plan (raised only by the operator's overrides, lowered by the
// organization's settings), and a limit refusal names the limit, its maximum and the current
// value. An owner can always reach the settings and billing routes, whatever the budget.

#include <algorithm>
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
        "business": {"features": ["custom_domains", "audit_log"], "limits": {"max_members": 100}}
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
  auto solo = client().Request("GET", "/api/v1/organizations/" + personal + "/features",
                               std::nullopt, Bearer(owner_.token));
  EXPECT_EQ(solo.json["plan"], "solo");
}

TEST_F(PlansTest, AFeatureTheOrganizationLacksIsRefused) {
  auto r = client().Request("POST", Org() + "/domains", Json{{"hostname", "app.acme-plans.test"}},
                            Bearer(owner_.token));
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.Code(), "feature_not_enabled");
  ASSERT_EQ(client()
                .Request("PUT", Org() + "/plan", Json{{"plan", "business"}}, Bearer(owner_.token))
                .status,
            200);
  EXPECT_EQ(client()
                .Request("POST", Org() + "/domains", Json{{"hostname", "app.acme-plans.test"}},
                         Bearer(owner_.token))
                .status,
            201);
}

TEST_F(PlansTest, OnlyTheOwnerChangesThePlanAndItIsAudited) {
  Account admin = SignUp(client(), "Admin");
  AddMember(client(), owner_.token, slug_, admin.user_id, "admin");
  auto denied =
      client().Request("PUT", Org() + "/plan", Json{{"plan", "business"}}, Bearer(admin.token));
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(denied.Code(), "forbidden");
  auto unknown =
      client().Request("PUT", Org() + "/plan", Json{{"plan", "platinum"}}, Bearer(owner_.token));
  EXPECT_EQ(unknown.status, 422);
  auto changed =
      client().Request("PUT", Org() + "/plan", Json{{"plan", "business"}}, Bearer(owner_.token));
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(changed.json["plan"], "business");
  auto audit = client().Request("GET", Org() + "/audit-log?action=organization.plan_changed",
                                std::nullopt, Bearer(owner_.token));
  ASSERT_EQ(audit.json["data"].size(), 1u);
  EXPECT_EQ(audit.json["data"][0]["details"], (Json{{"from", "starter"}, {"to", "business"}}));
  auto cli = RunCli(
      {"org", "set-plan", slug_, "starter", "--plans", (dir_ / "plans.json").string()}, *server_);
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
  EXPECT_TRUE(client()
                  .Request("GET", Org(), std::nullopt, Bearer(owner_.token))
                  .json["billing_email"]
                  .is_null());
  auto denied = client().Request("PATCH", Org(), Json{{"billing_email", "evil@example.com"}},
                                 Bearer(admin.token));
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(denied.Code(), "forbidden");
  // Admins still update everything else.
  EXPECT_EQ(
      client().Request("PATCH", Org(), Json{{"name", "Acme Two"}}, Bearer(admin.token)).status,
      200);
  auto bad = client().Request("PATCH", Org(), Json{{"billing_email", "not-an-email"}},
                              Bearer(owner_.token));
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(bad.json["errors"][0]["field"], "billing_email");
  EXPECT_EQ(
      client().Request("PATCH", Org(), Json{{"billing_email", 7}}, Bearer(owner_.token)).status,
      422);
  auto set = client().Request("PATCH", Org(), Json{{"billing_email", "Invoices@Acme.example"}},
                              Bearer(owner_.token));
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(set.json["billing_email"], "invoices@acme.example");
  EXPECT_EQ(client().Request("GET", Org(), std::nullopt, Bearer(admin.token)).json["billing_email"],
            "invoices@acme.example");
  auto cleared =
      client().Request("PATCH", Org(), Json{{"billing_email", nullptr}}, Bearer(owner_.token));
  EXPECT_TRUE(cleared.json["billing_email"].is_null());
  // Reading the log needs audit_log (on business here).
  ASSERT_EQ(client()
                .Request("PUT", Org() + "/plan", Json{{"plan", "business"}}, Bearer(owner_.token))
                .status,
            200);
  auto audit =
      client().Request("GET", Org() + "/audit-log?action=organization.billing_contact_changed",
                       std::nullopt, Bearer(owner_.token));
  ASSERT_EQ(audit.json["data"].size(), 2u) << audit.body;
  EXPECT_EQ(audit.json["data"][0]["details"],
            (Json{{"from", "invoices@acme.example"}, {"to", nullptr}}));
  EXPECT_EQ(audit.json["data"][1]["details"],
            (Json{{"from", nullptr}, {"to", "invoices@acme.example"}}));
  EXPECT_EQ(audit.json["data"][1]["actor"]["id"], owner_.user_id);
}

TEST_F(PlansTest, PlanLimitsAreEnforcedAndNamedAndOnlyTheOperatorRaisesThem) {
  Account second = SignUp(client(), "Second");
  Account third = SignUp(client(), "Third");
  AddMember(client(), owner_.token, slug_, second.user_id, "member");
  auto over =
      client().Request("POST", Org() + "/members",
                       Json{{"user_id", third.user_id}, {"role", "member"}}, Bearer(owner_.token));
  EXPECT_EQ(over.status, 409);
  EXPECT_EQ(over.Code(), "limit_reached");
  EXPECT_EQ(over.json["limit"], "max_members");
  EXPECT_EQ(over.json["maximum"], 2);
  EXPECT_EQ(over.json["current"], 2);

  ASSERT_EQ(client()
                .Request("POST", Org() + "/api-keys", Json{{"name", "one"}, {"role", "member"}},
                         Bearer(owner_.token))
                .status,
            201);
  auto keys = client().Request("POST", Org() + "/api-keys",
                               Json{{"name", "two"}, {"role", "member"}}, Bearer(owner_.token));
  EXPECT_EQ(keys.json["limit"], "max_api_keys");

  // The organization's own settings cannot raise a limit above its plan, even its owner's.
  auto raised = client().Request(
      "PATCH", Org(), Json{{"settings", {{"limits", {{"max_members", 3}}}}}}, Bearer(owner_.token));
  EXPECT_EQ(raised.status, 422) << raised.body;
  EXPECT_EQ(raised.Code(), "validation_failed");
  EXPECT_EQ(raised.json["errors"][0]["field"], "settings.limits.max_members");
  EXPECT_EQ(client()
                .Request("POST", Org() + "/members",
                         Json{{"user_id", third.user_id}, {"role", "member"}}, Bearer(owner_.token))
                .status,
            409);
  // The operator can.
  auto cli = RunCli({"org", "set-override", slug_, "--limit", "max_members=3"}, *server_);
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  EXPECT_EQ(client()
                .Request("POST", Org() + "/members",
                         Json{{"user_id", third.user_id}, {"role", "member"}}, Bearer(owner_.token))
                .status,
            201);
}

TEST_F(PlansTest, SettingsCannotGrantFeaturesOrLimitsAboveThePlanAndARefusalChangesNothing) {
  Account admin = SignUp(client(), "Admin");
  AddMember(client(), owner_.token, slug_, admin.user_id, "admin");
  auto before = client().Request("GET", Org(), std::nullopt, Bearer(owner_.token));
  for (const Json& settings :
       {Json{{"features", {"custom_domains"}}}, Json{{"features", {"sso"}}},
        Json{{"limits", {{"max_api_keys", 1000000000}}}},
        Json{{"limits", {{"max_members", 3}}}, {"branding", {{"display_name", "X"}}}}}) {
    auto r = client().Request("PATCH", Org(), Json{{"name", "Renamed"}, {"settings", settings}},
                              Bearer(admin.token));
    EXPECT_EQ(r.status, 422) << settings.dump() << " " << r.body;
    EXPECT_EQ(r.Code(), "validation_failed");
    EXPECT_EQ(r.Header("content-type"), "application/problem+json");
    std::string field = r.json["errors"][0]["field"];
    EXPECT_EQ(field.rfind("settings.", 0), 0u) << field;
  }
  EXPECT_EQ(client().Request("GET", Org(), std::nullopt, Bearer(owner_.token)).body, before.body);
  auto created = client().Request("POST", "/api/v1/organizations",
                                  Json{{"name", "Greedy"}, {"settings", {{"features", {"sso"}}}}},
                                  Bearer(admin.token));
  EXPECT_EQ(created.status, 422) << created.body;
  EXPECT_EQ(created.json["errors"][0]["field"], "settings.features");
  // Personal organizations too.
  std::string personal = owner_.personal_organization["slug"];
  auto solo = client().Request("PATCH", "/api/v1/organizations/" + personal,
                               Json{{"settings", {{"limits", {{"max_workspaces", 1000}}}}}},
                               Bearer(owner_.token));
  EXPECT_EQ(solo.status, 422) << solo.body;
  EXPECT_EQ(solo.json["errors"][0]["field"], "settings.limits.max_workspaces");
  // Lowering a limit, and the application's own flags (names no plan uses), are the tenant's.
  auto lowered = client().Request(
      "PATCH", Org(),
      Json{{"settings", {{"limits", {{"max_members", 1}}}, {"features", {"beta_ui"}}}}},
      Bearer(admin.token));
  ASSERT_EQ(lowered.status, 200) << lowered.body;
  auto features = client().Request("GET", Org() + "/features", std::nullopt, Bearer(owner_.token));
  EXPECT_EQ(features.json["limits"]["max_members"], 1);
  EXPECT_EQ(features.json["features"], Json({"beta_ui"}));
}

TEST_F(PlansTest, StoredSettingsAboveANewPlanReadAsThePlan) {
  ASSERT_EQ(client()
                .Request("PUT", Org() + "/plan", Json{{"plan", "business"}}, Bearer(owner_.token))
                .status,
            200);
  ASSERT_EQ(
      client()
          .Request("PATCH", Org(),
                   Json{{"settings",
                         {{"limits", {{"max_members", 50}}}, {"features", {"custom_domains"}}}}},
                   Bearer(owner_.token))
          .status,
      200);
  ASSERT_EQ(client()
                .Request("PUT", Org() + "/plan", Json{{"plan", "starter"}}, Bearer(owner_.token))
                .status,
            200);
  auto features = client().Request("GET", Org() + "/features", std::nullopt, Bearer(owner_.token));
  EXPECT_EQ(features.json["limits"]["max_members"], 2) << features.body;
  EXPECT_EQ(features.json["features"], Json::array()) << features.body;
  auto r = client().Request("POST", Org() + "/domains", Json{{"hostname", "app.stale-plans.test"}},
                            Bearer(owner_.token));
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.Code(), "feature_not_enabled");
  // An unrelated change still goes through: stored values are not checked again.
  EXPECT_EQ(
      client()
          .Request("PATCH", Org(), Json{{"settings", {{"branding", {{"display_name", "Acme"}}}}}},
                   Bearer(owner_.token))
          .status,
      200);
}

TEST_F(PlansTest, OperatorOverridesGrantAreShownAuditedAndCleared) {
  auto granted = RunCli({"org", "set-override", slug_, "--feature", "custom_domains"}, *server_);
  ASSERT_EQ(granted.exit_code, 0) << granted.err;
  ASSERT_EQ(RunCli({"org", "set-override", slug_, "--limit", "max_api_keys=5"}, *server_).exit_code,
            0);
  auto features = client().Request("GET", Org() + "/features", std::nullopt, Bearer(owner_.token));
  EXPECT_EQ(features.json["features"], Json({"custom_domains"})) << features.body;
  EXPECT_EQ(features.json["limits"]["max_api_keys"], 5);
  EXPECT_EQ(features.json["overrides"],
            (Json{{"features", {"custom_domains"}}, {"limits", {{"max_api_keys", 5}}}}));
  EXPECT_EQ(client()
                .Request("POST", Org() + "/domains", Json{{"hostname", "app.override-plans.test"}},
                         Bearer(owner_.token))
                .status,
            201);
  // Settings may now ask for up to the override, not above it.
  EXPECT_EQ(client()
                .Request("PATCH", Org(), Json{{"settings", {{"limits", {{"max_api_keys", 5}}}}}},
                         Bearer(owner_.token))
                .status,
            200);
  EXPECT_EQ(client()
                .Request("PATCH", Org(), Json{{"settings", {{"limits", {{"max_api_keys", 6}}}}}},
                         Bearer(owner_.token))
                .status,
            422);
  ASSERT_EQ(
      RunCli({"org", "clear-override", slug_, "--feature", "custom_domains"}, *server_).exit_code,
      0);
  auto r = client().Request("POST", Org() + "/domains",
                            Json{{"hostname", "app2.override-plans.test"}}, Bearer(owner_.token));
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.Code(), "feature_not_enabled");
  ASSERT_EQ(RunCli({"org", "clear-override", slug_, "--all"}, *server_).exit_code, 0);
  features = client().Request("GET", Org() + "/features", std::nullopt, Bearer(owner_.token));
  EXPECT_EQ(features.json["limits"]["max_api_keys"], 1);
  EXPECT_EQ(features.json["overrides"],
            (Json{{"features", Json::array()}, {"limits", Json::object()}}));
  // Unusable arguments change nothing and exit 2.
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"org", "set-override", slug_},
        {"org", "set-override", slug_, "--limit", "max_cats=3"},
        {"org", "set-override", slug_, "--limit", "max_members"},
        {"org", "set-override", slug_, "--limit", "max_members=lots"},
        {"org", "set-override", slug_, "--limit", "requests_per_minute=0"},
        {"org", "set-override", slug_, "--feature", "Bad Name"},
        {"org", "clear-override", slug_}}) {
    auto bad = RunCli(args, *server_);
    EXPECT_EQ(bad.exit_code, 2) << args.back() << ": " << bad.err;
  }
  auto unknown = RunCli({"org", "set-override", "no-such-org", "--feature", "sso"}, *server_);
  EXPECT_EQ(unknown.exit_code, 1);
  features = client().Request("GET", Org() + "/features", std::nullopt, Bearer(owner_.token));
  EXPECT_EQ(features.json["overrides"],
            (Json{{"features", Json::array()}, {"limits", Json::object()}}));

  // Reading the log needs audit_log (on business here).
  ASSERT_EQ(client()
                .Request("PUT", Org() + "/plan", Json{{"plan", "business"}}, Bearer(owner_.token))
                .status,
            200);
  auto audit = client().Request("GET", Org() + "/audit-log?action=organization.override_set",
                                std::nullopt, Bearer(owner_.token));
  ASSERT_EQ(audit.json["data"].size(), 2u) << audit.body;
  EXPECT_EQ(audit.json["data"][0]["details"]["limit"], "max_api_keys");
  EXPECT_EQ(audit.json["data"][0]["actor"]["type"], "system");
  auto cleared = client().Request("GET", Org() + "/audit-log?action=organization.override_cleared",
                                  std::nullopt, Bearer(owner_.token));
  EXPECT_EQ(cleared.json["data"].size(), 2u) << cleared.body;
}

TEST_F(PlansTest, ABudgetBelowTheMinimumIsRefused) {
  for (int rpm : {0, 1, 59}) {
    auto r = client().Request("PATCH", Org(),
                              Json{{"settings", {{"limits", {{"requests_per_minute", rpm}}}}}},
                              Bearer(owner_.token));
    EXPECT_EQ(r.status, 422) << rpm;
    EXPECT_EQ(r.Code(), "validation_failed");
    EXPECT_EQ(r.json["errors"][0]["field"], "settings.limits.requests_per_minute");
  }
  auto features = client().Request("GET", Org() + "/features", std::nullopt, Bearer(owner_.token));
  EXPECT_FALSE(features.json["limits"].contains("requests_per_minute")) << features.body;
}

// Spends the organization's budget: returns once a request is refused with 429.
bool Exhaust(const HttpClient& c, const std::string& org, const std::string& token) {
  for (int i = 0; i < 500; ++i) {
    if (c.Request("GET", org + "/members", std::nullopt, Bearer(token)).status == 429) return true;
  }
  return false;
}

TEST_F(PlansTest, AnOwnerLiftsAnExhaustedBudgetAndAdminsStayLimited) {
  Account admin = SignUp(client(), "Admin");
  AddMember(client(), owner_.token, slug_, admin.user_id, "admin");
  ASSERT_EQ(
      client()
          .Request("PATCH", Org(), Json{{"settings", {{"limits", {{"requests_per_minute", 60}}}}}},
                   Bearer(admin.token))
          .status,
      200);
  ASSERT_TRUE(Exhaust(client(), Org(), owner_.token));
  // The budget still holds for everything else, and for admins on the settings route.
  EXPECT_EQ(client().Request("GET", Org() + "/members", std::nullopt, Bearer(owner_.token)).status,
            429);
  auto admin_patch = client().Request(
      "PATCH", Org(), Json{{"settings", {{"limits", {{"requests_per_minute", 600}}}}}},
      Bearer(admin.token));
  EXPECT_EQ(admin_patch.status, 429);
  EXPECT_EQ(admin_patch.Code(), "rate_limited");
  // The owner reads what the plan gives and lifts the budget.
  EXPECT_EQ(client().Request("GET", Org() + "/features", std::nullopt, Bearer(owner_.token)).status,
            200);
  EXPECT_EQ(client()
                .Request("PUT", Org() + "/plan", Json{{"plan", "starter"}}, Bearer(owner_.token))
                .status,
            200);
  auto lifted = client().Request(
      "PATCH", Org(), Json{{"settings", {{"limits", {{"requests_per_minute", nullptr}}}}}},
      Bearer(owner_.token));
  ASSERT_EQ(lifted.status, 200) << lifted.body;
  EXPECT_EQ(client().Request("GET", Org() + "/members", std::nullopt, Bearer(owner_.token)).status,
            200);
}

TEST_F(PlansTest, TheOperatorClearsABudgetOverrideWhileItIsExhausted) {
  ASSERT_EQ(RunCli({"org", "set-override", slug_, "--limit", "requests_per_minute=60"}, *server_)
                .exit_code,
            0);
  ASSERT_TRUE(Exhaust(client(), Org(), owner_.token));
  ASSERT_EQ(RunCli({"org", "clear-override", slug_, "--limit", "requests_per_minute"}, *server_)
                .exit_code,
            0);
  for (int i = 0; i < 100; ++i) {
    ASSERT_EQ(
        client().Request("GET", Org() + "/members", std::nullopt, Bearer(owner_.token)).status, 200)
        << i;
  }
}

TEST_F(PlansTest, LoweringALimitBelowTheCurrentCountBlocksAdditionsAndDeletesNothing) {
  ASSERT_EQ(client()
                .Request("PUT", Org() + "/plan", Json{{"plan", "business"}}, Bearer(owner_.token))
                .status,
            200);
  std::vector<Account> members;
  for (int i = 0; i < 3; ++i) {
    members.push_back(SignUp(client(), "Member " + std::to_string(i)));
    AddMember(client(), owner_.token, slug_, members.back().user_id, "member");
  }
  for (const char* host : {"a.lower-limits.test", "b.lower-limits.test"}) {
    ASSERT_EQ(
        client()
            .Request("POST", Org() + "/domains", Json{{"hostname", host}}, Bearer(owner_.token))
            .status,
        201);
  }
  ASSERT_EQ(client()
                .Request("PATCH", Org(),
                         Json{{"settings",
                               {{"limits", {{"max_members", 2}, {"max_custom_domains", 1}}}}}},
                         Bearer(owner_.token))
                .status,
            200);
  auto listed = client().Request("GET", Org() + "/members", std::nullopt, Bearer(owner_.token));
  EXPECT_EQ(listed.json["data"].size(), 4u);
  EXPECT_EQ(client().Request("GET", Org(), std::nullopt, Bearer(members[2].token)).status, 200);
  auto domains = client().Request("GET", Org() + "/domains", std::nullopt, Bearer(owner_.token));
  EXPECT_EQ(domains.json["data"].size(), 3u)
      << domains.body;  // the subdomain and both custom domains

  Account late = SignUp(client(), "Late");
  auto over =
      client().Request("POST", Org() + "/members",
                       Json{{"user_id", late.user_id}, {"role", "member"}}, Bearer(owner_.token));
  EXPECT_EQ(over.status, 409);
  EXPECT_EQ(over.json["limit"], "max_members");
  EXPECT_EQ(over.json["maximum"], 2);
  EXPECT_EQ(over.json["current"], 4);
  auto domain = client().Request("POST", Org() + "/domains",
                                 Json{{"hostname", "c.lower-limits.test"}}, Bearer(owner_.token));
  EXPECT_EQ(domain.status, 409);
  EXPECT_EQ(domain.json["limit"], "max_custom_domains");
  EXPECT_EQ(domain.json["current"], 2);
  // Leaving makes room only once the count is under the limit again.
  ASSERT_EQ(client()
                .Request("DELETE", Org() + "/members/" + members[0].user_id, std::nullopt,
                         Bearer(members[0].token))
                .status,
            204);
  EXPECT_EQ(client()
                .Request("POST", Org() + "/members",
                         Json{{"user_id", late.user_id}, {"role", "member"}}, Bearer(owner_.token))
                .status,
            409);
}

TEST_F(PlansTest, FiftyConcurrentAddsStopExactlyAtTheLimit) {
  ASSERT_EQ(client()
                .Request("PUT", Org() + "/plan", Json{{"plan", "business"}}, Bearer(owner_.token))
                .status,
            200);
  ASSERT_EQ(client()
                .Request("PATCH", Org(), Json{{"settings", {{"limits", {{"max_members", 10}}}}}},
                         Bearer(owner_.token))
                .status,
            200);
  std::vector<Account> candidates;
  for (int i = 0; i < 50; ++i)
    candidates.push_back(SignUp(client(), "Candidate " + std::to_string(i)));
  std::vector<std::thread> threads;
  std::atomic<int> added{0}, refused{0};
  for (const auto& candidate : candidates) {
    threads.emplace_back([&, id = candidate.user_id] {
      auto r = client().Request("POST", Org() + "/members",
                                Json{{"user_id", id}, {"role", "member"}}, Bearer(owner_.token));
      if (r.status == 201) ++added;
      if (r.status == 409 && r.Code() == "limit_reached") ++refused;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(added.load(), 9);  // the owner is the tenth
  EXPECT_EQ(refused.load(), 41);
  auto members =
      client().Request("GET", Org() + "/members?limit=200", std::nullopt, Bearer(owner_.token));
  EXPECT_EQ(members.json["data"].size(), 10u);
}

TEST_F(PlansTest, AnOrganizationOverItsRequestBudgetIsLimitedAndOthersAreNot) {
  ASSERT_EQ(
      client()
          .Request("PATCH", Org(), Json{{"settings", {{"limits", {{"requests_per_minute", 60}}}}}},
                   Bearer(owner_.token))
          .status,
      200);
  std::string quiet =
      CreateOrganization(client(), owner_.token, "Quiet", UniqueSlug("quiet"))["slug"];
  int ok = 0, limited = 0, quiet_ok = 0;
  std::string retry_after;
  for (int i = 0; i < 120; ++i) {
    auto noisy = client().Request("GET", Org() + "/members", std::nullopt, Bearer(owner_.token));
    if (noisy.status == 200) ++ok;
    if (noisy.status == 429 && noisy.Code() == "rate_limited") {
      ++limited;
      retry_after = noisy.Header("retry-after");
    }
    auto other = client().Request("GET", "/api/v1/organizations/" + quiet + "/members",
                                  std::nullopt, Bearer(owner_.token));
    if (other.status == 200) ++quiet_ok;
  }
  // A minute's worth (60, the least budget there is, plus what refilled during the loop), then
  // refusals.
  EXPECT_GE(ok, 60);
  EXPECT_LE(ok, 75);
  EXPECT_EQ(ok + limited, 120);
  EXPECT_FALSE(retry_after.empty());
  EXPECT_GE(std::stoi(retry_after), 1);
  EXPECT_EQ(quiet_ok, 120);  // the neighbour was never limited
}

TEST_F(PlansTest, WhileOneOrganizationFloodsOverItsBudgetItsNeighbourIsServedInFull) {
  // Latency under a flood is measured by bench/noisy_neighbour.sh; this checks that every
  // neighbour request is answered, correctly, while the flooder is refused.
  ASSERT_EQ(
      client()
          .Request("PATCH", Org(), Json{{"settings", {{"limits", {{"requests_per_minute", 60}}}}}},
                   Bearer(owner_.token))
          .status,
      200);
  Account other = SignUp(client(), "Other");
  std::string quiet =
      CreateOrganization(client(), other.token, "Quiet", UniqueSlug("quiet"))["slug"];
  std::atomic<bool> stop{false};
  std::atomic<int> flood_ok{0}, flood_limited{0}, flood_other{0};
  std::vector<std::thread> flooders;
  for (int t = 0; t < 8; ++t) {
    flooders.emplace_back([&] {
      while (!stop) {
        auto r = client().Request("GET", Org() + "/members", std::nullopt, Bearer(owner_.token));
        if (r.status == 200) {
          ++flood_ok;
        } else if (r.status == 429 && r.Code() == "rate_limited" &&
                   !r.Header("retry-after").empty()) {
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

// Organizations per account: a limit on owned team organizations and a creation rate, both
// set by the operator (here small, to reach them).
class OrganizationLimitsTest : public ::testing::Test {
 protected:
  void Start(std::vector<std::string> flags) {
    server_ = std::make_unique<ServerProcess>(std::move(flags));
    owner_ = SignUp(client(), "Owner");
  }
  HttpClient client() { return server_->client(); }
  HttpResponse Create(const Account& who, const std::string& slug) {
    return client().Request("POST", "/api/v1/organizations", Json{{"name", "Org"}, {"slug", slug}},
                            Bearer(who.token));
  }
  size_t Owned(const Account& who) {
    return client()
        .Request("GET", "/api/v1/user/organizations", std::nullopt, Bearer(who.token))
        .json["data"]
        .size();
  }
  std::unique_ptr<ServerProcess> server_;
  Account owner_;
};

TEST_F(OrganizationLimitsTest, AnAccountOwnsAtMostTheOperatorsNumberOfTeamOrganizations) {
  Start({"--max-organizations-per-user", "2", "--organization-creation-rate", "0"});
  std::string first = UniqueSlug("first");
  ASSERT_EQ(Create(owner_, first).status, 201);
  ASSERT_EQ(Create(owner_, UniqueSlug("second")).status, 201);  // the personal one is not counted
  std::string third = UniqueSlug("third");
  auto over = Create(owner_, third);
  EXPECT_EQ(over.status, 409) << over.body;
  EXPECT_EQ(over.Code(), "limit_reached");
  EXPECT_EQ(over.Header("content-type"), "application/problem+json");
  EXPECT_EQ(over.json["limit"], "max_organizations_per_user");
  EXPECT_EQ(over.json["maximum"], 2);
  EXPECT_EQ(over.json["current"], 2);
  // Nothing was made: no membership, no slug, no tenant database.
  EXPECT_EQ(Owned(owner_), 3u);
  Account other = SignUp(client(), "Other");
  EXPECT_EQ(Create(other, third).status, 201);  // the slug is free, and others have their own count
  if (!server_->OnPostgresStorage()) {
    std::size_t tenants = 0;
    for (const auto& e : std::filesystem::directory_iterator(server_->data_dir() / "tenants")) {
      tenants += e.path().extension() == ".db";
    }
    EXPECT_EQ(tenants, 5u);  // two personal, three team
  }
  // Deleting one makes room again.
  ASSERT_EQ(client()
                .Request("DELETE", "/api/v1/organizations/" + first, Json{{"confirm", first}},
                         Bearer(owner_.token))
                .status,
            204);
  EXPECT_EQ(Create(owner_, UniqueSlug("again")).status, 201);
}

TEST_F(OrganizationLimitsTest, AnAccountCreatesOrganizationsAtMostAtTheOperatorsRate) {
  Start({"--organization-creation-rate", "3", "--max-organizations-per-user", "0"});
  for (int i = 0; i < 3; ++i) ASSERT_EQ(Create(owner_, UniqueSlug("fast")).status, 201) << i;
  auto limited = Create(owner_, UniqueSlug("fast"));
  EXPECT_EQ(limited.status, 429) << limited.body;
  EXPECT_EQ(limited.Code(), "rate_limited");
  EXPECT_EQ(limited.Header("content-type"), "application/problem+json");
  ASSERT_FALSE(limited.Header("retry-after").empty());
  EXPECT_GE(std::stoi(limited.Header("retry-after")), 1);
  EXPECT_EQ(Owned(owner_), 4u);  // personal and three
  Account other = SignUp(client(), "Other");
  EXPECT_EQ(Create(other, UniqueSlug("calm")).status, 201);
}

TEST(PlansFile, AnInvalidPlansFileStopsTheServerAtStart) {
  char pattern[] = "/tmp/bulkhead-plans-XXXXXX";
  std::filesystem::path dir = ::mkdtemp(pattern);
  std::ofstream(dir / "plans.json")
      << R"({"default_plan": "x", "personal_plan": "x", "plans": {"x": {"limits": {"max_cats": 1}}}})";
  auto r = RunCli({"serve", "--listen", "127.0.0.1:0", "--data", (dir / "data").string(), "--plans",
                   (dir / "plans.json").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("max_cats"), std::string::npos) << r.err;
  std::filesystem::remove_all(dir);
}

// The built-in plans: `audit_log` is on team and enterprise, not free. A free (personal)
// organization's log is kept all the same, so moving to team shows its whole history.
class BuiltInPlansTest : public ServerTest<BuiltInPlansTest> {};

TEST_F(BuiltInPlansTest, TheAuditLogNeedsAPlanWithAuditLog) {
  auto c = client();
  auto owner = SignUp(c, "Owner");
  std::string personal =
      "/api/v1/organizations/" + owner.personal_organization["slug"].get<std::string>();
  auto features = c.Request("GET", personal + "/features", std::nullopt, Bearer(owner.token));
  ASSERT_EQ(features.status, 200);
  EXPECT_EQ(features.json["plan"], "free");
  auto refused = c.Request("GET", personal + "/audit-log", std::nullopt, Bearer(owner.token));
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(refused.Code(), "feature_not_enabled");

  ASSERT_EQ(
      c.Request("PUT", personal + "/plan", Json{{"plan", "team"}}, Bearer(owner.token)).status,
      200);
  auto log = c.Request("GET", personal + "/audit-log", std::nullopt, Bearer(owner.token));
  ASSERT_EQ(log.status, 200);
  std::vector<std::string> actions;
  for (const auto& e : log.json["data"]) actions.push_back(e["action"]);
  EXPECT_NE(std::find(actions.begin(), actions.end(), "organization.created"), actions.end());
  EXPECT_NE(std::find(actions.begin(), actions.end(), "organization.plan_changed"), actions.end());

  // Back on free, the log is refused again; a team organization reads its own at once.
  ASSERT_EQ(
      c.Request("PUT", personal + "/plan", Json{{"plan", "free"}}, Bearer(owner.token)).status,
      200);
  EXPECT_EQ(c.Request("GET", personal + "/audit-log", std::nullopt, Bearer(owner.token)).Code(),
            "feature_not_enabled");
  auto team = CreateOrganization(c, owner.token, "Acme", UniqueSlug("acme"));
  EXPECT_EQ(
      c.Request("GET", "/api/v1/organizations/" + team["slug"].get<std::string>() + "/audit-log",
                std::nullopt, Bearer(owner.token))
          .status,
      200);
}

}  // namespace
}  // namespace bulkhead::testing
