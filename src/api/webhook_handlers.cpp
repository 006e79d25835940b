// Webhook endpoints: where an organization's events are pushed, signed (Standard Webhooks).
// The use cases are service::WebhookService, which holds nothing but the environment, so each
// handler makes its own.

#include "api/webhook_handlers.hpp"

#include "api/body.hpp"
#include "api/render.hpp"
#include "core/time.hpp"
#include "service/webhook_service.hpp"

namespace bulkhead::api {
namespace {

constexpr std::string_view kEndpointsCursor = "webhooks";
constexpr std::string_view kDeliveriesCursor = "webhook-deliveries";

nlohmann::json TimeOrNullJson(int64_t unix_ms) {
  return unix_ms > 0 ? nlohmann::json(core::FormatRfc3339(unix_ms)) : nlohmann::json(nullptr);
}

nlohmann::json WebhookEndpointJson(const store::WebhookEndpointRecord& e) {
  bool enabled = e.status == "enabled";
  return {
      {"id", e.id},
      {"url", e.url},
      {"description", e.description},
      {"event_types", service::WebhookEventTypes(e)},
      {"status", e.status},
      {"disabled_reason", enabled || e.disabled_reason.empty() ? nlohmann::json(nullptr)
                                                               : nlohmann::json(e.disabled_reason)},
      {"last_sequence", e.cursor_seq},
      {"failing_since", TimeOrNullJson(e.failing_since)},
      {"next_attempt_at", TimeOrNullJson(e.next_attempt_at)},
      {"created_at", core::FormatRfc3339(e.created_at)},
      {"updated_at", core::FormatRfc3339(e.updated_at)}};
}

nlohmann::json WebhookDeliveryJson(const store::WebhookDeliveryRecord& d) {
  return {{"id", d.id},
          {"event_id", d.event_id},
          {"event_type", d.event_type},
          {"sequence", d.sequence},
          {"attempt", d.attempt},
          {"attempted_at", core::FormatRfc3339(d.attempted_at)},
          {"status_code", d.status_code > 0 ? nlohmann::json(d.status_code) : nullptr},
          {"latency_ms", d.latency_ms},
          {"error", d.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(d.error)},
          {"succeeded", d.succeeded}};
}

std::optional<std::vector<std::string>> OptionalEventTypes(const nlohmann::json& body) {
  auto it = body.find("event_types");
  if (it == body.end() || it->is_null()) return std::nullopt;
  return it->get<std::vector<std::string>>();
}

std::string EndpointIdParam(RequestContext& c) {
  return std::string(c.Param("id"));
}

}  // namespace

Result<Response> ListWebhookEndpoints(Services& s, RequestContext& c) {
  auto page = ReadPage(c.request, kEndpointsCursor);
  if (!page.ok()) return page.error();
  auto listed = service::WebhookService(s.env).List(*c.tenant, page->cursor, page->limit);
  if (!listed.ok()) return listed.error();
  nlohmann::json data = nlohmann::json::array();
  for (const auto& e : listed->endpoints) data.push_back(WebhookEndpointJson(e));
  nlohmann::json next = nullptr;
  if (listed->more) next = EncodeCursor(kEndpointsCursor, listed->endpoints.back().id);
  return JsonResponse({{"data", data}, {"next_cursor", next}});
}

Result<Response> CreateWebhookEndpoint(Services& s, RequestContext& c) {
  auto created = service::WebhookService(s.env).Create(
      *c.tenant, Text(c.body, "url"),
      OptionalEventTypes(c.body).value_or(std::vector<std::string>{}),
      OptionalText(c.body, "description").value_or(""), c.Actor());
  if (!created.ok()) return created.error();
  nlohmann::json out = WebhookEndpointJson(created->endpoint);
  out["secret"] = created->secret;
  return JsonResponse(out);
}

Result<Response> GetWebhookEndpoint(Services& s, RequestContext& c) {
  auto endpoint = service::WebhookService(s.env).Get(*c.tenant, EndpointIdParam(c));
  if (!endpoint.ok()) return endpoint.error();
  return JsonResponse(WebhookEndpointJson(*endpoint));
}

Result<Response> UpdateWebhookEndpoint(Services& s, RequestContext& c) {
  service::WebhookEndpointPatch patch{.url = OptionalText(c.body, "url"),
                                      .event_types = OptionalEventTypes(c.body),
                                      .description = OptionalText(c.body, "description"),
                                      .status = OptionalText(c.body, "status")};
  auto updated =
      service::WebhookService(s.env).Update(*c.tenant, EndpointIdParam(c), patch, c.Actor());
  if (!updated.ok()) return updated.error();
  return JsonResponse(WebhookEndpointJson(*updated));
}

Result<Response> DeleteWebhookEndpoint(Services& s, RequestContext& c) {
  BULKHEAD_TRY(service::WebhookService(s.env).Delete(*c.tenant, EndpointIdParam(c), c.Actor()));
  return NoContent();
}

Result<Response> RotateWebhookSecret(Services& s, RequestContext& c) {
  auto rotated =
      service::WebhookService(s.env).RotateSecret(*c.tenant, EndpointIdParam(c), c.Actor());
  if (!rotated.ok()) return rotated.error();
  return JsonResponse(
      {{"secret", rotated->secret},
       {"previous_secret_expires_at", core::FormatRfc3339(rotated->previous_secret_expires_at)}});
}

Result<Response> ReplayWebhookEvents(Services& s, RequestContext& c) {
  int64_t from = c.body.at("from_sequence").get<int64_t>();
  std::optional<int64_t> to;
  if (auto it = c.body.find("to_sequence"); it != c.body.end() && !it->is_null()) {
    to = it->get<int64_t>();
  }
  auto range =
      service::WebhookService(s.env).Replay(*c.tenant, EndpointIdParam(c), from, to, c.Actor());
  if (!range.ok()) return range.error();
  return JsonResponse(
      {{"from_sequence", range->from_sequence}, {"to_sequence", range->to_sequence}});
}

Result<Response> TestWebhookEndpoint(Services& s, RequestContext& c) {
  auto event_id = service::WebhookService(s.env).Test(*c.tenant, EndpointIdParam(c), c.Actor());
  if (!event_id.ok()) return event_id.error();
  return JsonResponse({{"event_id", *event_id}});
}

Result<Response> ListWebhookDeliveries(Services& s, RequestContext& c) {
  auto page = ReadPage(c.request, kDeliveriesCursor);
  if (!page.ok()) return page.error();
  auto listed = service::WebhookService(s.env).ListDeliveries(*c.tenant, EndpointIdParam(c),
                                                              page->cursor, page->limit);
  if (!listed.ok()) return listed.error();
  nlohmann::json data = nlohmann::json::array();
  for (const auto& d : listed->deliveries) data.push_back(WebhookDeliveryJson(d));
  nlohmann::json next = nullptr;
  if (listed->more) next = EncodeCursor(kDeliveriesCursor, listed->deliveries.back().id);
  return JsonResponse({{"data", data}, {"next_cursor", next}});
}

}  // namespace bulkhead::api
