// What the console's organization switcher and team form ask of the API: the caller's
// organizations searched by name or slug and by type (filtered in SQL, keyset paging kept), a
// slug's availability while it is typed, and the caller's role on every single read and write.

#include <set>

#include "integration/harness.hpp"

namespace bulkhead::testing {
namespace {

class OrganizationSearchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServerProcess>(std::vector<std::string>{
        "--max-organizations-per-user", "0", "--organization-creation-rate", "0"});
  }
  HttpClient client() { return server_->client(); }

  // The organization ids of every page of `query`, walked `limit` at a time; `pages` counts them.
  std::vector<std::string> Walk(const Account& a, const std::string& query, int limit,
                                int* pages = nullptr) {
    std::vector<std::string> ids;
    std::string cursor;
    int n = 0;
    do {
      std::string target = "/api/v1/user/organizations?limit=" + std::to_string(limit) + query;
      if (!cursor.empty()) target += "&cursor=" + cursor;
      auto page = client().Request("GET", target, std::nullopt, Bearer(a.token));
      EXPECT_EQ(page.status, 200) << target << ": " << page.body;
      if (page.status != 200) break;
      for (const auto& row : page.json["data"]) ids.push_back(row["organization"]["id"]);
      cursor =
          page.json["next_cursor"].is_string() ? page.json["next_cursor"].get<std::string>() : "";
      if (++n > 100) break;
    } while (!cursor.empty());
    if (pages) *pages = n;
    return ids;
  }
  HttpResponse Slug(const std::string& text, const std::string& token) {
    return client().Request("GET", "/api/v1/organization-slugs/" + text, std::nullopt,
                            Bearer(token));
  }

  std::unique_ptr<ServerProcess> server_;
};

TEST_F(OrganizationSearchTest, FindsNameOrSlugInAnyCaseAcrossPagesWithTheCursor) {
  auto c = client();
  Account a = SignUp(c, "Searcher");
  std::vector<std::string> blue;
  for (int i = 0; i < 12; ++i) {
    blue.push_back(
        CreateOrganization(c, a.token, "Blue Team " + std::to_string(i), UniqueSlug("bt"))["id"]);
    CreateOrganization(c, a.token, "Red Squad " + std::to_string(i), UniqueSlug("rs"));
  }
  // Matched by its slug alone.
  blue.push_back(CreateOrganization(c, a.token, "Nothing", UniqueSlug("blue-slug"))["id"]);
  Account other = SignUp(c, "Other");
  CreateOrganization(c, other.token, "Blue Not Mine", UniqueSlug("bnm"));

  int pages = 0;
  EXPECT_EQ(Walk(a, "&q=BLUE", 5, &pages), blue) << "each match once, oldest membership first";
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(Walk(a, "&q=bLuE%20tEAM", 200), std::vector<std::string>(blue.begin(), blue.end() - 1));
  EXPECT_EQ(Walk(a, "&q=squad%2011", 200).size(), 1u);
  EXPECT_TRUE(Walk(a, "&q=violet", 200).empty());

  auto rows =
      c.Request("GET", "/api/v1/user/organizations?q=blue&limit=1", std::nullopt, Bearer(a.token));
  ASSERT_EQ(rows.status, 200) << rows.body;
  EXPECT_EQ(rows.json["data"][0]["role"], "owner");
  EXPECT_EQ(rows.json["data"][0]["organization"]["name"], "Blue Team 0");
}

TEST_F(OrganizationSearchTest, FiltersByTypeAloneAndWithText) {
  auto c = client();
  Account a = SignUp(c, "Typed Person");
  std::vector<std::string> teams;
  for (int i = 0; i < 3; ++i) {
    teams.push_back(CreateOrganization(c, a.token, "Typed Team " + std::to_string(i))["id"]);
  }
  std::vector<std::string> personal = {a.personal_organization["id"]};
  int pages = 0;
  EXPECT_EQ(Walk(a, "&type=team", 2, &pages), teams);
  EXPECT_EQ(pages, 2);
  EXPECT_EQ(Walk(a, "&type=personal", 2), personal);
  EXPECT_EQ(Walk(a, "&type=personal&q=typed", 2), personal);
  EXPECT_EQ(Walk(a, "&type=team&q=team%201", 2), std::vector<std::string>{teams[1]});
  EXPECT_TRUE(Walk(a, "&type=personal&q=team", 2).empty());
}

TEST_F(OrganizationSearchTest, LikeWildcardsInTheTextAreLiteral) {
  auto c = client();
  Account a = SignUp(c, "Wild");
  std::string odd = CreateOrganization(c, a.token, "100% Sure_Thing\\", UniqueSlug("pct"))["id"];
  CreateOrganization(c, a.token, "Plain", UniqueSlug("plain"));
  std::vector<std::string> only_odd = {odd};
  EXPECT_EQ(Walk(a, "&q=%25", 50), only_odd);
  EXPECT_EQ(Walk(a, "&q=_", 50), only_odd);
  EXPECT_EQ(Walk(a, "&q=%5C", 50), only_odd);
  EXPECT_EQ(Walk(a, "&q=0%25%20s", 50), only_odd);
  EXPECT_TRUE(Walk(a, "&q=1%25%25", 50).empty());
}

TEST_F(OrganizationSearchTest, BadSearchesAreRefused) {
  auto c = client();
  Account a = SignUp(c, "Bad Search");
  const std::vector<std::string> bad = {"q=", "q=" + std::string(101, 'x'), "type=other",
                                        "type=", "type=Team"};
  for (const auto& query : bad) {
    auto r = c.Request("GET", "/api/v1/user/organizations?" + query, std::nullopt, Bearer(a.token));
    EXPECT_EQ(r.status, 422) << query << ": " << r.body;
    EXPECT_EQ(r.Code(), "validation_failed") << query;
  }
  EXPECT_EQ(c.Request("GET", "/api/v1/user/organizations?q=" + std::string(100, 'x'), std::nullopt,
                      Bearer(a.token))
                .status,
            200);
}

TEST_F(OrganizationSearchTest, SlugAvailabilityAnswersEveryTextWithAReason) {
  auto c = client();
  Account a = SignUp(c, "Slugger");
  Account b = SignUp(c, "Neighbour");
  std::string mine = CreateOrganization(c, a.token, "Mine", UniqueSlug("mine"))["slug"];
  std::string theirs = CreateOrganization(c, b.token, "Theirs", UniqueSlug("theirs"))["slug"];
  auto held = CreateOrganization(c, b.token, "Held", UniqueSlug("held"));
  ExecuteSql(*server_, "",
             "UPDATE organizations SET status = 'suspended' WHERE id = '" +
                 held["id"].get<std::string>() + "'");

  std::string free_slug = UniqueSlug("free");
  auto available = Slug(free_slug, a.token);
  ASSERT_EQ(available.status, 200) << available.body;
  EXPECT_EQ(
      available.json,
      (Json{{"slug", free_slug}, {"available", true}, {"reason", nullptr}, {"detail", nullptr}}));

  for (const std::string& taken : {mine, theirs, held["slug"].get<std::string>(),
                                   a.personal_organization["slug"].get<std::string>()}) {
    auto r = Slug(taken, a.token);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json["available"], false) << taken;
    EXPECT_EQ(r.json["reason"], "taken") << taken;
    EXPECT_EQ(r.json["slug"], taken);
  }
  for (const std::string reserved : {"www", "api", "admin"}) {
    auto r = Slug(reserved, a.token);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json["available"], false);
    EXPECT_EQ(r.json["reason"], "reserved") << reserved;
  }
  struct Invalid {
    std::string path;  // as sent
    std::string slug;  // as echoed
    std::string detail;
  };
  const Invalid invalid[] = {
      {"ab", "ab", "slug must be 3-63 characters"},
      {"-acme", "-acme", "slug must start and end with a letter or digit"},
      {"Acme", "Acme", "slug may contain only a-z, 0-9 and '-'"},
      {"a%20b%2Fc", "a b/c", "slug may contain only a-z, 0-9 and '-'"},
      {std::string(100, 'x'), std::string(100, 'x'), "slug must be 3-63 characters"},
      {"01936f0e-7a1b-7c3d-8e9f-0a1b2c3d4e5f", "01936f0e-7a1b-7c3d-8e9f-0a1b2c3d4e5f",
       "slug must not have the shape of an id (UUID)"},
  };
  for (const auto& bad : invalid) {
    auto r = Slug(bad.path, a.token);
    ASSERT_EQ(r.status, 200) << bad.path << ": " << r.body;
    EXPECT_EQ(r.json["available"], false) << bad.path;
    EXPECT_EQ(r.json["reason"], "invalid") << bad.path;
    EXPECT_EQ(r.json["detail"], bad.detail) << bad.path;
    EXPECT_EQ(r.json["slug"], bad.slug) << bad.path;
  }
  // Not UTF-8, and 100 characters of two bytes each: still an answer.
  auto bytes = Slug("%FF%FEabc", a.token);
  EXPECT_EQ(bytes.status, 200) << bytes.body;
  EXPECT_EQ(bytes.json["reason"], "invalid");
  std::string accents;
  for (int i = 0; i < 100; ++i) accents += "%C3%A9";
  auto wide = Slug(accents, a.token);
  EXPECT_EQ(wide.status, 200) << wide.body;
  EXPECT_EQ(wide.json["reason"], "invalid");

  auto long_text = Slug(std::string(101, 'x'), a.token);
  EXPECT_EQ(long_text.status, 422) << long_text.body;
  EXPECT_EQ(long_text.Code(), "validation_failed");
  EXPECT_EQ(c.Request("GET", "/api/v1/organization-slugs/acme").status, 401);
}

TEST_F(OrganizationSearchTest, SingleReadsAndWritesCarryTheCallersRole) {
  auto c = client();
  Account owner = SignUp(c, "Role Owner");
  Account admin = SignUp(c, "Role Admin");
  Account member = SignUp(c, "Role Member");
  auto created = CreateOrganization(c, owner.token, "Roles", UniqueSlug("roles"));
  EXPECT_EQ(created["role"], "owner");
  std::string slug = created["slug"];
  std::string id = created["id"];
  std::string org = "/api/v1/organizations/" + slug;
  AddMember(c, owner.token, slug, admin.user_id, "admin");
  AddMember(c, owner.token, slug, member.user_id, "member");

  for (const auto& [account, role] : std::vector<std::pair<Account, std::string>>{
           {owner, "owner"}, {admin, "admin"}, {member, "member"}}) {
    auto read = c.Request("GET", org, std::nullopt, Bearer(account.token));
    ASSERT_EQ(read.status, 200) << read.body;
    EXPECT_EQ(read.json["role"], role);
    // The current-organization alias reads the same.
    auto alias = c.Request("GET", "/api/v1/org", std::nullopt,
                           Bearer(account.token, {{"X-Organization", id}}));
    EXPECT_EQ(alias.json["role"], role) << alias.body;
  }
  auto patched = c.Request("PATCH", org, Json{{"name", "Roles 2"}}, Bearer(admin.token));
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(patched.json["role"], "admin");
  auto plan = c.Request("PUT", org + "/plan", Json{{"plan", "enterprise"}}, Bearer(owner.token));
  ASSERT_EQ(plan.status, 200) << plan.body;
  EXPECT_EQ(plan.json["role"], "owner");

  // An API key reads with its own role, whoever made it.
  auto key = c.Request("POST", org + "/api-keys", Json{{"name", "reader"}, {"role", "member"}},
                       Bearer(owner.token));
  ASSERT_EQ(key.status, 201) << key.body;
  auto by_key = c.Request("GET", org, std::nullopt, Bearer(key.json["key"].get<std::string>()));
  ASSERT_EQ(by_key.status, 200) << by_key.body;
  EXPECT_EQ(by_key.json["role"], "member");

  // A role change shows at the very next read.
  ASSERT_EQ(c.Request("PATCH", org + "/members/" + member.user_id, Json{{"role", "admin"}},
                      Bearer(owner.token))
                .status,
            200);
  EXPECT_EQ(c.Request("GET", org, std::nullopt, Bearer(member.token)).json["role"], "admin");
}

}  // namespace
}  // namespace bulkhead::testing
