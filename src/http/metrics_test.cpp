#include "http/metrics.hpp"

#include <gtest/gtest.h>

namespace bulkhead::http {
namespace {

RoutePattern MetricsRoute(std::string method, std::string pattern) {
  return {std::move(method), std::move(pattern)};
}

TEST(HttpMetricsTest, CountsByRoutePatternMethodAndStatusNeverByPath) {
  Router router({MetricsRoute("GET", "/api/v1/organizations/{org}"),
                 MetricsRoute("POST", "/api/v1/organizations")});
  HttpMetrics metrics(router);
  auto get = router.Match("GET", "/api/v1/organizations/acme");
  metrics.Observe(get.route, 200, 0.0007);
  metrics.Observe(router.Match("GET", "/api/v1/organizations/globex").route, 200, 0.003);
  metrics.Observe(get.route, 404, 0.0001);
  metrics.Observe(RouteMatch::kNone, 404, 0.0001);
  std::string out;
  metrics.Render(out);
  EXPECT_NE(out.find("bulkhead_http_requests_total{method=\"GET\",route=\"/api/v1/organizations/"
                     "{org}\",code=\"200\"} 2\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("route=\"/api/v1/organizations/{org}\",code=\"404\"} 1\n"), std::string::npos);
  EXPECT_NE(out.find("route=\"unmatched\",code=\"404\"} 1\n"), std::string::npos);
  EXPECT_EQ(out.find("acme"), std::string::npos);
  EXPECT_EQ(out.find("globex"), std::string::npos);
  // A route never called has no series.
  EXPECT_EQ(out.find("method=\"POST\""), std::string::npos);
}

TEST(HttpMetricsTest, TheHistogramIsCumulativeAndEndsWithTheCount) {
  Router router({MetricsRoute("GET", "/healthz")});
  HttpMetrics metrics(router);
  const std::size_t route = 0;
  metrics.Observe(route, 200, 0.0004);  // <= 0.0005
  metrics.Observe(route, 200, 0.002);   // <= 0.0025
  metrics.Observe(route, 200, 9.0);     // +Inf only
  std::string out;
  metrics.Render(out);
  const std::string base =
      "bulkhead_http_request_duration_seconds_bucket{method=\"GET\",route=\"/healthz\",";
  EXPECT_NE(out.find(base + "le=\"0.0005\"} 1\n"), std::string::npos) << out;
  EXPECT_NE(out.find(base + "le=\"0.001\"} 1\n"), std::string::npos);
  EXPECT_NE(out.find(base + "le=\"0.0025\"} 2\n"), std::string::npos);
  EXPECT_NE(out.find(base + "le=\"5\"} 2\n"), std::string::npos);
  EXPECT_NE(out.find(base + "le=\"+Inf\"} 3\n"), std::string::npos);
  EXPECT_NE(
      out.find(
          "bulkhead_http_request_duration_seconds_count{method=\"GET\",route=\"/healthz\"} 3\n"),
      std::string::npos);
  EXPECT_NE(
      out.find(
          "bulkhead_http_request_duration_seconds_sum{method=\"GET\",route=\"/healthz\"} 9.0024\n"),
      std::string::npos);
}

TEST(HttpMetricsTest, LabelValuesAreEscaped) {
  EXPECT_EQ(PrometheusLabel("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
}

}  // namespace
}  // namespace bulkhead::http
