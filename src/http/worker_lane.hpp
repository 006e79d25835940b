#pragma once
// A lane: a pool of threads of its own with a bounded queue, so that one kind of work cannot
// take the threads another kind needs (message.hpp's Lane). A full queue refuses at once
// instead of letting waits grow without bound.
// Thread-safety: TryPost may be called from any thread; Join from one thread, once.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace bulkhead::http {

struct WorkerLaneOptions {
  std::string name;  // for thread names ("bh-<name>")
  int threads = 1;
  std::size_t queue_limit = 64;  // tasks waiting for a thread; past it TryPost refuses
  int nice = 0;                  // added CPU niceness of the lane's threads (Linux), 0..19
};

class WorkerLane {
 public:
  explicit WorkerLane(WorkerLaneOptions options);
  ~WorkerLane();  // Join()
  WorkerLane(const WorkerLane&) = delete;
  WorkerLane& operator=(const WorkerLane&) = delete;

  // Queues `task`; false (and `task` dropped) when the queue is full or the lane has stopped.
  [[nodiscard]] bool TryPost(std::function<void()> task);
  // Runs what is queued, then stops the threads.
  void Join();
  std::size_t queued() const;

 private:
  void Loop();

  WorkerLaneOptions options_;
  mutable std::mutex mu_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> queue_;  // GUARDED_BY(mu_)
  bool stopping_ = false;                    // GUARDED_BY(mu_)
  std::vector<std::thread> threads_;
};

}  // namespace bulkhead::http
