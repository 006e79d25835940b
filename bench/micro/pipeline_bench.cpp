// A whole request through the App's pipeline, without a socket: request id, route, the gate's
// steps (session, tenant, budget, permission), the handler, problem rendering, common headers,
// the access log (discarded) and the metrics. GET …/features is the owner's, so the
// organization's request budget never refuses it however long the benchmark runs.

#include <benchmark/benchmark.h>

#include "alloc_count.hpp"
#include "world.hpp"

namespace bulkhead::bench {
namespace {

void BM_PipelineGetFeatures(benchmark::State& state) {
  World& world = World::Get();
  http::Request request;
  request.method = "GET";
  request.target = "/api/v1/organizations/acme/features";
  request.headers = {{"Host", "127.0.0.1:8080"},
                     {"Authorization", "Bearer " + world.session_token},
                     {"Accept", "application/json"}};
  auto check = world.app.pipeline.Handle(request);
  if (check.status != 200) {
    state.SkipWithError(("status " + std::to_string(check.status) + ": " + check.body).c_str());
    return;
  }
  auto before = Allocations();
  for (auto _ : state) {
    http::Request copy = request;
    auto response = world.app.pipeline.Handle(copy);
    benchmark::DoNotOptimize(response);
  }
  ReportAllocations(state, before);
}
BENCHMARK(BM_PipelineGetFeatures);

}  // namespace
}  // namespace bulkhead::bench
