// Usage metering over real HTTP: the figures of GET …/usage and `bulkhead usage export` match
// the requests made, counts survive a clean restart, strangers cannot run up an
// organization's usage, and /metrics carries no per-organization label.

#include <chrono>
#include <ctime>
#include <sstream>
#include <thread>

#include "integration/harness.hpp"

namespace bulkhead::testing {
namespace {

std::string Today() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  ::gmtime_r(&now, &utc);
  char out[16];
  std::strftime(out, sizeof out, "%Y-%m-%d", &utc);
  return out;
}

class UsageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ =
        std::make_unique<ServerProcess>(std::vector<std::string>{"--usage-flush-interval", "1"});
    owner_ = SignUp(client(), "Owner");
    auto org = CreateOrganization(client(), owner_.token, "Acme", UniqueSlug("acme"));
    slug_ = org["slug"];
    id_ = org["id"];
  }
  HttpClient client() { return server_->client(); }
  std::string Org() { return "/api/v1/organizations/" + slug_; }
  HttpResponse Usage(const std::string& query = "") {
    return client().Request("GET", Org() + "/usage" + query, std::nullopt, Bearer(owner_.token));
  }
  // Today's line of `bulkhead usage export` for this organization, once it shows `requests`.
  std::string ExportLine(int64_t requests) {
    std::string line;
    for (int attempt = 0; attempt < 100; ++attempt) {
      auto r = RunCli({"usage", "export", "--from", Today(), "--to", Today()}, *server_);
      EXPECT_EQ(r.exit_code, 0) << r.err;
      std::istringstream lines(r.out);
      while (std::getline(lines, line)) {
        if (line.rfind(id_ + ",", 0) == 0 &&
            line.find("," + Today() + "," + std::to_string(requests) + ",") != std::string::npos) {
          return line;
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return "";
  }

  std::unique_ptr<ServerProcess> server_;
  Account owner_;
  std::string slug_, id_;
};

TEST_F(UsageTest, FiguresMatchTheRequestsMade) {
  // Creating the organization was its first request and write.
  std::vector<std::string> workspaces;
  for (const char* name : {"Production", "Staging"}) {
    auto w =
        client().Request("POST", Org() + "/workspaces", Json{{"name", name}}, Bearer(owner_.token));
    ASSERT_EQ(w.status, 201) << w.body;
    workspaces.push_back(w.json["id"]);
  }
  for (int i = 0; i < 3; ++i) {
    auto r = client().Request("POST", Org() + "/workspaces/" + workspaces[0] + "/resources",
                              Json{{"kind", "monitor"},
                                   {"name", "m" + std::to_string(i)},
                                   {"spec", {{"url", std::string(2000, 'x')}}}},
                              Bearer(owner_.token));
    ASSERT_EQ(r.status, 201) << r.body;
  }
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(
        client().Request("GET", Org() + "/members", std::nullopt, Bearer(owner_.token)).status,
        200);
  }
  // A refused write is a request, not a write.
  ASSERT_EQ(client()
                .Request("POST", Org() + "/workspaces", Json{{"name", ""}}, Bearer(owner_.token))
                .status,
            422);
  Account bob = SignUp(client(), "Bob");
  AddMember(client(), owner_.token, slug_, bob.user_id, "member");
  // Strangers are not counted: they never reach the organization.
  Account stranger = SignUp(client(), "Stranger");
  for (int i = 0; i < 4; ++i) {
    ASSERT_EQ(
        client().Request("GET", Org() + "/members", std::nullopt, Bearer(stranger.token)).status,
        404);
  }
  // 1 creation + 2 workspaces + 3 resources + 5 reads + 1 refused + 1 member = 13; 7 writes.
  auto usage = Usage("?from=" + Today() + "&to=" + Today());
  ASSERT_EQ(usage.status, 200) << usage.body;
  ASSERT_EQ(usage.json["data"].size(), 1u);
  const Json& today = usage.json["data"][0];
  EXPECT_EQ(today["date"], Today());
  EXPECT_EQ(today["requests"], 13) << usage.body;
  EXPECT_EQ(today["writes"], 7);
  EXPECT_EQ(today["members"], 2);
  EXPECT_EQ(today["workspaces"], 2);
  EXPECT_EQ(today["resources"], 3);
  EXPECT_GT(today["stored_bytes"].get<int64_t>(), 6000);
  EXPECT_EQ(usage.json["totals"], (Json{{"requests", 13}, {"writes", 7}}));
  EXPECT_EQ(usage.json["organization_id"], id_);

  // Billing systems read the same figures once flushed; the usage read above is the 14th.
  std::string line = ExportLine(14);
  ASSERT_FALSE(line.empty()) << "no flushed export line with 14 requests";
  EXPECT_NE(line.find("," + slug_ + "," + Today() + ",14,7,2,2,3,"), std::string::npos) << line;
  auto json =
      RunCli({"usage", "export", "--from", Today(), "--to", Today(), "--format", "json"}, *server_);
  ASSERT_EQ(json.exit_code, 0) << json.err;
  bool found = false;
  for (const auto& row : Json::parse(json.out)) {
    if (row["organization_id"] != id_) continue;
    found = true;
    EXPECT_EQ(row["slug"], slug_);
    EXPECT_EQ(row["requests"], 14);
    EXPECT_EQ(row["writes"], 7);
    EXPECT_EQ(row["resources"], 3);
  }
  EXPECT_TRUE(found) << json.out;
}

TEST_F(UsageTest, EveryReadCountsEachRequestExactlyOnceWhileFlushesRun) {
  // Flushes run every second while this reads; each read must see every earlier request once:
  // none lost while a flush is writing it, none counted both pending and flushed.
  int64_t made = 1;  // creating the organization
  auto started = std::chrono::steady_clock::now();
  int reads = 0;
  while (std::chrono::steady_clock::now() - started < std::chrono::seconds(4)) {
    for (int i = 0; i < 3; ++i) {
      ASSERT_EQ(client().Request("GET", Org(), std::nullopt, Bearer(owner_.token)).status, 200);
      ++made;
    }
    auto usage = Usage("?from=" + Today() + "&to=" + Today());
    ASSERT_EQ(usage.status, 200);
    ASSERT_EQ(usage.json["data"][0]["requests"], made) << "read " << reads;
    ++made;  // the read itself, counted after it answered
    ++reads;
  }
  EXPECT_GT(reads, 10);
}

TEST_F(UsageTest, ADefaultPeriodIsTheLastThirtyDaysAndBadPeriodsAreRefused) {
  auto usage = Usage();
  ASSERT_EQ(usage.status, 200) << usage.body;
  ASSERT_EQ(usage.json["data"].size(), 30u);
  EXPECT_EQ(usage.json["to"], Today());
  EXPECT_EQ(usage.json["data"][29]["date"], Today());
  EXPECT_EQ(usage.json["data"][0]["requests"], 0);
  for (const char* query : {"?from=2026-13-01", "?to=yesterday", "?from=2026-11-10&to=2026-11-01",
                            "?from=2024-01-01&to=2026-01-01", "?from=%zz"}) {
    auto bad = Usage(query);
    EXPECT_EQ(bad.status, 422) << query << " " << bad.body;
    EXPECT_EQ(bad.Code(), "validation_failed") << query;
  }
  auto cli = RunCli({"usage", "export", "--from", "2026-11-10", "--to", "2026-11-01"}, *server_);
  EXPECT_EQ(cli.exit_code, 2);
  cli = RunCli({"usage", "export", "--from", "2026-11-01", "--to", "2026-11-10", "--format", "xml"},
               *server_);
  EXPECT_EQ(cli.exit_code, 2);
}

TEST_F(UsageTest, UsageIsForAdminsAndOwners) {
  Account admin = SignUp(client(), "Admin");
  Account member = SignUp(client(), "Member");
  AddMember(client(), owner_.token, slug_, admin.user_id, "admin");
  AddMember(client(), owner_.token, slug_, member.user_id, "member");
  EXPECT_EQ(client().Request("GET", Org() + "/usage", std::nullopt, Bearer(admin.token)).status,
            200);
  auto denied = client().Request("GET", Org() + "/usage", std::nullopt, Bearer(member.token));
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(denied.Code(), "forbidden");
}

TEST_F(UsageTest, RateLimitedRequestsAreNotCounted) {
  ASSERT_EQ(
      client()
          .Request("PATCH", Org(), Json{{"settings", {{"limits", {{"requests_per_minute", 60}}}}}},
                   Bearer(owner_.token))
          .status,
      200);
  int ok = 0;
  for (int i = 0; i < 90; ++i) {
    if (client().Request("GET", Org() + "/members", std::nullopt, Bearer(owner_.token)).status ==
        200)
      ++ok;
  }
  ASSERT_LT(ok, 90);
  // The organization is still over its budget, so read the flushed figures as billing does:
  // creation + the PATCH + the admitted reads, and not one of the refused.
  EXPECT_FALSE(ExportLine(2 + ok).empty()) << ok << " admitted";
}

TEST_F(UsageTest, ACleanStopFlushesWhatWasCounted) {
  // A long interval: only the flush at stop can have written these.
  server_ =
      std::make_unique<ServerProcess>(std::vector<std::string>{"--usage-flush-interval", "3600"});
  owner_ = SignUp(client(), "Owner");
  auto org = CreateOrganization(client(), owner_.token, "Acme", UniqueSlug("acme"));
  slug_ = org["slug"];
  id_ = org["id"];
  for (int i = 0; i < 4; ++i) {
    ASSERT_EQ(client().Request("GET", Org(), std::nullopt, Bearer(owner_.token)).status, 200);
  }
  EXPECT_EQ(server_->Stop(), 0);
  auto r = RunCli({"usage", "export", "--from", Today(), "--to", Today()}, *server_);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find(id_ + "," + slug_ + "," + Today() + ",5,1,1,0,0,"), std::string::npos)
      << r.out;
  server_->Start();
  auto usage = Usage("?from=" + Today() + "&to=" + Today());
  EXPECT_EQ(usage.json["data"][0]["requests"], 5) << usage.body;
}

TEST_F(UsageTest, MetricsHaveNoPerOrganizationLabels) {
  for (int i = 0; i < 3; ++i) client().Request("GET", Org(), std::nullopt, Bearer(owner_.token));
  auto metrics = client().Request("GET", "/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.Header("content-type").find("text/plain"), std::string::npos);
  EXPECT_NE(metrics.body.find("bulkhead_http_requests_total{method=\"GET\",route=\"/api/v1/"
                              "organizations/{org}\",code=\"200\"} 3\n"),
            std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find("bulkhead_organizations{type=\"team\",status=\"active\"}"),
            std::string::npos);
  EXPECT_NE(metrics.body.find("process_resident_memory_bytes "), std::string::npos);
  EXPECT_EQ(metrics.body.find(slug_), std::string::npos);
  EXPECT_EQ(metrics.body.find(id_), std::string::npos);
  // Every sample line is `name{labels} value` or `name value`.
  std::istringstream lines(metrics.body);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == '#') continue;
    auto space = line.rfind(' ');
    ASSERT_NE(space, std::string::npos) << line;
    EXPECT_NO_THROW((void)std::stod(line.substr(space + 1))) << line;
  }
}

}  // namespace
}  // namespace bulkhead::testing
