#pragma once
// FUZZ_CHECK: an invariant a fuzz target asserts. A broken one prints what broke and aborts, so
// that libFuzzer keeps the input that broke it (crash-<sha1>) and stops.

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(condition)                                                                \
  do {                                                                                       \
    if (!(condition)) {                                                                      \
      std::fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                          \
    }                                                                                        \
  } while (0)
