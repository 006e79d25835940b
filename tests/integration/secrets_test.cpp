// Secrets over real HTTP, on the real storage: editors write, viewers see names only, values
// are revealed to editors who ask and every reveal is audited; nothing of a value is stored or
// logged in the clear; a sealed value moved to another workspace or organization does not
// open; deleting an organization deletes its data key with it.

#include <atomic>
#include <fstream>
#include <iterator>
#include <thread>

#include "integration/harness.hpp"

namespace bulkhead::testing {
namespace {

namespace fs = std::filesystem;

// Files under `root` (modified since `since`, when given) that contain `needle`.
std::vector<std::string> FilesContaining(const fs::path& root, const std::string& needle,
                                         std::optional<fs::file_time_type> since = std::nullopt) {
  std::vector<std::string> found;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(
           root, fs::directory_options::skip_permission_denied, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec || !it->is_regular_file(ec)) continue;
    if (since && it->last_write_time(ec) < *since) continue;
    std::ifstream in(it->path(), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (bytes.find(needle) != std::string::npos) found.push_back(it->path().string());
  }
  return found;
}

class SecretsTest : public ServerTest<SecretsTest> {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    owner_ = SignUp(client(), "Owner");
    auto org = CreateOrganization(client(), owner_.token, "Acme", UniqueSlug("acme"));
    org_id_ = org["id"];
    workspace_ = NewWorkspace(org_id_, owner_, "Production");
  }
  std::string NewWorkspace(const std::string& org, const Account& who, const std::string& name) {
    auto w = client().Request("POST", "/api/v1/organizations/" + org + "/workspaces",
                              Json{{"name", name}}, Bearer(who.token));
    EXPECT_EQ(w.status, 201) << w.body;
    return w.json["id"];
  }
  std::string SecretPath(const std::string& org, const std::string& ws, const std::string& name) {
    return "/api/v1/organizations/" + org + "/workspaces/" + ws + "/secrets/" + name;
  }
  HttpResponse Put(const std::string& org, const std::string& ws, const std::string& name,
                   const std::string& value, const Account& who) {
    return client().Request("PUT", SecretPath(org, ws, name), Json{{"value", value}},
                            Bearer(who.token));
  }
  HttpResponse Reveal(const std::string& org, const std::string& ws, const std::string& name,
                      const Account& who) {
    return client().Request("GET", SecretPath(org, ws, name) + "?reveal=true", std::nullopt,
                            Bearer(who.token));
  }
  Account Assigned(const std::string& role) {
    Account a = SignUp(client(), "Member " + role);
    AddMember(client(), owner_.token, org_id_, a.user_id, "member");
    auto r = client().Request(
        "PUT",
        "/api/v1/organizations/" + org_id_ + "/workspaces/" + workspace_ + "/members/" + a.user_id,
        Json{{"role", role}}, Bearer(owner_.token));
    EXPECT_EQ(r.status, 200) << r.body;
    return a;
  }

  Account owner_;
  std::string org_id_, workspace_;
};

TEST_F(SecretsTest, EditorsWriteViewersSeeNamesOnlyAndRevealsAreAudited) {
  Account editor = Assigned("editor");
  Account viewer = Assigned("viewer");
  auto put = Put(org_id_, workspace_, "DB_PASSWORD", "hunter2-value", editor);
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(put.json["name"], "DB_PASSWORD");
  EXPECT_EQ(put.json["key_version"], 1);
  EXPECT_FALSE(put.json.contains("value"));
  EXPECT_EQ(put.body.find("hunter2"), std::string::npos);

  EXPECT_EQ(Put(org_id_, workspace_, "OTHER", "x", viewer).status, 403);
  auto list = client().Request(
      "GET", "/api/v1/organizations/" + org_id_ + "/workspaces/" + workspace_ + "/secrets",
      std::nullopt, Bearer(viewer.token));
  ASSERT_EQ(list.status, 200) << list.body;
  ASSERT_EQ(list.json["data"].size(), 1u);
  EXPECT_EQ(list.json["data"][0]["name"], "DB_PASSWORD");
  EXPECT_EQ(list.body.find("hunter2"), std::string::npos);
  auto meta = client().Request("GET", SecretPath(org_id_, workspace_, "DB_PASSWORD"), std::nullopt,
                               Bearer(viewer.token));
  EXPECT_EQ(meta.status, 200);
  EXPECT_FALSE(meta.json.contains("value"));
  auto denied = Reveal(org_id_, workspace_, "DB_PASSWORD", viewer);
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(denied.Code(), "forbidden");

  auto revealed = Reveal(org_id_, workspace_, "DB_PASSWORD", editor);
  ASSERT_EQ(revealed.status, 200) << revealed.body;
  EXPECT_EQ(revealed.json["value"], "hunter2-value");
  EXPECT_EQ(revealed.Header("cache-control"), "no-store");
  // Replacing keeps who created it.
  ASSERT_EQ(Put(org_id_, workspace_, "DB_PASSWORD", "second", owner_).status, 200);
  auto again = Reveal(org_id_, workspace_, "DB_PASSWORD", owner_);
  EXPECT_EQ(again.json["value"], "second");
  EXPECT_EQ(again.json["created_by"], editor.user_id);
  EXPECT_EQ(again.json["updated_by"], owner_.user_id);

  auto audit = client().Request(
      "GET", "/api/v1/organizations/" + org_id_ + "/audit-log?action=secret.revealed", std::nullopt,
      Bearer(owner_.token));
  ASSERT_EQ(audit.json["data"].size(), 2u) << audit.body;
  EXPECT_EQ(audit.json["data"][1]["actor"]["id"], editor.user_id);
  auto all = client().Request("GET", "/api/v1/organizations/" + org_id_ + "/audit-log?limit=200",
                              std::nullopt, Bearer(owner_.token));
  EXPECT_EQ(all.body.find("hunter2"), std::string::npos);

  for (const std::string& bad :
       {std::string(129, 'a'), std::string("semi;colon"), std::string("a+b")}) {
    EXPECT_EQ(Put(org_id_, workspace_, bad, "v", owner_).status, 422) << bad;
  }
  EXPECT_EQ(client()
                .Request("PUT", SecretPath(org_id_, workspace_, "N"),
                         Json{{"value", std::string(65537, 'v')}}, Bearer(owner_.token))
                .status,
            422);
  EXPECT_EQ(Reveal(org_id_, workspace_, "MISSING", owner_).status, 404);
  EXPECT_EQ(client()
                .Request("DELETE", SecretPath(org_id_, workspace_, "DB_PASSWORD"), std::nullopt,
                         Bearer(viewer.token))
                .status,
            403);
  EXPECT_EQ(client()
                .Request("DELETE", SecretPath(org_id_, workspace_, "DB_PASSWORD"), std::nullopt,
                         Bearer(editor.token))
                .status,
            204);
  EXPECT_EQ(Reveal(org_id_, workspace_, "DB_PASSWORD", owner_).status, 404);
}

TEST_F(SecretsTest, NoByteOfAValueIsStoredOrLoggedInTheClear) {
  auto started = fs::file_time_type::clock::now() - std::chrono::seconds(5);
  const std::string marker = "m4rk3r-" + UniqueSlug("v");
  ASSERT_EQ(Put(org_id_, workspace_, "TOKEN", marker, owner_).status, 200);
  ASSERT_EQ(Reveal(org_id_, workspace_, "TOKEN", owner_).json["value"], marker);
  EXPECT_EQ(server().Stop(), 0);  // everything flushed and checkpointed
  EXPECT_EQ(FilesContaining(server().data_dir(), marker), std::vector<std::string>{});
  EXPECT_EQ(server().Output().find(marker), std::string::npos);
  // The scan reads what it should: the name of the secret (not sealed) is found.
  if (!OnPostgres()) {
    EXPECT_FALSE(FilesContaining(server().data_dir(), "TOKEN").empty());
  }
  if (OnPostgres()) {
    server().Start();
    auto dir = QuerySql(server(), "", "SHOW data_directory");
    auto oid =
        QuerySql(server(), "", "SELECT oid FROM pg_database WHERE datname = current_database()");
    ASSERT_EQ(dir.size(), 1u);
    QuerySql(server(), "", "CHECKPOINT");
    fs::path data = dir[0][0];
    EXPECT_EQ(FilesContaining(data / "base" / oid[0][0], marker), std::vector<std::string>{});
    EXPECT_FALSE(FilesContaining(data / "base" / oid[0][0], "TOKEN").empty());
    EXPECT_EQ(FilesContaining(data / "pg_wal", marker, started), std::vector<std::string>{});
  }
}

TEST_F(SecretsTest, ASealedValueMovedToAnotherWorkspaceOrOrganizationDoesNotOpen) {
  std::string staging = NewWorkspace(org_id_, owner_, "Staging");
  ASSERT_EQ(Put(org_id_, workspace_, "KEY", "production value", owner_).status, 200);
  ASSERT_EQ(Put(org_id_, staging, "KEY", "staging value", owner_).status, 200);
  auto sealed = QuerySql(server(), org_id_,
                         "SELECT sealed FROM secrets WHERE workspace_id = '" + workspace_ + "'");
  ASSERT_EQ(sealed.size(), 1u);
  ExecuteSql(
      server(), org_id_,
      "UPDATE secrets SET sealed = '" + sealed[0][0] + "' WHERE workspace_id = '" + staging + "'");
  auto moved = Reveal(org_id_, staging, "KEY", owner_);
  EXPECT_EQ(moved.status, 409);
  EXPECT_EQ(moved.Code(), "secret_unreadable");
  EXPECT_EQ(moved.body.find("production value"), std::string::npos);

  // Another organization, same workspace id and name in its own database: still does not open.
  auto other = CreateOrganization(client(), owner_.token, "Globex", UniqueSlug("globex"));
  std::string other_id = other["id"];
  std::string other_ws = NewWorkspace(other_id, owner_, "Production");
  ASSERT_EQ(Put(other_id, other_ws, "KEY", "globex value", owner_).status, 200);
  ExecuteSql(
      server(), other_id,
      "UPDATE secrets SET sealed = '" + sealed[0][0] + "' WHERE workspace_id = '" + other_ws + "'");
  EXPECT_EQ(Reveal(other_id, other_ws, "KEY", owner_).Code(), "secret_unreadable");
  // The original still opens.
  EXPECT_EQ(Reveal(org_id_, workspace_, "KEY", owner_).json["value"], "production value");
}

TEST_F(SecretsTest, DeletingTheOrganizationDeletesItsDataKey) {
  ASSERT_EQ(Put(org_id_, workspace_, "KEY", "value", owner_).status, 200);
  const std::string count =
      "SELECT COUNT(*) FROM organization_keys WHERE organization_id = '" + org_id_ + "'";
  EXPECT_EQ(QuerySql(server(), "", count)[0][0], "1");
  auto wrapped =
      QuerySql(server(), "",
               "SELECT wrapped FROM organization_keys WHERE organization_id = '" + org_id_ + "'");
  auto slug =
      client()
          .Request("GET", "/api/v1/organizations/" + org_id_, std::nullopt, Bearer(owner_.token))
          .json["slug"]
          .get<std::string>();
  ASSERT_EQ(client()
                .Request("DELETE", "/api/v1/organizations/" + org_id_, Json{{"confirm", slug}},
                         Bearer(owner_.token))
                .status,
            204);
  EXPECT_EQ(QuerySql(server(), "", count)[0][0], "0");
  // Nowhere else in the catalog either.
  EXPECT_TRUE(QuerySql(server(), "",
                       "SELECT organization_id FROM organization_keys WHERE wrapped = '" +
                           wrapped[0][0] + "'")
                  .empty());
}

TEST(MasterKeyTest, KeysInitWritesAPrivateKeyAndTheServerUsesIt) {
  char pattern[] = "/tmp/bulkhead-keys-XXXXXX";
  fs::path dir = ::mkdtemp(pattern);
  auto init = RunCli({"keys", "init", (dir / "master.key").string()});
  ASSERT_EQ(init.exit_code, 0) << init.err;
  EXPECT_EQ(fs::file_size(dir / "master.key"), 32u);
  EXPECT_EQ(fs::status(dir / "master.key").permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_EQ(RunCli({"keys", "init", (dir / "master.key").string()}).exit_code,
            1);  // never overwritten
  {
    ServerProcess server({"--master-key-file", (dir / "master.key").string()});
    EXPECT_NE(server.Output().find("\"master_key\":\"file\""), std::string::npos)
        << server.Output();
    EXPECT_FALSE(fs::exists(server.data_dir() / "master.key"));
  }
  fs::permissions(dir / "master.key", fs::perms::group_read, fs::perm_options::add);
  auto loose = RunCli({"serve", "--listen", "127.0.0.1:0", "--data", (dir / "data").string(),
                       "--master-key-file", (dir / "master.key").string()});
  EXPECT_EQ(loose.exit_code, 2);
  EXPECT_NE(loose.err.find("chmod 600"), std::string::npos) << loose.err;
  fs::remove_all(dir);
}

TEST(MasterKeyTest, TheEnvironmentVariableGivesTheKey) {
  ::setenv("BULKHEAD_MASTER_KEY", std::string(64, 'a').c_str(), 1);  // 32 bytes of 0xaa, in hex
  {
    ServerProcess server;
    EXPECT_NE(server.Output().find("\"master_key\":\"environment\""), std::string::npos)
        << server.Output();
    EXPECT_FALSE(fs::exists(server.data_dir() / "master.key"));
  }
  ::setenv("BULKHEAD_MASTER_KEY", "not a key", 1);
  auto r = RunCli({"serve", "--listen", "127.0.0.1:0", "--data", "/tmp/bulkhead-never-created"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("BULKHEAD_MASTER_KEY"), std::string::npos) << r.err;
  ::unsetenv("BULKHEAD_MASTER_KEY");
}

TEST(MasterKeyTest, WithoutAKeyTheServerWarnsAndKeepsADevelopmentKey) {
  ServerProcess server;
  EXPECT_NE(server.Output().find("\"master_key\":\"development\""), std::string::npos);
  EXPECT_EQ(fs::file_size(server.data_dir() / "master.key"), 32u);
}

}  // namespace
}  // namespace bulkhead::testing

namespace bulkhead::testing {
namespace {

// Master rotation while a server serves: it runs with the new key and the previous one, the
// operator seals every data key again, and requests succeed throughout.
TEST(KeyRotationTest, TheMasterKeyIsRotatedWhileServing) {
  char pattern[] = "/tmp/bulkhead-rotate-XXXXXX";
  fs::path dir = ::mkdtemp(pattern);
  const std::string old_key = (dir / "old.key").string(), new_key = (dir / "new.key").string();
  ASSERT_EQ(RunCli({"keys", "init", old_key}).exit_code, 0);
  ASSERT_EQ(RunCli({"keys", "init", new_key}).exit_code, 0);
  ServerProcess first({"--master-key-file", old_key});
  Account owner = SignUp(first.client(), "Owner");
  std::vector<std::string> orgs;
  for (int i = 0; i < 5; ++i) {
    std::string id =
        CreateOrganization(first.client(), owner.token, "Org", UniqueSlug("rot"))["id"];
    auto ws = first.client()
                  .Request("POST", "/api/v1/organizations/" + id + "/workspaces",
                           Json{{"name", "W"}}, Bearer(owner.token))
                  .json["id"]
                  .get<std::string>();
    ASSERT_EQ(
        first.client()
            .Request("PUT", "/api/v1/organizations/" + id + "/workspaces/" + ws + "/secrets/K",
                     Json{{"value", "value " + id}}, Bearer(owner.token))
            .status,
        200);
    orgs.push_back(id + "/workspaces/" + ws);
  }
  EXPECT_EQ(first.Stop(), 0);

  // A rolling restart with the new key first and the old one as previous.
  ServerProcess serving(ServerProcess::SameStorageAs{first},
                        {"--master-key-file", new_key, "--previous-master-key-file", old_key});
  std::atomic<bool> stop{false};
  std::atomic<int> ok{0}, failed{0};
  std::thread reader([&] {
    while (!stop) {
      for (const auto& path : orgs) {
        auto r = serving.client().Request(
            "GET", "/api/v1/organizations/" + path + "/secrets/K?reveal=true", std::nullopt,
            Bearer(owner.token));
        (r.status == 200 && r.json["value"].get<std::string>().rfind("value ", 0) == 0 ? ok
                                                                                       : failed) +=
            1;
      }
    }
  });
  auto rotated = RunCli({"keys", "rotate-master", "--master-key-file", new_key,
                         "--previous-master-key-file", old_key},
                        serving);
  stop = true;
  reader.join();
  ASSERT_EQ(rotated.exit_code, 0) << rotated.err;
  EXPECT_NE(rotated.out.find("data keys sealed again"), std::string::npos) << rotated.out;
  EXPECT_GT(ok.load(), 0);
  EXPECT_EQ(failed.load(), 0);
  // Every data key is now sealed by one master; run again, nothing is left to do.
  EXPECT_EQ(
      QuerySql(serving, "", "SELECT COUNT(DISTINCT master_key_id) FROM organization_keys")[0][0],
      "1");
  auto again = RunCli({"keys", "rotate-master", "--master-key-file", new_key,
                       "--previous-master-key-file", old_key},
                      serving);
  EXPECT_EQ(again.out.rfind("0 data keys", 0), 0u) << again.out;
  EXPECT_EQ(serving.Stop(), 0);

  // The new key alone opens everything; the old one alone opens nothing any more.
  {
    ServerProcess after(ServerProcess::SameStorageAs{first}, {"--master-key-file", new_key});
    for (const auto& path : orgs) {
      EXPECT_EQ(after.client()
                    .Request("GET", "/api/v1/organizations/" + path + "/secrets/K?reveal=true",
                             std::nullopt, Bearer(owner.token))
                    .status,
                200);
    }
  }
  // The old key alone no longer opens anything: the server refuses to start, naming the key.
  auto stale = RunCli({"serve", "--listen", "127.0.0.1:0", "--master-key-file", old_key}, first);
  EXPECT_EQ(stale.exit_code, 2);
  EXPECT_NE(stale.err.find("sealed by master key"), std::string::npos) << stale.err;
  fs::remove_all(dir);
}

TEST(KeyRotationTest, AnOrganizationsDataKeyIsRotatedAndItsSecretsSealedAgain) {
  ServerProcess server;
  Account owner = SignUp(server.client(), "Owner");
  auto org = CreateOrganization(server.client(), owner.token, "Acme", UniqueSlug("acme"));
  std::string id = org["id"], slug = org["slug"];
  std::string base = "/api/v1/organizations/" + id + "/workspaces/";
  std::string ws = server.client()
                       .Request("POST", "/api/v1/organizations/" + id + "/workspaces",
                                Json{{"name", "W"}}, Bearer(owner.token))
                       .json["id"];
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(server.client()
                  .Request("PUT", base + ws + "/secrets/S" + std::to_string(i),
                           Json{{"value", "v" + std::to_string(i)}}, Bearer(owner.token))
                  .status,
              200);
  }
  auto rotated = RunCli({"keys", "rotate", "--org", slug}, server);
  ASSERT_EQ(rotated.exit_code, 0) << rotated.err;
  EXPECT_NE(rotated.out.find("data key version 2; 3 secrets sealed again"), std::string::npos)
      << rotated.out;
  EXPECT_EQ(QuerySql(server, id, "SELECT COUNT(*) FROM secrets WHERE key_version = 2")[0][0], "3");
  for (int i = 0; i < 3; ++i) {
    auto r = server.client().Request("GET",
                                     base + ws + "/secrets/S" + std::to_string(i) + "?reveal=true",
                                     std::nullopt, Bearer(owner.token));
    EXPECT_EQ(r.json["value"], "v" + std::to_string(i)) << r.body;
    EXPECT_EQ(r.json["key_version"], 2);
  }
  // New values use the new key at once; the rotation is audited.
  auto put = server.client().Request("PUT", base + ws + "/secrets/NEW", Json{{"value", "n"}},
                                     Bearer(owner.token));
  EXPECT_EQ(put.json["key_version"], 2);
  auto audit = server.client().Request(
      "GET", "/api/v1/organizations/" + id + "/audit-log?action=organization.key_rotated",
      std::nullopt, Bearer(owner.token));
  ASSERT_EQ(audit.json["data"].size(), 1u) << audit.body;
  EXPECT_EQ(audit.json["data"][0]["details"], (Json{{"from_version", 1}, {"to_version", 2}}));
  EXPECT_EQ(RunCli({"keys", "rotate", "--org", "no-such-org"}, server).exit_code, 1);
}

TEST(KeyRotationTest, WritesDuringARotationEndSealedWithTheNewKey) {
  ServerProcess server;
  Account owner = SignUp(server.client(), "Owner");
  auto org = CreateOrganization(server.client(), owner.token, "Acme", UniqueSlug("acme"));
  std::string id = org["id"], slug = org["slug"];
  std::string ws = server.client()
                       .Request("POST", "/api/v1/organizations/" + id + "/workspaces",
                                Json{{"name", "W"}}, Bearer(owner.token))
                       .json["id"];
  std::string base = "/api/v1/organizations/" + id + "/workspaces/" + ws + "/secrets/";
  std::atomic<bool> stop{false};
  std::atomic<int> written{0}, failed{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; !stop; ++i) {
        auto r = server.client().Request(
            "PUT", base + "S" + std::to_string(t) + "-" + std::to_string(i % 20),
            Json{{"value", "v"}}, Bearer(owner.token));
        (r.status == 200 ? written : failed) += 1;
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  auto rotated = RunCli({"keys", "rotate", "--org", slug}, server);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  stop = true;
  for (auto& w : writers) w.join();
  ASSERT_EQ(rotated.exit_code, 0) << rotated.err;
  EXPECT_GT(written.load(), 0);
  EXPECT_EQ(failed.load(), 0);
  // No value written around the rotation is left sealed with the old key.
  EXPECT_EQ(QuerySql(server, id, "SELECT COUNT(*) FROM secrets WHERE key_version < 2")[0][0], "0");
  EXPECT_NE(QuerySql(server, id, "SELECT COUNT(*) FROM secrets")[0][0], "0");
}

}  // namespace
}  // namespace bulkhead::testing
