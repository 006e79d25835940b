#pragma once
// Reading an organization's audit log: control-plane events from the catalog merged with the
// events in the organization's own store, newest first (ids are UUIDv7, so by id).
// Thread-safety: thread-safe.

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "service/environment.hpp"
#include "service/tenant_resolver.hpp"
#include "store/records.hpp"

namespace bulkhead::service {

struct AuditQuery {
  std::string before_id;  // cursor: the last id of the previous page
  std::string action;     // exact, or empty
  int64_t since_ms = 0;
  int64_t until_ms = INT64_MAX;  // events strictly before it
  int limit = 50;
};

struct AuditPage {
  std::vector<store::AuditEventRecord> events;
  bool more = false;
};

class AuditService {
 public:
  explicit AuditService(Environment& env) : env_(env) {}
  core::Result<AuditPage> List(const TenantContext& tenant, const AuditQuery& query);

 private:
  Environment& env_;
};

}  // namespace bulkhead::service
