#pragma once
// Request metrics in the Prometheus text format. Labels are bounded by construction: the
// route pattern (never the path, so no ids), its method and the status code. Organizations
// are never a label (their number is unbounded); per-organization figures are in the usage
// API. Counting is a few relaxed atomic increments per request.
// Thread-safety: thread-safe.

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "http/router.hpp"

namespace bulkhead::http {

class HttpMetrics {
 public:
  explicit HttpMetrics(const Router& router);

  // One answered request; `route` is the router's index, RouteMatch::kNone when none matched.
  void Observe(std::size_t route, int status, double seconds);
  void CountRateLimited() { rate_limited_.fetch_add(1, std::memory_order_relaxed); }

  // bulkhead_http_requests_total, bulkhead_http_request_duration_seconds and
  // bulkhead_rate_limited_total, appended to `out`.
  void Render(std::string& out) const;

 private:
  static constexpr int kMinStatus = 100;
  static constexpr int kStatuses = 500;  // 100-599
  static constexpr std::array<double, 13> kBuckets = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};
  struct Series {
    std::string method;
    std::string route;
    std::unique_ptr<std::atomic<uint64_t>[]> by_status;                // kStatuses
    std::array<std::atomic<uint64_t>, kBuckets.size() + 1> buckets{};  // last: +Inf
    std::atomic<uint64_t> sum_micros{0};
  };
  Series& SeriesFor(std::size_t route);

  std::vector<std::unique_ptr<Series>> series_;  // one per route, then one for "unmatched"
  std::atomic<uint64_t> rate_limited_{0};
};

// Prometheus text helpers.
std::string PrometheusLabel(std::string_view value);  // escaped, without quotes
void AppendMetricHeader(std::string& out, std::string_view name, std::string_view type,
                        std::string_view help);
void AppendSample(std::string& out, std::string_view name, std::string_view labels, double value);

}  // namespace bulkhead::http
