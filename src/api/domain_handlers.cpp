#include <algorithm>

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

constexpr std::string_view kDomainsCursor = "domains";

// A domain's place in its list: the subdomain first, then custom domains by hostname. The
// cursor payload is the last key of a page, "<0|1>/<hostname>".
std::string DomainKey(const service::DomainView& d) {
  return (d.kind == "subdomain" ? "0/" : "1/") + d.hostname;
}

}  // namespace

// The list is a plan-bounded handful, served from the domain cache: paged in memory, by key, so
// that a page after an added or removed domain neither repeats nor skips one.
Result<Response> ListDomains(Services& s, RequestContext& c) {
  auto page = ReadPage(c.request, kDomainsCursor);
  if (!page.ok()) return page.error();
  if (!page->cursor.empty() && page->cursor.rfind("0/", 0) != 0 &&
      page->cursor.rfind("1/", 0) != 0) {
    return core::Error::Validation("cursor", "is not a cursor of this list");
  }
  auto domains = s.domains.List(*c.tenant);
  if (!domains.ok()) return domains.error();
  std::stable_sort(domains->begin(), domains->end(),
                   [](const auto& a, const auto& b) { return DomainKey(a) < DomainKey(b); });
  nlohmann::json data = nlohmann::json::array();
  nlohmann::json next = nullptr;
  std::string last;
  for (const auto& d : *domains) {
    std::string key = DomainKey(d);
    if (key <= page->cursor) continue;
    if (static_cast<int>(data.size()) == page->limit) {
      next = EncodeCursor(kDomainsCursor, last);
      break;
    }
    data.push_back(DomainJson(d));
    last = std::move(key);
  }
  return JsonResponse({{"data", data}, {"next_cursor", next}});
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
