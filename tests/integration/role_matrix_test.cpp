// The permission matrix of DESIGN.md over real HTTP: owner, admin, member, non-member and
// anonymous against every organization and member route. The test also fails when the
// server's route table (its OpenAPI document) has an organization route this table lacks.

#include <functional>
#include <set>

#include "integration/harness.hpp"

namespace bulkhead::testing {
namespace {

enum Actor { kOwner, kAdmin, kMember, kOutsider, kAnonymous, kActorCount };
const char* kActorNames[] = {"owner", "admin", "member", "non-member", "anonymous"};

struct Case {
  std::string method;
  std::string pattern;  // as in the route table
  // Path with {org}, {user_id} (the target member) and {hostname} (the organization's custom
  // domain, "<slug>.example.com") filled in.
  std::function<std::string(const std::string& org, const std::string& target,
                            const std::string& slug)>
      path;
  std::function<Json(const std::string& org_slug, const std::string& candidate)> body;
  int expected[kActorCount];
};

std::vector<Case> Cases() {
  auto org_path = [](const std::string& org, const std::string&, const std::string&) {
    return "/api/v1/organizations/" + org;
  };
  auto members = [](const std::string& org, const std::string&, const std::string&) {
    return "/api/v1/organizations/" + org + "/members";
  };
  auto member = [](const std::string& org, const std::string& target, const std::string&) {
    return "/api/v1/organizations/" + org + "/members/" + target;
  };
  auto audit = [](const std::string& org, const std::string&, const std::string&) {
    return "/api/v1/organizations/" + org + "/audit-log";
  };
  auto domains = [](const std::string& org, const std::string&, const std::string&) {
    return "/api/v1/organizations/" + org + "/domains";
  };
  auto domain = [](const std::string& org, const std::string&, const std::string& slug) {
    return "/api/v1/organizations/" + org + "/domains/" + slug + ".example.com";
  };
  auto verify = [](const std::string& org, const std::string&, const std::string& slug) {
    return "/api/v1/organizations/" + org + "/domains/" + slug + ".example.com/verify";
  };
  auto none = [](const std::string&, const std::string&) { return Json(); };
  const std::string p = "/api/v1/organizations/{org}";
  return {
      {"GET", p, org_path, none, {200, 200, 200, 404, 401}},
      {"PATCH", p, org_path, [](auto&, auto&) { return Json{{"name", "Renamed"}}; },
       {200, 200, 403, 404, 401}},
      {"DELETE", p, org_path, [](const std::string& slug, auto&) { return Json{{"confirm", slug}}; },
       {204, 403, 403, 404, 401}},
      {"GET", p + "/members", members, none, {200, 200, 200, 404, 401}},
      {"POST", p + "/members", members,
       [](auto&, const std::string& candidate) { return Json{{"user_id", candidate}, {"role", "member"}}; },
       {201, 201, 403, 404, 401}},
      {"PATCH", p + "/members/{user_id}", member, [](auto&, auto&) { return Json{{"role", "admin"}}; },
       {200, 200, 403, 404, 401}},
      {"DELETE", p + "/members/{user_id}", member, none, {204, 204, 403, 404, 401}},
      {"GET", p + "/audit-log", audit, none, {200, 200, 403, 404, 401}},
      {"GET", p + "/domains", domains, none, {200, 200, 200, 404, 401}},
      {"POST", p + "/domains", domains,
       [](const std::string& slug, auto&) { return Json{{"hostname", "new-" + slug + ".example.org"}}; },
       {201, 201, 403, 404, 401}},
      // No TXT record is published here: an allowed caller gets as far as the DNS check.
      {"POST", p + "/domains/{hostname}/verify", verify, none, {422, 422, 403, 404, 401}},
      {"DELETE", p + "/domains/{hostname}", domain, none, {204, 204, 403, 404, 401}},
  };
}

class RoleMatrixTest : public ServerTest<RoleMatrixTest> {};

TEST_F(RoleMatrixTest, EveryRoleGetsTheExpectedStatusOnEveryRoute) {
  auto c = client();
  Account owner = SignUp(c, "Owner");
  Account admin = SignUp(c, "Admin");
  Account member = SignUp(c, "Member");
  Account outsider = SignUp(c, "Outsider");
  Account target = SignUp(c, "Target");
  Account candidate = SignUp(c, "Candidate");
  const Account* actors[] = {&owner, &admin, &member, &outsider, nullptr};

  int n = 0;
  for (const auto& test : Cases()) {
    for (int actor = 0; actor < kActorCount; ++actor) {
      // A fresh organization per case, so that a mutation never affects the next case.
      std::string slug = "matrix-" + std::to_string(++n);
      auto org = CreateOrganization(c, owner.token, "Matrix " + std::to_string(n), slug);
      AddMember(c, owner.token, slug, admin.user_id, "admin");
      AddMember(c, owner.token, slug, member.user_id, "member");
      AddMember(c, owner.token, slug, target.user_id, "member");
      auto claimed = c.Request("POST", "/api/v1/organizations/" + slug + "/domains",
                               Json{{"hostname", slug + ".example.com"}}, Bearer(owner.token));
      ASSERT_EQ(claimed.status, 201) << claimed.body;
      // Name the organization by id and by slug alternately: both must behave the same.
      std::string ref = n % 2 ? slug : org["id"].get<std::string>();
      std::string path = test.path(ref, target.user_id, slug);
      Json body = test.body(slug, candidate.user_id);
      Headers headers = actors[actor] ? Bearer(actors[actor]->token) : Headers{};
      auto r = body.is_null() ? c.Request(test.method, path, std::nullopt, headers)
                              : c.Request(test.method, path, body, headers);
      EXPECT_EQ(r.status, test.expected[actor])
          << test.method << " " << test.pattern << " as " << kActorNames[actor] << ": " << r.body;
      if (r.status >= 400) {
        EXPECT_EQ(r.Header("content-type"), "application/problem+json");
        const char* code = r.status == 401   ? "unauthenticated"
                           : r.status == 403 ? "forbidden"
                           : r.status == 404 ? "organization_not_found"
                           : r.status == 422 ? "verification_failed"
                                             : "";
        EXPECT_EQ(r.Code(), code) << test.method << " " << test.pattern << " as " << kActorNames[actor];
      }
    }
  }
}

TEST_F(RoleMatrixTest, CoversEveryOrganizationRouteOfTheRouteTable) {
  auto doc = client().Request("GET", "/openapi.json");
  ASSERT_EQ(doc.status, 200);
  std::set<std::pair<std::string, std::string>> covered;
  for (const auto& test : Cases()) covered.insert({test.method, test.pattern});
  for (const auto& [path, methods] : doc.json["paths"].items()) {
    if (path.rfind("/api/v1/organizations/{org}", 0) != 0) continue;
    for (const auto& [method, op] : methods.items()) {
      std::string upper = method;
      for (auto& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      EXPECT_TRUE(covered.count({upper, path})) << "route without a role-matrix row: " << upper << " " << path;
    }
  }
}

TEST_F(RoleMatrixTest, NonMembersCannotTellExistingFromMissingOrganizations) {
  auto c = client();
  Account owner = SignUp(c, "Owner");
  Account outsider = SignUp(c, "Outsider");
  auto org = CreateOrganization(c, owner.token, "Secret", "secret-org");
  for (const std::string& ref : {std::string("secret-org"), org["id"].get<std::string>()}) {
    auto existing = c.Request("GET", "/api/v1/organizations/" + ref + "/members", std::nullopt,
                              Bearer(outsider.token));
    auto missing = c.Request("GET", "/api/v1/organizations/no-such-org-x/members", std::nullopt,
                             Bearer(outsider.token));
    EXPECT_EQ(existing.status, missing.status);
    EXPECT_EQ(existing.Code(), missing.Code());
    EXPECT_EQ(existing.json["detail"], missing.json["detail"]);
  }
}

}  // namespace
}  // namespace bulkhead::testing
