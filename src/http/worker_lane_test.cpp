#include "http/worker_lane.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <future>

namespace bulkhead::http {
namespace {

TEST(WorkerLane, RunsWhatItQueues) {
  std::atomic<int> ran = 0;
  {
    WorkerLane lane({.name = "t", .threads = 2, .queue_limit = 100});
    for (int i = 0; i < 50; ++i) ASSERT_TRUE(lane.TryPost([&ran] { ++ran; }));
  }  // Join runs what is queued
  EXPECT_EQ(ran.load(), 50);
}

TEST(WorkerLane, RefusesPastItsQueueLimit) {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> started;
  WorkerLane lane({.name = "t", .threads = 1, .queue_limit = 2});
  ASSERT_TRUE(lane.TryPost([&started, released] {
    started.set_value();
    released.wait();
  }));
  started.get_future().wait();  // the one thread is busy; the queue is empty
  EXPECT_TRUE(lane.TryPost([] {}));
  EXPECT_TRUE(lane.TryPost([] {}));
  EXPECT_FALSE(lane.TryPost([] {}));  // full: refused at once, not queued
  EXPECT_EQ(lane.queued(), 2u);
  release.set_value();
  lane.Join();
  EXPECT_EQ(lane.queued(), 0u);
  EXPECT_FALSE(lane.TryPost([] {}));  // stopped
}

}  // namespace
}  // namespace bulkhead::http
