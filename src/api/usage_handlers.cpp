#include "api/handlers.hpp"
#include "api/render.hpp"
#include "core/day.hpp"
#include "core/time.hpp"
#include "http/query.hpp"

namespace bulkhead::api {

nlohmann::json UsageDayJson(const service::UsageDay& d) {
  return {{"date", d.day},
          {"requests", d.counters.requests},
          {"writes", d.counters.writes},
          {"members", d.gauges.members},
          {"workspaces", d.gauges.workspaces},
          {"resources", d.gauges.resources},
          {"stored_bytes", d.gauges.stored_bytes}};
}

Result<Response> GetUsage(Services& s, RequestContext& c) {
  auto params = http::ParseQuery(c.request.Query());
  if (!params) return core::Error::Validation("query", "is not a valid query string");
  // By default the last 30 days, today included.
  int64_t to = core::DayOf(core::NowMs());
  if (auto text = http::QueryValue(*params, "to")) {
    auto day = core::ParseDay("to", *text);
    if (!day.ok()) return day.error();
    to = *day;
  }
  int64_t from = to - 29;
  if (auto text = http::QueryValue(*params, "from")) {
    auto day = core::ParseDay("from", *text);
    if (!day.ok()) return day.error();
    from = *day;
  }
  auto report = s.usage->ForOrganization(*c.tenant, from, to);
  if (!report.ok()) return report.error();
  nlohmann::json days = nlohmann::json::array();
  for (const auto& d : report->days) days.push_back(UsageDayJson(d));
  return JsonResponse(
      {{"organization_id", c.tenant->organization.id},
       {"from", report->from},
       {"to", report->to},
       {"data", days},
       {"totals", {{"requests", report->totals.requests}, {"writes", report->totals.writes}}}});
}

}  // namespace bulkhead::api
