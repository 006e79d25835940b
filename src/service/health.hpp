#pragma once
// Readiness: whether the catalog database answers a query.

#include "service/environment.hpp"

namespace bulkhead::service {

inline core::Status CheckCatalog(Environment& env) {
  auto lease = env.catalog.Acquire();
  auto rows = lease->Query("SELECT 1");
  if (!rows.ok()) return rows.error();
  return core::Ok();
}

}  // namespace bulkhead::service
