#pragma once
// Integration-test harness: the real `bulkhead` binary on a free loopback port with a
// temporary data directory, and a small blocking HTTP client (Boost.Beast).

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace bulkhead::testing {

using Json = nlohmann::json;
using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lowercase names
  std::string body;
  Json json;  // parsed when the body is JSON or problem+json

  std::string Header(const std::string& lowercase_name) const;
  std::string Code() const { return json.is_object() ? json.value("code", "") : ""; }
};

class HttpClient {
 public:
  explicit HttpClient(uint16_t port) : port_(port) {}
  // One request on a fresh connection. `body` is sent as JSON when present.
  HttpResponse Request(const std::string& method, const std::string& target,
                       const std::optional<Json>& body = std::nullopt,
                       const Headers& headers = {}) const;
  // Sends a raw body string (may be invalid JSON or huge).
  HttpResponse RequestRaw(const std::string& method, const std::string& target,
                          const std::string& body, const Headers& headers = {}) const;
  // Writes raw bytes and reads one response (for malformed HTTP); status 0 when the server
  // closed without answering.
  HttpResponse RawBytes(const std::string& bytes) const;
  uint16_t port() const { return port_; }

 private:
  uint16_t port_;
};

Headers Bearer(const std::string& token, Headers more = {});

class ServerProcess {
 public:
  // Starts on a fresh temporary data directory.
  explicit ServerProcess(std::vector<std::string> extra_args = {});
  // A second instance on the same storage as `sibling` (its data directory on SQLite, its
  // database on PostgreSQL), as behind a load balancer.
  struct SameStorageAs {
    const ServerProcess& sibling;
  };
  explicit ServerProcess(SameStorageAs shared, std::vector<std::string> extra_args = {});
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  uint16_t port() const { return port_; }
  const std::filesystem::path& data_dir() const { return data_dir_; }
  // The flags that name this server's storage, for operator commands: --data DIR, and
  // --database URL when the suite runs on PostgreSQL.
  std::vector<std::string> StorageArgs() const;
  const std::string& database_url() const { return database_url_; }  // empty on SQLite
  bool OnPostgresStorage() const;
  HttpClient client() const { return HttpClient(port_); }
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }  // for /proc (memory, CPU time)

  int Stop();  // SIGTERM; returns the exit status (-1 if killed by a signal)
  void Kill9();
  void Start();                     // again, on the same data directory
  std::string Output() const;       // what the server printed on stdout so far
  std::string ErrorOutput() const;  // and on stderr

 private:
  std::filesystem::path root_;
  std::filesystem::path data_dir_;
  std::vector<std::string> extra_args_;
  std::string database_name_;  // PostgreSQL: a database of this server's own
  std::string database_url_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  int starts_ = 0;
};

struct Account {
  std::string token;
  std::string user_id;
  std::string email;
  std::string name;
  Json personal_organization;
};

constexpr const char* kPassword = "correct horse battery";

std::string UniqueEmail(const std::string& prefix);
Account SignUp(const HttpClient& client, const std::string& name, const std::string& email = "");
// A team organization; returns its JSON (fails the test on error).
Json CreateOrganization(const HttpClient& client, const std::string& token, const std::string& name,
                        const std::string& slug = "");
std::string UniqueSlug(const std::string& prefix);
void AddMember(const HttpClient& client, const std::string& token, const std::string& org,
               const std::string& user_id, const std::string& role);

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};
CliResult RunCli(const std::vector<std::string>& args);
// `args` followed by the server's storage flags.
CliResult RunCli(std::vector<std::string> args, const ServerProcess& server);

// The engine the suite runs on: "postgres" when BULKHEAD_TEST_ENGINE says so (the admin URL
// is then in BULKHEAD_TEST_POSTGRES_URL), else "sqlite".
bool OnPostgres();
// Whether an organization's own store exists (a SQLite file, or a PostgreSQL schema).
bool TenantStoreExists(const ServerProcess& server, const std::string& organization_id);
// Runs SQL directly on the catalog (organization_id empty) or an organization's store, as
// someone with access to the database would (for tamper tests).
void ExecuteSql(const ServerProcess& server, const std::string& organization_id,
                const std::string& sql);
// The same, for one query: its rows as text (NULL as "").
std::vector<std::vector<std::string>> QuerySql(const ServerProcess& server,
                                               const std::string& organization_id,
                                               const std::string& sql);

}  // namespace bulkhead::testing

#include <gtest/gtest.h>

namespace bulkhead::testing {

// A test fixture with a server of its own, on its own data directory, for each test.
template <typename Suite>
class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override { server_ = std::make_unique<ServerProcess>(); }
  void TearDown() override { server_.reset(); }
  ServerProcess& server() { return *server_; }
  HttpClient client() { return server_->client(); }

 private:
  std::unique_ptr<ServerProcess> server_;
};

}  // namespace bulkhead::testing
