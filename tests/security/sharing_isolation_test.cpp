// Cross-organization access only through an explicit, accepted, live grant (DESIGN.md,
// guarantee 8). Organization A has two workspaces and three resources; organization B's
// members try every shared verb with no grant, with a grant to a third organization, an
// offered (unaccepted) one, a declined one, a revoked one, an expired one, as a member the
// grant does not cover, and with a read grant for writes. Every attempt is refused (404
// not_found, or 403 forbidden for a read grant's writes) without a trace of A in the answer,
// and A's data, as A's owner sees it, is unchanged. With a grant, exactly the granted item and
// verbs work, and ids of A's other resources are "not found".

#include <functional>

#include "integration/harness.hpp"

namespace bulkhead::testing {
namespace {

constexpr const char* kUnknownId = "01936f0e-7a1b-7c3d-8e9f-0a1b2c3d4e5f";

class SharingIsolationTest : public ServerTest<SharingIsolationTest> {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    auto c = client();
    a_owner_ = SignUp(c, "Alice");
    b_owner_ = SignUp(c, "Bob");
    b_member_ = SignUp(c, "Bea");
    b_uncovered_ = SignUp(c, "Ben");
    c_owner_ = SignUp(c, "Carol");
    auto a = CreateOrganization(c, a_owner_.token, "Giver", UniqueSlug("giver"));
    a_id_ = a["id"];
    a_name_ = "Giver";
    b_id_ = CreateOrganization(c, b_owner_.token, "Taker", UniqueSlug("taker"))["id"];
    c_id_ = CreateOrganization(c, c_owner_.token, "Third", UniqueSlug("third"))["id"];
    AddMember(c, b_owner_.token, b_id_, b_member_.user_id, "member");
    AddMember(c, b_owner_.token, b_id_, b_uncovered_.user_id, "member");
    std::string base = "/api/v1/organizations/" + a_id_;
    granted_ws_ = Created("POST", base + "/workspaces", Json{{"name", "Granted"}})["id"];
    other_ws_ = Created("POST", base + "/workspaces", Json{{"name", "Other"}})["id"];
    granted_ = Created("POST", base + "/workspaces/" + granted_ws_ + "/resources",
                       Json{{"kind", "monitor"}, {"name", "granted"}})["id"];
    neighbour_ = Created("POST", base + "/workspaces/" + granted_ws_ + "/resources",
                         Json{{"kind", "monitor"}, {"name", "neighbour"}})["id"];
    elsewhere_ = Created("POST", base + "/workspaces/" + other_ws_ + "/resources",
                         Json{{"kind", "monitor"}, {"name", "elsewhere"}})["id"];
  }

  Json Created(const std::string& method, const std::string& path, const Json& body) {
    auto r = client().Request(method, path, body, Bearer(a_owner_.token));
    EXPECT_EQ(r.status, 201) << path << ": " << r.body;
    return r.json;
  }

  // Offered by A to `target`; accepted by B's owner for `members` when `accept`.
  std::string Offer(const std::string& target, Json item, const std::string& level) {
    item["target_organization"] = target;
    item["level"] = level;
    return Created("POST", "/api/v1/organizations/" + a_id_ + "/grants", item)["id"];
  }
  void Accept(const Account& owner, const std::string& org, const std::string& grant,
              const Json& members = "all") {
    auto r = client().Request(
        "POST", "/api/v1/organizations/" + org + "/incoming-grants/" + grant + "/accept",
        Json{{"members", members}}, Bearer(owner.token));
    ASSERT_EQ(r.status, 200) << r.body;
  }

  // Everything A's owner sees of A's resources and workspaces.
  Json SnapshotOfA() {
    Json out;
    for (const auto& ws : {granted_ws_, other_ws_}) {
      auto r = client().Request(
          "GET", "/api/v1/organizations/" + a_id_ + "/workspaces/" + ws + "/resources?limit=200",
          std::nullopt, Bearer(a_owner_.token));
      EXPECT_EQ(r.status, 200) << r.body;
      out[ws] = r.json;
    }
    out["workspaces"] = client()
                            .Request("GET", "/api/v1/organizations/" + a_id_ + "/workspaces",
                                     std::nullopt, Bearer(a_owner_.token))
                            .json;
    return out;
  }

  struct Attempt {
    std::string method;
    std::string rest;  // after …/resources
    std::optional<Json> body;
    bool writes;
  };
  // Every verb, on each of A's resources.
  std::vector<Attempt> Attempts() const {
    std::vector<Attempt> out = {{"GET", "", std::nullopt, false},
                                {"POST", "", Json{{"kind", "monitor"}, {"name", "planted"}}, true}};
    for (const auto& id : {granted_, neighbour_, elsewhere_, std::string(kUnknownId)}) {
      out.push_back({"GET", "/" + id, std::nullopt, false});
      out.push_back({"PATCH", "/" + id, Json{{"spec", {{"pwned", true}}}}, true});
      out.push_back({"DELETE", "/" + id, std::nullopt, true});
    }
    return out;
  }

  // Every attempt through `grant` as `who` (a member of `org`) gets `status` (or 403 for the
  // writes when `writes_forbidden`), with nothing of A in the answer.
  void ExpectRefused(const std::string& what, const Account& who, const std::string& org,
                     const std::string& grant, bool writes_forbidden = false) {
    for (const auto& a : Attempts()) {
      auto r = client().Request(
          a.method, "/api/v1/organizations/" + org + "/shared/" + grant + "/resources" + a.rest,
          a.body, Bearer(who.token));
      int expected = a.writes && writes_forbidden ? 403 : 404;
      EXPECT_EQ(r.status, expected) << what << ": " << a.method << " " << a.rest << " " << r.body;
      EXPECT_EQ(r.Code(), expected == 403 ? "forbidden" : "not_found") << what;
      for (const auto& leak : {a_id_, granted_ws_, std::string("granted"), a_name_}) {
        EXPECT_EQ(r.body.find(leak), std::string::npos) << what << " leaked " << leak;
      }
    }
  }

  Account a_owner_, b_owner_, b_member_, b_uncovered_, c_owner_;
  std::string a_id_, a_name_, b_id_, c_id_;
  std::string granted_ws_, other_ws_, granted_, neighbour_, elsewhere_;
};

TEST_F(SharingIsolationTest, WithoutALiveGrantCoveringTheCallerEveryAttemptIsRefused) {
  Json before = SnapshotOfA();
  Json ws_item = {{"workspace_id", granted_ws_}};

  // No grant at all, and A's ids in the grant's place.
  ExpectRefused("no grant", b_member_, b_id_, kUnknownId);
  ExpectRefused("a workspace id as grant", b_member_, b_id_, granted_ws_);
  ExpectRefused("a resource id as grant", b_member_, b_id_, granted_);
  ExpectRefused("not a uuid", b_member_, b_id_, "not-a-grant");

  // A grant to a third organization, accepted there, used by B.
  std::string third = Offer(c_id_, ws_item, "write");
  Accept(c_owner_, c_id_, third);
  ExpectRefused("a third organization's grant", b_member_, b_id_, third);
  ExpectRefused("a third organization's grant (B's owner)", b_owner_, b_id_, third);

  // Offered, not accepted.
  std::string offered = Offer(b_id_, ws_item, "write");
  ExpectRefused("an offered grant", b_member_, b_id_, offered);

  // Declined.
  std::string declined = Offer(b_id_, ws_item, "write");
  ASSERT_EQ(
      client()
          .Request("POST",
                   "/api/v1/organizations/" + b_id_ + "/incoming-grants/" + declined + "/decline",
                   std::nullopt, Bearer(b_owner_.token))
          .status,
      200);
  ExpectRefused("a declined grant", b_member_, b_id_, declined);

  // Revoked after acceptance.
  std::string revoked = Offer(b_id_, ws_item, "write");
  Accept(b_owner_, b_id_, revoked);
  ASSERT_EQ(client()
                .Request("DELETE", "/api/v1/organizations/" + a_id_ + "/grants/" + revoked,
                         std::nullopt, Bearer(a_owner_.token))
                .status,
            204);
  ExpectRefused("a revoked grant", b_member_, b_id_, revoked);

  // Expired: a short expiry, then moved into the past in the catalog the server uses.
  std::string expired = Offer(b_id_, ws_item, "write");
  Accept(b_owner_, b_id_, expired);
  ExecuteSql(server(), "", "UPDATE grants SET expires_at = 1000 WHERE id = '" + expired + "'");
  ExpectRefused("an expired grant", b_member_, b_id_, expired);

  // Accepted for one member only: the others are not covered.
  std::string some = Offer(b_id_, ws_item, "write");
  Accept(b_owner_, b_id_, some, Json::array({b_member_.user_id}));
  ExpectRefused("a member the grant does not cover", b_uncovered_, b_id_, some);
  ExpectRefused("B's owner, not covered", b_owner_, b_id_, some);

  // A read grant used for writes: 403 for each write, and reads outside it still 404.
  std::string read = Offer(b_id_, Json{{"resource_id", granted_}}, "read");
  Accept(b_owner_, b_id_, read);
  for (const auto& a : Attempts()) {
    if (!a.writes) continue;
    auto r = client().Request(
        a.method, "/api/v1/organizations/" + b_id_ + "/shared/" + read + "/resources" + a.rest,
        a.body, Bearer(b_member_.token));
    EXPECT_EQ(r.status, 403) << a.method << " " << a.rest << " " << r.body;
  }

  // A's own path stays closed to B whatever it holds.
  auto direct = client().Request(
      "GET", "/api/v1/organizations/" + a_id_ + "/workspaces/" + granted_ws_ + "/resources",
      std::nullopt, Bearer(b_member_.token));
  EXPECT_EQ(direct.status, 404);
  EXPECT_EQ(direct.Code(), "organization_not_found");

  EXPECT_EQ(SnapshotOfA(), before) << "an attempt changed organization A";
}

TEST_F(SharingIsolationTest, AWorkspaceGrantReachesThatWorkspaceAndNothingElse) {
  std::string grant = Offer(b_id_, Json{{"workspace_id", granted_ws_}}, "read");
  Accept(b_owner_, b_id_, grant);
  std::string base = "/api/v1/organizations/" + b_id_ + "/shared/" + grant + "/resources";
  auto b = Bearer(b_member_.token);
  auto list = client().Request("GET", base, std::nullopt, b);
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(list.json["data"].size(), 2u);
  EXPECT_EQ(list.body.find(elsewhere_), std::string::npos);
  EXPECT_EQ(client().Request("GET", base + "/" + granted_, std::nullopt, b).status, 200);
  EXPECT_EQ(client().Request("GET", base + "/" + neighbour_, std::nullopt, b).status, 200);
  auto other = client().Request("GET", base + "/" + elsewhere_, std::nullopt, b);
  EXPECT_EQ(other.status, 404);
  EXPECT_EQ(other.Code(), "not_found");
  EXPECT_EQ(client().Request("GET", base + "/" + kUnknownId, std::nullopt, b).status, 404);
}

TEST_F(SharingIsolationTest, AResourceGrantReachesThatResourceAndNothingElse) {
  Json before = SnapshotOfA();
  std::string grant = Offer(b_id_, Json{{"resource_id", granted_}}, "write");
  Accept(b_owner_, b_id_, grant);
  std::string base = "/api/v1/organizations/" + b_id_ + "/shared/" + grant + "/resources";
  auto b = Bearer(b_member_.token);
  auto list = client().Request("GET", base, std::nullopt, b);
  ASSERT_EQ(list.status, 200) << list.body;
  ASSERT_EQ(list.json["data"].size(), 1u);
  EXPECT_EQ(list.json["data"][0]["id"], granted_);
  for (const auto& id : {neighbour_, elsewhere_, std::string(kUnknownId)}) {
    EXPECT_EQ(client().Request("GET", base + "/" + id, std::nullopt, b).status, 404) << id;
    EXPECT_EQ(client().Request("PATCH", base + "/" + id, Json{{"name", "x"}}, b).status, 404) << id;
  }
  // Write on one resource is update only.
  EXPECT_EQ(
      client().Request("POST", base, Json{{"kind", "monitor"}, {"name", "planted"}}, b).status,
      403);
  EXPECT_EQ(client().Request("DELETE", base + "/" + granted_, std::nullopt, b).status, 403);
  EXPECT_EQ(SnapshotOfA(), before) << "a refused attempt changed organization A";
  auto patched =
      client().Request("PATCH", base + "/" + granted_, Json{{"labels", {{"by", "b"}}}}, b);
  EXPECT_EQ(patched.status, 200) << patched.body;
}

}  // namespace
}  // namespace bulkhead::testing
