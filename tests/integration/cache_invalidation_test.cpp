// Cache invalidation over real HTTP. The server keeps sessions, API keys, memberships and
// roles, organizations by id and slug, and custom domains in memory (service/catalog_cache.hpp)
// so that a warm request reads no disk. Each test warms those caches on the hot paths (the same
// successful request several times, so the last ones are served from memory), makes one change
// through the public API (or the `bulkhead` CLI, the operator's path), and checks that the very
// next request sees it: no sleep and no retry. The hot paths are the path's {org}, the Host (a
// subdomain of the base domain or a verified custom domain), X-Organization, /api/v1/resolve,
// and sessions and API keys as credentials.
// What another instance on the same storage sees is instances_test.cpp's subject.

#include <functional>
#include <string>
#include <vector>

#include "integration/harness.hpp"
#include "support/dnsmasq.hpp"

namespace bulkhead::testing {
namespace {

// The servers' default --base-domain.
constexpr const char* kCacheTestBaseDomain = "localhost";
// How many times a request is made before the change: the first fills the caches, the others
// are served from them.
constexpr int kCacheWarmRequests = 3;

using CachedRequest = std::function<HttpResponse()>;

std::string CacheTestSubdomain(const std::string& slug) {
  return slug + "." + kCacheTestBaseDomain;
}

// Whether `r` is the answer `status` (and, when given, the problem `code`).
::testing::AssertionResult CacheTestAnswered(const HttpResponse& r, int status,
                                             const std::string& code = "") {
  if (r.status == status && (code.empty() || r.Code() == code)) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "expected " << status << (code.empty() ? "" : " ") << code
                                       << ", got " << r.status << ": " << r.body;
}

// Makes each request kCacheWarmRequests times; every answer must be `status`.
::testing::AssertionResult CacheWarmedWith(const std::vector<CachedRequest>& requests, int status) {
  for (int i = 0; i < kCacheWarmRequests; ++i) {
    for (std::size_t n = 0; n < requests.size(); ++n) {
      auto r = requests[n]();
      if (r.status != status) {
        return ::testing::AssertionFailure()
               << "warm-up " << i + 1 << " of request " << n + 1 << ": expected " << status
               << ", got " << r.status << ": " << r.body;
      }
    }
  }
  return ::testing::AssertionSuccess();
}

class CacheInvalidationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServerProcess>(ServerArgs());
    owner_ = SignUp(client(), "Owner");
    org_ = CreateOrganization(client(), owner_.token, "Cached", UniqueSlug("cached"));
    slug_ = org_["slug"];
    id_ = org_["id"];
  }
  void TearDown() override { server_.reset(); }
  virtual std::vector<std::string> ServerArgs() { return {}; }

  HttpClient client() const { return server_->client(); }
  // GET /api/v1/organizations/{org}<suffix>.
  HttpResponse ByPath(const std::string& credential, const std::string& org,
                      const std::string& suffix = "") const {
    return client().Request("GET", "/api/v1/organizations/" + org + suffix, std::nullopt,
                            Bearer(credential));
  }
  // GET /api/v1/org<suffix>, the organization named by the Host alone.
  HttpResponse ByHost(const std::string& credential, const std::string& host,
                      const std::string& suffix = "") const {
    return client().Request("GET", "/api/v1/org" + suffix, std::nullopt,
                            Bearer(credential, {{"Host", host}}));
  }
  // GET /api/v1/org<suffix>, the organization named by X-Organization alone.
  HttpResponse ByHeader(const std::string& credential, const std::string& org,
                        const std::string& suffix = "") const {
    return client().Request("GET", "/api/v1/org" + suffix, std::nullopt,
                            Bearer(credential, {{"X-Organization", org}}));
  }
  HttpResponse Resolve(const std::string& credential, const std::string& host) const {
    return client().Request("GET", "/api/v1/resolve?host=" + host, std::nullopt,
                            Bearer(credential));
  }
  HttpResponse Me(const std::string& credential) const {
    return client().Request("GET", "/api/v1/user", std::nullopt, Bearer(credential));
  }
  struct CreatedKey {
    std::string id;
    std::string secret;  // empty when creation failed
  };
  // An API key of this organization with `role`, created by the owner.
  CreatedKey CreateKey(const std::string& role) {
    auto r =
        client().Request("POST", "/api/v1/organizations/" + slug_ + "/api-keys",
                         Json{{"name", "cache " + role}, {"role", role}}, Bearer(owner_.token));
    EXPECT_EQ(r.status, 201) << r.body;
    if (r.status != 201) return {};
    return {r.json["id"], r.json["key"]};
  }
  HttpResponse ChangeRole(const std::string& user_id, const std::string& role) {
    return client().Request("PATCH", "/api/v1/organizations/" + slug_ + "/members/" + user_id,
                            Json{{"role", role}}, Bearer(owner_.token));
  }
  // What an owner, a member and an API key read of this organization, by every signal.
  std::vector<CachedRequest> OrganizationRequests(const std::string& owner,
                                                  const std::string& member,
                                                  const std::string& key) const {
    std::string host = CacheTestSubdomain(slug_);
    return {[=, this] { return ByHost(owner, host); },
            [=, this] { return ByPath(owner, slug_); },
            [=, this] { return ByPath(owner, id_); },
            [=, this] { return ByHeader(owner, slug_); },
            [=, this] { return ByHost(member, host, "/members"); },
            [=, this] { return ByHost(key, host); },
            [=, this] { return ByPath(key, slug_, "/members"); }};
  }
  HttpResponse RemoveMember(const std::string& token, const std::string& user_id) {
    return client().Request("DELETE", "/api/v1/organizations/" + slug_ + "/members/" + user_id,
                            std::nullopt, Bearer(token));
  }

  std::unique_ptr<ServerProcess> server_;
  Account owner_;
  Json org_;
  std::string slug_, id_;
};

// With a DNS server of its own, for custom domains.
class CacheInvalidationDomainTest : public CacheInvalidationTest {
 protected:
  void SetUp() override {
    dns_ = std::make_unique<Dnsmasq>();
    CacheInvalidationTest::SetUp();
  }
  std::vector<std::string> ServerArgs() override { return {"--dns-server", dns_->address()}; }

  // Adds a custom domain and publishes its TXT record; returns the hostname (unverified).
  std::string AddPublishedDomain() {
    std::string host = UniqueSlug("cached") + ".example.com";
    auto added = client().Request("POST", "/api/v1/organizations/" + slug_ + "/domains",
                                  Json{{"hostname", host}}, Bearer(owner_.token));
    EXPECT_EQ(added.status, 201) << added.body;
    if (added.status != 201) return host;
    dns_->SetTxt("_bulkhead-challenge." + host, {added.json["verification"]["value"]});
    return host;
  }
  HttpResponse VerifyDomain(const std::string& host) {
    return client().Request("POST",
                            "/api/v1/organizations/" + slug_ + "/domains/" + host + "/verify",
                            std::nullopt, Bearer(owner_.token));
  }

  std::unique_ptr<Dnsmasq> dns_;
};

// --- logout ---------------------------------------------------------------------------------

TEST_F(CacheInvalidationTest, LogoutRefusesTheWarmSessionOnTheNextRequest) {
  auto login = client().Request("POST", "/api/v1/auth/login",
                                Json{{"email", owner_.email}, {"password", kPassword}});
  ASSERT_EQ(login.status, 200) << login.body;
  std::string other_session = login.json["session_token"];
  const std::string& token = owner_.token;
  std::string host = CacheTestSubdomain(slug_);
  ASSERT_TRUE(
      CacheWarmedWith({[&] { return Me(token); }, [&] { return ByPath(token, slug_); },
                       [&] { return ByHost(token, host); }, [&] { return ByHeader(token, slug_); },
                       [&] { return Resolve(token, host); },
                       [&] {
                         return client().Request("GET", "/api/v1/user", std::nullopt,
                                                 {{"Cookie", "bulkhead_session=" + token}});
                       },
                       [&] { return Me(other_session); }},
                      200));

  auto out = client().Request("POST", "/api/v1/auth/logout", std::nullopt, Bearer(token));
  ASSERT_EQ(out.status, 204) << out.body;

  EXPECT_TRUE(CacheTestAnswered(Me(token), 401, "unauthenticated"));
  EXPECT_TRUE(CacheTestAnswered(ByPath(token, slug_), 401, "unauthenticated"));
  EXPECT_TRUE(CacheTestAnswered(ByHost(token, host), 401, "unauthenticated"));
  EXPECT_TRUE(CacheTestAnswered(ByHeader(token, slug_), 401, "unauthenticated"));
  EXPECT_TRUE(CacheTestAnswered(Resolve(token, host), 401, "unauthenticated"));
  EXPECT_TRUE(CacheTestAnswered(client().Request("GET", "/api/v1/user", std::nullopt,
                                                 {{"Cookie", "bulkhead_session=" + token}}),
                                401, "unauthenticated"))
      << "the same session as a cookie";
  // Only that session ended.
  EXPECT_TRUE(CacheTestAnswered(Me(other_session), 200));
  EXPECT_TRUE(CacheTestAnswered(ByHost(other_session, host), 200));
}

// --- API key revoked ------------------------------------------------------------------------

TEST_F(CacheInvalidationTest, ARevokedKeyIsRefusedOnEveryWarmPathOnTheNextRequest) {
  CreatedKey created = CreateKey("admin");
  const std::string key = created.secret;
  const std::string other_key = CreateKey("member").secret;
  ASSERT_FALSE(key.empty());
  ASSERT_FALSE(other_key.empty());
  std::string host = CacheTestSubdomain(slug_);
  ASSERT_TRUE(
      CacheWarmedWith({[&] { return ByPath(key, slug_); }, [&] { return ByPath(key, id_); },
                       [&] { return ByHost(key, host); }, [&] { return ByHeader(key, slug_); },
                       [&] { return ByHost(key, host, "/members"); },
                       [&] { return Resolve(key, host); }, [&] { return ByHost(other_key, host); }},
                      200));

  auto revoked =
      client().Request("DELETE", "/api/v1/organizations/" + slug_ + "/api-keys/" + created.id,
                       std::nullopt, Bearer(owner_.token));
  ASSERT_EQ(revoked.status, 204) << revoked.body;

  EXPECT_TRUE(CacheTestAnswered(ByHost(key, host), 401, "unauthenticated"));
  EXPECT_TRUE(CacheTestAnswered(ByPath(key, slug_), 401, "unauthenticated"));
  EXPECT_TRUE(CacheTestAnswered(ByPath(key, id_), 401, "unauthenticated"));
  EXPECT_TRUE(CacheTestAnswered(ByHeader(key, slug_), 401, "unauthenticated"));
  EXPECT_TRUE(CacheTestAnswered(ByHost(key, host, "/members"), 401, "unauthenticated"));
  EXPECT_TRUE(CacheTestAnswered(Resolve(key, host), 401, "unauthenticated"));
  // Only that key.
  EXPECT_TRUE(CacheTestAnswered(ByHost(other_key, host), 200));
}

// --- member removed -------------------------------------------------------------------------

TEST_F(CacheInvalidationTest, ARemovedMemberIsNotFoundOnEveryWarmPathOnTheNextRequest) {
  Account member = SignUp(client(), "Member");
  AddMember(client(), owner_.token, slug_, member.user_id, "member");
  const std::string& token = member.token;
  std::string host = CacheTestSubdomain(slug_);
  ASSERT_TRUE(
      CacheWarmedWith({[&] { return ByPath(token, slug_); }, [&] { return ByPath(token, id_); },
                       [&] { return ByHost(token, host); }, [&] { return ByHeader(token, slug_); },
                       [&] { return ByHost(token, host, "/members"); }},
                      200));

  ASSERT_EQ(RemoveMember(owner_.token, member.user_id).status, 204);

  // A non-member learns nothing: 404 organization_not_found (DESIGN.md, tenancy 2).
  EXPECT_TRUE(CacheTestAnswered(ByHost(token, host), 404, "organization_not_found"));
  EXPECT_TRUE(CacheTestAnswered(ByPath(token, slug_), 404, "organization_not_found"));
  EXPECT_TRUE(CacheTestAnswered(ByPath(token, id_), 404, "organization_not_found"));
  EXPECT_TRUE(CacheTestAnswered(ByHeader(token, slug_), 404, "organization_not_found"));
  EXPECT_TRUE(CacheTestAnswered(ByHost(token, host, "/members"), 404, "organization_not_found"));
  // The session itself still works, and the owner is untouched.
  EXPECT_TRUE(CacheTestAnswered(Me(token), 200));
  EXPECT_TRUE(CacheTestAnswered(ByHost(owner_.token, host), 200));

  // "Not a member" is cached too: warm it, then adding the user back is seen at once.
  ASSERT_TRUE(CacheWarmedWith({[&] { return ByHost(token, host); }}, 404));
  AddMember(client(), owner_.token, slug_, member.user_id, "member");
  EXPECT_TRUE(CacheTestAnswered(ByHost(token, host), 200));
  EXPECT_TRUE(CacheTestAnswered(ByPath(token, slug_), 200));
}

TEST_F(CacheInvalidationTest, AMemberWhoLeavesIsNotFoundOnTheNextRequest) {
  Account member = SignUp(client(), "Leaver");
  AddMember(client(), owner_.token, slug_, member.user_id, "admin");
  std::string host = CacheTestSubdomain(slug_);
  ASSERT_TRUE(CacheWarmedWith({[&] { return ByHost(member.token, host); },
                               [&] { return ByPath(member.token, slug_, "/audit-log"); }},
                              200));

  ASSERT_EQ(RemoveMember(member.token, member.user_id).status, 204);

  EXPECT_TRUE(CacheTestAnswered(ByHost(member.token, host), 404, "organization_not_found"));
  EXPECT_TRUE(
      CacheTestAnswered(ByPath(member.token, slug_, "/audit-log"), 404, "organization_not_found"));
}

// --- role changed ---------------------------------------------------------------------------

TEST_F(CacheInvalidationTest, ADemotedAdminLosesAnAdminPermissionOnTheNextRequest) {
  Account admin = SignUp(client(), "Admin");
  AddMember(client(), owner_.token, slug_, admin.user_id, "admin");
  const std::string& token = admin.token;
  std::string host = CacheTestSubdomain(slug_);
  // Reading the audit log is for admins and owners.
  ASSERT_TRUE(CacheWarmedWith({[&] { return ByPath(token, slug_, "/audit-log"); },
                               [&] { return ByHost(token, host, "/audit-log"); },
                               [&] { return ByHeader(token, slug_, "/audit-log"); },
                               [&] { return ByHost(token, host, "/api-keys"); }},
                              200));

  auto demoted = ChangeRole(admin.user_id, "member");
  ASSERT_EQ(demoted.status, 200) << demoted.body;

  EXPECT_TRUE(CacheTestAnswered(ByHost(token, host, "/audit-log"), 403, "forbidden"));
  EXPECT_TRUE(CacheTestAnswered(ByPath(token, slug_, "/audit-log"), 403, "forbidden"));
  EXPECT_TRUE(CacheTestAnswered(ByHeader(token, slug_, "/audit-log"), 403, "forbidden"));
  EXPECT_TRUE(CacheTestAnswered(ByHost(token, host, "/api-keys"), 403, "forbidden"));
  // Still a member: what members may do still works.
  EXPECT_TRUE(CacheTestAnswered(ByHost(token, host), 200));
  EXPECT_TRUE(CacheTestAnswered(ByHost(token, host, "/members"), 200));
}

TEST_F(CacheInvalidationTest, APromotedMemberGainsAnAdminPermissionOnTheNextRequest) {
  Account member = SignUp(client(), "Promoted");
  AddMember(client(), owner_.token, slug_, member.user_id, "member");
  const std::string& token = member.token;
  std::string host = CacheTestSubdomain(slug_);
  ASSERT_TRUE(CacheWarmedWith({[&] { return ByHost(token, host); }}, 200));
  ASSERT_TRUE(CacheWarmedWith({[&] { return ByPath(token, slug_, "/audit-log"); },
                               [&] { return ByHost(token, host, "/audit-log"); },
                               [&] { return ByHeader(token, slug_, "/audit-log"); }},
                              403));

  auto promoted = ChangeRole(member.user_id, "admin");
  ASSERT_EQ(promoted.status, 200) << promoted.body;

  EXPECT_TRUE(CacheTestAnswered(ByHost(token, host, "/audit-log"), 200));
  EXPECT_TRUE(CacheTestAnswered(ByPath(token, slug_, "/audit-log"), 200));
  EXPECT_TRUE(CacheTestAnswered(ByHeader(token, slug_, "/audit-log"), 200));

  // And back down again, from the warm admin role.
  ASSERT_TRUE(CacheWarmedWith({[&] { return ByHost(token, host, "/audit-log"); }}, 200));
  ASSERT_EQ(ChangeRole(member.user_id, "member").status, 200);
  EXPECT_TRUE(CacheTestAnswered(ByHost(token, host, "/audit-log"), 403, "forbidden"));
}

// --- slug renamed ---------------------------------------------------------------------------

TEST_F(CacheInvalidationTest, ASlugRenameReroutesPathHostHeaderResolveAndKeysOnTheNextRequest) {
  const std::string key = CreateKey("member").secret;
  ASSERT_FALSE(key.empty());
  const std::string old_slug = slug_;
  const std::string new_slug = UniqueSlug("renamed");
  const std::string old_host = CacheTestSubdomain(old_slug);
  const std::string new_host = CacheTestSubdomain(new_slug);
  const std::string& token = owner_.token;
  ASSERT_TRUE(CacheWarmedWith(
      {[&] { return ByPath(token, old_slug); }, [&] { return ByPath(token, id_); },
       [&] { return ByHost(token, old_host); }, [&] { return ByHeader(token, old_slug); },
       [&] { return Resolve(token, old_host); }, [&] { return ByHost(key, old_host); },
       [&] { return ByPath(key, old_slug); }, [&] { return Resolve(key, old_host); }},
      200));
  // The new name does not route yet (asked before, so a stale "unknown" would show).
  ASSERT_TRUE(CacheWarmedWith(
      {[&] { return ByPath(token, new_slug); }, [&] { return ByHost(token, new_host); }}, 404));
  ASSERT_TRUE(CacheWarmedWith({[&] { return Resolve(token, new_host); }}, 404));

  auto renamed = client().Request("PATCH", "/api/v1/organizations/" + old_slug,
                                  Json{{"slug", new_slug}}, Bearer(token));
  ASSERT_EQ(renamed.status, 200) << renamed.body;
  ASSERT_EQ(renamed.json["slug"], new_slug);

  // The old slug names nothing, by any signal.
  EXPECT_TRUE(CacheTestAnswered(ByHost(token, old_host), 404, "organization_not_found"));
  EXPECT_TRUE(CacheTestAnswered(ByPath(token, old_slug), 404, "organization_not_found"));
  EXPECT_TRUE(CacheTestAnswered(ByHeader(token, old_slug), 404, "organization_not_found"));
  EXPECT_TRUE(CacheTestAnswered(Resolve(token, old_host), 404));
  EXPECT_TRUE(CacheTestAnswered(ByHost(key, old_host), 404, "organization_not_found"));
  EXPECT_TRUE(CacheTestAnswered(ByPath(key, old_slug), 404, "organization_not_found"));
  EXPECT_TRUE(CacheTestAnswered(Resolve(key, old_host), 404));
  // The new one does, and the organization by id shows the new slug.
  auto by_new_host = ByHost(token, new_host);
  EXPECT_TRUE(CacheTestAnswered(by_new_host, 200));
  EXPECT_EQ(by_new_host.json["id"], id_);
  EXPECT_EQ(by_new_host.json["slug"], new_slug);
  auto by_new_path = ByPath(token, new_slug);
  EXPECT_TRUE(CacheTestAnswered(by_new_path, 200));
  EXPECT_EQ(by_new_path.json["id"], id_);
  auto by_id = ByPath(token, id_);
  EXPECT_TRUE(CacheTestAnswered(by_id, 200));
  EXPECT_EQ(by_id.json["slug"], new_slug);
  auto by_new_header = ByHeader(token, new_slug);
  EXPECT_TRUE(CacheTestAnswered(by_new_header, 200));
  EXPECT_EQ(by_new_header.json["id"], id_);
  auto resolved = Resolve(token, new_host);
  EXPECT_TRUE(CacheTestAnswered(resolved, 200));
  EXPECT_EQ(resolved.json["organization_id"], id_);
  EXPECT_EQ(resolved.json["slug"], new_slug);
  EXPECT_EQ(resolved.json["matched_by"], "subdomain");
  auto key_by_new_host = ByHost(key, new_host);
  EXPECT_TRUE(CacheTestAnswered(key_by_new_host, 200));
  EXPECT_EQ(key_by_new_host.json["id"], id_);

  // The freed slug, taken at once by another organization, routes there and nowhere else.
  Account other = SignUp(client(), "Other");
  ASSERT_TRUE(CacheWarmedWith({[&] { return ByHost(token, old_host); }}, 404));
  auto taken = CreateOrganization(client(), other.token, "Taker", old_slug);
  ASSERT_EQ(taken["slug"], old_slug);
  auto other_by_host = ByHost(other.token, old_host);
  EXPECT_TRUE(CacheTestAnswered(other_by_host, 200));
  EXPECT_EQ(other_by_host.json["id"], taken["id"]);
  EXPECT_TRUE(CacheTestAnswered(ByHost(token, old_host), 404, "organization_not_found"));
  auto resolved_old = Resolve(token, old_host);
  EXPECT_TRUE(CacheTestAnswered(resolved_old, 200));
  EXPECT_EQ(resolved_old.json["organization_id"], taken["id"]);
  EXPECT_TRUE(CacheTestAnswered(ByHost(key, old_host), 404, "organization_not_found"));
}

// --- custom domain verified and removed ----------------------------------------------------

TEST_F(CacheInvalidationDomainTest, AVerifiedDomainRoutesOnTheNextRequestAndARemovedOneStops) {
  const std::string key = CreateKey("member").secret;
  ASSERT_FALSE(key.empty());
  std::string host = AddPublishedDomain();
  const std::string& token = owner_.token;
  // Unverified: the Host names nothing ("routes nowhere" is cached too).
  ASSERT_TRUE(CacheWarmedWith(
      {[&] { return ByHost(token, host); }, [&] { return ByHost(key, host); }}, 400));
  ASSERT_TRUE(CacheWarmedWith({[&] { return Resolve(token, host); }}, 404));

  auto verified = VerifyDomain(host);
  ASSERT_EQ(verified.status, 200) << verified.body;

  auto routed = ByHost(token, host);
  EXPECT_TRUE(CacheTestAnswered(routed, 200));
  EXPECT_EQ(routed.json["id"], id_);
  EXPECT_TRUE(CacheTestAnswered(ByHost(key, host), 200));
  auto resolved = Resolve(token, host);
  EXPECT_TRUE(CacheTestAnswered(resolved, 200));
  EXPECT_EQ(resolved.json["organization_id"], id_);
  EXPECT_EQ(resolved.json["matched_by"], "custom_domain");

  ASSERT_TRUE(CacheWarmedWith(
      {[&] { return ByHost(token, host); }, [&] { return ByHost(token, host + ":8443"); },
       [&] { return ByHost(token, host, "/members"); }, [&] { return ByHost(key, host); },
       [&] { return Resolve(token, host); }, [&] { return Resolve(key, host); }},
      200));

  auto removed = client().Request("DELETE", "/api/v1/organizations/" + slug_ + "/domains/" + host,
                                  std::nullopt, Bearer(token));
  ASSERT_EQ(removed.status, 204) << removed.body;

  // The Host names no organization any more, and nothing else in the request does.
  EXPECT_TRUE(CacheTestAnswered(ByHost(token, host), 400, "tenant_required"));
  EXPECT_TRUE(CacheTestAnswered(ByHost(token, host + ":8443"), 400, "tenant_required"));
  EXPECT_TRUE(CacheTestAnswered(ByHost(token, host, "/members"), 400, "tenant_required"));
  EXPECT_TRUE(CacheTestAnswered(ByHost(key, host), 400, "tenant_required"));
  EXPECT_TRUE(CacheTestAnswered(Resolve(token, host), 404));
  EXPECT_TRUE(CacheTestAnswered(Resolve(key, host), 404));
  // The subdomain still routes.
  EXPECT_TRUE(CacheTestAnswered(ByHost(token, CacheTestSubdomain(slug_)), 200));
}

// --- organization suspended and resumed (operator CLI) --------------------------------------
// `bulkhead org suspend|resume` is the operator's path (there is no HTTP route) and runs in a
// process of its own, so the server learns of it through its change feed
// (service/change_feed.hpp). The operator who suspends an organization for abuse expects it
// refused from the moment the command returns, as for every change made over HTTP.

TEST_F(CacheInvalidationTest, ASuspensionFromTheCliIsRefusedOnTheNextRequest) {
  const std::string key = CreateKey("admin").secret;
  ASSERT_FALSE(key.empty());
  Account member = SignUp(client(), "Member");
  AddMember(client(), owner_.token, slug_, member.user_id, "member");
  auto requests = OrganizationRequests(owner_.token, member.token, key);
  ASSERT_TRUE(CacheWarmedWith(requests, 200));

  auto suspend = RunCli({"org", "suspend", slug_}, *server_);
  ASSERT_EQ(suspend.exit_code, 0) << suspend.err;

  // API.md: 403 organization_suspended, for members and keys alike.
  for (std::size_t n = 0; n < requests.size(); ++n) {
    EXPECT_TRUE(CacheTestAnswered(requests[n](), 403, "organization_suspended"))
        << "request " << n + 1 << " after `bulkhead org suspend` returned";
  }
}

TEST_F(CacheInvalidationTest, AResumeFromTheCliIsServedOnTheNextRequest) {
  const std::string key = CreateKey("admin").secret;
  ASSERT_FALSE(key.empty());
  Account member = SignUp(client(), "Member");
  AddMember(client(), owner_.token, slug_, member.user_id, "member");
  // Suspended while the server is down, so that it starts knowing, without waiting for it.
  server_->Stop();
  auto suspend = RunCli({"org", "suspend", slug_}, *server_);
  ASSERT_EQ(suspend.exit_code, 0) << suspend.err;
  server_->Start();
  auto requests = OrganizationRequests(owner_.token, member.token, key);
  ASSERT_TRUE(CacheWarmedWith(requests, 403));

  auto resume = RunCli({"org", "resume", slug_}, *server_);
  ASSERT_EQ(resume.exit_code, 0) << resume.err;

  for (std::size_t n = 0; n < requests.size(); ++n) {
    EXPECT_TRUE(CacheTestAnswered(requests[n](), 200))
        << "request " << n + 1 << " after `bulkhead org resume` returned";
  }
}

// --- organization deleted -------------------------------------------------------------------

TEST_F(CacheInvalidationDomainTest,
       ADeletedOrganizationsSlugHostDomainAndKeysStopOnTheNextRequest) {
  const std::string key = CreateKey("admin").secret;
  ASSERT_FALSE(key.empty());
  Account member = SignUp(client(), "Member");
  AddMember(client(), owner_.token, slug_, member.user_id, "member");
  std::string domain = AddPublishedDomain();
  ASSERT_EQ(VerifyDomain(domain).status, 200);
  const std::string& token = owner_.token;
  const std::string host = CacheTestSubdomain(slug_);
  ASSERT_TRUE(CacheWarmedWith(
      {[&] { return ByHost(token, host); }, [&] { return ByHost(token, domain); },
       [&] { return ByPath(token, slug_); }, [&] { return ByPath(token, id_); },
       [&] { return ByHeader(token, slug_); }, [&] { return ByHost(member.token, host); },
       [&] { return ByHost(key, host); }, [&] { return ByHost(key, domain); },
       [&] { return ByPath(key, slug_); }, [&] { return Resolve(token, host); },
       [&] { return Resolve(token, domain); }},
      200));

  auto deleted = client().Request("DELETE", "/api/v1/organizations/" + slug_,
                                  Json{{"confirm", slug_}}, Bearer(token));
  ASSERT_EQ(deleted.status, 204) << deleted.body;

  // Its keys went with it.
  EXPECT_TRUE(CacheTestAnswered(ByHost(key, host), 401, "unauthenticated"));
  EXPECT_TRUE(CacheTestAnswered(ByHost(key, domain), 401, "unauthenticated"));
  EXPECT_TRUE(CacheTestAnswered(ByPath(key, slug_), 401, "unauthenticated"));
  // Its slug and id name nothing.
  EXPECT_TRUE(CacheTestAnswered(ByHost(token, host), 404, "organization_not_found"));
  EXPECT_TRUE(CacheTestAnswered(ByPath(token, slug_), 404, "organization_not_found"));
  EXPECT_TRUE(CacheTestAnswered(ByPath(token, id_), 404, "organization_not_found"));
  EXPECT_TRUE(CacheTestAnswered(ByHeader(token, slug_), 404, "organization_not_found"));
  EXPECT_TRUE(CacheTestAnswered(ByHost(member.token, host), 404, "organization_not_found"));
  // Its custom domain routes nowhere.
  EXPECT_TRUE(CacheTestAnswered(ByHost(token, domain), 400, "tenant_required"));
  EXPECT_TRUE(CacheTestAnswered(Resolve(token, host), 404));
  EXPECT_TRUE(CacheTestAnswered(Resolve(token, domain), 404));
  // The sessions are not the organization's: they still work.
  EXPECT_TRUE(CacheTestAnswered(Me(token), 200));
  EXPECT_TRUE(CacheTestAnswered(Me(member.token), 200));

  // The slug is free at once, and routes to its new organization only.
  Account other = SignUp(client(), "Other");
  auto again = CreateOrganization(client(), other.token, "Again", slug_);
  ASSERT_EQ(again["slug"], slug_);
  auto other_by_host = ByHost(other.token, host);
  EXPECT_TRUE(CacheTestAnswered(other_by_host, 200));
  EXPECT_EQ(other_by_host.json["id"], again["id"]);
  EXPECT_TRUE(CacheTestAnswered(ByHost(token, host), 404, "organization_not_found"));
  EXPECT_TRUE(CacheTestAnswered(ByHost(member.token, host), 404, "organization_not_found"));
}

}  // namespace
}  // namespace bulkhead::testing
