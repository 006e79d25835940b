#include "store/change_listener.hpp"

#include <libpq-fe.h>
#include <poll.h>

#include <thread>

namespace bulkhead::store {
namespace {

class Polling final : public ChangeListener {
 public:
  Event Wait(std::chrono::milliseconds timeout) override {
    std::this_thread::sleep_for(timeout);
    return Event::kTimeout;
  }
};

class Listening final : public ChangeListener {
 public:
  explicit Listening(std::string url) : url_(std::move(url)) {}
  ~Listening() override {
    if (conn_) PQfinish(conn_);
  }

  Event Wait(std::chrono::milliseconds timeout) override {
    bool resumed = false;
    if (!conn_ || PQstatus(conn_) != CONNECTION_OK) {
      if (!Connect()) {
        std::this_thread::sleep_for(timeout);
        return Event::kTimeout;
      }
      resumed = ever_connected_;
      ever_connected_ = true;
    }
    if (resumed) return Event::kResumed;
    if (Drain()) return Event::kNotified;
    pollfd p{PQsocket(conn_), POLLIN, 0};
    int ready = ::poll(&p, 1, static_cast<int>(timeout.count()));
    if (ready <= 0) return Event::kTimeout;
    if (!PQconsumeInput(conn_)) {
      PQfinish(conn_);
      conn_ = nullptr;
      return Event::kTimeout;  // reconnects (and reports kResumed) on the next call
    }
    return Drain() ? Event::kNotified : Event::kTimeout;
  }

 private:
  bool Connect() {
    if (conn_) PQfinish(conn_);
    conn_ = PQconnectdb(url_.c_str());
    if (PQstatus(conn_) != CONNECTION_OK) {
      PQfinish(conn_);
      conn_ = nullptr;
      return false;
    }
    PGresult* r =
        PQexec(conn_, "SET application_name = 'bulkhead-listener'; LISTEN bulkhead_changes");
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    if (!ok) {
      PQfinish(conn_);
      conn_ = nullptr;
    }
    return ok;
  }

  // Consumes every pending notification; true when there was at least one.
  bool Drain() {
    bool any = false;
    while (PGnotify* n = PQnotifies(conn_)) {
      any = true;
      PQfreemem(n);
    }
    return any;
  }

  std::string url_;
  PGconn* conn_ = nullptr;
  bool ever_connected_ = false;
};

}  // namespace

std::unique_ptr<ChangeListener> PollingListener() {
  return std::make_unique<Polling>();
}

std::unique_ptr<ChangeListener> PostgresListener(std::string url) {
  return std::make_unique<Listening>(std::move(url));
}

}  // namespace bulkhead::store
