// Tenant resolution over real HTTP: Host subdomains, X-Organization, the path, conflicts,
// slug renames, suspension from the CLI while the server runs, and the routing log.

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "integration/harness.hpp"

namespace bulkhead::testing {
namespace {

class TenancyTest : public ServerTest<TenancyTest> {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    owner_ = SignUp(client(), "Owner");
    org_ = CreateOrganization(client(), owner_.token, "Acme", UniqueSlug("acme"));
    slug_ = org_["slug"];
    id_ = org_["id"];
  }
  HttpResponse GetOrg(const Headers& headers, const std::string& path = "/api/v1/org") {
    return client().Request("GET", path, std::nullopt, headers);
  }
  Headers As(const Account& a, Headers more = {}) { return Bearer(a.token, std::move(more)); }

  Account owner_;
  Json org_;
  std::string slug_, id_;
};

TEST_F(TenancyTest, HostSubdomainNamesTheOrganizationIgnoringPortCaseAndTrailingDot) {
  for (const std::string& host :
       {slug_ + ".localhost", slug_ + ".localhost:8080", slug_ + ".LOCALHOST."}) {
    auto r = GetOrg(As(owner_, {{"Host", host}}));
    EXPECT_EQ(r.status, 200) << host << ": " << r.body;
    EXPECT_EQ(r.json["id"], id_) << host;
  }
  std::string upper = slug_;
  for (auto& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  EXPECT_EQ(GetOrg(As(owner_, {{"Host", upper + ".Localhost"}})).status, 200);
}

TEST_F(TenancyTest, HeaderNamesTheOrganizationByIdOrSlug) {
  for (const auto& ref : {slug_, id_}) {
    auto r = GetOrg(As(owner_, {{"X-Organization", ref}}));
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json["id"], id_);
  }
}

TEST_F(TenancyTest, NoSignalIsTenantRequired) {
  for (const std::string& host :
       {std::string("localhost"), std::string("localhost:8080"), std::string("127.0.0.1:8080"),
        std::string("www.localhost"), std::string("unknown-host.example")}) {
    auto r = GetOrg(As(owner_, {{"Host", host}}));
    EXPECT_EQ(r.status, 400) << host;
    EXPECT_EQ(r.Code(), "tenant_required") << host;
    EXPECT_EQ(r.Header("content-type"), "application/problem+json");
  }
}

TEST_F(TenancyTest, SignalsThatDisagreeAreAConflict) {
  auto other = CreateOrganization(client(), owner_.token, "Other", UniqueSlug("other"));
  std::string other_slug = other["slug"];
  struct Attempt {
    std::string path;
    Headers headers;
  };
  std::vector<Attempt> attempts = {
      {"/api/v1/organizations/" + slug_, {{"X-Organization", other_slug}}},
      {"/api/v1/organizations/" + slug_, {{"Host", other_slug + ".localhost"}}},
      {"/api/v1/org", {{"Host", slug_ + ".localhost"}, {"X-Organization", other_slug}}},
      {"/api/v1/org", {{"Host", slug_ + ".localhost"}, {"X-Organization", other["id"]}}},
  };
  for (const auto& a : attempts) {
    auto r = GetOrg(As(owner_, a.headers), a.path);
    EXPECT_EQ(r.status, 400) << a.path << ": " << r.body;
    EXPECT_EQ(r.Code(), "tenant_conflict");
  }
  // The same organization named three ways agrees.
  auto r = GetOrg(As(owner_, {{"Host", slug_ + ".localhost"}, {"X-Organization", id_}}),
                  "/api/v1/organizations/" + slug_);
  EXPECT_EQ(r.status, 200) << r.body;
}

// A conflict is only ever between organizations the caller belongs to: naming one it cannot
// see, next to its own, is 404 exactly as naming one that does not exist (else 400 versus 404
// tells a stranger which organizations exist).
TEST_F(TenancyTest, NamingAnOrganizationOneCannotSeeNextToOnesOwnIsNotFoundNotAConflict) {
  Account stranger = SignUp(client(), "Stranger");
  std::string own = CreateOrganization(client(), stranger.token, "Own", UniqueSlug("own"))["slug"];
  auto key = client().Request("POST", "/api/v1/organizations/" + own + "/api-keys",
                              Json{{"name", "probe"}, {"role", "owner"}}, As(stranger));
  ASSERT_EQ(key.status, 201) << key.body;
  std::string nobody = UniqueSlug("nobody");
  std::string nobody_id = "01900000-0000-7000-8000-000000000000";
  auto at = [](const std::string& org) { return "/api/v1/organizations/" + org; };
  // The same request naming Acme (which exists) and naming nothing.
  struct Probe {
    std::string existing_path;
    Headers existing;
    std::string missing_path;
    Headers missing;
  };
  std::vector<Probe> probes = {
      {at(own), {{"X-Organization", slug_}}, at(own), {{"X-Organization", nobody}}},
      {at(own), {{"X-Organization", id_}}, at(own), {{"X-Organization", nobody_id}}},
      {at(own), {{"Host", slug_ + ".localhost"}}, at(own), {{"Host", nobody + ".localhost"}}},
      {at(slug_), {{"X-Organization", own}}, at(nobody), {{"X-Organization", own}}},
      {at(id_), {{"Host", own + ".localhost"}}, at(nobody_id), {{"Host", own + ".localhost"}}},
      {"/api/v1/org",
       {{"Host", own + ".localhost"}, {"X-Organization", slug_}},
       "/api/v1/org",
       {{"Host", own + ".localhost"}, {"X-Organization", nobody}}},
      {"/api/v1/org",
       {{"Host", slug_ + ".localhost"}, {"X-Organization", own}},
       "/api/v1/org",
       {{"Host", nobody + ".localhost"}, {"X-Organization", own}}},
  };
  for (const std::string& credential : {stranger.token, key.json["key"].get<std::string>()}) {
    for (const auto& p : probes) {
      auto r = GetOrg(Bearer(credential, p.existing), p.existing_path);
      EXPECT_EQ(r.status, 404) << p.existing_path << " " << p.existing[0].second << ": " << r.body;
      EXPECT_EQ(r.Code(), "organization_not_found") << p.existing_path;
      auto m = GetOrg(Bearer(credential, p.missing), p.missing_path);
      EXPECT_EQ(m.status, r.status) << "existing and missing organizations answer alike";
      EXPECT_EQ(m.Code(), r.Code());
      EXPECT_EQ(m.json.value("detail", ""), r.json.value("detail", ""));
    }
  }
  // Between two of the caller's own organizations, a disagreement is still a conflict.
  auto both = GetOrg(As(owner_, {{"X-Organization", owner_.personal_organization["slug"]}}),
                     "/api/v1/organizations/" + slug_);
  EXPECT_EQ(both.status, 400);
  EXPECT_EQ(both.Code(), "tenant_conflict");
}

// Subdomains route by slug only: `<id>.<base-domain>` names nothing, and a slug shaped like an
// id (refused now, possible in data from before) routes to its own organization, never to the
// organization whose id it spells.
TEST_F(TenancyTest, SubdomainsRouteBySlugOnlyAndSlugsCannotBeIds) {
  auto by_id = GetOrg(As(owner_, {{"Host", id_ + ".localhost"}}));
  EXPECT_EQ(by_id.status, 404) << by_id.body;
  EXPECT_EQ(by_id.Code(), "organization_not_found");
  // The path and X-Organization still take an id.
  EXPECT_EQ(GetOrg(As(owner_, {{"X-Organization", id_}})).status, 200);
  EXPECT_EQ(GetOrg(As(owner_), "/api/v1/organizations/" + id_).status, 200);

  Account rival = SignUp(client(), "Rival");
  auto refused = client().Request("POST", "/api/v1/organizations",
                                  Json{{"name", "Lookalike"}, {"slug", id_}}, As(rival));
  EXPECT_EQ(refused.status, 422) << refused.body;
  EXPECT_EQ(refused.Code(), "validation_failed");
  ASSERT_TRUE(refused.json.contains("errors")) << refused.body;
  EXPECT_EQ(refused.json["errors"][0]["field"], "slug");
  Json rival_org = CreateOrganization(client(), rival.token, "Rival", UniqueSlug("rival"));
  std::string rival_path = "/api/v1/organizations/" + rival_org["slug"].get<std::string>();
  auto rename = client().Request("PATCH", rival_path, Json{{"slug", id_}}, As(rival));
  EXPECT_EQ(rename.status, 422) << rename.body;
  EXPECT_EQ(rename.Code(), "validation_failed");
  auto fresh = client().Request("PATCH", rival_path,
                                Json{{"slug", "0190a3c4-5b6d-7e8f-9a0b-1c2d3e4f5a6b"}}, As(rival));
  EXPECT_EQ(fresh.status, 422) << "any id-shaped slug, not only an existing id: " << fresh.body;

  // Data from before the rule: the rival's slug spells Acme's id.
  ExecuteSql(server(), "",
             "UPDATE organizations SET slug = '" + id_ + "' WHERE id = '" +
                 rival_org["id"].get<std::string>() + "'");
  auto rival_host = GetOrg(As(rival, {{"Host", id_ + ".localhost"}}));
  EXPECT_EQ(rival_host.status, 200) << rival_host.body;
  EXPECT_EQ(rival_host.json["id"], rival_org["id"]) << "routed to the organization with that id";
  auto owner_host = GetOrg(As(owner_, {{"Host", id_ + ".localhost"}}));
  EXPECT_EQ(owner_host.status, 404) << "Acme is not reachable through the rival's subdomain";
}

TEST_F(TenancyTest, AHeaderOrHostSelectsButNeverProvesAccess) {
  Account stranger = SignUp(client(), "Stranger");
  for (const Headers& h : {Headers{{"X-Organization", slug_}}, Headers{{"X-Organization", id_}},
                           Headers{{"Host", slug_ + ".localhost"}}}) {
    auto r = GetOrg(As(stranger, h));
    EXPECT_EQ(r.status, 404) << r.body;
    EXPECT_EQ(r.Code(), "organization_not_found");
  }
  auto unknown = GetOrg(As(stranger, {{"Host", "no-such-org-zz.localhost"}}));
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.Code(), "organization_not_found");
}

TEST_F(TenancyTest, ASlugRenameReroutesOnTheNextRequest) {
  ASSERT_EQ(GetOrg(As(owner_, {{"Host", slug_ + ".localhost"}})).status, 200);  // now cached
  std::string renamed = UniqueSlug("renamed");
  auto patch = client().Request("PATCH", "/api/v1/organizations/" + slug_, Json{{"slug", renamed}},
                                As(owner_));
  ASSERT_EQ(patch.status, 200) << patch.body;
  auto old_host = GetOrg(As(owner_, {{"Host", slug_ + ".localhost"}}));
  EXPECT_EQ(old_host.status, 404);
  EXPECT_EQ(old_host.Code(), "organization_not_found");
  EXPECT_EQ(GetOrg(As(owner_, {{"X-Organization", slug_}})).status, 404);
  auto new_host = GetOrg(As(owner_, {{"Host", renamed + ".localhost"}}));
  EXPECT_EQ(new_host.status, 200);
  EXPECT_EQ(new_host.json["id"], id_);
}

// Polls until `done` or the deadline; returns whether `done` happened.
template <typename F>
bool Within(std::chrono::milliseconds deadline, F done) {
  auto until = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return done();
}

TEST_F(TenancyTest, CliSuspendAndResumeReachTheRunningServerWithinASecond) {
  ASSERT_EQ(GetOrg(As(owner_, {{"X-Organization", slug_}})).status, 200);  // cached as active
  auto suspend = RunCli({"org", "suspend", slug_}, server());
  ASSERT_EQ(suspend.exit_code, 0) << suspend.err;
  EXPECT_TRUE(Within(std::chrono::milliseconds(1000), [&] {
    return GetOrg(As(owner_, {{"X-Organization", slug_}})).status == 403;
  })) << "still served after 1 s";
  auto refused = GetOrg(As(owner_), "/api/v1/organizations/" + slug_ + "/members");
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(refused.Code(), "organization_suspended");

  auto resume = RunCli({"org", "resume", slug_}, server());
  ASSERT_EQ(resume.exit_code, 0) << resume.err;
  EXPECT_TRUE(Within(std::chrono::milliseconds(1000), [&] {
    return GetOrg(As(owner_, {{"X-Organization", slug_}})).status == 200;
  })) << "still refused after 1 s";

  // Audited, with the operator as the actor. The audit log itself is an organization route,
  // so it is read after resuming.
  auto audit = client().Request("GET", "/api/v1/organizations/" + slug_ + "/audit-log",
                                std::nullopt, As(owner_));
  ASSERT_EQ(audit.status, 200);
  std::vector<std::string> actions;
  for (const auto& e : audit.json["data"]) actions.push_back(e["action"]);
  ASSERT_GE(actions.size(), 2u);
  EXPECT_EQ(actions[0], "organization.resumed");
  EXPECT_EQ(actions[1], "organization.suspended");
  EXPECT_EQ(audit.json["data"][0]["actor"]["type"], "system");
}

TEST_F(TenancyTest, SuspendOfAnUnknownSlugFails) {
  auto r = RunCli({"org", "suspend", "no-such-org-q"}, server());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no-such-org-q"), std::string::npos);
}

std::vector<Json> ReadJsonLines(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::vector<Json> lines;
  std::string line;
  while (std::getline(in, line)) lines.push_back(Json::parse(line));
  return lines;
}

TEST_F(TenancyTest, EveryRoutingDecisionIsLogged) {
  Account stranger = SignUp(client(), "Stranger");
  GetOrg(As(owner_, {{"X-Organization", slug_}, {"X-Request-Id", "route-ok"}}));
  GetOrg(As(stranger, {{"Host", slug_ + ".localhost"}, {"X-Request-Id", "route-404"}}));
  GetOrg(As(owner_, {{"X-Request-Id", "route-required"}}));
  client().Request("GET", "/healthz", std::nullopt, {{"X-Request-Id", "route-public"}});
  ASSERT_EQ(server().Stop(), 0);  // flushes the log

  std::map<std::string, Json> by_id;
  for (auto& line : ReadJsonLines(server().data_dir() / "logs" / "routing.jsonl")) {
    by_id[line.value("request_id", "")] = line;
  }
  ASSERT_TRUE(by_id.count("route-ok"));
  const Json& ok = by_id["route-ok"];
  EXPECT_EQ(ok["outcome"], "resolved");
  EXPECT_EQ(ok["organization_id"], id_);
  EXPECT_EQ(ok["signals"]["header"], slug_);
  EXPECT_EQ(ok["method"], "GET");
  EXPECT_EQ(ok["route"], "/api/v1/org");
  EXPECT_TRUE(ok.contains("ts"));

  const Json& refused = by_id["route-404"];
  EXPECT_EQ(refused["outcome"], "refused");
  EXPECT_EQ(refused["reason"], "organization_not_found");
  EXPECT_EQ(refused["signals"]["host"], slug_);
  EXPECT_EQ(refused["host_matched_by"], "subdomain");
  EXPECT_EQ(refused["host"], slug_ + ".localhost");

  EXPECT_EQ(by_id["route-required"]["outcome"], "refused");
  EXPECT_EQ(by_id["route-required"]["reason"], "tenant_required");
  EXPECT_EQ(by_id["route-public"]["outcome"], "no_tenant");
  EXPECT_EQ(by_id["route-public"]["route"], "/healthz");
}

class RoutingLogRotationTest : public ::testing::Test {};

TEST_F(RoutingLogRotationTest, TheLogGoesWhereToldAndRotatesBySize) {
  char pattern[] = "/tmp/bulkhead-rlog-XXXXXX";
  std::filesystem::path dir = ::mkdtemp(pattern);
  auto path = dir / "routing.jsonl";
  {
    ServerProcess server({"--routing-log", path.string(), "--routing-log-max-bytes", "4096"});
    auto c = server.client();
    for (int i = 0; i < 60; ++i) c.Request("GET", "/healthz");
    ASSERT_EQ(server.Stop(), 0);
    EXPECT_FALSE(std::filesystem::exists(server.data_dir() / "logs" / "routing.jsonl"));
  }
  ASSERT_TRUE(std::filesystem::exists(path));
  ASSERT_TRUE(std::filesystem::exists(dir / "routing.jsonl.1"));
  EXPECT_LE(std::filesystem::file_size(dir / "routing.jsonl.1"), 4096u);
  std::size_t lines = ReadJsonLines(path).size() + ReadJsonLines(dir / "routing.jsonl.1").size();
  for (int n = 2; n <= 5; ++n) {
    auto older = dir / ("routing.jsonl." + std::to_string(n));
    if (std::filesystem::exists(older)) lines += ReadJsonLines(older).size();
  }
  EXPECT_EQ(lines, 60u);  // nothing lost across rotations (at most 5 old files kept)
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace bulkhead::testing
