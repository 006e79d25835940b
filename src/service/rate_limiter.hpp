#pragma once
// Per-organization request budgets from the `requests_per_minute` limit: a token bucket per
// organization and instance, holding up to a minute's worth of requests and refilled
// continuously. One organization spending its budget touches only its own bucket, so the
// others are not slowed. Thread-safety: thread-safe (buckets are sharded by organization).

#include <array>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace bulkhead::service {

class RateLimiter {
 public:
  // Takes one request from the organization's bucket. nullopt when allowed; otherwise the
  // seconds until a request would be allowed (for Retry-After, at least 1).
  std::optional<int> Take(const std::string& organization_id, int64_t requests_per_minute) {
    return Take(organization_id, requests_per_minute, std::chrono::seconds(60));
  }
  // The same with a bucket of `per_window` that refills over `window` (e.g. organizations a
  // user may create per hour).
  std::optional<int> Take(const std::string& key, int64_t per_window, std::chrono::seconds window);

 private:
  struct Bucket {
    double tokens = 0;
    int64_t limit = 0;
    std::chrono::steady_clock::time_point refilled;
  };
  struct Shard {
    std::mutex mu;
    std::unordered_map<std::string, Bucket> buckets;  // GUARDED_BY(mu)
  };
  static constexpr std::size_t kShards = 32;
  static constexpr std::size_t kMaxBucketsPerShard = 100'000;
  std::array<Shard, kShards> shards_;
};

}  // namespace bulkhead::service
