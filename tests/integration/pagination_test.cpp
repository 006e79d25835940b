// Every list pages per API.md's "Lists": ?limit (1-200, default 50) and ?cursor, the response
// {data, next_cursor}. A walk by cursor returns each item once, in the list's order, whatever is
// added or removed between pages; a bad limit or a cursor of another list is 422.

#include <functional>
#include <set>

#include "integration/harness.hpp"

namespace bulkhead::testing {
namespace {

// One list's walk: the items' keys in the order the pages gave them, and how many pages.
struct Walk {
  std::vector<std::string> keys;
  int pages = 0;
};

// Follows next_cursor from the first page to the last. `between` runs after each page but the
// last (to change the list while it is walked).
Walk WalkList(const HttpClient& c, const std::string& path, const std::string& token, int limit,
              const std::function<std::string(const Json&)>& key,
              const std::function<void(int page)>& between = nullptr) {
  Walk walk;
  std::string cursor;
  const char* join = path.find('?') == std::string::npos ? "?" : "&";
  do {
    std::string target = path + join + "limit=" + std::to_string(limit);
    if (!cursor.empty()) target += "&cursor=" + cursor;
    auto page = c.Request("GET", target, std::nullopt, Bearer(token));
    EXPECT_EQ(page.status, 200) << target << ": " << page.body;
    if (page.status != 200) break;
    EXPECT_TRUE(page.json["data"].is_array()) << page.body;
    EXPECT_LE(page.json["data"].size(), static_cast<size_t>(limit)) << target;
    for (const auto& item : page.json["data"]) walk.keys.push_back(key(item));
    ++walk.pages;
    const auto& next = page.json["next_cursor"];
    EXPECT_TRUE(next.is_null() || next.is_string()) << page.body;
    cursor = next.is_string() ? next.get<std::string>() : "";
    if (!cursor.empty()) {
      EXPECT_EQ(page.json["data"].size(), static_cast<size_t>(limit))
          << target << ": a page followed by another is full";
      if (between) between(walk.pages);
    }
    if (walk.pages > 1000) {
      ADD_FAILURE() << path << ": the walk does not end";
      break;
    }
  } while (!cursor.empty());
  return walk;
}

bool Unique(const std::vector<std::string>& keys) {
  return std::set<std::string>(keys.begin(), keys.end()).size() == keys.size();
}

void ExpectBadPagesRefused(const HttpClient& c, const std::string& path, const std::string& token) {
  const char* join = path.find('?') == std::string::npos ? "?" : "&";
  const std::vector<std::string> bad = {
      "limit=0", "limit=201", "limit=-1", "limit=1.5", "limit=abc", "cursor=abc",
      // base64url of "other-list:x": a well-formed cursor of none of these lists
      "cursor=b3RoZXItbGlzdDp4"};
  for (const auto& query : bad) {
    auto r = c.Request("GET", path + join + query, std::nullopt, Bearer(token));
    EXPECT_EQ(r.status, 422) << path << join << query << ": " << r.body;
    EXPECT_EQ(r.Code(), "validation_failed") << path << join << query;
  }
  auto max = c.Request("GET", path + join + "limit=200", std::nullopt, Bearer(token));
  EXPECT_EQ(max.status, 200) << path << ": " << max.body;
}

std::string OrgId(const Json& row) {
  return row["organization"]["id"];
}

class PaginationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The test makes hundreds of organizations from one account.
    server_ = std::make_unique<ServerProcess>(std::vector<std::string>{
        "--max-organizations-per-user", "0", "--organization-creation-rate", "0"});
  }
  HttpClient client() { return server_->client(); }
  std::unique_ptr<ServerProcess> server_;
};

// A user in 250 organizations walks them 100 at a time: 3 pages, each organization once, oldest
// membership first. Organizations made while the walk goes on come at its end; one left behind
// the cursor (deleted) moves nothing.
TEST_F(PaginationTest, TheCallersOrganizationsAreWalkedByKeyset) {
  auto c = client();
  Account a = SignUp(c, "Joiner");
  std::vector<std::string> created = {a.personal_organization["id"]};
  std::vector<std::string> slugs = {a.personal_organization["slug"]};
  for (int i = 1; i < 250; ++i) {
    auto org = CreateOrganization(c, a.token, "Org " + std::to_string(i));
    created.push_back(org["id"]);
    slugs.push_back(org["slug"]);
  }
  Account other = SignUp(c, "Other");  // others' organizations never appear
  CreateOrganization(c, other.token, "Not Mine");

  auto first = c.Request("GET", "/api/v1/user/organizations", std::nullopt, Bearer(a.token));
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(first.json["data"].size(), 50u) << "the default page is 50";
  EXPECT_TRUE(first.json["next_cursor"].is_string());

  Walk still = WalkList(c, "/api/v1/user/organizations", a.token, 100, OrgId);
  EXPECT_EQ(still.pages, 3);
  EXPECT_EQ(still.keys, created) << "every organization once, oldest membership first";

  std::vector<std::string> added;
  Walk moving = WalkList(c, "/api/v1/user/organizations", a.token, 100, OrgId, [&](int page) {
    // After the first page: delete one it showed, and make two more.
    if (page != 1) return;
    auto gone = c.Request("DELETE", "/api/v1/organizations/" + slugs[10],
                          Json{{"confirm", slugs[10]}}, Bearer(a.token));
    EXPECT_EQ(gone.status, 204) << gone.body;
    for (int i = 0; i < 2; ++i) {
      added.push_back(CreateOrganization(c, a.token, "Late " + std::to_string(i))["id"]);
    }
  });
  std::vector<std::string> expected = created;
  expected.insert(expected.end(), added.begin(), added.end());
  EXPECT_EQ(moving.pages, 3);
  EXPECT_TRUE(Unique(moving.keys));
  EXPECT_EQ(moving.keys, expected) << "no gap, no repeat while the list changes";

  ExpectBadPagesRefused(c, "/api/v1/user/organizations", a.token);
  // A members cursor is not a cursor of this list, even where its payload would parse.
  auto members = c.Request("GET", "/api/v1/organizations/" + created[1] + "/members?limit=1",
                           std::nullopt, Bearer(a.token));
  ASSERT_EQ(members.status, 200) << members.body;
  Account second = SignUp(c, "Second");
  AddMember(c, a.token, created[1], second.user_id, "member");
  members = c.Request("GET", "/api/v1/organizations/" + created[1] + "/members?limit=1",
                      std::nullopt, Bearer(a.token));
  ASSERT_TRUE(members.json["next_cursor"].is_string()) << members.body;
  auto crossed = c.Request(
      "GET", "/api/v1/user/organizations?cursor=" + members.json["next_cursor"].get<std::string>(),
      std::nullopt, Bearer(a.token));
  EXPECT_EQ(crossed.status, 422) << crossed.body;
  EXPECT_EQ(crossed.Code(), "validation_failed");
}

// Every list route of API.md takes ?limit and ?cursor: walked one item a page, it gives what one
// page of 200 gives, each item once; bad values are 422.
TEST_F(PaginationTest, EveryListHonoursLimitAndCursor) {
  auto c = client();
  Account owner = SignUp(c, "Owner");
  std::string org =
      "/api/v1/organizations/" +
      CreateOrganization(c, owner.token, "Lists", UniqueSlug("lists"))["slug"].get<std::string>();
  for (int i = 0; i < 3; ++i) {
    Account m = SignUp(c, "Member " + std::to_string(i));
    AddMember(c, owner.token, org.substr(std::string("/api/v1/organizations/").size()), m.user_id,
              "member");
    auto r = c.Request("POST", org + "/invitations",
                       Json{{"email", UniqueSlug("invitee") + "@example.com"}, {"role", "member"}},
                       Bearer(owner.token));
    ASSERT_EQ(r.status, 201) << r.body;
    r = c.Request("POST", org + "/api-keys",
                  Json{{"name", "key " + std::to_string(i)}, {"role", "member"}},
                  Bearer(owner.token));
    ASSERT_EQ(r.status, 201) << r.body;
    r = c.Request("POST", org + "/domains",
                  Json{{"hostname", UniqueSlug("d" + std::to_string(i)) + ".example.com"}},
                  Bearer(owner.token));
    ASSERT_EQ(r.status, 201) << r.body;
  }
  std::string ws;
  for (int i = 0; i < 3; ++i) {
    auto r = c.Request("POST", org + "/workspaces", Json{{"name", "Space " + std::to_string(i)}},
                       Bearer(owner.token));
    ASSERT_EQ(r.status, 201) << r.body;
    if (ws.empty()) ws = org + "/workspaces/" + r.json["id"].get<std::string>();
  }
  auto members = c.Request("GET", org + "/members", std::nullopt, Bearer(owner.token));
  for (const auto& m : members.json["data"]) {
    auto r = c.Request("PUT", ws + "/members/" + m["user"]["id"].get<std::string>(),
                       Json{{"role", "viewer"}}, Bearer(owner.token));
    if (m["role"] != "owner") {
      EXPECT_EQ(r.status, 200) << r.body;
    }
  }
  for (int i = 0; i < 3; ++i) {
    auto r = c.Request("POST", ws + "/resources",
                       Json{{"kind", "monitor"}, {"name", "r" + std::to_string(i)}},
                       Bearer(owner.token));
    ASSERT_EQ(r.status, 201) << r.body;
    r = c.Request("PUT", ws + "/secrets/S" + std::to_string(i), Json{{"value", "v"}},
                  Bearer(owner.token));
    ASSERT_TRUE(r.status == 200 || r.status == 201) << r.body;
  }

  auto id = [](const Json& item) { return item["id"].get<std::string>(); };
  auto user_id = [](const Json& item) { return item["user"]["id"].get<std::string>(); };
  struct List {
    std::string path;
    std::function<std::string(const Json&)> key;
  };
  const std::vector<List> lists = {
      {"/api/v1/user/organizations", OrgId},
      {org + "/members", user_id},
      {org + "/invitations", id},
      {org + "/api-keys", id},
      {org + "/domains", [](const Json& d) { return d["hostname"].get<std::string>(); }},
      {org + "/workspaces", id},
      {org + "/audit-log", id},
      {ws + "/members", user_id},
      {ws + "/resources", id},
      {ws + "/resources?kind=monitor", id},
      {ws + "/secrets", [](const Json& s) { return s["name"].get<std::string>(); }},
  };
  for (const auto& list : lists) {
    SCOPED_TRACE(list.path);
    auto all = c.Request(
        "GET", list.path + (list.path.find('?') == std::string::npos ? "?" : "&") + "limit=200",
        std::nullopt, Bearer(owner.token));
    if (list.path == org + "/audit-log" && all.status == 403) continue;  // a plan without it
    ASSERT_EQ(all.status, 200) << all.body;
    std::vector<std::string> expected;
    for (const auto& item : all.json["data"]) expected.push_back(list.key(item));
    EXPECT_TRUE(all.json["next_cursor"].is_null()) << all.body;
    if (list.path != "/api/v1/user/organizations") {
      EXPECT_GE(expected.size(), 2u) << "the seed makes each list longer than a page of one";
    }
    Walk walk = WalkList(c, list.path, owner.token, 1, list.key);
    EXPECT_EQ(walk.keys, expected) << "one at a time, the same items in the same order";
    EXPECT_EQ(walk.pages, static_cast<int>(expected.size()));
    EXPECT_TRUE(Unique(walk.keys));
    ExpectBadPagesRefused(c, list.path, owner.token);
  }
}

}  // namespace
}  // namespace bulkhead::testing
