#include "integration/harness.hpp"

#include <libpq-fe.h>
#include <sqlite3.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <algorithm>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <gtest/gtest.h>

#include "integration/contract_check.hpp"

namespace bulkhead::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace fs = std::filesystem;
using tcp = asio::ip::tcp;

namespace {

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::atomic<int> g_counter{0};

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

HttpResponse FromBeast(bhttp::response<bhttp::string_body>& res) {
  HttpResponse out;
  out.status = static_cast<int>(res.result_int());
  for (const auto& f : res)
    out.headers[Lower(std::string(f.name_string()))] = std::string(f.value());
  out.body = res.body();
  auto type = out.Header("content-type");
  if (type.find("json") != std::string::npos) {
    out.json = Json::parse(out.body, nullptr, false);
  }
  return out;
}

// The response contract: every response from a server this harness started is checked
// against the /openapi.json the binary serves, and a drift fails the test that received it.
// The document depends on the route table alone, so it is read once per binary: from a
// private server on a scratch directory (the servers under test see no extra request, which
// their logs and counters would show), then from a cache file beside the other temporary
// files, keyed by the binary's size and time. BULKHEAD_TEST_CONTRACT=off turns the check off.
struct Contracts {
  std::mutex mu;
  std::set<uint16_t> ports;  // servers this harness started
  std::shared_ptr<const Json> document;
  bool tried = false;
};

Contracts& contracts() {
  static Contracts c;
  return c;
}

bool ContractsOn() {
  const char* flag = std::getenv("BULKHEAD_TEST_CONTRACT");
  return !flag || std::string(flag) != "off";
}

void RegisterServer(uint16_t port) {
  std::lock_guard lock(contracts().mu);
  contracts().ports.insert(port);
}

void UnregisterServer(uint16_t port) {
  std::lock_guard lock(contracts().mu);
  contracts().ports.erase(port);
}

HttpResponse Exchange(uint16_t port, const std::string& method, const std::string& target,
                      const std::string& body, const Headers& headers);

// GET /openapi.json from a server of its own (SQLite, loopback, no DNS), stopped at once.
std::string FetchDocument() {
  char pattern[] = "/tmp/bulkhead-openapi-XXXXXX";
  char* made = ::mkdtemp(pattern);
  if (!made) throw std::runtime_error("mkdtemp failed");
  fs::path root = made;
  std::vector<std::string> args = {
      BULKHEAD_BINARY,          "serve",     "--listen", "127.0.0.1:0",  "--data",
      (root / "data").string(), "--threads", "1",        "--dns-server", "127.0.0.1:1"};
  fs::path out = root / "stdout.log";
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int null = ::open("/dev/null", O_WRONLY);
    ::dup2(o, 1);
    ::dup2(null, 2);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  std::string document;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (document.empty() && std::chrono::steady_clock::now() < deadline) {
    std::istringstream lines(ReadFile(out));
    std::string line;
    while (std::getline(lines, line)) {
      auto j = Json::parse(line, nullptr, false);
      if (!j.is_object() || j.value("event", "") != "listening") continue;
      std::string address = j.value("address", "");
      auto port = static_cast<uint16_t>(std::stoi(address.substr(address.rfind(':') + 1)));
      auto r = Exchange(port, "GET", "/openapi.json", "", {});
      if (r.status == 200) document = r.body;
      break;
    }
    if (document.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  std::error_code ignored;
  fs::remove_all(root, ignored);
  return document;
}

// The binary's document (null when it cannot be had: then the failure says so once).
std::shared_ptr<const Json> TheDocument() {
  std::lock_guard lock(contracts().mu);
  if (contracts().tried) return contracts().document;
  contracts().tried = true;
  std::error_code ec;
  auto size = fs::file_size(BULKHEAD_BINARY, ec);
  auto time = fs::last_write_time(BULKHEAD_BINARY, ec).time_since_epoch().count();
  auto key = std::hash<std::string>{}(std::string(BULKHEAD_BINARY) + ":" + std::to_string(size) +
                                      ":" + std::to_string(time));
  fs::path cache =
      fs::temp_directory_path() / ("bulkhead-openapi-" + std::to_string(key) + ".json");
  std::string text = ReadFile(cache);
  auto document = Json::parse(text, nullptr, false);
  if (!document.is_object()) {
    try {
      text = FetchDocument();
    } catch (const std::exception& e) {
      text.clear();
    }
    document = Json::parse(text, nullptr, false);
    if (!document.is_object() || !document.contains("paths")) {
      ADD_FAILURE() << "response contract: cannot read /openapi.json from " << BULKHEAD_BINARY;
      return nullptr;
    }
    // Written whole, then renamed: a concurrent test process reads all of it or nothing.
    fs::path partial = cache.string() + "." + std::to_string(::getpid());
    std::ofstream(partial, std::ios::binary) << text;
    fs::rename(partial, cache, ec);
  }
  contracts().document = std::make_shared<const Json>(std::move(document));
  return contracts().document;
}

void CheckContract(uint16_t port, const std::string& method, const std::string& target,
                   const HttpResponse& response) {
  if (!ContractsOn() || response.status == 0) return;
  {
    std::lock_guard lock(contracts().mu);
    if (!contracts().ports.count(port)) return;
  }
  auto document = TheDocument();
  if (!document) return;
  auto drift = CheckResponse(
      *document, {method, target, response.status, response.Header("content-type"), response.body});
  if (drift.empty()) return;
  std::string report;
  for (const auto& line : drift) report += "\n  " + line;
  ADD_FAILURE() << "response contract: " << method << " " << target << " -> " << response.status
                << " drifts from /openapi.json:" << report
                << "\n  body: " << response.body.substr(0, 600);
}

}  // namespace

std::string HttpResponse::Header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? "" : it->second;
}

HttpResponse HttpClient::Request(const std::string& method, const std::string& target,
                                 const std::optional<Json>& body, const Headers& headers) const {
  return RequestRaw(method, target, body ? body->dump() : "", headers);
}

HttpResponse HttpClient::RequestRaw(const std::string& method, const std::string& target,
                                    const std::string& body, const Headers& headers) const {
  auto response = Exchange(port_, method, target, body, headers);
  CheckContract(port_, method, target, response);
  return response;
}

namespace {

HttpResponse Exchange(uint16_t port, const std::string& method, const std::string& target,
                      const std::string& body, const Headers& headers) {
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.expires_after(std::chrono::seconds(30));
  stream.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  bhttp::request<bhttp::string_body> req(bhttp::string_to_verb(method), target, 11);
  req.set(bhttp::field::host, "127.0.0.1:" + std::to_string(port));
  for (const auto& [k, v] : headers) req.set(k, v);
  if (!body.empty() || method == "POST" || method == "PATCH" || method == "PUT") {
    if (req[bhttp::field::content_type].empty())
      req.set(bhttp::field::content_type, "application/json");
    req.body() = body;
  }
  req.prepare_payload();
  beast::error_code ec;
  bhttp::write(stream, req, ec);
  // A server may answer (413) before reading everything: read the response regardless.
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(64 << 20);
  bhttp::read(stream, buffer, parser, ec);
  if (ec && !parser.is_header_done()) {
    throw std::runtime_error("no response to " + method + " " + target + ": " + ec.message());
  }
  auto res = parser.release();
  return FromBeast(res);
}

}  // namespace

HttpResponse HttpClient::RawBytes(const std::string& bytes) const {
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.expires_after(std::chrono::seconds(30));
  stream.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_));
  beast::error_code ec;
  asio::write(stream, asio::buffer(bytes), ec);
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  bhttp::read(stream, buffer, parser, ec);
  if (!parser.is_header_done()) return HttpResponse{};
  auto res = parser.release();
  return FromBeast(res);
}

Headers Bearer(const std::string& token, Headers more) {
  more.emplace_back("Authorization", "Bearer " + token);
  return more;
}

namespace {

std::string PostgresAdminUrl() {
  const char* url = std::getenv("BULKHEAD_TEST_POSTGRES_URL");
  if (!url || !*url) {
    throw std::runtime_error(
        "BULKHEAD_TEST_ENGINE=postgres needs BULKHEAD_TEST_POSTGRES_URL (make test sets both)");
  }
  return url;
}

// The admin URL with another database name.
std::string WithDatabase(const std::string& admin_url, const std::string& name) {
  auto slash = admin_url.rfind('/');
  return admin_url.substr(0, slash + 1) + name;
}

void AdminSql(const std::string& sql) {
  PGconn* conn = PQconnectdb(PostgresAdminUrl().c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string message = PQerrorMessage(conn);
    PQfinish(conn);
    throw std::runtime_error("cannot reach the test PostgreSQL: " + message);
  }
  PGresult* r = PQexec(conn, sql.c_str());
  bool ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
  std::string message = ok ? "" : PQresultErrorMessage(r);
  PQclear(r);
  PQfinish(conn);
  if (!ok) throw std::runtime_error(sql + ": " + message);
}

std::string TenantSchema(const std::string& organization_id) {
  std::string name = "org_";
  for (char c : organization_id) {
    if (c != '-') name += c;
  }
  return name;
}

}  // namespace

bool OnPostgres() {
  const char* engine = std::getenv("BULKHEAD_TEST_ENGINE");
  return engine && std::string(engine) == "postgres";
}

ServerProcess::ServerProcess(std::vector<std::string> extra_args)
    : extra_args_(std::move(extra_args)) {
  char pattern[] = "/tmp/bulkhead-it-XXXXXX";
  char* made = ::mkdtemp(pattern);
  if (!made) throw std::runtime_error("mkdtemp failed");
  root_ = made;
  data_dir_ = root_ / "data";
  if (OnPostgres()) {
    static std::atomic<int> counter{0};
    database_name_ = "bh_" + std::to_string(::getpid()) + "_" + std::to_string(++counter);
    AdminSql("CREATE DATABASE " + database_name_);
    database_url_ = WithDatabase(PostgresAdminUrl(), database_name_);
  }
  Start();
}

ServerProcess::ServerProcess(SameStorageAs shared, std::vector<std::string> extra_args)
    : extra_args_(std::move(extra_args)) {
  char pattern[] = "/tmp/bulkhead-it-XXXXXX";
  char* made = ::mkdtemp(pattern);
  if (!made) throw std::runtime_error("mkdtemp failed");
  root_ = made;
  // Not the owner: the sibling removes the data directory and drops the database.
  data_dir_ = shared.sibling.OnPostgresStorage() ? root_ / "data" : shared.sibling.data_dir_;
  database_url_ = shared.sibling.database_url_;
  // Instances sharing a database share its master key: the sibling's development key, unless
  // the test gives one.
  bool keyed =
      std::find(extra_args_.begin(), extra_args_.end(), "--master-key-file") != extra_args_.end();
  if (shared.sibling.OnPostgresStorage() && !keyed &&
      fs::exists(shared.sibling.data_dir_ / "master.key")) {
    extra_args_.insert(extra_args_.end(),
                       {"--master-key-file", (shared.sibling.data_dir_ / "master.key").string()});
  }
  Start();
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) {
    UnregisterServer(port_);
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  std::error_code ignored;
  fs::remove_all(root_, ignored);
  if (!database_name_.empty()) {
    try {
      AdminSql("DROP DATABASE IF EXISTS " + database_name_ + " WITH (FORCE)");
    } catch (const std::exception&) {
      // The cluster is thrown away at the end of the run anyway.
    }
  }
}

bool ServerProcess::OnPostgresStorage() const {
  return !database_url_.empty();
}

std::vector<std::string> ServerProcess::StorageArgs() const {
  std::vector<std::string> args = {"--data", data_dir_.string()};
  if (!database_url_.empty()) args.insert(args.end(), {"--database", database_url_});
  return args;
}

CliResult RunCli(std::vector<std::string> args, const ServerProcess& server) {
  auto storage = server.StorageArgs();
  args.insert(args.end(), storage.begin(), storage.end());
  return RunCli(args);
}

bool TenantStoreExists(const ServerProcess& server, const std::string& organization_id) {
  if (!OnPostgres()) {
    return fs::exists(server.data_dir() / "tenants" / (organization_id + ".db"));
  }
  PGconn* conn = PQconnectdb(server.database_url().c_str());
  std::string schema = TenantSchema(organization_id);
  const char* values[] = {schema.c_str()};
  PGresult* r = PQexecParams(conn, "SELECT 1 FROM pg_namespace WHERE nspname = $1", 1, nullptr,
                             values, nullptr, nullptr, 0);
  bool exists = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
  PQclear(r);
  PQfinish(conn);
  return exists;
}

namespace {

// The catalog (organization_id empty) or an organization's SQLite file.
sqlite3* OpenSqliteStore(const ServerProcess& server, const std::string& organization_id) {
  fs::path db = organization_id.empty() ? server.data_dir() / "catalog.db"
                                        : server.data_dir() / "tenants" / (organization_id + ".db");
  sqlite3* handle = nullptr;
  if (sqlite3_open(db.c_str(), &handle) != SQLITE_OK)
    throw std::runtime_error("cannot open " + db.string());
  sqlite3_busy_timeout(handle, 5000);
  return handle;
}

}  // namespace

void ExecuteSql(const ServerProcess& server, const std::string& organization_id,
                const std::string& sql) {
  if (!OnPostgres()) {
    sqlite3* handle = OpenSqliteStore(server, organization_id);
    char* error = nullptr;
    int rc = sqlite3_exec(handle, sql.c_str(), nullptr, nullptr, &error);
    std::string message = error ? error : "";
    sqlite3_free(error);
    sqlite3_close(handle);
    if (rc != SQLITE_OK) throw std::runtime_error(sql + ": " + message);
    return;
  }
  PGconn* conn = PQconnectdb(server.database_url().c_str());
  std::string schema = organization_id.empty() ? "bulkhead" : TenantSchema(organization_id);
  std::string script = "SET search_path TO " + schema + "; " + sql;
  PGresult* r = PQexec(conn, script.c_str());
  bool ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
  std::string message = ok ? "" : PQresultErrorMessage(r);
  PQclear(r);
  PQfinish(conn);
  if (!ok) throw std::runtime_error(sql + ": " + message);
}

std::vector<std::vector<std::string>> QuerySql(const ServerProcess& server,
                                               const std::string& organization_id,
                                               const std::string& sql) {
  std::vector<std::vector<std::string>> rows;
  if (!OnPostgres()) {
    sqlite3* handle = OpenSqliteStore(server, organization_id);
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(handle, sql.c_str(), -1, &statement, nullptr) != SQLITE_OK) {
      std::string message = sqlite3_errmsg(handle);
      sqlite3_close(handle);
      throw std::runtime_error(sql + ": " + message);
    }
    while (sqlite3_step(statement) == SQLITE_ROW) {
      std::vector<std::string> row;
      for (int i = 0; i < sqlite3_column_count(statement); ++i) {
        const unsigned char* text = sqlite3_column_text(statement, i);
        row.emplace_back(text ? reinterpret_cast<const char*>(text) : "");
      }
      rows.push_back(std::move(row));
    }
    sqlite3_finalize(statement);
    sqlite3_close(handle);
    return rows;
  }
  PGconn* conn = PQconnectdb(server.database_url().c_str());
  std::string schema = organization_id.empty() ? "bulkhead" : TenantSchema(organization_id);
  PGresult* set = PQexec(conn, ("SET search_path TO " + schema).c_str());
  PQclear(set);
  PGresult* r = PQexec(conn, sql.c_str());
  bool ok = PQresultStatus(r) == PGRES_TUPLES_OK || PQresultStatus(r) == PGRES_COMMAND_OK;
  std::string message = ok ? "" : PQresultErrorMessage(r);
  if (ok) {
    for (int i = 0; i < PQntuples(r); ++i) {
      std::vector<std::string> row;
      for (int j = 0; j < PQnfields(r); ++j) row.emplace_back(PQgetvalue(r, i, j));
      rows.push_back(std::move(row));
    }
  }
  PQclear(r);
  PQfinish(conn);
  if (!ok) throw std::runtime_error(sql + ": " + message);
  return rows;
}

void ServerProcess::Start() {
  ++starts_;
  fs::path out = root_ / ("stdout-" + std::to_string(starts_) + ".log");
  fs::path err = root_ / ("stderr-" + std::to_string(starts_) + ".log");
  std::vector<std::string> args = {BULKHEAD_BINARY, "serve",  "--listen",
                                   "127.0.0.1:0",   "--data", data_dir_.string(),
                                   "--threads",     "2"};
  if (!database_url_.empty()) args.insert(args.end(), {"--database", database_url_});
  args.insert(args.end(), extra_args_.begin(), extra_args_.end());
  // Tests reach loopback only: without a test DNS server, lookups go to a port where nothing
  // listens (and fail at once) rather than to the system resolver.
  if (std::find(args.begin(), args.end(), "--dns-server") == args.end()) {
    args.insert(args.end(), {"--dns-server", "127.0.0.1:1"});
  }
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(o, 1);
    ::dup2(e, 2);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  pid_ = pid;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    std::string text = ReadFile(out);
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
      auto j = Json::parse(line, nullptr, false);
      if (j.is_object() && j.value("event", "") == "listening") {
        std::string address = j.value("address", "");
        port_ = static_cast<uint16_t>(std::stoi(address.substr(address.rfind(':') + 1)));
        RegisterServer(port_);
        return;
      }
    }
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("server exited at start: " + ReadFile(err));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  throw std::runtime_error("server did not start listening within 20 s");
}

int ServerProcess::Stop() {
  if (pid_ <= 0) return -1;
  UnregisterServer(port_);
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void ServerProcess::Kill9() {
  if (pid_ <= 0) return;
  UnregisterServer(port_);
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

std::string ServerProcess::Output() const {
  return ReadFile(root_ / ("stdout-" + std::to_string(starts_) + ".log"));
}

std::string ServerProcess::ErrorOutput() const {
  return ReadFile(root_ / ("stderr-" + std::to_string(starts_) + ".log"));
}

std::string UniqueEmail(const std::string& prefix) {
  return prefix + "-" + std::to_string(::getpid()) + "-" + std::to_string(++g_counter) +
         "@example.com";
}

std::string UniqueSlug(const std::string& prefix) {
  return prefix + "-" + std::to_string(::getpid()) + "-" + std::to_string(++g_counter);
}

Account SignUp(const HttpClient& client, const std::string& name, const std::string& email) {
  Account a;
  a.email = email.empty() ? UniqueEmail("user") : email;
  a.name = name;
  auto r = client.Request("POST", "/api/v1/auth/signup",
                          Json{{"email", a.email}, {"password", kPassword}, {"name", name}});
  EXPECT_EQ(r.status, 201) << r.body;
  if (r.status != 201) throw std::runtime_error("sign-up failed: " + r.body);
  a.token = r.json["session_token"];
  a.user_id = r.json["user"]["id"];
  a.personal_organization = r.json["personal_organization"];
  return a;
}

Json CreateOrganization(const HttpClient& client, const std::string& token, const std::string& name,
                        const std::string& slug) {
  Json body{{"name", name}};
  if (!slug.empty()) body["slug"] = slug;
  auto r = client.Request("POST", "/api/v1/organizations", body, Bearer(token));
  EXPECT_EQ(r.status, 201) << r.body;
  if (r.status != 201) throw std::runtime_error("create organization failed: " + r.body);
  return r.json;
}

void AddMember(const HttpClient& client, const std::string& token, const std::string& org,
               const std::string& user_id, const std::string& role) {
  auto r = client.Request("POST", "/api/v1/organizations/" + org + "/members",
                          Json{{"user_id", user_id}, {"role", role}}, Bearer(token));
  EXPECT_EQ(r.status, 201) << r.body;
}

CliResult RunCli(const std::vector<std::string>& args) {
  char pattern[] = "/tmp/bulkhead-cli-XXXXXX";
  char* dir = ::mkdtemp(pattern);
  if (!dir) throw std::runtime_error("mkdtemp failed");
  fs::path out = fs::path(dir) / "out", err = fs::path(dir) / "err";
  pid_t pid = ::fork();
  if (pid == 0) {
    int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(o, 1);
    ::dup2(e, 2);
    std::vector<std::string> full = {BULKHEAD_BINARY};
    full.insert(full.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : full) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  CliResult r{WIFEXITED(status) ? WEXITSTATUS(status) : -1, ReadFile(out), ReadFile(err)};
  fs::remove_all(dir);
  return r;
}

}  // namespace bulkhead::testing
