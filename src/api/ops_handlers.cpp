#include <unistd.h>

#include <fstream>

#include "api/handlers.hpp"
#include "api/render.hpp"
#include "service/health.hpp"
#include "store/catalog_store.hpp"

namespace bulkhead::api {

Result<Response> Healthz(Services& s, RequestContext& c) {
  return JsonResponse({{"status", "ok"}});
}

Result<Response> Readyz(Services& s, RequestContext& c) {
  if (!service::CheckCatalog(s.env).ok()) {
    return core::Error::Make(core::ErrorCode::kUnavailable, "the catalog database does not answer");
  }
  return JsonResponse({{"status", "ready"}});
}

namespace {

// Resident set size from /proc/self/statm (pages), or 0 where there is none.
double ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  long long size = 0, resident = 0;
  if (!(statm >> size >> resident)) return 0;
  return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE));
}

}  // namespace

Result<Response> Metrics(Services& s, RequestContext& c) {
  using http::AppendMetricHeader;
  using http::AppendSample;
  std::string out;
  out.reserve(16 * 1024);
  if (s.metrics) s.metrics->Render(out);
  {
    auto lease = s.env.catalog.Acquire();
    auto tally = store::catalog::TallyOrganizations(*lease);
    if (!tally.ok()) return tally.error();
    AppendMetricHeader(out, "bulkhead_organizations", "gauge", "Organizations by type and status.");
    for (const auto& t : *tally) {
      AppendSample(out, "bulkhead_organizations",
                   "type=\"" + http::PrometheusLabel(t.type) + "\",status=\"" +
                       http::PrometheusLabel(t.status) + "\"",
                   static_cast<double>(t.count));
    }
  }
  if (s.meter) {
    AppendMetricHeader(out, "bulkhead_usage_flushes_total", "counter",
                       "Usage flushes to the catalog that succeeded.");
    AppendSample(out, "bulkhead_usage_flushes_total", "", static_cast<double>(s.meter->flushes()));
    AppendMetricHeader(out, "bulkhead_usage_flush_failures_total", "counter",
                       "Usage flushes that failed (their counts stay pending).");
    AppendSample(out, "bulkhead_usage_flush_failures_total", "",
                 static_cast<double>(s.meter->flush_failures()));
    AppendMetricHeader(out, "bulkhead_usage_last_flush_timestamp_seconds", "gauge",
                       "When usage was last flushed (0: not yet).");
    AppendSample(out, "bulkhead_usage_last_flush_timestamp_seconds", "",
                 static_cast<double>(s.meter->last_flush_ms() / 1000));
  }
  AppendMetricHeader(out, "process_resident_memory_bytes", "gauge",
                     "Resident memory size in bytes.");
  AppendSample(out, "process_resident_memory_bytes", "", ResidentBytes());
  AppendMetricHeader(out, "process_start_time_seconds", "gauge",
                     "Start time of the process since the unix epoch in seconds.");
  AppendSample(out, "process_start_time_seconds", "", static_cast<double>(s.started_ms / 1000));
  Response response;
  response.content_type = "text/plain; version=0.0.4; charset=utf-8";
  response.body = std::move(out);
  return response;
}

}  // namespace bulkhead::api
