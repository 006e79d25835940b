#pragma once
// Webhook endpoints and their delivery attempts, in an organization's own database
// (tenant migration V005__events_and_webhooks), and the catalog's list of organizations that
// have at least one endpoint (webhook_organizations: where the dispatcher looks).
// The API (service/webhook_service) owns an endpoint's settings and secrets; the dispatcher
// (store/webhook_delivery_store.hpp) owns its delivery state (cursor, attempts, lease), so each
// update here writes only the columns its caller owns.
// Thread-safety: functions, on the caller's connection.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/database.hpp"

namespace bulkhead::store {

// One row of webhook_endpoints, every column.
struct WebhookEndpointRecord {
  std::string id;  // UUIDv7
  std::string url;
  std::string description;
  std::string event_types = "[]";  // JSON array of types; [] = every type
  std::string status = "enabled";  // "enabled" | "disabled"
  std::string disabled_reason;     // "" | "manual" | "gone" | "failing"
  // KeyRing::SealUnderMaster("whsec_…", "webhook:<org>:<id>") and the id of that master.
  std::string secret_sealed;
  std::string secret_master_id;
  // The secret before the last rotation, which signs too until it expires ("" when none).
  std::string previous_secret_sealed;
  std::string previous_secret_master_id;
  int64_t previous_secret_expires_at = 0;
  int64_t created_at = 0;
  int64_t updated_at = 0;
  int64_t cursor_seq = 0;       // events up to here are done (delivered, skipped, given up)
  int64_t attempt = 0;          // failed attempts at the next event
  int64_t next_attempt_at = 0;  // 0: none due
  int64_t failing_since = 0;    // 0 after a success
  int64_t replay_next = 0;      // 0: no replay; else the next sequence to send again
  int64_t replay_to = 0;
  std::string test_event;  // "" or the body of a pending POST …/test event
  std::string lease_owner;
  int64_t lease_until = 0;
};

// One row of webhook_deliveries: one attempt to deliver one event.
struct WebhookDeliveryRecord {
  std::string id;  // UUIDv7: ordering by id is ordering by time
  std::string endpoint_id;
  std::string event_id;
  std::string event_type;
  int64_t sequence = 0;  // 0: a test event
  int64_t attempt = 0;   // 1 for the first
  int64_t attempted_at = 0;
  int64_t status_code = 0;  // 0: no HTTP response
  int64_t latency_ms = 0;
  std::string error;  // "" on success
  bool succeeded = false;
};

namespace tenant {

Status InsertWebhookEndpoint(Connection& c, const WebhookEndpointRecord& endpoint);
Result<std::optional<WebhookEndpointRecord>> FindWebhookEndpoint(Connection& c,
                                                                 std::string_view id);
// By id (creation order), after `after_id` (empty: from the first), at most `limit`.
Result<std::vector<WebhookEndpointRecord>> ListWebhookEndpoints(Connection& c,
                                                                std::string_view after_id,
                                                                int limit);
// Every endpoint (the dispatcher's and the master-key rotation's walk; at most 20 a tenant).
Result<std::vector<WebhookEndpointRecord>> AllWebhookEndpoints(Connection& c);
Result<int64_t> CountWebhookEndpoints(Connection& c);
// The API's columns: url, description, event_types, status, disabled_reason, both secrets
// and updated_at. Leaves the delivery state alone. False when there is no such endpoint.
Result<bool> UpdateWebhookEndpoint(Connection& c, const WebhookEndpointRecord& endpoint);
// Re-enabling: forgets the failures (attempt, next_attempt_at, failing_since); the cursor stays.
Status ClearWebhookFailures(Connection& c, std::string_view id);
Status SetWebhookReplay(Connection& c, std::string_view id, int64_t replay_next, int64_t replay_to);
Status SetWebhookTestEvent(Connection& c, std::string_view id, std::string_view body);
// The endpoint and its deliveries; false when there was none.
Result<bool> DeleteWebhookEndpoint(Connection& c, std::string_view id);

// An endpoint's attempts, newest first, before `before_id` (empty: the newest), at most `limit`.
Result<std::vector<WebhookDeliveryRecord>> ListWebhookDeliveries(Connection& c,
                                                                 std::string_view endpoint_id,
                                                                 std::string_view before_id,
                                                                 int limit);

}  // namespace tenant

namespace catalog {

// Marks the organization as having webhook endpoints (idempotent).
Status InsertWebhookOrganization(Connection& c, std::string_view organization_id, int64_t now);
Status DeleteWebhookOrganization(Connection& c, std::string_view organization_id);
// (ListWebhookOrganizations, the dispatcher's walk, is in webhook_delivery_store.hpp.)

}  // namespace catalog
}  // namespace bulkhead::store
