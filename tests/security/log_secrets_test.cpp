// No password, session token, API key, invitation token, secret value or integration credential
// ever appears in a log line: every flow that carries one runs against one server, successful
// and failed, then every log it wrote is searched.

#include <filesystem>
#include <fstream>
#include <iterator>

#include "integration/harness.hpp"

namespace bulkhead::testing {
namespace {

namespace fs = std::filesystem;

std::string AllLogs(const ServerProcess& server) {
  std::string logs = server.Output() + server.ErrorOutput();
  for (const auto& entry : fs::recursive_directory_iterator(server.data_dir() / "logs")) {
    std::ifstream in(entry.path(), std::ios::binary);
    logs.append((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }
  return logs;
}

TEST(LogSecretsTest, NoCredentialOrSecretValueReachesAnyLog) {
  std::vector<std::string> secrets;
  std::string logs;
  {
    ServerProcess server;
    HttpClient c = server.client();
    const std::string password = "pw-" + UniqueSlug("never-logged");
    secrets.push_back(password);
    std::string email = UniqueEmail("logs");
    auto signup = c.Request("POST", "/api/v1/auth/signup",
                            Json{{"email", email}, {"password", password}, {"name", "Logs"}});
    ASSERT_EQ(signup.status, 201) << signup.body;
    std::string session = signup.json["session_token"];
    secrets.push_back(session);
    auto login =
        c.Request("POST", "/api/v1/auth/login", Json{{"email", email}, {"password", password}});
    secrets.push_back(login.json["session_token"]);
    const std::string wrong = "wrong-" + UniqueSlug("password");
    secrets.push_back(wrong);
    EXPECT_EQ(
        c.Request("POST", "/api/v1/auth/login", Json{{"email", email}, {"password", wrong}}).status,
        401);
    // Malformed JSON that carries a password, and a token in a query string.
    EXPECT_EQ(c.RequestRaw("POST", "/api/v1/auth/login", "{\"password\": \"" + wrong + "\"").status,
              400);
    c.Request("GET", "/api/v1/user?token=" + session, std::nullopt);

    auto org = CreateOrganization(c, session, "Logs", UniqueSlug("logs"));
    std::string base = "/api/v1/organizations/" + org["id"].get<std::string>();
    auto key = c.Request("POST", base + "/api-keys", Json{{"name", "k"}, {"role", "admin"}},
                         Bearer(session));
    ASSERT_EQ(key.status, 201);
    secrets.push_back(key.json["key"]);
    EXPECT_EQ(c.Request("GET", base, std::nullopt, Bearer(key.json["key"])).status, 200);
    EXPECT_EQ(c.Request("GET", base, std::nullopt, Bearer(key.json["key"].get<std::string>() + "x"))
                  .status,
              401);
    auto invitation =
        c.Request("POST", base + "/invitations",
                  Json{{"email", UniqueEmail("invitee")}, {"role", "member"}}, Bearer(session));
    ASSERT_EQ(invitation.status, 201);
    secrets.push_back(invitation.json["token"]);
    c.Request("POST", "/api/v1/invitations/accept", Json{{"token", invitation.json["token"]}},
              Bearer(session));
    std::string ws =
        c.Request("POST", base + "/workspaces", Json{{"name", "W"}}, Bearer(session)).json["id"];
    const std::string value = "value-" + UniqueSlug("secret");
    secrets.push_back(value);
    ASSERT_EQ(c.Request("PUT", base + "/workspaces/" + ws + "/secrets/S", Json{{"value", value}},
                        Bearer(session))
                  .status,
              200);
    EXPECT_EQ(c.Request("GET", base + "/workspaces/" + ws + "/secrets/S?reveal=true", std::nullopt,
                        Bearer(session))
                  .json["value"],
              value);
    // Webhook signing secrets, at creation and at rotation (the base64 part: the prefix is
    // the same for all of them).
    auto webhook = c.Request("POST", base + "/webhooks",
                             Json{{"url", "https://hooks.example.com/logs"}}, Bearer(session));
    ASSERT_EQ(webhook.status, 201) << webhook.body;
    secrets.push_back(webhook.json["secret"].get<std::string>().substr(6));
    auto rotated = c.Request(
        "POST", base + "/webhooks/" + webhook.json["id"].get<std::string>() + "/rotate-secret",
        std::nullopt, Bearer(session));
    ASSERT_EQ(rotated.status, 200) << rotated.body;
    secrets.push_back(rotated.json["secret"].get<std::string>().substr(6));
    // Integration credentials, at creation, replacement and reveal.
    const std::string credential = "cred-" + UniqueSlug("integration");
    secrets.push_back(credential);
    auto integration = c.Request(
        "POST", base + "/integrations",
        Json{{"kind", "custom"}, {"name", "logs"}, {"credentials", {{"token", credential}}}},
        Bearer(session));
    ASSERT_EQ(integration.status, 201) << integration.body;
    std::string integration_path =
        base + "/integrations/" + integration.json["id"].get<std::string>();
    const std::string replaced = "cred-" + UniqueSlug("replaced");
    secrets.push_back(replaced);
    ASSERT_EQ(c.Request("PATCH", integration_path, Json{{"credentials", {{"token", replaced}}}},
                        Bearer(session))
                  .status,
              200);
    EXPECT_EQ(c.Request("GET", integration_path + "?reveal=true", std::nullopt, Bearer(session))
                  .json["credentials"]["token"],
              replaced);
    EXPECT_EQ(c.Request("POST", "/api/v1/auth/logout", std::nullopt, Bearer(session)).status, 204);
    EXPECT_EQ(server.Stop(), 0);
    logs = AllLogs(server);
    ASSERT_NE(logs.find("\"event\":\"access\""), std::string::npos);  // there are logs to search
  }
  for (const auto& secret : secrets) {
    EXPECT_EQ(logs.find(secret), std::string::npos) << "found in the logs: " << secret;
  }
}

// A token pasted where no token belongs (the path, X-Organization, the Host, X-Request-Id, a
// query string) still never reaches a log: every logged field is redacted by token shape.
TEST(LogSecretsTest, TokensPastedIntoAnyLoggedFieldAreRedacted) {
  std::vector<std::string> tokens;
  std::string logs;
  {
    ServerProcess server;
    HttpClient c = server.client();
    Account owner = SignUp(c, "Paster");
    tokens.push_back(owner.token);
    auto org = CreateOrganization(c, owner.token, "Paste", UniqueSlug("paste"));
    std::string base = "/api/v1/organizations/" + org["slug"].get<std::string>();
    auto key = c.Request("POST", base + "/api-keys", Json{{"name", "k"}, {"role", "member"}},
                         Bearer(owner.token));
    ASSERT_EQ(key.status, 201) << key.body;
    const std::string api_key = key.json["key"];
    tokens.push_back(api_key);
    auto invitation =
        c.Request("POST", base + "/invitations",
                  Json{{"email", UniqueEmail("pasted")}, {"role", "member"}}, Bearer(owner.token));
    ASSERT_EQ(invitation.status, 201) << invitation.body;
    const std::string invitation_token = invitation.json["token"];
    tokens.push_back(invitation_token);

    c.Request("GET", "/api/v1/organizations/" + owner.token, std::nullopt, Bearer(owner.token));
    c.Request("GET", "/api/v1/organizations/" + api_key + "/members", std::nullopt,
              Bearer(api_key));
    c.Request("GET", "/api/v1/org", std::nullopt,
              Bearer(owner.token, {{"X-Organization", owner.token}}));
    c.Request("GET", "/api/v1/org", std::nullopt,
              Bearer(owner.token, {{"X-Organization", api_key}}));
    c.Request("GET", "/api/v1/org", std::nullopt,
              Bearer(owner.token, {{"Host", invitation_token + ".localhost"}}));
    c.Request("GET", "/api/v1/user", std::nullopt,
              Bearer(owner.token, {{"X-Request-Id", owner.token}}));
    c.Request("GET", "/api/v1/invitations/" + invitation_token, std::nullopt, Bearer(owner.token));
    EXPECT_EQ(server.Stop(), 0);
    logs = AllLogs(server);
    // The requests were logged, with the prefix kept so an operator sees what was pasted.
    ASSERT_NE(logs.find("bks_[redacted]"), std::string::npos);
    ASSERT_NE(logs.find("bk_[redacted]"), std::string::npos);
    ASSERT_NE(logs.find("bki_[redacted]"), std::string::npos);
  }
  for (const auto& token : tokens) {
    auto secret = token.substr(token.find('_') + 1);
    EXPECT_EQ(logs.find(secret), std::string::npos) << "found in the logs: " << token;
  }
}

TEST(DataFilesTest, TheDataDirectoryAndEverythingInItArePrivateToTheServersUser) {
  ServerProcess server;
  Account owner = SignUp(server.client(), "Owner");
  CreateOrganization(server.client(), owner.token, "Private", UniqueSlug("private"));
  EXPECT_EQ(server.Stop(), 0);
  int checked = 0;
  auto mode = [](const fs::path& p) { return fs::status(p).permissions() & fs::perms::all; };
  EXPECT_EQ(mode(server.data_dir()), fs::perms::owner_all);
  for (const auto& entry : fs::recursive_directory_iterator(server.data_dir())) {
    ++checked;
    if (entry.is_directory()) {
      EXPECT_EQ(mode(entry.path()), fs::perms::owner_all) << entry.path();
    } else {
      EXPECT_EQ(mode(entry.path()) & (fs::perms::group_all | fs::perms::others_all),
                fs::perms::none)
          << entry.path();
    }
  }
  EXPECT_GE(checked, OnPostgres() ? 3 : 4);  // master key, logs, (SQLite: catalog, tenants)
}

}  // namespace
}  // namespace bulkhead::testing
