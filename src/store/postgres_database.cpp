#include "store/postgres_database.hpp"

#include <libpq-fe.h>

#include <cstdlib>
#include <functional>
#include <unordered_map>

namespace bulkhead::store {

using core::Error;
using core::ErrorCode;

namespace {

constexpr unsigned kInt2Oid = 21, kInt4Oid = 23, kInt8Oid = 20;

Error PgError(PGconn* conn, const PGresult* result, std::string_view context) {
  std::string message = std::string(context) + ": ";
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  message += result ? PQresultErrorMessage(result) : PQerrorMessage(conn);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  std::string sqlstate = state ? state : "";
  if (sqlstate == "23505") {  // unique_violation: name the constraint, like SQLite names columns
    const char* constraint = PQresultErrorField(result, PG_DIAG_CONSTRAINT_NAME);
    return Error::Make(ErrorCode::kConflict, constraint ? constraint : message);
  }
  // A connection that is gone is unavailable, also when the server said why before hanging
  // up (57P01 terminated by an administrator, 57P02 crash, 57P03 starting up).
  if (sqlstate == "40001" || sqlstate == "40P01" || sqlstate == "55P03" ||
      sqlstate.rfind("08", 0) == 0 || sqlstate.rfind("57P", 0) == 0 ||
      PQstatus(conn) != CONNECTION_OK) {
    return Error::Make(ErrorCode::kUnavailable, std::move(message));
  }
  return Error::Internal(std::move(message));
}

// A stable 64-bit key for the advisory lock of a schema.
int64_t LockKeyOf(const std::string& schema) {
  uint64_t h = 1469598103934665603ULL;  // FNV-1a
  for (unsigned char c : schema) h = (h ^ c) * 1099511628211ULL;
  return static_cast<int64_t>(h);
}

}  // namespace

PostgresPool::Session::~Session() {
  if (conn) PQfinish(conn);
}

std::string TenantSchemaName(std::string_view organization_id) {
  std::string name = "org_";
  for (char c : organization_id) {
    if (c != '-') name += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return name;
}

std::string QuoteIdentifier(std::string_view identifier) {
  std::string out = "\"";
  for (char c : identifier) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

namespace {

class PostgresConnection final : public Connection {
 public:
  PostgresConnection(std::unique_ptr<PostgresPool::Session> session, std::string schema)
      : session_(std::move(session)), schema_(std::move(schema)) {}

  Dialect dialect() const override { return Dialect::kPostgres; }

  std::unique_ptr<PostgresPool::Session> TakeSession() {
    if (in_transaction_) Rollback();
    return std::move(session_);
  }

  Result<Rows> Query(std::string_view sql, const std::vector<Value>& params) override {
    return Autocommit([&] { return Run(sql, params); });
  }

  Result<int64_t> Execute(std::string_view sql, const std::vector<Value>& params) override {
    auto rows = Autocommit([&]() -> Result<Rows> {
      auto r = Run(sql, params, &affected_);
      if (!r.ok()) return r.error();
      return Rows{};
    });
    if (!rows.ok()) return rows.error();
    return affected_;
  }

  Status ExecuteScript(std::string_view sql) override {
    auto rows = Autocommit([&]() -> Result<Rows> {
      BULKHEAD_TRY(Simple(std::string(sql), "script"));
      return Rows{};
    });
    if (!rows.ok()) return rows.error();
    return core::Ok();
  }

  Status Begin(bool write) override {
    std::string sql = "BEGIN; SET LOCAL search_path TO " + QuoteIdentifier(schema_);
    if (write) sql += "; SELECT pg_advisory_xact_lock(" + std::to_string(LockKeyOf(schema_)) + ")";
    BULKHEAD_TRY(Simple(sql, "begin"));
    in_transaction_ = true;
    return core::Ok();
  }

  Status Commit() override {
    in_transaction_ = false;
    return Simple("COMMIT", "commit");
  }

  void Rollback() override {
    in_transaction_ = false;
    (void)Simple("ROLLBACK", "rollback");
  }

 private:
  // A statement outside a transaction runs in one of its own, to set the schema locally.
  Result<Rows> Autocommit(const std::function<Result<Rows>()>& statement) {
    if (in_transaction_) return statement();
    BULKHEAD_TRY(Begin(false));
    auto result = statement();
    if (!result.ok()) {
      Rollback();
      return result;
    }
    if (auto st = Commit(); !st.ok()) return st.error();
    return result;
  }

  Status Simple(const std::string& sql, std::string_view context) {
    PGresult* result = PQexec(session_->conn, sql.c_str());
    ExecStatusType status = PQresultStatus(result);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      Error e = PgError(session_->conn, result, context);
      PQclear(result);
      if (PQstatus(session_->conn) != CONNECTION_OK) session_->broken = true;
      return e;
    }
    PQclear(result);
    return core::Ok();
  }

  Result<Rows> Run(std::string_view sql, const std::vector<Value>& params,
                   int64_t* affected = nullptr) {
    std::string text(sql);
    auto found = session_->prepared.find(text);
    if (found == session_->prepared.end()) {
      std::string name = "s" + std::to_string(session_->prepared.size() + 1);
      PGresult* prepared = PQprepare(session_->conn, name.c_str(), text.c_str(), 0, nullptr);
      if (PQresultStatus(prepared) != PGRES_COMMAND_OK) {
        Error e = PgError(session_->conn, prepared, "prepare");
        PQclear(prepared);
        if (PQstatus(session_->conn) != CONNECTION_OK) session_->broken = true;
        return e;
      }
      PQclear(prepared);
      found = session_->prepared.emplace(text, name).first;
    }
    std::vector<std::string> texts(params.size());
    std::vector<const char*> values(params.size());
    for (std::size_t i = 0; i < params.size(); ++i) {
      if (std::holds_alternative<std::nullptr_t>(params[i])) {
        values[i] = nullptr;
        continue;
      }
      texts[i] = std::holds_alternative<int64_t>(params[i])
                     ? std::to_string(std::get<int64_t>(params[i]))
                     : std::get<std::string>(params[i]);
      values[i] = texts[i].c_str();
    }
    PGresult* result =
        PQexecPrepared(session_->conn, found->second.c_str(), static_cast<int>(values.size()),
                       values.data(), nullptr, nullptr, 0);
    ExecStatusType status = PQresultStatus(result);
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
      Error e = PgError(session_->conn, result, "query");
      PQclear(result);
      if (PQstatus(session_->conn) != CONNECTION_OK) session_->broken = true;
      return e;
    }
    if (affected) {
      const char* tuples = PQcmdTuples(result);
      *affected = tuples && *tuples ? std::strtoll(tuples, nullptr, 10) : 0;
    }
    Rows rows;
    int n = PQntuples(result), fields = PQnfields(result);
    rows.reserve(static_cast<std::size_t>(n));
    for (int r = 0; r < n; ++r) {
      std::vector<Value> values_out;
      values_out.reserve(static_cast<std::size_t>(fields));
      for (int f = 0; f < fields; ++f) {
        if (PQgetisnull(result, r, f)) {
          values_out.emplace_back(nullptr);
          continue;
        }
        unsigned type = PQftype(result, f);
        const char* v = PQgetvalue(result, r, f);
        if (type == kInt8Oid || type == kInt4Oid || type == kInt2Oid) {
          values_out.emplace_back(static_cast<int64_t>(std::strtoll(v, nullptr, 10)));
        } else {
          values_out.emplace_back(
              std::string(v, static_cast<std::size_t>(PQgetlength(result, r, f))));
        }
      }
      rows.emplace_back(std::move(values_out));
    }
    PQclear(result);
    return rows;
  }

  std::unique_ptr<PostgresPool::Session> session_;
  std::string schema_;
  bool in_transaction_ = false;
  int64_t affected_ = 0;
};

class PostgresSchema final : public Database {
 public:
  PostgresSchema(std::shared_ptr<PostgresPool> pool, std::string schema)
      : pool_(std::move(pool)), schema_(std::move(schema)) {}

  Lease Acquire() override {
    auto session = pool_->Take();
    if (!session.ok()) {
      // The server is unreachable: hand out a connection whose every call fails with it.
      return Lease(*this, std::make_unique<FailingConnection>(session.error()));
    }
    return Lease(*this, std::make_unique<PostgresConnection>(std::move(*session), schema_));
  }

  void Release(std::unique_ptr<Connection> connection) override {
    if (auto* pg = dynamic_cast<PostgresConnection*>(connection.get())) {
      pool_->Give(pg->TakeSession());
    }
  }

 private:
  class FailingConnection final : public Connection {
   public:
    explicit FailingConnection(Error error) : error_(std::move(error)) {}
    Dialect dialect() const override { return Dialect::kPostgres; }
    Result<Rows> Query(std::string_view, const std::vector<Value>&) override { return error_; }
    Result<int64_t> Execute(std::string_view, const std::vector<Value>&) override { return error_; }
    Status ExecuteScript(std::string_view) override { return error_; }
    Status Begin(bool) override { return error_; }
    Status Commit() override { return error_; }
    void Rollback() override {}

   private:
    Error error_;
  };

  std::shared_ptr<PostgresPool> pool_;
  std::string schema_;
};

}  // namespace

Result<std::shared_ptr<PostgresPool>> PostgresPool::Open(std::string url, int size) {
  std::shared_ptr<PostgresPool> pool(new PostgresPool(std::move(url), std::max(1, size)));
  auto first = pool->Take();
  if (!first.ok()) return first.error();
  pool->Give(std::move(*first));
  return pool;
}

PostgresPool::~PostgresPool() = default;

std::unique_ptr<Database> PostgresPool::Schema(std::string schema) {
  return std::make_unique<PostgresSchema>(shared_from_this(), std::move(schema));
}

Result<std::unique_ptr<PostgresPool::Session>> PostgresPool::Take() {
  {
    std::unique_lock lock(mu_);
    available_.wait(lock, [this] { return !idle_.empty() || open_ < size_; });
    if (!idle_.empty()) {
      auto session = std::move(idle_.back());
      idle_.pop_back();
      return session;
    }
    ++open_;
  }
  auto session = std::make_unique<Session>();
  session->conn = PQconnectdb(url_.c_str());
  if (PQstatus(session->conn) != CONNECTION_OK) {
    std::string message = PQerrorMessage(session->conn);
    {
      std::lock_guard lock(mu_);
      --open_;
    }
    available_.notify_one();
    return Error::Make(ErrorCode::kUnavailable, "cannot connect to PostgreSQL: " + message);
  }
  PQsetNoticeProcessor(
      session->conn, [](void*, const char*) {}, nullptr);
  return session;
}

void PostgresPool::Give(std::unique_ptr<Session> session) {
  if (!session) return;
  {
    std::lock_guard lock(mu_);
    if (session->broken || PQstatus(session->conn) != CONNECTION_OK ||
        PQtransactionStatus(session->conn) != PQTRANS_IDLE) {
      --open_;  // dropped: a fresh one is made on demand
    } else {
      idle_.push_back(std::move(session));
      session = nullptr;
    }
  }
  available_.notify_one();
}

}  // namespace bulkhead::store
