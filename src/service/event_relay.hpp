#pragma once
// Moves the events of catalog changes into their organizations' logs. A catalog change (an
// organization, its members, invitations, domains, API keys) writes its event to the catalog's
// event_outbox in its own transaction, since the organization's database is another database;
// right after that commit the use case calls RelayOutbox, so a client that got the answer and
// writes again finds its events in the order it caused them. What a relay could not move (a
// crash, a busy database) and what the CLI wrote (another process) is moved by EventRelay's
// sweep within a second. Moving twice is harmless: AppendEvents skips an id it already has.
// Thread-safety: RelayOutbox is thread-safe; Start and Stop from one thread.

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/result.hpp"
#include "service/environment.hpp"
#include "store/database.hpp"
#include "store/event_store.hpp"

namespace bulkhead::service {

// Organizations' databases a sweep writes at once (each holds a connection while it does).
inline constexpr int kEventSweepThreads = 4;

// Best effort: moves the organization's outbox rows, in order, into its event log in one tenant
// write, then deletes them from the outbox; a failure is logged and left to the sweep. Rows of
// an organization that no longer exists are dropped.
void RelayOutbox(Environment& env, const std::string& organization_id);
// The same, after giving the caller's catalog connection (its transaction committed) back to
// the pool: the relay takes connections of its own, and on PostgreSQL the catalog and the
// tenants share one bounded pool, so a request must not hold one while it waits for another.
void RelayOutbox(Environment& env, const std::string& organization_id,
                 store::Database::Lease& committed);

class EventRelay {
 public:
  explicit EventRelay(Environment& env) : env_(env) {}
  ~EventRelay();
  EventRelay(const EventRelay&) = delete;
  EventRelay& operator=(const EventRelay&) = delete;

  void Start();
  void Stop();
  // Moves the whole outbox, oldest rows first, a batch at a time; returns how many
  // organizations (counted once per batch) had rows.
  core::Result<int> SweepOnce();

  // The relay itself (RelayOutbox calls it): opens the organization's database, which only
  // TenantAccess's friends may.
  static core::Status Relay(Environment& env, const std::string& organization_id);

 private:
  void Loop();
  // Appends `events` to the organization's log in one write and wakes the dispatcher.
  static core::Status AppendToLog(Environment& env, const std::string& organization_id,
                                  std::vector<store::EventRecord>& events);

  Environment& env_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;  // GUARDED_BY(mu_)
  std::thread thread_;
};

}  // namespace bulkhead::service
