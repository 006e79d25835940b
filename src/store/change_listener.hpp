#pragma once
// Wakes the change feed when another process commits a catalog change. On PostgreSQL a
// dedicated connection LISTENs on `bulkhead_changes` (RecordChange notifies in the changing
// transaction); elsewhere Wait simply sleeps, and the feed polls.
// Thread-safety: used by the change feed's thread only.

#include <chrono>
#include <memory>
#include <string>

namespace bulkhead::store {

class ChangeListener {
 public:
  enum class Event {
    kTimeout,   // nothing arrived: poll anyway
    kNotified,  // a change was committed somewhere
    kResumed,   // the connection was lost and is back: changes may have been missed
  };
  virtual ~ChangeListener() = default;
  virtual Event Wait(std::chrono::milliseconds timeout) = 0;
};

// Sleeps for the timeout.
std::unique_ptr<ChangeListener> PollingListener();
// LISTEN on the database at `url`, reconnecting after a lost connection.
std::unique_ptr<ChangeListener> PostgresListener(std::string url);

}  // namespace bulkhead::store
