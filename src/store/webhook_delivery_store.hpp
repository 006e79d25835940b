#pragma once
// What webhook delivery reads and writes: endpoints as the dispatcher sees them (where to send,
// how far it got, who holds the lease), each attempt (webhook_deliveries), the organizations
// that have endpoints, and the final organization.deleted deliveries kept in the catalog after
// an organization's own store is gone. The endpoints themselves are h-webhooks'
// (webhook_store.hpp, with the records both use); this file touches only the delivery state of
// their rows.
// Leases: an instance sends an endpoint's events only while its `lease_owner` is in the row
// with `lease_until` ahead; it takes the row with one conditional UPDATE, so of two instances
// (one PostgreSQL database, or one SQLite directory) exactly one gets it.
// Thread-safety: functions, on the caller's connection.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/database.hpp"
#include "store/webhook_store.hpp"

namespace bulkhead::store {

// What one batch of attempts at one endpoint changed: written in one transaction, only while
// the batch's lease is still the endpoint's.
struct DeliveryBatch {
  std::string endpoint_id;
  std::string lease_owner;
  std::vector<WebhookDeliveryRecord> attempts;
  int64_t cursor_seq = 0;
  int64_t attempt = 0;
  int64_t next_attempt_at = 0;
  int64_t failing_since = 0;
  // Replay progress, written only when the range is still the one the batch started from (a
  // replay requested meanwhile wins).
  int64_t claimed_replay_next = 0;
  int64_t claimed_replay_to = 0;
  int64_t replay_next = 0;
  int64_t replay_to = 0;
  std::string sent_test_event;  // cleared when it is still the pending one
  std::string disabled_reason;  // "gone" | "failing": the endpoint is disabled
  int64_t lease_until = 0;      // 0: the lease is released; else kept until then
};

namespace tenant {

// The enabled endpoints, with their delivery state.
Result<std::vector<WebhookEndpointRecord>> ListDeliveryEndpoints(Connection& c);
// Takes the lease of an enabled endpoint that nobody else holds at `now` (or that `owner`
// holds already) until `lease_until`; the endpoint as it is then, or nullopt.
Result<std::optional<WebhookEndpointRecord>> ClaimDeliveryEndpoint(
    Connection& c, std::string_view id, std::string_view owner, int64_t now, int64_t lease_until);
// false (nothing written) when the lease was lost or the endpoint deleted meanwhile.
Result<bool> RecordDeliveryBatch(Connection& c, const DeliveryBatch& batch);

}  // namespace tenant

namespace catalog {

// Organizations with at least one webhook endpoint.
Result<std::vector<std::string>> ListWebhookOrganizations(Connection& c);

// organization.deleted, to one endpoint of an organization whose store is gone.
struct FinalDeliveryRecord {
  std::string id;
  std::string organization_id;
  std::string endpoint_id;
  std::string url;
  std::string secrets;  // JSON [{"sealed", "master_id", "expires_at"}] (0: no expiry)
  std::string event_id;
  std::string body;
  int64_t attempt = 0;
  int64_t next_attempt_at = 0;
  int64_t failing_since = 0;
  std::string lease_owner;
  int64_t lease_until = 0;
  int64_t created_at = 0;
};

Status InsertFinalDelivery(Connection& c, const FinalDeliveryRecord& r);
// Due at `now` and not leased by anyone, oldest first, at most `limit`.
Result<std::vector<FinalDeliveryRecord>> ListDueFinalDeliveries(Connection& c, int64_t now,
                                                                int limit);
Result<std::optional<FinalDeliveryRecord>> ClaimFinalDelivery(Connection& c, std::string_view id,
                                                              std::string_view owner, int64_t now,
                                                              int64_t lease_until);
// The attempt's outcome: `done` deletes the row (delivered, gone or given up); otherwise the
// retry state is written and the lease released. Only while `owner` holds it.
Status RecordFinalAttempt(Connection& c, const FinalDeliveryRecord& r, std::string_view owner,
                          bool done);

}  // namespace catalog
}  // namespace bulkhead::store
