#include "service/login_throttle.hpp"

namespace bulkhead::service {

void LoginThrottle::Prune(std::deque<int64_t>& failures, int64_t now_ms) const {
  while (!failures.empty() && failures.front() <= now_ms - window_ms_) failures.pop_front();
}

int LoginThrottle::RetryAfterSeconds(const std::string& email, int64_t now_ms) {
  std::lock_guard lock(mu_);
  auto it = failures_.find(email);
  if (it == failures_.end()) return 0;
  Prune(it->second, now_ms);
  if (it->second.empty()) {
    failures_.erase(it);
    return 0;
  }
  if (static_cast<int>(it->second.size()) < max_failures_) return 0;
  int64_t wait_ms = it->second.front() + window_ms_ - now_ms;
  return static_cast<int>((wait_ms + 999) / 1000);
}

void LoginThrottle::RecordFailure(const std::string& email, int64_t now_ms) {
  std::lock_guard lock(mu_);
  // Bounded memory under a flood of random emails: past 100,000 emails, drop every email whose
  // failures have all left the window.
  if (failures_.size() > 100'000) {
    for (auto it = failures_.begin(); it != failures_.end();) {
      Prune(it->second, now_ms);
      it = it->second.empty() ? failures_.erase(it) : std::next(it);
    }
  }
  auto& failures = failures_[email];
  Prune(failures, now_ms);
  failures.push_back(now_ms);
  if (static_cast<int>(failures.size()) > max_failures_) failures.pop_front();
}

void LoginThrottle::Reset(const std::string& email) {
  std::lock_guard lock(mu_);
  failures_.erase(email);
}

}  // namespace bulkhead::service
