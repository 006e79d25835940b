#pragma once
// Custom domains: an organization claims a hostname, proves it controls it by publishing a TXT
// record `_bulkhead-challenge.<hostname>`, and from then on requests to that hostname route to
// it. Hostnames are normalized before any comparison. Several organizations may hold a pending
// claim of one hostname, each with its own token, so that an unverified claim blocks nobody;
// the first to verify wins and the other claims are dropped (audited as domain.dropped in
// their organizations). A verified hostname belongs to one organization at most (a unique
// index of the catalog decides). Each change is audited in its transaction.
// Thread-safety: thread-safe. Verify does a blocking DNS lookup: call it off the I/O threads.

#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "service/dns_txt_resolver.hpp"
#include "service/environment.hpp"
#include "service/tenant_resolver.hpp"
#include "store/records.hpp"

namespace bulkhead::service {

inline constexpr std::string_view kChallengePrefix = "_bulkhead-challenge.";

// A hostname of an organization as the API shows it.
struct DomainView {
  std::string hostname;
  std::string kind;  // "subdomain" | "custom"
  bool verified = false;
  std::optional<int64_t> verified_at;
  std::optional<int64_t> created_at;
  // The TXT record to publish (custom domains): its name and value.
  std::string record_name;
  std::string record_value;
};

// What a hostname routes to.
struct ResolvedHost {
  std::string organization_id;
  std::string slug;
  std::string matched_by;  // "subdomain" | "custom_domain"
};

// An organization's subdomain, and a custom domain, as views.
DomainView SubdomainView(const Environment& env, const store::OrganizationRecord& org);
DomainView CustomDomainView(const store::DomainRecord& domain);

// An organization's subdomain, then its custom domains by hostname.
core::Result<std::vector<DomainView>> ListOrganizationDomains(Environment& env,
                                                              const store::OrganizationRecord& org);

class DomainService {
 public:
  DomainService(Environment& env, TenantResolver& resolver, const TxtResolver& dns)
      : env_(env), resolver_(resolver), dns_(dns) {}

  // The organization's subdomain first, then its custom domains by hostname.
  core::Result<std::vector<DomainView>> List(const TenantContext& tenant);
  // kValidationFailed for a hostname that cannot be a custom domain, kDomainTaken when this
  // organization already claims it or another organization has verified it.
  core::Result<DomainView> Add(const TenantContext& tenant, const std::string& hostname,
                               const Actor& actor);
  // kNotFound when the organization has no such domain; kVerificationFailed when the TXT
  // record is missing, wrong or cannot be looked up; kDomainTaken when another organization
  // verified the hostname first. Verifying a verified domain is a no-op.
  core::Result<DomainView> Verify(const TenantContext& tenant, const std::string& hostname,
                                  const Actor& actor);
  core::Status Remove(const TenantContext& tenant, const std::string& hostname, const Actor& actor);

  // What `host` routes to, or kNotFound.
  core::Result<ResolvedHost> Resolve(const std::string& host);

 private:
  core::Result<store::DomainRecord> FindOwn(const TenantContext& tenant,
                                            const std::string& hostname);
  DomainView ViewOf(const store::DomainRecord& domain) const;

  Environment& env_;
  TenantResolver& resolver_;
  const TxtResolver& dns_;
};

}  // namespace bulkhead::service
