#include "service/email_domain_service.hpp"

#include <algorithm>
#include <set>

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

Error EmailDomainNotFound() {
  return Error::NotFound("email domain");
}

Result<EmailDomainView> EmailDomainViewOf(store::Connection& c, store::EmailDomainRecord domain) {
  auto links =
      store::catalog::ListEmailDomainConnectionIds(c, domain.organization_id, domain.domain);
  if (!links.ok()) return links.error();
  return EmailDomainView{std::move(domain), std::move(*links)};
}

Result<store::EmailDomainRecord> FindOwnEmailDomain(store::Connection& c,
                                                    const TenantContext& tenant,
                                                    const std::string& domain) {
  auto normalized = NormalizeEmailDomain(domain);
  if (!normalized.ok()) return EmailDomainNotFound();
  auto found = store::catalog::FindEmailDomain(c, tenant.organization.id, *normalized);
  if (!found.ok()) return found.error();
  if (!*found) return EmailDomainNotFound();
  return std::move(**found);
}

nlohmann::json DomainAudit(const store::EmailDomainRecord& d) {
  return {{"domain", d.domain}};
}

}  // namespace

Result<std::string> NormalizeEmailDomain(std::string_view domain) {
  auto name = core::NormalizeHostname(domain);
  if (!name.ok()) return Error::Validation("domain", "is not a valid domain name");
  if (auto st = core::ValidateCustomDomain(*name, ""); !st.ok()) {
    return Error::Validation(
        "domain", st.error().fields.empty() ? st.error().message : st.error().fields[0].message);
  }
  return *name;
}

Result<std::vector<EmailDomainView>> EmailDomainService::List(const TenantContext& tenant) {
  auto lease = env_.catalog.Acquire();
  auto rows = store::catalog::ListEmailDomains(*lease, tenant.organization.id);
  if (!rows.ok()) return rows.error();
  std::vector<EmailDomainView> out;
  for (auto& r : *rows) {
    auto view = EmailDomainViewOf(*lease, std::move(r));
    if (!view.ok()) return view.error();
    out.push_back(std::move(*view));
  }
  return out;
}

Result<EmailDomainView> EmailDomainService::Get(const TenantContext& tenant,
                                                const std::string& domain) {
  auto lease = env_.catalog.Acquire();
  auto found = FindOwnEmailDomain(*lease, tenant, domain);
  if (!found.ok()) return found.error();
  return EmailDomainViewOf(*lease, std::move(*found));
}

Result<EmailDomainView> EmailDomainService::Add(const TenantContext& tenant,
                                                const std::string& domain, const Actor& actor) {
  auto normalized = NormalizeEmailDomain(domain);
  if (!normalized.ok()) return normalized.error();
  store::EmailDomainRecord record{.organization_id = tenant.organization.id,
                                  .domain = *normalized,
                                  .token = crypto::NewToken(""),
                                  .verified_at = std::nullopt,
                                  .enforce_sso = false,
                                  .created_at = core::NowMs()};
  auto lease = env_.catalog.Acquire();
  store::Transaction txn(*lease, /*write=*/true);
  BULKHEAD_TRY(txn.begin_status());
  auto existing = store::catalog::ListEmailDomains(*lease, tenant.organization.id);
  if (!existing.ok()) return existing.error();
  for (const auto& d : *existing) {
    if (d.domain == record.domain) {
      return Error::Make(ErrorCode::kConflict, "the organization already has this email domain");
    }
  }
  auto count = static_cast<int64_t>(existing->size());
  if (count >= kMaxEmailDomains) {
    return Error::LimitReached("max_email_domains", count, kMaxEmailDomains);
  }
  if (auto st = store::catalog::InsertEmailDomain(*lease, record); !st.ok()) {
    if (st.error().code == ErrorCode::kConflict) {
      return Error::Make(ErrorCode::kConflict, "the organization already has this email domain");
    }
    return st.error();
  }
  BULKHEAD_TRY(store::catalog::InsertAuditEvent(
      *lease, MakeAuditEvent(tenant.organization.id, actor, "email_domain.created", "email_domain",
                             record.domain, DomainAudit(record))));
  BULKHEAD_TRY(txn.Commit());
  return EmailDomainView{std::move(record), {}};
}

Result<EmailDomainView> EmailDomainService::Verify(const TenantContext& tenant,
                                                   const std::string& domain, const Actor& actor) {
  std::optional<store::EmailDomainRecord> found;
  {
    auto lease = env_.catalog.Acquire();
    auto own = FindOwnEmailDomain(*lease, tenant, domain);
    if (!own.ok()) return own.error();
    if (own->verified_at) return EmailDomainViewOf(*lease, std::move(*own));
    found = std::move(*own);
  }
  EmailDomainView pending{*found, {}};
  std::string name = pending.record_name();
  std::string value = pending.record_value();
  // The lookup runs outside any transaction and without a connection: it can take seconds.
  auto records = dns_.Lookup(name);
  if (!records.ok()) {
    return Error::Make(
        ErrorCode::kVerificationFailed,
        "the TXT record " + name + " could not be looked up: " + records.error().message);
  }
  if (std::find(records->begin(), records->end(), value) == records->end()) {
    return Error::Make(
        ErrorCode::kVerificationFailed,
        records->empty()
            ? "no TXT record " + name + " was found; publish it with the value " + value
            : "the TXT record " + name + " does not hold the value " + value);
  }
  auto lease = env_.catalog.Acquire();
  store::Transaction txn(*lease, /*write=*/true);
  BULKHEAD_TRY(txn.begin_status());
  // Removed (and maybe added again with a new token) during the lookup: not this claim.
  auto again = FindOwnEmailDomain(*lease, tenant, found->domain);
  if (!again.ok()) return again.error();
  if (again->token != found->token) return EmailDomainNotFound();
  if (!again->verified_at) {
    int64_t now = core::NowMs();
    BULKHEAD_TRY(store::catalog::MarkEmailDomainVerified(*lease, tenant.organization.id,
                                                         found->domain, now));
    BULKHEAD_TRY(store::catalog::InsertAuditEvent(
        *lease, MakeAuditEvent(tenant.organization.id, actor, "email_domain.verified",
                               "email_domain", found->domain, DomainAudit(*found))));
    again->verified_at = now;
  }
  BULKHEAD_TRY(txn.Commit());
  return EmailDomainViewOf(*lease, std::move(*again));
}

Result<EmailDomainView> EmailDomainService::Update(
    const TenantContext& tenant, const std::string& domain,
    const std::optional<std::vector<std::string>>& connection_ids, std::optional<bool> enforce_sso,
    const Actor& actor) {
  auto lease = env_.catalog.Acquire();
  store::Transaction txn(*lease, /*write=*/true);
  BULKHEAD_TRY(txn.begin_status());
  auto found = FindOwnEmailDomain(*lease, tenant, domain);
  if (!found.ok()) return found.error();
  nlohmann::json details = DomainAudit(*found);
  std::vector<std::string> ids;
  if (connection_ids) {
    std::set<std::string> seen;
    for (const auto& id : *connection_ids) {
      if (!seen.insert(id).second) continue;
      auto connection = store::catalog::FindSsoConnection(*lease, id);
      if (!connection.ok()) return connection.error();
      if (!*connection || (*connection)->organization_id != tenant.organization.id) {
        return Error::Validation("connection_ids",
                                 "must be connections of this organization (" + id + " is not)");
      }
      ids.push_back(id);
    }
    std::sort(ids.begin(), ids.end());
  }
  bool links = connection_ids && !ids.empty();
  if ((links || enforce_sso.value_or(false)) && !found->verified_at) {
    return Error::Make(ErrorCode::kDomainNotVerified,
                       "verify the domain (its TXT record) before linking connections or "
                       "enforcing SSO");
  }
  if (connection_ids) {
    BULKHEAD_TRY(store::catalog::ReplaceEmailDomainConnections(*lease, tenant.organization.id,
                                                               found->domain, ids));
    details["connection_ids"] = ids;
  }
  if (enforce_sso) {
    BULKHEAD_TRY(store::catalog::SetEmailDomainEnforceSso(*lease, tenant.organization.id,
                                                          found->domain, *enforce_sso));
    found->enforce_sso = *enforce_sso;
    details["enforce_sso"] = *enforce_sso;
  }
  BULKHEAD_TRY(store::catalog::InsertAuditEvent(
      *lease, MakeAuditEvent(tenant.organization.id, actor, "email_domain.updated", "email_domain",
                             found->domain, details)));
  BULKHEAD_TRY(txn.Commit());
  return EmailDomainViewOf(*lease, std::move(*found));
}

core::Status EmailDomainService::Remove(const TenantContext& tenant, const std::string& domain,
                                        const Actor& actor) {
  auto lease = env_.catalog.Acquire();
  store::Transaction txn(*lease, /*write=*/true);
  BULKHEAD_TRY(txn.begin_status());
  auto found = FindOwnEmailDomain(*lease, tenant, domain);
  if (!found.ok()) return found.error();
  // Its links go with it (cascade).
  BULKHEAD_TRY(store::catalog::DeleteEmailDomain(*lease, tenant.organization.id, found->domain));
  BULKHEAD_TRY(store::catalog::InsertAuditEvent(
      *lease, MakeAuditEvent(tenant.organization.id, actor, "email_domain.deleted", "email_domain",
                             found->domain, DomainAudit(*found))));
  BULKHEAD_TRY(txn.Commit());
  return core::Ok();
}

}  // namespace bulkhead::service
