#pragma once
// Follows the catalog's change feed so that a change made by another process on the same data
// (the `bulkhead` CLI, other instances on one PostgreSQL database) reaches this process's
// caches: at once when the listener is woken by a notification, else within one poll interval.
// After a lost listener connection every cache is dropped, since changes may have been missed.
// The feed records how far it has applied (catalog change_readers, at least every second), so
// that an operator command can wait until every live server has applied its change.
// Changes this process makes are applied to its caches at once by the services; the feed only
// adds what others did. Old rows are pruned now and then.
// Thread-safety: Start and Stop from one thread; the poller runs on its own thread.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "service/environment.hpp"
#include "store/change_listener.hpp"

namespace bulkhead::service {

class ChangeFeed {
 public:
  ChangeFeed(Environment& env, std::unique_ptr<store::ChangeListener> listener,
             std::chrono::milliseconds interval);
  ~ChangeFeed();
  ChangeFeed(const ChangeFeed&) = delete;
  ChangeFeed& operator=(const ChangeFeed&) = delete;

  // Starts after the newest change recorded so far.
  core::Status Start();
  void Stop();
  // Reads and applies what is new; returns how many changes were applied.
  core::Result<int> PollOnce();

 private:
  void Loop();
  // Writes this server's position when it moved or a heartbeat is due.
  void RecordPosition(bool force);

  Environment& env_;
  std::unique_ptr<store::ChangeListener> listener_;
  std::chrono::milliseconds interval_;
  int64_t last_seq_ = 0;  // only touched by the poller (or by PollOnce before Start)
  const std::string instance_id_;
  int64_t recorded_seq_ = -1;
  std::chrono::steady_clock::time_point recorded_at_;
  bool started_ = false;
  std::chrono::steady_clock::time_point last_prune_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;  // GUARDED_BY(mu_)
  std::thread thread_;
};

}  // namespace bulkhead::service
