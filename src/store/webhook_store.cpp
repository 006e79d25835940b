#include "store/webhook_store.hpp"

#include "store/query.hpp"

namespace bulkhead::store {
namespace tenant {
namespace {

constexpr std::string_view kWebhookEndpointColumns =
    "id, url, description, event_types, status, disabled_reason, secret_sealed,"
    " secret_master_id, previous_secret_sealed, previous_secret_master_id,"
    " previous_secret_expires_at, created_at, updated_at, cursor_seq, attempt, next_attempt_at,"
    " failing_since, replay_next, replay_to, test_event, lease_owner, lease_until";

WebhookEndpointRecord ToWebhookEndpoint(const Row& r) {
  return {.id = r.Text(0),
          .url = r.Text(1),
          .description = r.Text(2),
          .event_types = r.Text(3),
          .status = r.Text(4),
          .disabled_reason = r.Text(5),
          .secret_sealed = r.Text(6),
          .secret_master_id = r.Text(7),
          .previous_secret_sealed = r.Text(8),
          .previous_secret_master_id = r.Text(9),
          .previous_secret_expires_at = r.Int(10),
          .created_at = r.Int(11),
          .updated_at = r.Int(12),
          .cursor_seq = r.Int(13),
          .attempt = r.Int(14),
          .next_attempt_at = r.Int(15),
          .failing_since = r.Int(16),
          .replay_next = r.Int(17),
          .replay_to = r.Int(18),
          .test_event = r.Text(19),
          .lease_owner = r.Text(20),
          .lease_until = r.Int(21)};
}

constexpr std::string_view kWebhookDeliveryColumns =
    "id, endpoint_id, event_id, event_type, sequence, attempt, attempted_at, status_code,"
    " latency_ms, error, succeeded";

WebhookDeliveryRecord ToWebhookDelivery(const Row& r) {
  return {.id = r.Text(0),
          .endpoint_id = r.Text(1),
          .event_id = r.Text(2),
          .event_type = r.Text(3),
          .sequence = r.Int(4),
          .attempt = r.Int(5),
          .attempted_at = r.Int(6),
          .status_code = r.Int(7),
          .latency_ms = r.Int(8),
          .error = r.Text(9),
          .succeeded = r.Int(10) != 0};
}

}  // namespace

Status InsertWebhookEndpoint(Connection& c, const WebhookEndpointRecord& e) {
  static const std::string kSql = "INSERT INTO webhook_endpoints (" +
                                  std::string(kWebhookEndpointColumns) +
                                  ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,"
                                  " $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)";
  return ExecuteStatus(c, kSql,
                       {e.id,
                        e.url,
                        e.description,
                        e.event_types,
                        e.status,
                        e.disabled_reason,
                        e.secret_sealed,
                        e.secret_master_id,
                        e.previous_secret_sealed,
                        e.previous_secret_master_id,
                        e.previous_secret_expires_at,
                        e.created_at,
                        e.updated_at,
                        e.cursor_seq,
                        e.attempt,
                        e.next_attempt_at,
                        e.failing_since,
                        e.replay_next,
                        e.replay_to,
                        e.test_event,
                        e.lease_owner,
                        e.lease_until});
}

Result<std::optional<WebhookEndpointRecord>> FindWebhookEndpoint(Connection& c,
                                                                 std::string_view id) {
  static const std::string kSql =
      "SELECT " + std::string(kWebhookEndpointColumns) + " FROM webhook_endpoints WHERE id = $1";
  return QueryOne<WebhookEndpointRecord>(c, kSql, {std::string(id)}, ToWebhookEndpoint);
}

Result<std::vector<WebhookEndpointRecord>> ListWebhookEndpoints(Connection& c,
                                                                std::string_view after_id,
                                                                int limit) {
  static const std::string kSql = "SELECT " + std::string(kWebhookEndpointColumns) +
                                  " FROM webhook_endpoints WHERE id > $1 ORDER BY id LIMIT $2";
  return QueryAll<WebhookEndpointRecord>(c, kSql, {std::string(after_id), int64_t{limit}},
                                         ToWebhookEndpoint);
}

Result<std::vector<WebhookEndpointRecord>> AllWebhookEndpoints(Connection& c) {
  static const std::string kSql =
      "SELECT " + std::string(kWebhookEndpointColumns) + " FROM webhook_endpoints ORDER BY id";
  return QueryAll<WebhookEndpointRecord>(c, kSql, {}, ToWebhookEndpoint);
}

Result<int64_t> CountWebhookEndpoints(Connection& c) {
  return QueryCount(c, "SELECT COUNT(*) FROM webhook_endpoints");
}

Result<bool> UpdateWebhookEndpoint(Connection& c, const WebhookEndpointRecord& e) {
  auto n = c.Execute(
      "UPDATE webhook_endpoints SET url = $2, description = $3, event_types = $4, status = $5,"
      " disabled_reason = $6, secret_sealed = $7, secret_master_id = $8,"
      " previous_secret_sealed = $9, previous_secret_master_id = $10,"
      " previous_secret_expires_at = $11, updated_at = $12 WHERE id = $1",
      {e.id, e.url, e.description, e.event_types, e.status, e.disabled_reason, e.secret_sealed,
       e.secret_master_id, e.previous_secret_sealed, e.previous_secret_master_id,
       e.previous_secret_expires_at, e.updated_at});
  if (!n.ok()) return n.error();
  return *n > 0;
}

Status ClearWebhookFailures(Connection& c, std::string_view id) {
  return ExecuteStatus(c,
                       "UPDATE webhook_endpoints SET attempt = 0, next_attempt_at = 0,"
                       " failing_since = 0 WHERE id = $1",
                       {std::string(id)});
}

Status SetWebhookReplay(Connection& c, std::string_view id, int64_t replay_next,
                        int64_t replay_to) {
  return ExecuteStatus(
      c, "UPDATE webhook_endpoints SET replay_next = $2, replay_to = $3 WHERE id = $1",
      {std::string(id), replay_next, replay_to});
}

Status SetWebhookTestEvent(Connection& c, std::string_view id, std::string_view body) {
  return ExecuteStatus(c, "UPDATE webhook_endpoints SET test_event = $2 WHERE id = $1",
                       {std::string(id), std::string(body)});
}

Result<bool> DeleteWebhookEndpoint(Connection& c, std::string_view id) {
  // Explicitly, rather than by the foreign key's cascade: SQLite enforces foreign keys only
  // on connections that turned them on.
  BULKHEAD_TRY(
      ExecuteStatus(c, "DELETE FROM webhook_deliveries WHERE endpoint_id = $1", {std::string(id)}));
  auto n = c.Execute("DELETE FROM webhook_endpoints WHERE id = $1", {std::string(id)});
  if (!n.ok()) return n.error();
  return *n > 0;
}

Result<std::vector<WebhookDeliveryRecord>> ListWebhookDeliveries(Connection& c,
                                                                 std::string_view endpoint_id,
                                                                 std::string_view before_id,
                                                                 int limit) {
  std::string sql = "SELECT " + std::string(kWebhookDeliveryColumns) +
                    " FROM webhook_deliveries WHERE endpoint_id = $1 AND " +
                    BeforeId("$2", before_id) + " ORDER BY id DESC LIMIT $3";
  return QueryAll<WebhookDeliveryRecord>(
      c, sql, {std::string(endpoint_id), std::string(before_id), int64_t{limit}},
      ToWebhookDelivery);
}

}  // namespace tenant

namespace catalog {

Status InsertWebhookOrganization(Connection& c, std::string_view organization_id, int64_t now) {
  return ExecuteStatus(c,
                       "INSERT INTO webhook_organizations (organization_id, created_at)"
                       " VALUES ($1, $2) ON CONFLICT (organization_id) DO NOTHING",
                       {std::string(organization_id), now});
}

Status DeleteWebhookOrganization(Connection& c, std::string_view organization_id) {
  return ExecuteStatus(c, "DELETE FROM webhook_organizations WHERE organization_id = $1",
                       {std::string(organization_id)});
}

}  // namespace catalog
}  // namespace bulkhead::store
