#include "service/audit_service.hpp"

#include <algorithm>

#include "store/catalog_store.hpp"

namespace bulkhead::service {

core::Result<AuditPage> AuditService::List(const TenantContext& tenant, const AuditQuery& q) {
  std::vector<store::AuditEventRecord> merged;
  {
    auto lease = env_.catalog.Acquire();
    auto events = store::catalog::ListAuditEvents(*lease, tenant.organization.id, q.before_id,
                                                  q.action, q.since_ms, q.limit + 1, q.until_ms);
    if (!events.ok()) return events.error();
    merged = std::move(*events);
  }
  auto database = env_.tenants.Open(tenant.key);
  if (!database.ok()) return database.error();
  {
    auto lease = (*database)->Acquire();
    auto events = store::tenant::ListAuditEvents(*lease, q.before_id, q.action, q.since_ms,
                                                 q.limit + 1, q.until_ms);
    if (!events.ok()) return events.error();
    for (auto& e : *events) {
      e.organization_id = tenant.organization.id;
      merged.push_back(std::move(e));
    }
  }
  std::sort(merged.begin(), merged.end(), [](const auto& a, const auto& b) { return a.id > b.id; });
  AuditPage page;
  page.more = static_cast<int>(merged.size()) > q.limit;
  if (page.more) merged.resize(q.limit);
  page.events = std::move(merged);
  return page;
}

}  // namespace bulkhead::service
