// JSON rendering as the handlers do it. The organization is rendered on its own (OrganizationJson
// and JsonResponse, as OrganizationResponse does after reading the domains) and through the
// handler; a page of resources only through the handler (ResourceJson is private to it), with
// the same page read on its own, so that the difference is the rendering.

#include <benchmark/benchmark.h>

#include "alloc_count.hpp"
#include "api/render.hpp"
#include "world.hpp"

namespace bulkhead::bench {
namespace {

// A GET of `target` past the pipeline: the owner authenticated, the tenant and workspace resolved.
api::RequestContext ContextFor(http::Request& request, std::string target) {
  World& world = World::Get();
  request.method = "GET";
  request.target = std::move(target);
  return api::RequestContext{request, "bench", {}, world.owner, world.tenant, world.workspace, ""};
}

void CheckResponse(benchmark::State& state, const core::Result<http::Response>& response) {
  if (!response.ok()) {
    state.SkipWithError(response.error().message.c_str());
  } else {
    state.SetLabel(std::to_string(response->body.size()) + " bytes");
  }
}

void BM_RenderOrganization(benchmark::State& state) {
  World& world = World::Get();
  const auto& org = world.tenant->organization;
  auto domains = Must(service::ListOrganizationDomains(*world.data.env, org), "list domains");
  auto before = Allocations();
  for (auto _ : state) {
    auto response = api::JsonResponse(200, api::OrganizationJson(org, domains));
    benchmark::DoNotOptimize(response);
  }
  ReportAllocations(state, before);
  CheckResponse(state, api::JsonResponse(200, api::OrganizationJson(org, domains)));
}
BENCHMARK(BM_RenderOrganization);

// GET /api/v1/organizations/{org}'s handler: the domains read from the catalog, then rendered.
void BM_GetOrganizationHandler(benchmark::State& state) {
  http::Request request;
  auto context = ContextFor(request, "/api/v1/organizations/acme");
  auto& services = World::Get().services;
  auto before = Allocations();
  for (auto _ : state) {
    auto response = api::GetOrganization(services, context);
    benchmark::DoNotOptimize(response);
  }
  ReportAllocations(state, before);
  CheckResponse(state, api::GetOrganization(services, context));
}
BENCHMARK(BM_GetOrganizationHandler);

// The first page (50) of resources read from the tenant's SQLite file, without rendering.
void BM_ListResourcesRead(benchmark::State& state) {
  World& world = World::Get();
  auto before = Allocations();
  for (auto _ : state) {
    auto page = world.resources.List(*world.tenant, *world.workspace, {}, "", 50);
    benchmark::DoNotOptimize(page);
  }
  ReportAllocations(state, before);
}
BENCHMARK(BM_ListResourcesRead);

// GET …/workspaces/{ws}/resources's handler: the same page read, then rendered.
void BM_ListResourcesHandler(benchmark::State& state) {
  World& world = World::Get();
  http::Request request;
  auto context = ContextFor(
      request, "/api/v1/org/workspaces/" + world.workspace->workspace.id + "/resources?limit=50");
  auto before = Allocations();
  for (auto _ : state) {
    auto response = api::ListResources(world.services, context);
    benchmark::DoNotOptimize(response);
  }
  ReportAllocations(state, before);
  CheckResponse(state, api::ListResources(world.services, context));
}
BENCHMARK(BM_ListResourcesHandler);

}  // namespace
}  // namespace bulkhead::bench
