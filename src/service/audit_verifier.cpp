#include "service/audit_verifier.hpp"

#include <map>

#include "service/tenant_resolver.hpp"
#include "store/catalog_store.hpp"
#include "store/tenant_store.hpp"

namespace bulkhead::service {

using core::Result;

namespace {

using Heads = std::map<std::string, std::pair<int64_t, std::string>>;

Result<Heads> HeadsOf(store::Connection& c) {
  auto heads = store::ChainHeads(c);
  if (!heads.ok()) return heads.error();
  return Heads(heads->begin(), heads->end());
}

std::optional<std::pair<int64_t, std::string>> HeadFor(const Heads& heads,
                                                       const std::string& chain) {
  auto it = heads.find(chain);
  if (it == heads.end()) return std::nullopt;
  return it->second;
}

}  // namespace

Result<AuditVerification> AuditVerifier::VerifyAll() {
  AuditVerification result;
  std::vector<store::OrganizationRecord> organizations;
  {
    auto lease = env_.catalog.Acquire();
    auto heads = HeadsOf(*lease);
    if (!heads.ok()) return heads.error();
    auto chains = store::catalog::ListAuditChains(*lease);
    if (!chains.ok()) return chains.error();
    for (const auto& org_id : *chains) {
      auto events = store::catalog::ListAuditChain(*lease, org_id);
      if (!events.ok()) return events.error();
      ++result.chains;
      result.events += static_cast<int64_t>(events->size());
      if (auto broken = store::VerifyChain("catalog/" + org_id, *events, HeadFor(*heads, org_id))) {
        result.broken = std::move(broken);
        return result;
      }
    }
    auto listed = store::catalog::ListOrganizations(*lease);
    if (!listed.ok()) return listed.error();
    organizations = std::move(*listed);
  }
  for (const auto& org : organizations) {
    auto database = env_.tenants.Open(TenantAccess::KeyFor(org.id));
    if (!database.ok()) return database.error();
    auto lease = (*database)->Acquire();
    auto heads = HeadsOf(*lease);
    if (!heads.ok()) return heads.error();
    auto events = store::tenant::ListAuditChain(*lease, org.id);
    if (!events.ok()) return events.error();
    ++result.chains;
    result.events += static_cast<int64_t>(events->size());
    if (auto broken =
            store::VerifyChain("tenant/" + org.id, *events,
                               HeadFor(*heads, std::string(store::tenant::kTenantAuditChain)))) {
      result.broken = std::move(broken);
      return result;
    }
  }
  return result;
}

}  // namespace bulkhead::service
