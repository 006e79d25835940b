#include "service/rate_limiter.hpp"

#include <algorithm>
#include <cmath>
#include <functional>

namespace bulkhead::service {

std::optional<int> RateLimiter::Take(const std::string& organization_id,
                                     int64_t requests_per_minute, std::chrono::seconds window) {
  if (requests_per_minute <= 0) return static_cast<int>(window.count());  // admits nothing
  auto now = std::chrono::steady_clock::now();
  double per_second =
      static_cast<double>(requests_per_minute) / static_cast<double>(window.count());
  Shard& shard = shards_[std::hash<std::string>{}(organization_id) % kShards];
  std::lock_guard lock(shard.mu);
  if (shard.buckets.size() >= kMaxBucketsPerShard)
    shard.buckets.clear();  // idle ones refill anyway
  auto [it, fresh] = shard.buckets.try_emplace(organization_id);
  Bucket& bucket = it->second;
  if (fresh || bucket.limit != requests_per_minute) {
    bucket = Bucket{static_cast<double>(requests_per_minute), requests_per_minute, now};
  } else {
    double elapsed = std::chrono::duration<double>(now - bucket.refilled).count();
    bucket.tokens =
        std::min(static_cast<double>(requests_per_minute), bucket.tokens + elapsed * per_second);
    bucket.refilled = now;
  }
  if (bucket.tokens >= 1.0) {
    bucket.tokens -= 1.0;
    return std::nullopt;
  }
  return std::max(1, static_cast<int>(std::ceil((1.0 - bucket.tokens) / per_second)));
}

}  // namespace bulkhead::service
