#pragma once
// Email domains (docs/sso.md): an organization claims the domain of its people's addresses,
// proves it by publishing a TXT record `_bulkhead-email.<domain>` (a record of its own, apart
// from custom domains' `_bulkhead-challenge.`), and then links it to its SSO connections and
// may enforce SSO for it. Unlike custom domains, the same domain may be verified by several
// organizations (a company with several tenants): sign-in then asks which one. Only a verified
// domain routes sign-ins, matches existing accounts by email, or enforces SSO. Each change is
// audited in its transaction (email_domain.created, .verified, .updated, .deleted).
// Thread-safety: thread-safe. Verify does a blocking DNS lookup: call it off the I/O threads.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "service/dns_txt_resolver.hpp"
#include "service/environment.hpp"
#include "service/tenant_resolver.hpp"
#include "store/sso_store.hpp"

namespace bulkhead::service {

inline constexpr std::string_view kEmailDomainChallengePrefix = "_bulkhead-email.";
inline constexpr std::string_view kEmailDomainValuePrefix = "bulkhead-email-verification=";
inline constexpr int64_t kMaxEmailDomains = 100;

struct EmailDomainView {
  store::EmailDomainRecord domain;
  std::vector<std::string> connection_ids;  // linked connections of the organization
  std::string record_name() const {
    return std::string(kEmailDomainChallengePrefix) + domain.domain;
  }
  std::string record_value() const { return std::string(kEmailDomainValuePrefix) + domain.token; }
};

class EmailDomainService {
 public:
  EmailDomainService(Environment& env, const TxtResolver& dns) : env_(env), dns_(dns) {}

  core::Result<std::vector<EmailDomainView>> List(const TenantContext& tenant);
  // kNotFound when the organization has no such domain.
  core::Result<EmailDomainView> Get(const TenantContext& tenant, const std::string& domain);
  // kValidationFailed (field "domain") for a name that cannot be an email domain; kConflict
  // when the organization already has it; kLimitReached past kMaxEmailDomains.
  core::Result<EmailDomainView> Add(const TenantContext& tenant, const std::string& domain,
                                    const Actor& actor);
  // kVerificationFailed when the TXT record is missing, wrong or cannot be looked up.
  // Verifying a verified domain is a no-op.
  core::Result<EmailDomainView> Verify(const TenantContext& tenant, const std::string& domain,
                                       const Actor& actor);
  // Links (replacing the links) and enforcement. kValidationFailed (connection_ids) for a
  // connection that is not the organization's; kDomainNotVerified to link or enforce on a
  // domain not verified yet.
  core::Result<EmailDomainView> Update(
      const TenantContext& tenant, const std::string& domain,
      const std::optional<std::vector<std::string>>& connection_ids,
      std::optional<bool> enforce_sso, const Actor& actor);
  core::Status Remove(const TenantContext& tenant, const std::string& domain, const Actor& actor);

 private:
  Environment& env_;
  const TxtResolver& dns_;
};

// The normalized form of an email domain, or kValidationFailed on field "domain".
core::Result<std::string> NormalizeEmailDomain(std::string_view domain);

}  // namespace bulkhead::service
