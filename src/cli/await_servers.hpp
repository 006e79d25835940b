#pragma once
// After an operator command changed the catalog: waits until every running server on the same
// data has applied the change to its caches (each records its change-feed position at least
// every second, service/change_feed.hpp), so that the change is in force on the next request
// once the command returns. A server not seen for a few seconds is taken for gone.

#include <chrono>

#include "service/environment.hpp"

namespace bulkhead::cli {

// Returns the number of live servers still behind when `timeout` ran out (0: all applied);
// prints a warning then.
int AwaitServers(service::Environment& env,
                 std::chrono::milliseconds timeout = std::chrono::seconds(5));

}  // namespace bulkhead::cli
