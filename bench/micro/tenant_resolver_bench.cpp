// TenantResolver::Resolve with its caches warm, for 1,000 and 100,000 known organizations: the
// time per request should not grow with the number of tenants. Requests cycle through a random
// sample of the organizations: 16 (hot in the CPU caches, so only the algorithm's cost is left)
// or 4,096 (traffic from many tenants, which also pays for memory the CPU caches miss).

#include <benchmark/benchmark.h>

#include <map>
#include <memory>
#include <random>

#include "alloc_count.hpp"
#include "core/settings.hpp"
#include "core/time.hpp"
#include "core/uuid.hpp"
#include "service/organization_service.hpp"
#include "store/catalog_store.hpp"
#include "world.hpp"

namespace bulkhead::bench {
namespace {

constexpr int kSample = 4096;

std::string Slug(int i) {
  return "tenant-" + std::to_string(i);
}
std::string CustomDomain(int i) {
  return "app." + Slug(i) + ".example";
}

// Catalog rows for organizations 0..n-1, each with the World's owner as a member and a verified
// custom domain. Written straight to the store: creating them through OrganizationService would
// also create a SQLite file per tenant, which resolution never opens.
void EnsureOrganizations(int n) {
  static int written = 0;
  if (written >= n) return;
  World& world = World::Get();
  auto lease = world.data.catalog->Acquire();
  store::Transaction txn(*lease, /*write=*/true);
  int64_t now = core::NowMs();
  std::string settings = core::SettingsToJson({}).dump();
  for (int i = written; i < n; ++i) {
    store::OrganizationRecord org{core::NewUuidV7(),
                                  "Tenant " + std::to_string(i),
                                  Slug(i),
                                  "team",
                                  "active",
                                  "team",
                                  settings,
                                  now,
                                  now,
                                  std::nullopt};
    if (!store::catalog::InsertOrganization(*lease, org).ok() ||
        !store::catalog::InsertMembership(*lease, {org.id, world.owner.user_id, "member", now})
             .ok() ||
        !store::catalog::InsertDomain(*lease, {CustomDomain(i), org.id, "x", now, now}).ok()) {
      Fail("insert organizations", core::Error::Internal("insert failed"));
    }
  }
  if (auto st = txn.Commit(); !st.ok()) Fail("commit organizations", st.error());
  written = n;
}

// A resolver whose own cache has resolved every one of `n` organizations by both hosts.
struct Population {
  explicit Population(int n)
      : env{World::Get().data.env->catalog,
            World::Get().data.env->tenants,
            cache,
            World::Get().data.env->login_throttle,
            World::Get().data.env->keys,
            World::Get().data.env->config},
        resolver(env) {
    EnsureOrganizations(n);
    const auto& caller = World::Get().owner;
    for (int i = 0; i < n; ++i) {
      for (auto host : {Slug(i) + "." + std::string(kBaseDomain), CustomDomain(i)}) {
        Must(resolver.Resolve({std::nullopt, std::nullopt, host}, caller), "warm the cache");
      }
    }
    std::mt19937 random(42);
    std::uniform_int_distribution<int> pick(0, n - 1);
    for (int s = 0; s < kSample; ++s) sample.push_back(pick(random));
  }

  static Population& Get(int n) {
    static std::map<int, std::unique_ptr<Population>> populations;
    auto& p = populations[n];
    if (!p) p = std::make_unique<Population>(n);
    return *p;
  }

  service::CatalogCache cache;
  service::Environment env;
  service::TenantResolver resolver;
  std::vector<int> sample;  // organization numbers, in request order
};

enum class Signal { kSubdomain, kCustomDomain, kPathSlug };

void BM_Resolve(benchmark::State& state, Signal signal) {
  auto& population = Population::Get(static_cast<int>(state.range(0)));
  std::vector<service::TenantSignals> requests;
  for (int s = 0; s < state.range(1); ++s) {
    int i = population.sample[static_cast<std::size_t>(s)];
    switch (signal) {
      case Signal::kSubdomain:
        requests.push_back({std::nullopt, std::nullopt, Slug(i) + "." + std::string(kBaseDomain)});
        break;
      case Signal::kCustomDomain:
        requests.push_back({std::nullopt, std::nullopt, CustomDomain(i)});
        break;
      case Signal::kPathSlug: requests.push_back({Slug(i), std::nullopt, std::nullopt}); break;
    }
  }
  const auto& caller = World::Get().owner;
  std::size_t next = 0;
  auto before = Allocations();
  for (auto _ : state) {
    auto tenant = population.resolver.Resolve(requests[next], caller);
    if (!tenant.ok()) {
      state.SkipWithError(tenant.error().message.c_str());
      break;
    }
    benchmark::DoNotOptimize(tenant);
    next = (next + 1) % requests.size();
  }
  ReportAllocations(state, before);
}

// Arguments: organizations known, organizations in the request mix.
const std::vector<std::vector<int64_t>> kSizes = {{1'000, 100'000}, {16, kSample}};
BENCHMARK_CAPTURE(BM_Resolve, subdomain, Signal::kSubdomain)->ArgsProduct(kSizes);
BENCHMARK_CAPTURE(BM_Resolve, custom_domain, Signal::kCustomDomain)->ArgsProduct(kSizes);
BENCHMARK_CAPTURE(BM_Resolve, path_slug, Signal::kPathSlug)->ArgsProduct(kSizes);

// What the pipeline does with every resolved organization next: its requests_per_minute limit
// from its plan and settings (stored as JSON text).
void BM_OrganizationLimit(benchmark::State& state) {
  World& world = World::Get();
  auto before = Allocations();
  for (auto _ : state) {
    auto rpm = service::OrganizationLimit(*world.data.env, world.tenant->organization,
                                          "requests_per_minute");
    benchmark::DoNotOptimize(rpm);
  }
  ReportAllocations(state, before);
}
BENCHMARK(BM_OrganizationLimit);

}  // namespace
}  // namespace bulkhead::bench
