// Router::Match against the server's own route table (api::BuildRoutes, with the /api/v1/org
// aliases and /openapi.json), as the pipeline calls it once per request.

#include <benchmark/benchmark.h>

#include "alloc_count.hpp"
#include "world.hpp"

namespace bulkhead::bench {
namespace {

void BM_RouterMatch(benchmark::State& state, std::string_view method, std::string_view path,
                    bool found) {
  const http::Router& router = World::Get().router;
  if (router.Match(method, path).found() != found) {
    state.SkipWithError("the route table does not match this path as expected");
    return;
  }
  auto before = Allocations();
  for (auto _ : state) {
    auto match = router.Match(method, path);
    benchmark::DoNotOptimize(match);
  }
  ReportAllocations(state, before);
  state.SetLabel(std::to_string(router.routes().size()) + " routes");
}

BENCHMARK_CAPTURE(BM_RouterMatch, get_organization, "GET", "/api/v1/organizations/acme", true);
BENCHMARK_CAPTURE(BM_RouterMatch, get_current_org, "GET", "/api/v1/org", true);
BENCHMARK_CAPTURE(BM_RouterMatch, list_resources, "GET",
                  "/api/v1/organizations/acme/workspaces/0190c2a4-7d3e-7c1a-9b2e-3f4a5b6c7d8e"
                  "/resources",
                  true);
BENCHMARK_CAPTURE(BM_RouterMatch, resolve, "GET", "/api/v1/resolve", true);
BENCHMARK_CAPTURE(BM_RouterMatch, not_found, "GET", "/api/v1/organizations/acme/nothing/here",
                  false);

}  // namespace
}  // namespace bulkhead::bench
