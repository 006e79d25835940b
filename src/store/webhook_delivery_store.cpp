#include "store/webhook_delivery_store.hpp"

#include "store/query.hpp"

namespace bulkhead::store {
namespace {

constexpr std::string_view kFinalColumns =
    "id, organization_id, endpoint_id, url, secrets, event_id, body, attempt, next_attempt_at,"
    " failing_since, lease_owner, lease_until, created_at";

catalog::FinalDeliveryRecord ToFinal(const Row& r) {
  return {.id = r.Text(0),
          .organization_id = r.Text(1),
          .endpoint_id = r.Text(2),
          .url = r.Text(3),
          .secrets = r.Text(4),
          .event_id = r.Text(5),
          .body = r.Text(6),
          .attempt = r.Int(7),
          .next_attempt_at = r.Int(8),
          .failing_since = r.Int(9),
          .lease_owner = r.Text(10),
          .lease_until = r.Int(11),
          .created_at = r.Int(12)};
}

// The lease condition both claims share: free, expired, or already ours.
constexpr std::string_view kLeaseIsFree =
    "(lease_owner = '' OR lease_until < $3 OR lease_owner = $2)";

}  // namespace

namespace tenant {

Result<std::vector<WebhookEndpointRecord>> ListDeliveryEndpoints(Connection& c) {
  auto all = AllWebhookEndpoints(c);
  if (!all.ok()) return all.error();
  std::erase_if(*all, [](const WebhookEndpointRecord& e) { return e.status != "enabled"; });
  return all;
}

Result<std::optional<WebhookEndpointRecord>> ClaimDeliveryEndpoint(
    Connection& c, std::string_view id, std::string_view owner, int64_t now, int64_t lease_until) {
  static const std::string kClaim =
      "UPDATE webhook_endpoints SET lease_owner = $2, lease_until = $4"
      " WHERE id = $1 AND status = 'enabled' AND " +
      std::string(kLeaseIsFree);
  auto claimed = c.Execute(kClaim, {std::string(id), std::string(owner), now, lease_until});
  if (!claimed.ok()) return claimed.error();
  if (*claimed == 0) return std::optional<WebhookEndpointRecord>{};
  return FindWebhookEndpoint(c, id);
}

Result<bool> RecordDeliveryBatch(Connection& c, const DeliveryBatch& b) {
  // The state first: it proves the lease is still ours (and the endpoint still there) before
  // any attempt is recorded.
  auto updated = c.Execute(
      "UPDATE webhook_endpoints SET cursor_seq = $3, attempt = $4, next_attempt_at = $5,"
      " failing_since = $6,"
      " replay_next = CASE WHEN replay_next = $7 AND replay_to = $8 THEN $9 ELSE replay_next END,"
      " replay_to = CASE WHEN replay_next = $7 AND replay_to = $8 THEN $10 ELSE replay_to END,"
      " test_event = CASE WHEN $11 <> '' AND test_event = $11 THEN '' ELSE test_event END,"
      " status = CASE WHEN $12 <> '' THEN 'disabled' ELSE status END,"
      " disabled_reason = CASE WHEN $12 <> '' THEN $12 ELSE disabled_reason END,"
      " lease_owner = CASE WHEN $13 = 1 THEN lease_owner ELSE '' END, lease_until = $14"
      " WHERE id = $1 AND lease_owner = $2",
      {b.endpoint_id, b.lease_owner, b.cursor_seq, b.attempt, b.next_attempt_at, b.failing_since,
       b.claimed_replay_next, b.claimed_replay_to, b.replay_next, b.replay_to, b.sent_test_event,
       b.disabled_reason, int64_t{b.lease_until > 0 ? 1 : 0}, b.lease_until});
  if (!updated.ok()) return updated.error();
  if (*updated == 0) return false;
  for (const auto& a : b.attempts) {
    BULKHEAD_TRY(ExecuteStatus(
        c,
        "INSERT INTO webhook_deliveries (id, endpoint_id, event_id, event_type, sequence, attempt,"
        " attempted_at, status_code, latency_ms, error, succeeded)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        {a.id, a.endpoint_id, a.event_id, a.event_type, a.sequence, a.attempt, a.attempted_at,
         a.status_code, a.latency_ms, a.error, int64_t{a.succeeded ? 1 : 0}}));
  }
  return true;
}

}  // namespace tenant

namespace catalog {

Result<std::vector<std::string>> ListWebhookOrganizations(Connection& c) {
  return QueryAll<std::string>(
      c, "SELECT organization_id FROM webhook_organizations ORDER BY organization_id", {},
      [](const Row& r) { return r.Text(0); });
}

Status InsertFinalDelivery(Connection& c, const FinalDeliveryRecord& r) {
  return ExecuteStatus(
      c,
      "INSERT INTO webhook_final_deliveries (id, organization_id, endpoint_id, url, secrets,"
      " event_id, body, attempt, next_attempt_at, failing_since, lease_owner, lease_until,"
      " created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
      {r.id, r.organization_id, r.endpoint_id, r.url, r.secrets, r.event_id, r.body, r.attempt,
       r.next_attempt_at, r.failing_since, r.lease_owner, r.lease_until, r.created_at});
}

Result<std::vector<FinalDeliveryRecord>> ListDueFinalDeliveries(Connection& c, int64_t now,
                                                                int limit) {
  static const std::string kSql = "SELECT " + std::string(kFinalColumns) +
                                  " FROM webhook_final_deliveries WHERE next_attempt_at <= $1"
                                  " AND (lease_owner = '' OR lease_until < $1)"
                                  " ORDER BY created_at, id LIMIT $2";
  return QueryAll<FinalDeliveryRecord>(c, kSql, {now, int64_t{limit}}, ToFinal);
}

Result<std::optional<FinalDeliveryRecord>> ClaimFinalDelivery(Connection& c, std::string_view id,
                                                              std::string_view owner, int64_t now,
                                                              int64_t lease_until) {
  static const std::string kClaim =
      "UPDATE webhook_final_deliveries SET lease_owner = $2, lease_until = $4 WHERE id = $1 AND " +
      std::string(kLeaseIsFree);
  auto claimed = c.Execute(kClaim, {std::string(id), std::string(owner), now, lease_until});
  if (!claimed.ok()) return claimed.error();
  if (*claimed == 0) return std::optional<FinalDeliveryRecord>{};
  static const std::string kRead =
      "SELECT " + std::string(kFinalColumns) + " FROM webhook_final_deliveries WHERE id = $1";
  return QueryOne<FinalDeliveryRecord>(c, kRead, {std::string(id)}, ToFinal);
}

Status RecordFinalAttempt(Connection& c, const FinalDeliveryRecord& r, std::string_view owner,
                          bool done) {
  if (done) {
    return ExecuteStatus(c,
                         "DELETE FROM webhook_final_deliveries WHERE id = $1 AND lease_owner = $2",
                         {r.id, std::string(owner)});
  }
  return ExecuteStatus(
      c,
      "UPDATE webhook_final_deliveries SET attempt = $3, next_attempt_at = $4, failing_since = $5,"
      " lease_owner = '', lease_until = 0 WHERE id = $1 AND lease_owner = $2",
      {r.id, std::string(owner), r.attempt, r.next_attempt_at, r.failing_since});
}

}  // namespace catalog
}  // namespace bulkhead::store
