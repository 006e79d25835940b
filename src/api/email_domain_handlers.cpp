// An organization's email domains: claimed, proven by a TXT record, linked to SSO connections.
// The use cases are service::EmailDomainService over the process's TXT resolver.

#include "api/email_domain_handlers.hpp"

#include "api/body.hpp"
#include "api/render.hpp"
#include "core/time.hpp"
#include "http/query.hpp"
#include "service/email_domain_service.hpp"

namespace bulkhead::api {
namespace {

nlohmann::json EmailDomainJson(const service::EmailDomainView& v) {
  const auto& d = v.domain;
  return {
      {"domain", d.domain},
      {"verified", d.verified_at.has_value()},
      {"verification", {{"type", "TXT"}, {"name", v.record_name()}, {"value", v.record_value()}}},
      {"connection_ids", v.connection_ids},
      {"enforce_sso", d.enforce_sso},
      {"created_at", core::FormatRfc3339(d.created_at)},
      {"verified_at", d.verified_at ? nlohmann::json(core::FormatRfc3339(*d.verified_at))
                                    : nlohmann::json(nullptr)}};
}

// The {domain} path segment, percent-decoded (an IDN may arrive as UTF-8 escapes).
std::string DomainParam(const RequestContext& c) {
  auto raw = c.Param("domain");
  auto decoded = http::PercentDecode(raw);
  return decoded ? *decoded : std::string(raw);
}

Result<service::EmailDomainService> EmailDomainsOf(Services& s) {
  if (!s.dns) return core::Error::Make(core::ErrorCode::kUnavailable, "no DNS resolver");
  return service::EmailDomainService(s.env, *s.dns);
}

}  // namespace

Result<Response> ListEmailDomains(Services& s, RequestContext& c) {
  auto domains = EmailDomainsOf(s);
  if (!domains.ok()) return domains.error();
  auto listed = domains->List(*c.tenant);
  if (!listed.ok()) return listed.error();
  nlohmann::json data = nlohmann::json::array();
  for (const auto& v : *listed) data.push_back(EmailDomainJson(v));
  return JsonResponse({{"data", data}});
}

Result<Response> AddEmailDomain(Services& s, RequestContext& c) {
  auto domains = EmailDomainsOf(s);
  if (!domains.ok()) return domains.error();
  auto added = domains->Add(*c.tenant, Text(c.body, "domain"), c.Actor());
  if (!added.ok()) return added.error();
  return JsonResponse(EmailDomainJson(*added));
}

Result<Response> GetEmailDomain(Services& s, RequestContext& c) {
  auto domains = EmailDomainsOf(s);
  if (!domains.ok()) return domains.error();
  auto found = domains->Get(*c.tenant, DomainParam(c));
  if (!found.ok()) return found.error();
  return JsonResponse(EmailDomainJson(*found));
}

Result<Response> UpdateEmailDomain(Services& s, RequestContext& c) {
  auto domains = EmailDomainsOf(s);
  if (!domains.ok()) return domains.error();
  std::optional<std::vector<std::string>> connection_ids;
  if (auto it = c.body.find("connection_ids"); it != c.body.end() && it->is_array()) {
    connection_ids = it->get<std::vector<std::string>>();
  }
  std::optional<bool> enforce_sso;
  if (auto it = c.body.find("enforce_sso"); it != c.body.end() && it->is_boolean()) {
    enforce_sso = it->get<bool>();
  }
  auto updated = domains->Update(*c.tenant, DomainParam(c), connection_ids, enforce_sso, c.Actor());
  if (!updated.ok()) return updated.error();
  return JsonResponse(EmailDomainJson(*updated));
}

Result<Response> VerifyEmailDomain(Services& s, RequestContext& c) {
  auto domains = EmailDomainsOf(s);
  if (!domains.ok()) return domains.error();
  auto verified = domains->Verify(*c.tenant, DomainParam(c), c.Actor());
  if (!verified.ok()) return verified.error();
  return JsonResponse(EmailDomainJson(*verified));
}

Result<Response> DeleteEmailDomain(Services& s, RequestContext& c) {
  auto domains = EmailDomainsOf(s);
  if (!domains.ok()) return domains.error();
  BULKHEAD_TRY(domains->Remove(*c.tenant, DomainParam(c), c.Actor()));
  return NoContent();
}

}  // namespace bulkhead::api
