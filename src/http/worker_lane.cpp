#include "http/worker_lane.hpp"

#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>

namespace bulkhead::http {

WorkerLane::WorkerLane(WorkerLaneOptions options) : options_(std::move(options)) {
  int n = std::max(1, options_.threads);
  threads_.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) threads_.emplace_back([this] { Loop(); });
}

WorkerLane::~WorkerLane() {
  Join();
}

bool WorkerLane::TryPost(std::function<void()> task) {
  {
    std::lock_guard lock(mu_);
    if (stopping_ || queue_.size() >= options_.queue_limit) return false;
    queue_.push_back(std::move(task));
  }
  ready_.notify_one();
  return true;
}

void WorkerLane::Join() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  ready_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

std::size_t WorkerLane::queued() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

void WorkerLane::Loop() {
#ifdef __linux__
  // On Linux a thread's niceness is its own (setpriority on its thread id), so a lane of
  // CPU-heavy work (argon2id) yields the cores to the I/O threads and the other lanes.
  if (options_.nice > 0) setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), options_.nice);
  std::string name = ("bh-" + options_.name).substr(0, 15);
  pthread_setname_np(pthread_self(), name.c_str());
#endif
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock lock(mu_);
      ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and nothing left to run
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    task();
  }
}

}  // namespace bulkhead::http
