#include "service/webhook_final.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "core/time.hpp"
#include "core/uuid.hpp"
#include "service/events.hpp"
#include "store/webhook_delivery_store.hpp"

namespace bulkhead::service {
namespace {

bool SubscribedTo(const std::string& event_types, const std::string& type) {
  auto parsed = nlohmann::json::parse(event_types, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_array() || parsed.empty()) return true;  // [] = every type
  return std::any_of(parsed.begin(), parsed.end(),
                     [&](const nlohmann::json& t) { return t.is_string() && t == type; });
}

}  // namespace

core::Status QueueFinalEvent(Environment& env, store::Connection& catalog,
                             const TenantContext& tenant, store::EventRecord event) {
  auto database = env.tenants.Open(tenant.key);
  if (!database.ok()) return database.error();
  core::Result<int64_t> head = int64_t{0};
  core::Result<std::vector<store::WebhookEndpointRecord>> endpoints =
      std::vector<store::WebhookEndpointRecord>{};
  {
    // Reads on the organization's own store (another connection): the catalog transaction
    // drops it only after this.
    auto lease = (*database)->Acquire();
    head = store::tenant::EventHead(*lease);
    endpoints = store::tenant::ListDeliveryEndpoints(*lease);
  }
  if (!head.ok()) return head.error();
  if (!endpoints.ok()) return endpoints.error();
  event.organization_id = tenant.organization.id;
  event.seq = *head + 1;
  const std::string body = EventJson(event).dump();
  const int64_t now = core::NowMs();
  for (const auto& e : *endpoints) {
    if (!SubscribedTo(e.event_types, event.type)) continue;
    nlohmann::json secrets = nlohmann::json::array();
    secrets.push_back(
        {{"sealed", e.secret_sealed}, {"master_id", e.secret_master_id}, {"expires_at", 0}});
    if (!e.previous_secret_sealed.empty() && e.previous_secret_expires_at > now) {
      secrets.push_back({{"sealed", e.previous_secret_sealed},
                         {"master_id", e.previous_secret_master_id},
                         {"expires_at", e.previous_secret_expires_at}});
    }
    BULKHEAD_TRY(
        store::catalog::InsertFinalDelivery(catalog, {.id = core::NewUuidV7(),
                                                      .organization_id = tenant.organization.id,
                                                      .endpoint_id = e.id,
                                                      .url = e.url,
                                                      .secrets = secrets.dump(),
                                                      .event_id = event.id,
                                                      .body = body,
                                                      .next_attempt_at = now,
                                                      .created_at = now}));
  }
  return core::Ok();
}

}  // namespace bulkhead::service
