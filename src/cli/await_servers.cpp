#include "cli/await_servers.hpp"

#include <cstdio>
#include <thread>

#include "core/time.hpp"
#include "store/catalog_store.hpp"

namespace bulkhead::cli {
namespace {

// Servers record their position every second; one silent for longer than this has stopped.
constexpr int64_t kLiveWindowMs = 5000;
constexpr auto kPollEvery = std::chrono::milliseconds(10);

}  // namespace

int AwaitServers(service::Environment& env, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  int64_t seq = 0;
  {
    auto lease = env.catalog.Acquire();
    auto latest = store::catalog::LatestChange(*lease);  // this command's change, or later
    if (!latest.ok()) return 0;
    seq = *latest;
  }
  while (true) {
    int64_t behind = 0;
    {
      auto lease = env.catalog.Acquire();
      auto count = store::catalog::CountReadersBehind(*lease, seq, core::NowMs() - kLiveWindowMs);
      behind = count.ok() ? *count : 0;
    }
    if (behind == 0) return 0;
    if (std::chrono::steady_clock::now() >= deadline) {
      std::fprintf(stderr,
                   "bulkhead: %lld running server(s) have not applied the change yet; it takes "
                   "effect there as soon as they do\n",
                   static_cast<long long>(behind));
      return static_cast<int>(behind);
    }
    std::this_thread::sleep_for(kPollEvery);
  }
}

}  // namespace bulkhead::cli
