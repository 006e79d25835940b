#pragma once
// Failed-login counting per email: after `max_failures` failures within `window`, logins for
// that email are refused until the oldest failure leaves the window. Per process, in memory.
// Thread-safety: thread-safe.

#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>

namespace bulkhead::service {

class LoginThrottle {
 public:
  explicit LoginThrottle(int max_failures = 10, int64_t window_ms = 15 * 60 * 1000)
      : max_failures_(max_failures), window_ms_(window_ms) {}

  // Seconds until a login for `email` is allowed again; 0 when it is allowed now.
  int RetryAfterSeconds(const std::string& email, int64_t now_ms);
  void RecordFailure(const std::string& email, int64_t now_ms);
  void Reset(const std::string& email);

 private:
  void Prune(std::deque<int64_t>& failures, int64_t now_ms) const;

  int max_failures_;
  int64_t window_ms_;
  std::mutex mu_;
  std::unordered_map<std::string, std::deque<int64_t>> failures_;  // GUARDED_BY(mu_)
};

}  // namespace bulkhead::service
