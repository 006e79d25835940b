#pragma once
// Heap allocations per operation, reported next to the time: this binary replaces the global
// operator new with one that counts (on the calling thread) and then calls malloc.
// Thread-safety: the count is per thread.

#include <benchmark/benchmark.h>

#include <cstdint>

namespace bulkhead::bench {

// Allocations made by this thread so far.
std::uint64_t Allocations();

// Adds the counter "allocs": allocations per iteration since `before`.
inline void ReportAllocations(benchmark::State& state, std::uint64_t before) {
  state.counters["allocs"] = benchmark::Counter(static_cast<double>(Allocations() - before),
                                                benchmark::Counter::kAvgIterations);
}

}  // namespace bulkhead::bench
