#include "api/body.hpp"
#include "api/handlers.hpp"
#include "api/render.hpp"
#include "core/time.hpp"
#include "core/uuid.hpp"
#include "http/query.hpp"

namespace bulkhead::api {

Result<Response> ListAuditLog(Services& s, RequestContext& c) {
  constexpr std::string_view kCursor = "audit";
  auto page = ReadPage(c.request, kCursor);
  if (!page.ok()) return page.error();
  if (!page->cursor.empty() && !core::IsUuid(page->cursor)) {
    return core::Error::Validation("cursor", "is not a cursor of this list");
  }
  auto params = http::ParseQuery(c.request.Query());
  service::AuditQuery query;
  query.before_id = page->cursor;
  query.limit = page->limit;
  if (auto action = http::QueryValue(*params, "action")) query.action = *action;
  if (auto since = http::QueryValue(*params, "since")) {
    auto ms = core::ParseRfc3339("since", *since);
    if (!ms.ok()) return ms.error();
    query.since_ms = *ms;
  }
  if (auto until = http::QueryValue(*params, "until")) {
    auto ms = core::ParseRfc3339("until", *until);
    if (!ms.ok()) return ms.error();
    query.until_ms = *ms;
  }
  auto events = s.audit.List(*c.tenant, query);
  if (!events.ok()) return events.error();
  nlohmann::json data = nlohmann::json::array();
  for (const auto& e : events->events) data.push_back(AuditEventJson(e));
  nlohmann::json next = nullptr;
  if (events->more) next = EncodeCursor(kCursor, events->events.back().id);
  return JsonResponse({{"data", data}, {"next_cursor", next}});
}

}  // namespace bulkhead::api
