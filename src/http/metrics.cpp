#include "http/metrics.hpp"

#include <cmath>
#include <cstdio>

namespace bulkhead::http {

HttpMetrics::HttpMetrics(const Router& router) {
  auto make = [](std::string method, std::string route) {
    auto s = std::make_unique<Series>();
    s->method = std::move(method);
    s->route = std::move(route);
    s->by_status = std::make_unique<std::atomic<uint64_t>[]>(kStatuses);
    return s;
  };
  for (const auto& route : router.routes()) series_.push_back(make(route.method, route.pattern));
  series_.push_back(make("", "unmatched"));
}

HttpMetrics::Series& HttpMetrics::SeriesFor(std::size_t route) {
  return route < series_.size() - 1 ? *series_[route] : *series_.back();
}

void HttpMetrics::Observe(std::size_t route, int status, double seconds) {
  Series& s = SeriesFor(route);
  if (status >= kMinStatus && status < kMinStatus + kStatuses) {
    s.by_status[static_cast<std::size_t>(status - kMinStatus)].fetch_add(1,
                                                                         std::memory_order_relaxed);
  }
  std::size_t bucket = 0;
  while (bucket < kBuckets.size() && seconds > kBuckets[bucket]) ++bucket;
  s.buckets[bucket].fetch_add(1, std::memory_order_relaxed);
  s.sum_micros.fetch_add(static_cast<uint64_t>(std::llround(seconds * 1e6)),
                         std::memory_order_relaxed);
}

std::string PrometheusLabel(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

void AppendMetricHeader(std::string& out, std::string_view name, std::string_view type,
                        std::string_view help) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

void AppendSample(std::string& out, std::string_view name, std::string_view labels, double value) {
  out.append(name);
  if (!labels.empty()) out.append("{").append(labels).append("}");
  char number[64];
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    std::snprintf(number, sizeof number, " %.0f\n", value);
  } else {
    std::snprintf(number, sizeof number, " %.6g\n", value);
  }
  out.append(number);
}

void HttpMetrics::Render(std::string& out) const {
  AppendMetricHeader(out, "bulkhead_http_requests_total", "counter",
                     "Requests answered, by route pattern, method and status code.");
  for (const auto& s : series_) {
    std::string base =
        "method=\"" + PrometheusLabel(s->method) + "\",route=\"" + PrometheusLabel(s->route) + "\"";
    for (int i = 0; i < kStatuses; ++i) {
      uint64_t n = s->by_status[static_cast<std::size_t>(i)].load(std::memory_order_relaxed);
      if (n == 0) continue;
      AppendSample(out, "bulkhead_http_requests_total",
                   base + ",code=\"" + std::to_string(kMinStatus + i) + "\"",
                   static_cast<double>(n));
    }
  }
  AppendMetricHeader(out, "bulkhead_http_request_duration_seconds", "histogram",
                     "Time from routing to the response being ready, by route pattern.");
  for (const auto& s : series_) {
    // One read of each bucket, so that the cumulative counts and the total agree.
    std::array<uint64_t, kBuckets.size() + 1> read{};
    uint64_t count = 0;
    for (std::size_t b = 0; b < read.size(); ++b) {
      read[b] = s->buckets[b].load(std::memory_order_relaxed);
      count += read[b];
    }
    if (count == 0) continue;  // routes never called stay out of the output
    std::string base =
        "method=\"" + PrometheusLabel(s->method) + "\",route=\"" + PrometheusLabel(s->route) + "\"";
    uint64_t cumulative = 0;
    for (std::size_t b = 0; b < kBuckets.size(); ++b) {
      cumulative += read[b];
      char le[32];
      std::snprintf(le, sizeof le, "%g", kBuckets[b]);
      AppendSample(out, "bulkhead_http_request_duration_seconds_bucket",
                   base + ",le=\"" + le + "\"", static_cast<double>(cumulative));
    }
    AppendSample(out, "bulkhead_http_request_duration_seconds_bucket", base + ",le=\"+Inf\"",
                 static_cast<double>(count));
    AppendSample(out, "bulkhead_http_request_duration_seconds_sum", base,
                 static_cast<double>(s->sum_micros.load(std::memory_order_relaxed)) / 1e6);
    AppendSample(out, "bulkhead_http_request_duration_seconds_count", base,
                 static_cast<double>(count));
  }
  AppendMetricHeader(out, "bulkhead_rate_limited_total", "counter",
                     "Requests refused with 429 because their organization was over its "
                     "requests_per_minute.");
  AppendSample(out, "bulkhead_rate_limited_total", "",
               static_cast<double>(rate_limited_.load(std::memory_order_relaxed)));
}

}  // namespace bulkhead::http
