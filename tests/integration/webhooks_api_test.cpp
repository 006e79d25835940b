// Webhook endpoints over real HTTP, on a server without --allow-private-webhooks (the strict
// default): the signing secret is shown at creation and rotation only, never stored in the
// clear; URLs that point into the server's own network are refused; admins (and admin API keys)
// only; another organization's endpoint is not found; at most 20 per organization; every
// change audited; the catalog knows which organizations have endpoints.

#include <filesystem>
#include <set>

#include "integration/harness.hpp"

namespace bulkhead::testing {
namespace {

namespace fs = std::filesystem;

constexpr const char* kReceiver = "https://hooks.example.com/bulkhead";

bool IsStandardBase64Of32Bytes(const std::string& text) {
  if (text.size() != 44 || text.back() != '=' || text[42] == '=') return false;
  for (std::size_t i = 0; i < 43; ++i) {
    char c = text[i];
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '/';
    if (!ok) return false;
  }
  return true;
}

class WebhooksApiTest : public ServerTest<WebhooksApiTest> {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    owner_ = SignUp(client(), "Owner");
    auto org = CreateOrganization(client(), owner_.token, "Acme", UniqueSlug("acme"));
    slug_ = org["slug"];
    org_id_ = org["id"];
  }
  std::string Org() { return "/api/v1/organizations/" + slug_; }
  HttpResponse Call(const std::string& method, const std::string& path,
                    const std::optional<Json>& body = std::nullopt, const std::string& token = "") {
    return client().Request(method, Org() + path, body,
                            Bearer(token.empty() ? owner_.token : token));
  }
  HttpResponse Create(const Json& body, const std::string& token = "") {
    return Call("POST", "/webhooks", body, token);
  }
  // An endpoint created by the owner; returns its JSON (with the secret).
  Json CreateEndpoint(const std::string& url = kReceiver) {
    auto r = Create({{"url", url}});
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json;
  }
  // The field a 422 names ("" for another answer).
  static std::string RefusedField(const HttpResponse& r) {
    if (r.status != 422 || r.Code() != "validation_failed") return "";
    return r.json["errors"][0]["field"];
  }
  std::set<std::string> AuditActions() {
    auto r = Call("GET", "/audit-log?limit=200");
    EXPECT_EQ(r.status, 200) << r.body;
    std::set<std::string> out;
    for (const auto& e : r.json["data"]) out.insert(e["action"].get<std::string>());
    return out;
  }
  int64_t WebhookOrganizationRows() {
    auto rows = QuerySql(
        server(), "",
        "SELECT COUNT(*) FROM webhook_organizations WHERE organization_id = '" + org_id_ + "'");
    return std::stoll(rows.at(0).at(0));
  }

  Account owner_;
  std::string slug_;
  std::string org_id_;
};

TEST_F(WebhooksApiTest, CreateShowsTheSecretOnceAndStartsEnabled) {
  auto r = Create({{"url", kReceiver},
                   {"event_types", {"member.added", "member.removed"}},
                   {"description", "Provisioning"}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.Header("cache-control"), "no-store");
  std::string secret = r.json["secret"];
  ASSERT_EQ(secret.rfind("whsec_", 0), 0u) << secret;
  EXPECT_TRUE(IsStandardBase64Of32Bytes(secret.substr(6))) << secret;
  EXPECT_EQ(r.json["url"], kReceiver);
  EXPECT_EQ(r.json["description"], "Provisioning");
  EXPECT_EQ(r.json["event_types"], Json({"member.added", "member.removed"}));
  EXPECT_EQ(r.json["status"], "enabled");
  EXPECT_EQ(r.json["disabled_reason"], nullptr);
  EXPECT_EQ(r.json["failing_since"], nullptr);
  EXPECT_EQ(r.json["next_attempt_at"], nullptr);
  EXPECT_TRUE(r.json["last_sequence"].is_number_integer());
  std::string id = r.json["id"];

  // Never again: not in a read, a list, the audit log, nor the database in the clear.
  auto got = Call("GET", "/webhooks/" + id);
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_FALSE(got.json.contains("secret"));
  EXPECT_EQ(got.body.find(secret.substr(6)), std::string::npos);
  auto list = Call("GET", "/webhooks");
  ASSERT_EQ(list.status, 200) << list.body;
  ASSERT_EQ(list.json["data"].size(), 1u);
  EXPECT_EQ(list.json["data"][0]["id"], id);
  EXPECT_EQ(list.json["next_cursor"], nullptr);
  EXPECT_EQ(list.body.find(secret.substr(6)), std::string::npos);
  auto audit = Call("GET", "/audit-log");
  EXPECT_EQ(audit.body.find(secret.substr(6)), std::string::npos);
  auto row = QuerySql(server(), org_id_,
                      "SELECT secret_sealed, secret_master_id, previous_secret_sealed, status,"
                      " disabled_reason FROM webhook_endpoints WHERE id = '" +
                          id + "'");
  ASSERT_EQ(row.size(), 1u);
  EXPECT_EQ(row[0][0].find(secret.substr(6)), std::string::npos);
  EXPECT_FALSE(row[0][0].empty());
  EXPECT_FALSE(row[0][1].empty());
  EXPECT_EQ(row[0][2], "");
  EXPECT_EQ(row[0][3], "enabled");
  EXPECT_EQ(row[0][4], "");

  // Without event_types: every type ([]); another secret.
  auto all = Create({{"url", kReceiver}});
  ASSERT_EQ(all.status, 201) << all.body;
  EXPECT_EQ(all.json["event_types"], Json::array());
  EXPECT_EQ(all.json["description"], "");
  EXPECT_NE(all.json["secret"], secret);
}

TEST_F(WebhooksApiTest, PatchChangesFieldsAndEnablingResumesAfterTheCursor) {
  Json created = CreateEndpoint();
  std::string id = created["id"];
  auto patched = Call("PATCH", "/webhooks/" + id,
                      Json{{"url", "https://other.example.com/in"},
                           {"event_types", {"organization.updated"}},
                           {"description", "Renamed"}});
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(patched.json["url"], "https://other.example.com/in");
  EXPECT_EQ(patched.json["event_types"], Json({"organization.updated"}));
  EXPECT_EQ(patched.json["description"], "Renamed");
  EXPECT_FALSE(patched.json.contains("secret"));

  auto disabled = Call("PATCH", "/webhooks/" + id, Json{{"status", "disabled"}});
  ASSERT_EQ(disabled.status, 200) << disabled.body;
  EXPECT_EQ(disabled.json["status"], "disabled");
  EXPECT_EQ(disabled.json["disabled_reason"], "manual");

  // As if the dispatcher had given up on it: failures, a retry due, a cursor.
  ExecuteSql(server(), org_id_,
             "UPDATE webhook_endpoints SET status = 'disabled', disabled_reason = 'failing',"
             " attempt = 7, failing_since = 1700000000000, next_attempt_at = 1700000005000,"
             " cursor_seq = 3 WHERE id = '" +
                 id + "'");
  auto failing = Call("GET", "/webhooks/" + id);
  EXPECT_EQ(failing.json["disabled_reason"], "failing");
  EXPECT_TRUE(failing.json["failing_since"].is_string());
  EXPECT_TRUE(failing.json["next_attempt_at"].is_string());
  EXPECT_EQ(failing.json["last_sequence"], 3);

  auto enabled = Call("PATCH", "/webhooks/" + id, Json{{"status", "enabled"}});
  ASSERT_EQ(enabled.status, 200) << enabled.body;
  EXPECT_EQ(enabled.json["status"], "enabled");
  EXPECT_EQ(enabled.json["disabled_reason"], nullptr);
  EXPECT_EQ(enabled.json["failing_since"], nullptr);
  EXPECT_EQ(enabled.json["next_attempt_at"], nullptr);
  EXPECT_EQ(enabled.json["last_sequence"], 3);
  auto row = QuerySql(server(), org_id_,
                      "SELECT attempt, failing_since, next_attempt_at, cursor_seq FROM "
                      "webhook_endpoints WHERE id = '" +
                          id + "'");
  EXPECT_EQ(row.at(0), (std::vector<std::string>{"0", "0", "0", "3"}));
  EXPECT_EQ(Call("GET", "/webhooks/" + id).json, enabled.json);
}

TEST_F(WebhooksApiTest, DeleteRemovesTheEndpointAndTheLastOneTheCatalogMark) {
  EXPECT_EQ(WebhookOrganizationRows(), 0);
  std::string first = CreateEndpoint()["id"];
  EXPECT_EQ(WebhookOrganizationRows(), 1);
  std::string second = CreateEndpoint()["id"];
  EXPECT_EQ(WebhookOrganizationRows(), 1);
  EXPECT_EQ(Call("DELETE", "/webhooks/" + first).status, 204);
  EXPECT_EQ(WebhookOrganizationRows(), 1);
  EXPECT_EQ(Call("GET", "/webhooks/" + first).status, 404);
  EXPECT_EQ(Call("DELETE", "/webhooks/" + first).Code(), "not_found");
  EXPECT_EQ(Call("DELETE", "/webhooks/" + second).status, 204);
  EXPECT_EQ(WebhookOrganizationRows(), 0);
  EXPECT_EQ(Call("GET", "/webhooks").json["data"], Json::array());
}

TEST_F(WebhooksApiTest, UrlsIntoTheServersOwnNetworkAreRefused) {
  for (const std::string& url :
       std::vector<std::string>{"http://hooks.example.com/",
                                "ftp://hooks.example.com/",
                                "hooks.example.com/x",
                                "https://user:pw@hooks.example.com/",
                                "https://hooks.example.com/#frag",
                                "https://localhost/",
                                "https://api.localhost/",
                                "https://127.0.0.1/",
                                "https://10.0.0.8/",
                                "https://172.16.5.4/",
                                "https://192.168.1.1/",
                                "https://100.64.0.1/",
                                "https://169.254.169.254/latest/meta-data/",
                                "https://metadata.google.internal/",
                                "https://[::1]/",
                                "https://[fd00:ec2::254]/",
                                "https://[fe80::1]/",
                                "https://[::ffff:127.0.0.1]/",
                                "https://[::ffff:169.254.169.254]/",
                                "https://0.0.0.0/",
                                "https://2130706433/",
                                "https://0x7f.1/",
                                "https://0177.0.0.1/",
                                "https://127.1/",
                                "https://hooks.example.com:0/",
                                "https://hooks.example.com/" + std::string(2030, 'a')}) {
    EXPECT_EQ(RefusedField(Create({{"url", url}})), "url") << url;
  }
  EXPECT_EQ(Call("GET", "/webhooks").json["data"], Json::array());
  EXPECT_EQ(WebhookOrganizationRows(), 0);
}

TEST_F(WebhooksApiTest, BadBodiesAreRefusedNamingTheField) {
  EXPECT_EQ(RefusedField(Create({{"url", kReceiver}, {"event_types", {"member.added", "nope"}}})),
            "event_types");
  EXPECT_EQ(RefusedField(Create({{"url", kReceiver}, {"event_types", {"webhook.test"}}})),
            "event_types");
  EXPECT_EQ(RefusedField(Create({{"url", kReceiver}, {"event_types", "member.added"}})),
            "event_types");
  EXPECT_EQ(RefusedField(Create({{"event_types", Json::array()}})), "url");
  EXPECT_EQ(RefusedField(Create({{"url", kReceiver}, {"secret", "whsec_mine"}})), "secret");
  EXPECT_EQ(RefusedField(Create({{"url", kReceiver}, {"description", std::string(501, 'd')}})),
            "description");

  std::string id = CreateEndpoint()["id"];
  EXPECT_EQ(RefusedField(Call("PATCH", "/webhooks/" + id, Json{{"url", "https://127.0.0.1/"}})),
            "url");
  EXPECT_EQ(RefusedField(Call("PATCH", "/webhooks/" + id, Json{{"status", "paused"}})), "status");
  EXPECT_EQ(RefusedField(Call("PATCH", "/webhooks/" + id, Json{{"event_types", {"nope"}}})),
            "event_types");
  EXPECT_EQ(Call("GET", "/webhooks/" + id).json["url"], kReceiver);  // nothing changed
}

TEST_F(WebhooksApiTest, ReplayChecksTheRangeAgainstTheHead) {
  std::string id = CreateEndpoint()["id"];
  // Some events: each workspace created is one.
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(Call("POST", "/workspaces", Json{{"name", "W" + std::to_string(i)}}).status, 201);
  }
  auto events = Call("GET", "/events?limit=200");
  ASSERT_EQ(events.status, 200) << events.body;
  ASSERT_FALSE(events.json["data"].empty());
  int64_t head = events.json["data"].back()["sequence"];

  auto all = Call("POST", "/webhooks/" + id + "/replay", Json{{"from_sequence", 1}});
  ASSERT_EQ(all.status, 202) << all.body;
  EXPECT_EQ(all.json, (Json{{"from_sequence", 1}, {"to_sequence", head}}));
  auto row =
      QuerySql(server(), org_id_,
               "SELECT replay_next, replay_to FROM webhook_endpoints WHERE id = '" + id + "'");
  EXPECT_EQ(row.at(0), (std::vector<std::string>{"1", std::to_string(head)}));
  auto one = Call("POST", "/webhooks/" + id + "/replay",
                  Json{{"from_sequence", head}, {"to_sequence", head}});
  EXPECT_EQ(one.status, 202) << one.body;

  EXPECT_EQ(
      RefusedField(Call("POST", "/webhooks/" + id + "/replay", Json{{"from_sequence", head + 1}})),
      "from_sequence");
  EXPECT_EQ(RefusedField(Call("POST", "/webhooks/" + id + "/replay",
                              Json{{"from_sequence", head}, {"to_sequence", head - 1}})),
            "to_sequence");
  EXPECT_EQ(RefusedField(Call("POST", "/webhooks/" + id + "/replay", Json{{"from_sequence", 0}})),
            "from_sequence");
  EXPECT_EQ(RefusedField(Call("POST", "/webhooks/" + id + "/replay", Json::object())),
            "from_sequence");
  EXPECT_EQ(RefusedField(Call("POST", "/webhooks/" + id + "/replay", Json{{"from_sequence", "1"}})),
            "from_sequence");
}

TEST_F(WebhooksApiTest, ANewEndpointStartsAtTheCurrentHead) {
  ASSERT_EQ(Call("POST", "/workspaces", Json{{"name", "Before"}}).status, 201);
  auto events = Call("GET", "/events?limit=200");
  ASSERT_EQ(events.status, 200) << events.body;
  ASSERT_FALSE(events.json["data"].empty());
  EXPECT_EQ(CreateEndpoint()["last_sequence"], events.json["data"].back()["sequence"]);
}

TEST_F(WebhooksApiTest, RotateReturnsANewSecretAndKeepsThePreviousForADay) {
  Json created = CreateEndpoint();
  std::string id = created["id"];
  auto rotated = Call("POST", "/webhooks/" + id + "/rotate-secret");
  ASSERT_EQ(rotated.status, 200) << rotated.body;
  EXPECT_EQ(rotated.Header("cache-control"), "no-store");
  std::string secret = rotated.json["secret"];
  EXPECT_EQ(secret.rfind("whsec_", 0), 0u);
  EXPECT_TRUE(IsStandardBase64Of32Bytes(secret.substr(6))) << secret;
  EXPECT_NE(secret, created["secret"]);
  EXPECT_TRUE(rotated.json["previous_secret_expires_at"].is_string());
  auto row = QuerySql(server(), org_id_,
                      "SELECT previous_secret_sealed, previous_secret_expires_at - updated_at"
                      " FROM webhook_endpoints WHERE id = '" +
                          id + "'");
  EXPECT_FALSE(row.at(0).at(0).empty());
  EXPECT_EQ(row.at(0).at(1), std::to_string(24LL * 3600 * 1000));
  auto got = Call("GET", "/webhooks/" + id);
  EXPECT_EQ(got.body.find(secret.substr(6)), std::string::npos);
  EXPECT_FALSE(got.json.contains("secret"));
  auto again = Call("POST", "/webhooks/" + id + "/rotate-secret");
  EXPECT_NE(again.json["secret"], secret);
}

TEST_F(WebhooksApiTest, TestQueuesAWebhookTestEventAndDeliveriesStartEmpty) {
  std::string id = CreateEndpoint()["id"];
  auto deliveries = Call("GET", "/webhooks/" + id + "/deliveries");
  ASSERT_EQ(deliveries.status, 200) << deliveries.body;
  EXPECT_EQ(deliveries.json, (Json{{"data", Json::array()}, {"next_cursor", nullptr}}));

  auto tested = Call("POST", "/webhooks/" + id + "/test");
  ASSERT_EQ(tested.status, 202) << tested.body;
  std::string event_id = tested.json["event_id"];
  ASSERT_EQ(event_id.size(), 36u);
  EXPECT_EQ(event_id.rfind("evt_", 0), 0u);
  EXPECT_EQ(event_id.find_first_not_of("0123456789abcdef", 4), std::string::npos);
  // The dispatcher may already have sent it (and cleared the column); when not, it is queued.
  auto row = QuerySql(server(), org_id_,
                      "SELECT test_event FROM webhook_endpoints WHERE id = '" + id + "'");
  if (!row.at(0).at(0).empty()) {
    Json body = Json::parse(row[0][0]);
    EXPECT_EQ(body["id"], event_id);
    EXPECT_EQ(body["type"], "webhook.test");
    EXPECT_EQ(body["sequence"], 0);
    EXPECT_EQ(body["organization_id"], org_id_);
    EXPECT_TRUE(body["occurred_at"].is_string());
    EXPECT_EQ(body["data"], (Json{{"endpoint_id", id}}));
  }
}

TEST_F(WebhooksApiTest, EveryChangeIsAuditedAndNoneIsAnEvent) {
  std::string id = CreateEndpoint()["id"];
  ASSERT_EQ(Call("PATCH", "/webhooks/" + id, Json{{"description", "d"}}).status, 200);
  ASSERT_EQ(Call("POST", "/webhooks/" + id + "/rotate-secret").status, 200);
  ASSERT_EQ(Call("POST", "/webhooks/" + id + "/test").status, 202);
  ASSERT_EQ(Call("POST", "/workspaces", Json{{"name", "W"}}).status, 201);
  ASSERT_EQ(Call("POST", "/webhooks/" + id + "/replay", Json{{"from_sequence", 1}}).status, 202);
  ASSERT_EQ(Call("DELETE", "/webhooks/" + id).status, 204);
  auto actions = AuditActions();
  for (const char* action : {"webhook.created", "webhook.updated", "webhook.secret_rotated",
                             "webhook.tested", "webhook.replayed", "webhook.deleted"}) {
    EXPECT_TRUE(actions.count(action)) << action;
  }
  auto events = Call("GET", "/events?limit=200");
  ASSERT_EQ(events.status, 200) << events.body;
  for (const auto& e : events.json["data"]) {
    EXPECT_NE(e["type"].get<std::string>().rfind("webhook", 0), 0u) << e.dump();
  }
}

TEST_F(WebhooksApiTest, OnlyAdminsAndAdminKeysManageWebhooks) {
  Account member = SignUp(client(), "Member");
  AddMember(client(), owner_.token, slug_, member.user_id, "member");
  Account admin = SignUp(client(), "Admin");
  AddMember(client(), owner_.token, slug_, admin.user_id, "admin");
  std::string id = CreateEndpoint()["id"];

  EXPECT_EQ(Create({{"url", kReceiver}}, member.token).status, 403);
  for (const auto& [method, path] : std::vector<std::pair<std::string, std::string>>{
           {"GET", "/webhooks"},
           {"GET", "/webhooks/" + id},
           {"PATCH", "/webhooks/" + id},
           {"DELETE", "/webhooks/" + id},
           {"POST", "/webhooks/" + id + "/rotate-secret"},
           {"POST", "/webhooks/" + id + "/replay"},
           {"POST", "/webhooks/" + id + "/test"},
           {"GET", "/webhooks/" + id + "/deliveries"}}) {
    std::optional<Json> body;
    if (path.ends_with("/replay")) body = Json{{"from_sequence", 1}};
    if (method == "PATCH") body = Json{{"description", "x"}};
    auto r = Call(method, path, body, member.token);
    EXPECT_EQ(r.status, 403) << method << " " << path << " " << r.body;
  }
  auto member_key = Call("POST", "/api-keys", Json{{"name", "m"}, {"role", "member"}})
                        .json["key"]
                        .get<std::string>();
  EXPECT_EQ(Create({{"url", kReceiver}}, member_key).status, 403);
  EXPECT_EQ(Call("GET", "/webhooks", std::nullopt, member_key).status, 403);

  EXPECT_EQ(Create({{"url", kReceiver}}, admin.token).status, 201);
  auto admin_key = Call("POST", "/api-keys", Json{{"name", "a"}, {"role", "admin"}})
                       .json["key"]
                       .get<std::string>();
  auto by_key = Create({{"url", kReceiver}}, admin_key);
  ASSERT_EQ(by_key.status, 201) << by_key.body;
  EXPECT_EQ(Call("GET", "/webhooks", std::nullopt, admin_key).json["data"].size(), 3u);
}

TEST_F(WebhooksApiTest, UnknownIdsAndOtherOrganizationsEndpointsAreNotFound) {
  std::string other =
      CreateOrganization(client(), owner_.token, "Other", UniqueSlug("other"))["slug"];
  auto theirs = client().Request("POST", "/api/v1/organizations/" + other + "/webhooks",
                                 Json{{"url", kReceiver}}, Bearer(owner_.token));
  ASSERT_EQ(theirs.status, 201) << theirs.body;
  std::string their_id = theirs.json["id"];
  CreateEndpoint();
  for (const std::string& id :
       {their_id, std::string("01936f0e-7a1b-7c3d-8e9f-0a1b2c3d4e5f"), std::string("not-a-uuid")}) {
    EXPECT_EQ(Call("GET", "/webhooks/" + id).Code(), "not_found") << id;
    EXPECT_EQ(Call("PATCH", "/webhooks/" + id, Json{{"description", "x"}}).Code(), "not_found");
    EXPECT_EQ(Call("DELETE", "/webhooks/" + id).Code(), "not_found");
    EXPECT_EQ(Call("POST", "/webhooks/" + id + "/rotate-secret").Code(), "not_found");
    EXPECT_EQ(Call("POST", "/webhooks/" + id + "/replay", Json{{"from_sequence", 1}}).Code(),
              "not_found");
    EXPECT_EQ(Call("POST", "/webhooks/" + id + "/test").Code(), "not_found");
    EXPECT_EQ(Call("GET", "/webhooks/" + id + "/deliveries").Code(), "not_found");
  }
  // Theirs is untouched, and our list shows only ours.
  auto still = client().Request("GET", "/api/v1/organizations/" + other + "/webhooks/" + their_id,
                                std::nullopt, Bearer(owner_.token));
  EXPECT_EQ(still.status, 200);
  auto ours = Call("GET", "/webhooks");
  ASSERT_EQ(ours.json["data"].size(), 1u);
  EXPECT_NE(ours.json["data"][0]["id"], their_id);
}

TEST_F(WebhooksApiTest, AtMostTwentyEndpointsAndListsPage) {
  std::vector<std::string> ids;
  for (int i = 0; i < 20; ++i) ids.push_back(CreateEndpoint()["id"]);
  auto refused = Create({{"url", kReceiver}});
  EXPECT_EQ(refused.status, 409) << refused.body;
  EXPECT_EQ(refused.Code(), "limit_reached");
  EXPECT_EQ(refused.json["maximum"], 20);

  std::vector<std::string> listed;
  std::string cursor;
  do {
    auto page = Call("GET", "/webhooks?limit=7" + (cursor.empty() ? "" : "&cursor=" + cursor));
    ASSERT_EQ(page.status, 200) << page.body;
    for (const auto& e : page.json["data"]) listed.push_back(e["id"]);
    cursor = page.json["next_cursor"].is_null() ? "" : page.json["next_cursor"].get<std::string>();
  } while (!cursor.empty());
  EXPECT_EQ(listed, ids);

  ASSERT_EQ(Call("DELETE", "/webhooks/" + ids[0]).status, 204);
  EXPECT_EQ(Create({{"url", kReceiver}}).status, 201);
}

TEST_F(WebhooksApiTest, TheCurrentOrganizationAliasServesWebhooksToo) {
  std::string id = CreateEndpoint()["id"];
  auto r = client().Request("GET", "/api/v1/org/webhooks/" + id, std::nullopt,
                            Bearer(owner_.token, {{"X-Organization", slug_}}));
  EXPECT_EQ(r.status, 200) << r.body;
}

// --allow-private-webhooks (tests, private deployments): http:// and internal hosts pass; the
// shape rules still hold.
TEST(WebhooksPrivateTest, AllowPrivateWebhooksAcceptsHttpAndInternalHosts) {
  ServerProcess server({"--allow-private-webhooks"});
  auto c = server.client();
  Account owner = SignUp(c, "Owner");
  std::string base =
      "/api/v1/organizations/" +
      CreateOrganization(c, owner.token, "Priv", UniqueSlug("priv"))["slug"].get<std::string>();
  for (const char* url : {"http://127.0.0.1:9/hook", "http://localhost:8080/in", "https://[::1]/x",
                          "http://10.0.0.8/", "http://2130706433/"}) {
    auto r = c.Request("POST", base + "/webhooks", Json{{"url", url}}, Bearer(owner.token));
    EXPECT_EQ(r.status, 201) << url << ": " << r.body;
  }
  for (const char* url : {"ftp://127.0.0.1/", "http://user:pw@127.0.0.1/", "http://127.0.0.1/#x",
                          "http://127.0.0.1:0/"}) {
    auto r = c.Request("POST", base + "/webhooks", Json{{"url", url}}, Bearer(owner.token));
    EXPECT_EQ(r.status, 422) << url << ": " << r.body;
  }
}

// The master key seals webhook secrets directly: rotating it seals them again, the previous
// secret of a rotation included.
TEST(WebhookSecretsTest, RotatingTheMasterKeySealsWebhookSecretsAgain) {
  char pattern[] = "/tmp/bulkhead-webhook-rotate-XXXXXX";
  fs::path dir = ::mkdtemp(pattern);
  const std::string old_key = (dir / "old.key").string(), new_key = (dir / "new.key").string();
  ASSERT_EQ(RunCli({"keys", "init", old_key}).exit_code, 0);
  ASSERT_EQ(RunCli({"keys", "init", new_key}).exit_code, 0);
  ServerProcess first({"--master-key-file", old_key});
  Account owner = SignUp(first.client(), "Owner");
  std::string org = CreateOrganization(first.client(), owner.token, "Rot", UniqueSlug("rot"))["id"];
  auto created = first.client().Request("POST", "/api/v1/organizations/" + org + "/webhooks",
                                        Json{{"url", kReceiver}}, Bearer(owner.token));
  ASSERT_EQ(created.status, 201) << created.body;
  std::string id = created.json["id"];
  ASSERT_EQ(
      first.client()
          .Request("POST", "/api/v1/organizations/" + org + "/webhooks/" + id + "/rotate-secret",
                   std::nullopt, Bearer(owner.token))
          .status,
      200);
  const std::string columns =
      "SELECT secret_sealed, secret_master_id, previous_secret_sealed, previous_secret_master_id"
      " FROM webhook_endpoints WHERE id = '" +
      id + "'";
  auto before = QuerySql(first, org, columns).at(0);
  EXPECT_EQ(before[1], before[3]);
  EXPECT_EQ(first.Stop(), 0);

  ServerProcess serving(ServerProcess::SameStorageAs{first},
                        {"--master-key-file", new_key, "--previous-master-key-file", old_key});
  auto rotated = RunCli({"keys", "rotate-master", "--master-key-file", new_key,
                         "--previous-master-key-file", old_key},
                        serving);
  ASSERT_EQ(rotated.exit_code, 0) << rotated.err;
  auto after = QuerySql(serving, org, columns).at(0);
  auto masters = QuerySql(serving, "", "SELECT DISTINCT master_key_id FROM organization_keys");
  ASSERT_EQ(masters.size(), 1u);
  EXPECT_NE(after[1], before[1]);
  EXPECT_EQ(after[1], masters[0][0]);
  EXPECT_EQ(after[3], masters[0][0]);
  EXPECT_NE(after[0], before[0]);
  EXPECT_NE(after[2], before[2]);
  // Rotating the endpoint's secret under the new master alone still works.
  EXPECT_EQ(serving.Stop(), 0);
  ServerProcess later(ServerProcess::SameStorageAs{first}, {"--master-key-file", new_key});
  EXPECT_EQ(
      later.client()
          .Request("POST", "/api/v1/organizations/" + org + "/webhooks/" + id + "/rotate-secret",
                   std::nullopt, Bearer(owner.token))
          .status,
      200);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace bulkhead::testing
