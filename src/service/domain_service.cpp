#include "service/domain_service.hpp"

#include <algorithm>

#include "core/hostname.hpp"
#include "core/time.hpp"
#include "crypto/token.hpp"
#include "service/organization_service.hpp"
#include "store/catalog_store.hpp"

namespace bulkhead::service {

using core::Error;
using core::ErrorCode;
using core::Result;

namespace {

Error DomainNotFound() { return Error::NotFound("domain"); }

}  // namespace

DomainView DomainService::ViewOf(const store::DomainRecord& d) const {
  return DomainView{d.hostname,
                    "custom",
                    d.verified_at.has_value(),
                    d.verified_at,
                    d.created_at,
                    std::string(kChallengePrefix) + d.hostname,
                    d.verification_value};
}

Result<std::vector<DomainView>> ListOrganizationDomains(Environment& env,
                                                        const store::OrganizationRecord& org) {
  std::vector<DomainView> out;
  out.push_back(DomainView{org.slug + "." + env.config.base_domain, "subdomain", true,
                           org.created_at, org.created_at, "", ""});
  auto domains = env.cache.custom_domains.Get(org.id);
  if (!domains) {
    uint64_t generation = env.cache.custom_domains.Generation();
    auto lease = env.catalog.Acquire();
    auto listed = store::catalog::ListDomains(*lease, org.id);
    if (!listed.ok()) return listed.error();
    env.cache.custom_domains.Fill(generation, org.id, *listed);
    domains = std::move(*listed);
  }
  for (const auto& d : *domains) {
    out.push_back(DomainView{d.hostname, "custom", d.verified_at.has_value(), d.verified_at,
                             d.created_at, std::string(kChallengePrefix) + d.hostname,
                             d.verification_value});
  }
  return out;
}

Result<std::vector<DomainView>> DomainService::List(const TenantContext& tenant) {
  return ListOrganizationDomains(env_, tenant.organization);
}

Result<DomainView> DomainService::Add(const TenantContext& tenant, const std::string& hostname,
                                      const Actor& actor) {
  auto normalized = core::NormalizeHostname(hostname);
  if (!normalized.ok()) return normalized.error();
  BULKHEAD_TRY(core::ValidateCustomDomain(*normalized, env_.config.base_domain));
  store::DomainRecord domain{*normalized, tenant.organization.id,
                             "bulkhead-verification=" + crypto::NewToken(""), std::nullopt,
                             core::NowMs()};
  auto lease = env_.catalog.Acquire();
  store::Transaction txn(*lease, /*write=*/true);
  BULKHEAD_TRY(txn.begin_status());
  auto current = store::catalog::FindOrganizationById(*lease, tenant.organization.id);
  if (!current.ok()) return current.error();
  if (!*current) return Error::Make(ErrorCode::kOrganizationNotFound, "organization not found");
  if (auto max = OrganizationLimit(env_, **current, "max_custom_domains")) {
    auto existing = store::catalog::ListDomains(*lease, tenant.organization.id);
    if (!existing.ok()) return existing.error();
    auto count = static_cast<int64_t>(existing->size());
    if (count >= *max) return Error::LimitReached("max_custom_domains", count, *max);
  }
  BULKHEAD_TRY(store::catalog::InsertDomain(*lease, domain));
  BULKHEAD_TRY(store::catalog::InsertAuditEvent(
      *lease, MakeAuditEvent(tenant.organization.id, actor, "domain.added", "domain",
                             domain.hostname, {{"hostname", domain.hostname}})));
  BULKHEAD_TRY(store::catalog::RecordChange(*lease, "domain", domain.hostname));
  BULKHEAD_TRY(txn.Commit());
  env_.cache.Invalidate("domain", domain.hostname);
  return ViewOf(domain);
}

Result<store::DomainRecord> DomainService::FindOwn(const TenantContext& tenant,
                                                   const std::string& hostname) {
  auto normalized = core::NormalizeHostname(hostname);
  if (!normalized.ok()) return DomainNotFound();
  auto lease = env_.catalog.Acquire();
  auto found = store::catalog::FindDomain(*lease, *normalized);
  if (!found.ok()) return found.error();
  // Another organization's domain is as unknown here as one that does not exist.
  if (!*found || (*found)->organization_id != tenant.organization.id) return DomainNotFound();
  return **found;
}

Result<DomainView> DomainService::Verify(const TenantContext& tenant, const std::string& hostname,
                                         const Actor& actor) {
  auto domain = FindOwn(tenant, hostname);
  if (!domain.ok()) return domain.error();
  if (domain->verified_at) return ViewOf(*domain);

  std::string record_name = std::string(kChallengePrefix) + domain->hostname;
  // The lookup runs outside any transaction: it can take seconds.
  auto records = dns_.Lookup(record_name);
  if (!records.ok()) {
    return Error::Make(ErrorCode::kVerificationFailed,
                       "the TXT record " + record_name + " could not be looked up: " +
                           records.error().message);
  }
  if (std::find(records->begin(), records->end(), domain->verification_value) ==
      records->end()) {
    return Error::Make(ErrorCode::kVerificationFailed,
                       records->empty()
                           ? "no TXT record " + record_name + " was found; publish it with the value " +
                                 domain->verification_value
                           : "the TXT record " + record_name + " does not hold the value " +
                                 domain->verification_value);
  }

  auto lease = env_.catalog.Acquire();
  store::Transaction txn(*lease, /*write=*/true);
  BULKHEAD_TRY(txn.begin_status());
  // Re-read under the write lock: the domain may have been removed during the lookup.
  auto current = store::catalog::FindDomain(*lease, domain->hostname);
  if (!current.ok()) return current.error();
  if (!*current || (*current)->organization_id != tenant.organization.id) return DomainNotFound();
  if ((*current)->verified_at) return ViewOf(**current);
  int64_t now = core::NowMs();
  BULKHEAD_TRY(store::catalog::MarkDomainVerified(*lease, domain->hostname, now));
  BULKHEAD_TRY(store::catalog::InsertAuditEvent(
      *lease, MakeAuditEvent(tenant.organization.id, actor, "domain.verified", "domain",
                             domain->hostname, {{"hostname", domain->hostname}})));
  BULKHEAD_TRY(store::catalog::RecordChange(*lease, "domain", domain->hostname));
  BULKHEAD_TRY(txn.Commit());
  env_.cache.Invalidate("domain", domain->hostname);
  domain->verified_at = now;
  return ViewOf(*domain);
}

core::Status DomainService::Remove(const TenantContext& tenant, const std::string& hostname,
                                   const Actor& actor) {
  auto domain = FindOwn(tenant, hostname);
  if (!domain.ok()) return domain.error();
  auto lease = env_.catalog.Acquire();
  store::Transaction txn(*lease, /*write=*/true);
  BULKHEAD_TRY(txn.begin_status());
  auto current = store::catalog::FindDomain(*lease, domain->hostname);
  if (!current.ok()) return current.error();
  if (!*current || (*current)->organization_id != tenant.organization.id) return DomainNotFound();
  BULKHEAD_TRY(store::catalog::DeleteDomain(*lease, domain->hostname));
  BULKHEAD_TRY(store::catalog::InsertAuditEvent(
      *lease, MakeAuditEvent(tenant.organization.id, actor, "domain.removed", "domain",
                             domain->hostname, {{"hostname", domain->hostname}})));
  BULKHEAD_TRY(store::catalog::RecordChange(*lease, "domain", domain->hostname));
  BULKHEAD_TRY(txn.Commit());
  env_.cache.Invalidate("domain", domain->hostname);
  return core::Ok();
}

Result<ResolvedHost> DomainService::Resolve(const std::string& host) {
  auto match = resolver_.MatchHost(host);
  if (!match.ok()) return match.error();
  if (!*match) return Error::NotFound("host");
  auto org = resolver_.FindOrganization((*match)->organization_ref);
  if (!org.ok()) return org.error();
  if (!*org) return Error::NotFound("host");
  return ResolvedHost{(*org)->id, (*org)->slug, (*match)->matched_by};
}

}  // namespace bulkhead::service
