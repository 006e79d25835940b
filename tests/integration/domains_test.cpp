// Custom domains over real HTTP, verified against a real DNS server (dnsmasq on loopback):
// normalization, the hostnames that cannot be claimed, uniqueness of verified domains, pending
// claims that block nobody, verification (and its races), routing by a verified domain only,
// /api/v1/resolve, removal and the audit trail.

#include <fstream>
#include <stdexcept>
#include <thread>

#include "integration/harness.hpp"
#include "support/dnsmasq.hpp"

namespace bulkhead::testing {
namespace {

class DomainsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dns_ = std::make_unique<Dnsmasq>();
    server_ =
        std::make_unique<ServerProcess>(std::vector<std::string>{"--dns-server", dns_->address()});
    owner_ = SignUp(client(), "Owner");
    org_ = CreateOrganization(client(), owner_.token, "Shop", UniqueSlug("shop"));
    slug_ = org_["slug"];
  }
  HttpClient client() { return server_->client(); }
  std::string Base() { return "/api/v1/organizations/" + slug_ + "/domains"; }
  HttpResponse Add(const std::string& hostname, const Account* as = nullptr,
                   const std::string& base = "") {
    return client().Request("POST", base.empty() ? Base() : base, Json{{"hostname", hostname}},
                            Bearer((as ? *as : owner_).token));
  }
  HttpResponse Verify(const std::string& hostname) {
    return client().Request("POST", Base() + "/" + hostname + "/verify", std::nullopt,
                            Bearer(owner_.token));
  }
  HttpResponse Org(const std::string& host, const Account* as = nullptr) {
    return client().Request("GET", "/api/v1/org", std::nullopt,
                            Bearer((as ? *as : owner_).token, {{"Host", host}}));
  }
  std::string UniqueHost(const std::string& prefix) { return UniqueSlug(prefix) + ".example.com"; }

  std::unique_ptr<Dnsmasq> dns_;
  std::unique_ptr<ServerProcess> server_;
  Account owner_;
  Json org_;
  std::string slug_;
};

TEST_F(DomainsTest, AddingReturnsTheTxtRecordToPublishAndListingShowsTheSubdomainFirst) {
  std::string host = UniqueHost("shop");
  auto added = Add(host);
  ASSERT_EQ(added.status, 201) << added.body;
  EXPECT_EQ(added.json["hostname"], host);
  EXPECT_EQ(added.json["kind"], "custom");
  EXPECT_EQ(added.json["verified"], false);
  EXPECT_EQ(added.json["verification"]["type"], "TXT");
  EXPECT_EQ(added.json["verification"]["name"], "_bulkhead-challenge." + host);
  std::string value = added.json["verification"]["value"];
  EXPECT_GE(value.size(), 40u);

  auto list = client().Request("GET", Base(), std::nullopt, Bearer(owner_.token));
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.json["data"].size(), 2u);
  EXPECT_EQ(list.json["data"][0]["hostname"], slug_ + ".localhost");
  EXPECT_EQ(list.json["data"][0]["kind"], "subdomain");
  EXPECT_EQ(list.json["data"][0]["verified"], true);
  EXPECT_EQ(list.json["data"][1]["hostname"], host);
  EXPECT_EQ(list.json["data"][1]["verification"]["value"], value);
}

TEST_F(DomainsTest, HostnamesAreNormalizedBeforeAnyComparison) {
  std::string label = UniqueSlug("norm");
  auto added = Add("WWW." + label + ".Example.COM.");
  ASSERT_EQ(added.status, 201) << added.body;
  EXPECT_EQ(added.json["hostname"], "www." + label + ".example.com");
  auto again = Add("www." + label + ".example.com:443");
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.Code(), "domain_taken");

  auto idn =
      Add("b\xC3\xBC"
          "cher-" +
          label + ".example");  // "bücher-<label>.example"
  ASSERT_EQ(idn.status, 201) << idn.body;
  EXPECT_EQ(idn.json["hostname"].get<std::string>().rfind("xn--", 0), 0u) << idn.body;
}

TEST_F(DomainsTest, HostnamesThatCannotBeCustomDomainsAreRefused) {
  const std::vector<std::string> refused = {"127.0.0.1",
                                            "10.1.2.3",
                                            "::1",
                                            "[2001:db8::1]",
                                            "intranet",
                                            "localhost",
                                            "acme.localhost",
                                            "a.b.localhost",
                                            "-bad.example.com",
                                            "bad_name.example.com",
                                            "a..b.com",
                                            "",
                                            std::string(64, 'a') + ".example.com",
                                            "exa mple.com"};
  for (const std::string& bad : refused) {
    auto r = Add(bad);
    EXPECT_EQ(r.status, 422) << "'" << bad << "': " << r.body;
    EXPECT_EQ(r.Code(), "validation_failed") << bad;
  }
  auto list = client().Request("GET", Base(), std::nullopt, Bearer(owner_.token));
  EXPECT_EQ(list.json["data"].size(), 1u);  // nothing was added
}

TEST_F(DomainsTest, AVerifiedHostnameBelongsToOneOrganization) {
  std::string host = UniqueHost("taken");
  auto added = Add(host);
  ASSERT_EQ(added.status, 201);
  dns_->SetTxt("_bulkhead-challenge." + host, {added.json["verification"]["value"]});
  ASSERT_EQ(Verify(host).status, 200);
  Account rival = SignUp(client(), "Rival");
  auto rival_org = CreateOrganization(client(), rival.token, "Rival", UniqueSlug("rival"));
  auto r = Add(host, &rival,
               "/api/v1/organizations/" + rival_org["slug"].get<std::string>() + "/domains");
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(r.Code(), "domain_taken");
  EXPECT_EQ(r.Header("content-type"), "application/problem+json");
}

// An unverified claim blocks nobody: anyone may claim the hostname too, each with a token of
// its own, and the first to prove control wins; the other claims are dropped and audited.
class DomainClaimsTest : public DomainsTest {
 protected:
  void SetUp() override {
    DomainsTest::SetUp();
    rival_ = SignUp(client(), "Rival");
    rival_slug_ = CreateOrganization(client(), rival_.token, "Rival", UniqueSlug("rival"))["slug"];
  }
  std::string RivalBase() { return "/api/v1/organizations/" + rival_slug_ + "/domains"; }
  HttpResponse RivalVerify(const std::string& host) {
    return client().Request("POST", RivalBase() + "/" + host + "/verify", std::nullopt,
                            Bearer(rival_.token));
  }
  std::vector<std::string> Hostnames(const std::string& base, const Account& as) {
    auto list = client().Request("GET", base, std::nullopt, Bearer(as.token));
    std::vector<std::string> out;
    for (const auto& d : list.json["data"]) out.push_back(d["hostname"]);
    return out;
  }

  Account rival_;
  std::string rival_slug_;
};

TEST_F(DomainClaimsTest, APendingClaimDoesNotBlockTheRealOwnerWhoWinsByVerifying) {
  std::string host = UniqueHost("squatted");
  // A squatter claims first and never verifies.
  auto squat = Add(host);
  ASSERT_EQ(squat.status, 201) << squat.body;
  // The real owner can still claim it, with a token of its own.
  auto real = Add(host, &rival_, RivalBase());
  ASSERT_EQ(real.status, 201) << real.body;
  EXPECT_EQ(real.json["verified"], false);
  EXPECT_NE(real.json["verification"]["value"], squat.json["verification"]["value"]);
  EXPECT_EQ(Org(host).Code(), "tenant_required");  // neither routes yet

  // The squatter's token does not verify the real owner's claim.
  dns_->SetTxt("_bulkhead-challenge." + host, {squat.json["verification"]["value"]});
  EXPECT_EQ(RivalVerify(host).Code(), "verification_failed");

  dns_->SetTxt("_bulkhead-challenge." + host, {real.json["verification"]["value"]});
  auto won = RivalVerify(host);
  ASSERT_EQ(won.status, 200) << won.body;
  EXPECT_EQ(won.json["verified"], true);
  auto routed = Org(host, &rival_);
  EXPECT_EQ(routed.status, 200) << routed.body;
  EXPECT_EQ(routed.json["slug"], rival_slug_);

  // The losing claim is gone, audited in its own organization without naming the winner.
  EXPECT_EQ(Hostnames(Base(), owner_), std::vector<std::string>{slug_ + ".localhost"});
  EXPECT_EQ(Verify(host).status, 404);
  auto audit =
      client().Request("GET", "/api/v1/organizations/" + slug_ + "/audit-log?action=domain.dropped",
                       std::nullopt, Bearer(owner_.token));
  ASSERT_EQ(audit.json["data"].size(), 1u) << audit.body;
  EXPECT_EQ(audit.json["data"][0]["target"]["id"], host);
  EXPECT_EQ(audit.json["data"][0]["actor"]["type"], "system") << audit.body;
  EXPECT_EQ(audit.body.find(rival_slug_), std::string::npos) << audit.body;
  EXPECT_EQ(audit.body.find(rival_.user_id), std::string::npos) << audit.body;

  // Now verified by the rival, the hostname is taken for everyone else.
  auto again = Add(host);
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.Code(), "domain_taken");
  // The same organization claiming a hostname twice is refused as before.
  EXPECT_EQ(Add(host, &rival_, RivalBase()).Code(), "domain_taken");
}

TEST_F(DomainClaimsTest, TheFirstOfConcurrentVerificationsWinsAndTheOtherIsRefused) {
  for (int round = 0; round < 4; ++round) {
    std::string host = UniqueHost("race");
    auto mine = Add(host);
    auto theirs = Add(host, &rival_, RivalBase());
    ASSERT_EQ(mine.status, 201) << mine.body;
    ASSERT_EQ(theirs.status, 201) << theirs.body;
    // Both prove control (two TXT values), then verify at the same moment.
    dns_->SetTxt("_bulkhead-challenge." + host,
                 {mine.json["verification"]["value"], theirs.json["verification"]["value"]});
    HttpResponse a, b;
    std::thread first([&] { a = Verify(host); });
    std::thread second([&] { b = RivalVerify(host); });
    first.join();
    second.join();
    int wins = (a.status == 200) + (b.status == 200);
    EXPECT_EQ(wins, 1) << "round " << round << ": " << a.status << " " << a.body << " / "
                       << b.status << " " << b.body;
    for (const auto* lost : {&a, &b}) {
      if (lost->status == 200) continue;
      // Refused as taken, or not found when its claim was already dropped.
      EXPECT_TRUE(lost->Code() == "domain_taken" || lost->status == 404)
          << lost->status << " " << lost->body;
    }
    const Account& winner = a.status == 200 ? owner_ : rival_;
    auto routed = Org(host, &winner);
    EXPECT_EQ(routed.status, 200) << routed.body;
    auto rows = QuerySql(*server_, "",
                         "SELECT organization_id FROM domains WHERE hostname = '" + host +
                             "' AND verified_at IS NOT NULL");
    EXPECT_EQ(rows.size(), 1u);
  }
}

TEST_F(DomainClaimsTest, TheCatalogHoldsAtMostOneVerifiedClaimOfAHostname) {
  // The guarantee is the database's own (a unique index on verified hostnames), so that no
  // interleaving of requests, instances or hand edits can make a hostname route twice.
  std::string host = UniqueHost("unique");
  ASSERT_EQ(Add(host).status, 201);
  ASSERT_EQ(Add(host, &rival_, RivalBase()).status, 201);
  ExecuteSql(*server_, "",
             "UPDATE domains SET verified_at = 1 WHERE hostname = '" + host +
                 "' AND organization_id = '" + org_["id"].get<std::string>() + "'");
  EXPECT_THROW(ExecuteSql(*server_, "",
                          "UPDATE domains SET verified_at = 2 WHERE hostname = '" + host + "'"),
               std::runtime_error);
  auto rows = QuerySql(
      *server_, "",
      "SELECT COUNT(*) FROM domains WHERE hostname = '" + host + "' AND verified_at IS NOT NULL");
  EXPECT_EQ(rows.at(0).at(0), "1");
}

TEST_F(DomainClaimsTest, DomainsCheckTakesPendingClaimsForWhatTheyAre) {
  std::string host = UniqueHost("check");
  ASSERT_EQ(Add(host).status, 201);
  ASSERT_EQ(Add(host, &rival_, RivalBase()).status, 201);
  auto write = [&](const Json& manifest) {
    auto path = server_->data_dir().parent_path() / "claims-manifest.json";
    std::ofstream(path) << manifest.dump();
    return path.string();
  };
  // Two pending claims of one hostname are no conflict.
  auto clean = RunCli({"domains", "check", "--manifest", write({{"organizations", Json::array()}})},
                      *server_);
  EXPECT_EQ(clean.exit_code, 0) << clean.err;
  // A deployment routing it to a third organization conflicts with both claims.
  auto planned = RunCli({"domains", "check", "--manifest",
                         write({{"organizations", {{{"slug", "third"}, {"domains", {host}}}}}})},
                        *server_);
  EXPECT_EQ(planned.exit_code, 1);
  EXPECT_NE(planned.err.find("ALERT " + host), std::string::npos) << planned.err;
  // Once verified, a verified domain and the losers' dropped claims leave nothing to report.
  // (A verified domain is checked as before against the manifest.)
  Json dns_value = client()
                       .Request("GET", RivalBase(), std::nullopt, Bearer(rival_.token))
                       .json["data"][1]["verification"]["value"];
  dns_->SetTxt("_bulkhead-challenge." + host, {dns_value.get<std::string>()});
  ASSERT_EQ(RivalVerify(host).status, 200);
  auto verified =
      RunCli({"domains", "check", "--manifest",
              write({{"organizations", {{{"slug", rival_slug_}, {"domains", {host}}}}}})},
             *server_);
  EXPECT_EQ(verified.exit_code, 0) << verified.err;
  auto elsewhere = RunCli({"domains", "check", "--manifest",
                           write({{"organizations", {{{"slug", slug_}, {"domains", {host}}}}}})},
                          *server_);
  EXPECT_EQ(elsewhere.exit_code, 1) << elsewhere.out;
}

TEST_F(DomainsTest, VerificationNeedsTheExactTxtRecord) {
  std::string host = UniqueHost("verify");
  auto added = Add(host);
  ASSERT_EQ(added.status, 201);
  std::string value = added.json["verification"]["value"];

  auto missing = Verify(host);
  EXPECT_EQ(missing.status, 422) << missing.body;
  EXPECT_EQ(missing.Code(), "verification_failed");

  dns_->SetTxt("_bulkhead-challenge." + host, {"some-other-value"});
  auto wrong = Verify(host);
  EXPECT_EQ(wrong.status, 422);
  EXPECT_EQ(wrong.Code(), "verification_failed");
  EXPECT_EQ(Org(host).Code(), "tenant_required");  // unverified domains never route

  dns_->SetTxt("_bulkhead-challenge." + host, {"some-other-value", value});
  auto ok = Verify(host);
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.json["verified"], true);
  EXPECT_TRUE(ok.json["verified_at"].is_string());
  EXPECT_EQ(Verify(host).status, 200);  // again: still verified, nothing changes
}

TEST_F(DomainsTest, AVerifiedDomainRoutesAndResolvesUntilRemoved) {
  std::string host = UniqueHost("routed");
  auto added = Add(host);
  ASSERT_EQ(added.status, 201);
  auto resolve = [&](const std::string& h) {
    return client().Request("GET", "/api/v1/resolve?host=" + h, std::nullopt, Bearer(owner_.token));
  };
  EXPECT_EQ(resolve(host).status, 404);

  dns_->SetTxt("_bulkhead-challenge." + host, {added.json["verification"]["value"]});
  ASSERT_EQ(Verify(host).status, 200);
  for (const std::string& h : {host, host + ":8443", host + "."}) {
    auto r = Org(h);
    EXPECT_EQ(r.status, 200) << h << ": " << r.body;
    EXPECT_EQ(r.json["slug"], slug_);
  }
  auto resolved = resolve(host);
  ASSERT_EQ(resolved.status, 200) << resolved.body;
  EXPECT_EQ(resolved.json["organization_id"], org_["id"]);
  EXPECT_EQ(resolved.json["slug"], slug_);
  EXPECT_EQ(resolved.json["matched_by"], "custom_domain");
  auto by_subdomain = resolve(slug_ + ".localhost");
  EXPECT_EQ(by_subdomain.json["matched_by"], "subdomain");
  EXPECT_EQ(resolve("nobody-" + slug_ + ".example.net").status, 404);
  EXPECT_EQ(resolve("").status, 422);

  // A non-member naming the organization by its domain learns nothing.
  Account stranger = SignUp(client(), "Stranger");
  auto refused = Org(host, &stranger);
  EXPECT_EQ(refused.status, 404);
  EXPECT_EQ(refused.Code(), "organization_not_found");

  auto removed =
      client().Request("DELETE", Base() + "/" + host, std::nullopt, Bearer(owner_.token));
  EXPECT_EQ(removed.status, 204) << removed.body;
  EXPECT_EQ(Org(host).Code(), "tenant_required");
  EXPECT_EQ(resolve(host).status, 404);
  auto again = client().Request("DELETE", Base() + "/" + host, std::nullopt, Bearer(owner_.token));
  EXPECT_EQ(again.status, 404);

  auto audit = client().Request("GET", "/api/v1/organizations/" + slug_ + "/audit-log?limit=3",
                                std::nullopt, Bearer(owner_.token));
  std::vector<std::string> actions;
  for (const auto& e : audit.json["data"]) actions.push_back(e["action"]);
  EXPECT_EQ(actions,
            (std::vector<std::string>{"domain.removed", "domain.verified", "domain.added"}));
}

TEST_F(DomainsTest, AnotherOrganizationsDomainIsNotFoundForVerifyOrDelete) {
  std::string host = UniqueHost("mine");
  ASSERT_EQ(Add(host).status, 201);
  Account rival = SignUp(client(), "Rival");
  auto rival_org = CreateOrganization(client(), rival.token, "Rival", UniqueSlug("rival"));
  std::string base = "/api/v1/organizations/" + rival_org["slug"].get<std::string>() + "/domains/";
  auto verify =
      client().Request("POST", base + host + "/verify", std::nullopt, Bearer(rival.token));
  EXPECT_EQ(verify.status, 404);
  auto del = client().Request("DELETE", base + host, std::nullopt, Bearer(rival.token));
  EXPECT_EQ(del.status, 404);
  auto list = client().Request("GET", Base(), std::nullopt, Bearer(owner_.token));
  EXPECT_EQ(list.json["data"].size(), 2u);  // still there
}

TEST_F(DomainsTest, AnUnreachableDnsServerFailsVerificationWithinSeconds) {
  ServerProcess server({"--dns-server", "127.0.0.1:1"});
  auto c = server.client();
  Account owner = SignUp(c, "Owner");
  auto org = CreateOrganization(c, owner.token, "Lonely", UniqueSlug("lonely"));
  std::string base = "/api/v1/organizations/" + org["slug"].get<std::string>() + "/domains";
  std::string host = UniqueHost("lonely");
  ASSERT_EQ(c.Request("POST", base, Json{{"hostname", host}}, Bearer(owner.token)).status, 201);
  auto r = c.Request("POST", base + "/" + host + "/verify", std::nullopt, Bearer(owner.token));
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.Code(), "verification_failed");
}

}  // namespace
}  // namespace bulkhead::testing
