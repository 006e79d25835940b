#include "api/body.hpp"
#include "api/handlers.hpp"
#include "api/render.hpp"
#include "core/time.hpp"
#include "http/query.hpp"

namespace bulkhead::api {
namespace {

// The {hostname} path segment, percent-decoded (an IDN may arrive as UTF-8 escapes).
std::string HostnameParam(const RequestContext& c) {
  auto raw = c.Param("hostname");
  auto decoded = http::PercentDecode(raw);
  return decoded ? *decoded : std::string(raw);
}

}  // namespace

Result<Response> ListDomains(Services& s, RequestContext& c) {
  auto domains = s.domains.List(*c.tenant);
  if (!domains.ok()) return domains.error();
  nlohmann::json data = nlohmann::json::array();
  for (const auto& d : *domains) data.push_back(DomainJson(d));
  return JsonResponse({{"data", data}, {"next_cursor", nullptr}});
}

Result<Response> AddDomain(Services& s, RequestContext& c) {
  auto domain = s.domains.Add(*c.tenant, Text(c.body, "hostname"), c.Actor());
  if (!domain.ok()) return domain.error();
  return JsonResponse(DomainJson(*domain));
}

Result<Response> VerifyDomain(Services& s, RequestContext& c) {
  auto domain = s.domains.Verify(*c.tenant, HostnameParam(c), c.Actor());
  if (!domain.ok()) return domain.error();
  return JsonResponse(DomainJson(*domain));
}

Result<Response> RemoveDomain(Services& s, RequestContext& c) {
  BULKHEAD_TRY(s.domains.Remove(*c.tenant, HostnameParam(c), c.Actor()));
  return NoContent();
}

Result<Response> ResolveHost(Services& s, RequestContext& c) {
  auto query = http::ParseQuery(c.request.Query());
  if (!query) return core::Error::Validation("query", "is not a valid query string");
  // The route's schema requires a non-empty host.
  auto resolved = s.domains.Resolve(http::QueryValue(*query, "host").value_or(""));
  if (!resolved.ok()) return resolved.error();
  return JsonResponse({{"organization_id", resolved->organization_id},
                       {"slug", resolved->slug},
                       {"matched_by", resolved->matched_by}});
}

}  // namespace bulkhead::api
