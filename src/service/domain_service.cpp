#include "service/domain_service.hpp"

#include <algorithm>

#include "core/hostname.hpp"
#include "core/time.hpp"
#include "crypto/token.hpp"
#include "service/event_relay.hpp"
#include "service/events.hpp"
#include "service/organization_service.hpp"
#include "service/views.hpp"
#include "store/catalog_store.hpp"

namespace bulkhead::service {

using core::Error;
using core::ErrorCode;
using core::Result;

namespace {

Error DomainNotFound() {
  return Error::NotFound("domain");
}

}  // namespace

DomainView SubdomainView(const Environment& env, const store::OrganizationRecord& org) {
  return DomainView{org.slug + "." + env.config.base_domain,
                    "subdomain",
                    true,
                    org.created_at,
                    org.created_at,
                    "",
                    ""};
}

DomainView CustomDomainView(const store::DomainRecord& d) {
  return DomainView{d.hostname,          "custom",     d.verified_at.has_value(),
                    d.verified_at,       d.created_at, std::string(kChallengePrefix) + d.hostname,
                    d.verification_value};
}

DomainView DomainService::ViewOf(const store::DomainRecord& d) const {
  return CustomDomainView(d);
}

Result<std::vector<DomainView>> ListOrganizationDomains(Environment& env,
                                                        const store::OrganizationRecord& org) {
  std::vector<DomainView> out;
  out.push_back(SubdomainView(env, org));
  auto domains = env.cache.custom_domains.Get(org.id);
  if (!domains) {
    uint64_t generation = env.cache.custom_domains.Generation();
    auto lease = env.catalog.Acquire();
    auto listed = store::catalog::ListDomains(*lease, org.id);
    if (!listed.ok()) return listed.error();
    env.cache.custom_domains.Fill(generation, org.id, *listed);
    domains = std::move(*listed);
  }
  for (const auto& d : *domains) out.push_back(CustomDomainView(d));
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
  // Only a verified claim takes a hostname: a pending one, by anybody, blocks nobody (else an
  // unverified claim would keep the real owner out for good).
  auto verified = store::catalog::FindVerifiedDomain(*lease, domain.hostname);
  if (!verified.ok()) return verified.error();
  if (*verified && (*verified)->organization_id != tenant.organization.id) {
    return Error::Make(ErrorCode::kDomainTaken,
                       "this hostname is verified by another organization");
  }
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
  BULKHEAD_TRY(WriteOutboxEvent(
      *lease, MakeEvent(tenant.organization.id, "domain.added", DomainJson(ViewOf(domain)))));
  BULKHEAD_TRY(store::catalog::RecordChange(*lease, "domain", domain.hostname));
  BULKHEAD_TRY(txn.Commit());
  env_.cache.Invalidate("domain", domain.hostname);
  RelayOutbox(env_, tenant.organization.id, lease);
  return ViewOf(domain);
}

Result<store::DomainRecord> DomainService::FindOwn(const TenantContext& tenant,
                                                   const std::string& hostname) {
  auto normalized = core::NormalizeHostname(hostname);
  if (!normalized.ok()) return DomainNotFound();
  auto lease = env_.catalog.Acquire();
  // Another organization's claim is as unknown here as one that does not exist.
  auto found = store::catalog::FindDomain(*lease, *normalized, tenant.organization.id);
  if (!found.ok()) return found.error();
  if (!*found) return DomainNotFound();
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
    return Error::Make(
        ErrorCode::kVerificationFailed,
        "the TXT record " + record_name + " could not be looked up: " + records.error().message);
  }
  if (std::find(records->begin(), records->end(), domain->verification_value) == records->end()) {
    return Error::Make(
        ErrorCode::kVerificationFailed,
        records->empty() ? "no TXT record " + record_name +
                               " was found; publish it with the value " + domain->verification_value
                         : "the TXT record " + record_name + " does not hold the value " +
                               domain->verification_value);
  }

  auto lease = env_.catalog.Acquire();
  store::Transaction txn(*lease, /*write=*/true);
  BULKHEAD_TRY(txn.begin_status());
  // Re-read under the write lock: during the lookup the claim may have been removed, or
  // another organization may have verified the hostname first.
  auto claims = store::catalog::ListClaims(*lease, domain->hostname);
  if (!claims.ok()) return claims.error();
  auto own = std::find_if(claims->begin(), claims->end(), [&](const store::DomainRecord& d) {
    return d.organization_id == tenant.organization.id;
  });
  // Removed and claimed again during the lookup: the record proved the old value, not this one.
  if (own == claims->end() || own->verification_value != domain->verification_value) {
    return DomainNotFound();
  }
  if (own->verified_at) return ViewOf(*own);
  if (!claims->empty() && claims->front().verified_at) {
    return Error::Make(ErrorCode::kDomainTaken,
                       "this hostname was verified by another organization first");
  }
  int64_t now = core::NowMs();
  // The unique index on verified hostnames refuses a second winner whatever the interleaving.
  BULKHEAD_TRY(
      store::catalog::MarkDomainVerified(*lease, domain->hostname, tenant.organization.id, now));
  BULKHEAD_TRY(store::catalog::InsertAuditEvent(
      *lease, MakeAuditEvent(tenant.organization.id, actor, "domain.verified", "domain",
                             domain->hostname, {{"hostname", domain->hostname}})));
  store::DomainRecord verified_domain = *own;
  verified_domain.verified_at = now;
  BULKHEAD_TRY(WriteOutboxEvent(*lease, MakeEvent(tenant.organization.id, "domain.verified",
                                                  DomainJson(ViewOf(verified_domain)))));
  // The first to verify wins: every other claim is dropped, audited in its own organization
  // by the system (the winner's identity is not theirs to learn).
  Actor system{"system", "domain-verification", actor.request_id};
  for (const auto& other : *claims) {
    if (other.organization_id == tenant.organization.id) continue;
    BULKHEAD_TRY(store::catalog::DeleteDomain(*lease, other.hostname, other.organization_id));
    BULKHEAD_TRY(store::catalog::InsertAuditEvent(
        *lease,
        MakeAuditEvent(
            other.organization_id, system, "domain.dropped", "domain", other.hostname,
            {{"hostname", other.hostname}, {"reason", "verified by another organization"}})));
    // To the organization that loses it, the claim is simply gone.
    BULKHEAD_TRY(WriteOutboxEvent(
        *lease, MakeEvent(other.organization_id, "domain.removed", DomainJson(ViewOf(other)))));
  }
  BULKHEAD_TRY(store::catalog::RecordChange(*lease, "domain", domain->hostname));
  BULKHEAD_TRY(txn.Commit());
  env_.cache.Invalidate("domain", domain->hostname);
  RelayOutbox(env_, tenant.organization.id, lease);
  for (const auto& other : *claims) {
    if (other.organization_id != tenant.organization.id) RelayOutbox(env_, other.organization_id);
  }
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
  auto current = store::catalog::FindDomain(*lease, domain->hostname, tenant.organization.id);
  if (!current.ok()) return current.error();
  if (!*current) return DomainNotFound();
  BULKHEAD_TRY(store::catalog::DeleteDomain(*lease, domain->hostname, tenant.organization.id));
  BULKHEAD_TRY(store::catalog::InsertAuditEvent(
      *lease, MakeAuditEvent(tenant.organization.id, actor, "domain.removed", "domain",
                             domain->hostname, {{"hostname", domain->hostname}})));
  BULKHEAD_TRY(WriteOutboxEvent(
      *lease, MakeEvent(tenant.organization.id, "domain.removed", DomainJson(ViewOf(**current)))));
  BULKHEAD_TRY(store::catalog::RecordChange(*lease, "domain", domain->hostname));
  BULKHEAD_TRY(txn.Commit());
  env_.cache.Invalidate("domain", domain->hostname);
  RelayOutbox(env_, tenant.organization.id, lease);
  return core::Ok();
}

Result<ResolvedHost> DomainService::Resolve(const std::string& host) {
  auto match = resolver_.MatchHost(host);
  if (!match.ok()) return match.error();
  if (!*match) return Error::NotFound("host");
  auto org = resolver_.FindHostOrganization(**match);
  if (!org.ok()) return org.error();
  if (!*org) return Error::NotFound("host");
  return ResolvedHost{(*org)->id, (*org)->slug, (*match)->matched_by};
}

}  // namespace bulkhead::service
