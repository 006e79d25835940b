#pragma once
// Usage metering per organization and UTC day. Requests are counted in memory (a sharded map,
// one short lock per request) and flushed to the catalog's usage_daily every interval by a
// background thread, as increments, so several instances add up. At each flush the gauges
// (members, workspaces, resources, stored bytes) are sampled for organizations that had
// writes, and for the others once a day: only writes change them. A crash loses at most the
// counts of the last interval; a clean stop flushes.
// Thread-safety: thread-safe.

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/result.hpp"
#include "service/environment.hpp"
#include "store/usage_store.hpp"

namespace bulkhead::service {

struct UsageCounters {
  int64_t requests = 0;
  int64_t writes = 0;
};

// The organization's gauges now: members from the catalog; workspaces, resources and stored
// bytes from one snapshot of its own database.
core::Result<store::UsageGauges> SampleUsageGauges(Environment& env, const store::TenantKey& key);

class UsageMeter {
 public:
  explicit UsageMeter(Environment& env) : env_(env) {}
  ~UsageMeter() { Stop(); }
  UsageMeter(const UsageMeter&) = delete;
  UsageMeter& operator=(const UsageMeter&) = delete;

  // One request for the organization (a successful change when `write`), today.
  void Record(const std::string& organization_id, bool write);
  // What this instance counted but has not flushed yet (including a flush under way).
  UsageCounters Pending(const std::string& organization_id, int64_t day) const;
  // Held by a reader across its read of the flushed figures and Pending, so that a flush
  // committing meanwhile cannot make a count appear twice or not at all.
  std::shared_lock<std::shared_mutex> ReadConsistently() const {
    return std::shared_lock<std::shared_mutex>(publish_mu_);
  }

  // Writes everything pending. On failure the counts stay pending for the next attempt.
  core::Status Flush();
  // Flushes every `interval` on a thread of its own until Stop, which flushes once more.
  void Start(std::chrono::milliseconds interval);
  void Stop();

  // For /metrics.
  int64_t flushes() const { return flushes_.load(std::memory_order_relaxed); }
  int64_t flush_failures() const { return flush_failures_.load(std::memory_order_relaxed); }
  int64_t last_flush_ms() const { return last_flush_ms_.load(std::memory_order_relaxed); }

 private:
  struct DayCounters {
    int64_t day = 0;
    UsageCounters counters;
  };
  struct Shard {
    mutable std::mutex mu;
    // Usually one entry per organization; two around midnight until the next flush.
    std::unordered_map<std::string, std::vector<DayCounters>> pending;  // GUARDED_BY(mu)
  };
  struct Batch {
    std::string organization_id;
    int64_t day = 0;
    UsageCounters counters;
  };
  Shard& ShardFor(const std::string& organization_id) const;
  std::vector<Batch> Drain();
  void Restore(std::vector<Batch>::const_iterator from, std::vector<Batch>::const_iterator to);
  void Published(std::vector<Batch>::const_iterator from, std::vector<Batch>::const_iterator to);
  void Loop(std::chrono::milliseconds interval);

  Environment& env_;
  static constexpr std::size_t kShards = 16;
  mutable std::array<Shard, kShards> shards_;

  // Lock order: publish_mu_, then a shard's mu, then inflight_mu_.
  mutable std::shared_mutex publish_mu_;
  // Counts a flush took out of the shards and has not committed yet, still seen by Pending.
  mutable std::mutex inflight_mu_;
  std::unordered_map<std::string, std::vector<DayCounters>> inflight_;  // GUARDED_BY(inflight_mu_)

  std::mutex flush_mu_;                      // one flush at a time
  int64_t sampled_day_ = -1;                 // GUARDED_BY(flush_mu_)
  std::unordered_set<std::string> sampled_;  // GUARDED_BY(flush_mu_): sampled on sampled_day_

  std::atomic<int64_t> flushes_{0};
  std::atomic<int64_t> flush_failures_{0};
  std::atomic<int64_t> last_flush_ms_{0};

  std::mutex loop_mu_;
  std::condition_variable wake_;
  bool stopping_ = false;  // GUARDED_BY(loop_mu_)
  std::thread thread_;
};

}  // namespace bulkhead::service
