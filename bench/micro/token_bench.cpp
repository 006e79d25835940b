// The token check of every authenticated request, with the caches warm: the bearer parsed out of
// the Authorization or Cookie header, hashed (SHA-256, the lookup key) and looked up.

#include <benchmark/benchmark.h>

#include "alloc_count.hpp"
#include "crypto/token.hpp"
#include "http/pipeline.hpp"
#include "world.hpp"

namespace bulkhead::bench {
namespace {

void BM_HashToken(benchmark::State& state) {
  const std::string& token = World::Get().session_token;
  auto before = Allocations();
  for (auto _ : state) benchmark::DoNotOptimize(crypto::HashToken(token));
  ReportAllocations(state, before);
}
BENCHMARK(BM_HashToken);

// The Authorization header found among a browser-like request's headers (case-insensitive).
void BM_AuthorizationHeaderValue(benchmark::State& state) {
  http::Request request;
  request.method = "GET";
  request.target = "/api/v1/org";
  request.headers = {{"Host", "acme.bulkhead.test"},
                     {"User-Agent", "Mozilla/5.0 (X11; Linux x86_64) Firefox/126.0"},
                     {"Accept", "application/json"},
                     {"Accept-Language", "en-US,en;q=0.5"},
                     {"Accept-Encoding", "gzip, deflate, br"},
                     {"X-Request-Id", "0190c2a4-7d3e-7c1a-9b2e-3f4a5b6c7d8e"},
                     {"Connection", "keep-alive"},
                     {"Authorization", "Bearer " + World::Get().session_token}};
  for (auto _ : state) benchmark::DoNotOptimize(request.HeaderValue("Authorization"));
}
BENCHMARK(BM_AuthorizationHeaderValue);

void BM_SessionCookieValue(benchmark::State& state) {
  std::string header =
      "theme=dark; _ga=GA1.2.3456789.1700000000; bulkhead_session=" + World::Get().session_token +
      "; lang=en";
  for (auto _ : state) benchmark::DoNotOptimize(http::CookieValue(header, "bulkhead_session"));
}
BENCHMARK(BM_SessionCookieValue);

void BM_AuthenticateSession(benchmark::State& state) {
  World& world = World::Get();
  auto before = Allocations();
  for (auto _ : state) {
    auto principal = world.accounts.Authenticate(world.session_token);
    if (!principal.ok()) {
      state.SkipWithError(principal.error().message.c_str());
      break;
    }
    benchmark::DoNotOptimize(principal);
  }
  ReportAllocations(state, before);
}
BENCHMARK(BM_AuthenticateSession);

void BM_AuthenticateApiKey(benchmark::State& state) {
  World& world = World::Get();
  // The first use records last_used_at (a write), then at most once a minute.
  (void)world.api_keys.Authenticate(world.api_key_secret);
  auto before = Allocations();
  for (auto _ : state) {
    auto principal = world.api_keys.Authenticate(world.api_key_secret);
    if (!principal.ok()) {
      state.SkipWithError(principal.error().message.c_str());
      break;
    }
    benchmark::DoNotOptimize(principal);
  }
  ReportAllocations(state, before);
}
BENCHMARK(BM_AuthenticateApiKey);

}  // namespace
}  // namespace bulkhead::bench
