#pragma once
// The event log (docs/events.md). Each organization's events live in its own database, numbered
// from 1 with no gaps in commit order, and a rolled-back change takes its numbers with it: on
// PostgreSQL every writer locks the one event_head row before it allocates; on SQLite the write
// transaction already holds the database and the next number follows the newest event. Events of
// catalog changes are written to the catalog's event_outbox in the change's own transaction
// and moved into the organization's log right after (service/event_relay.hpp).
// Every function runs in the caller's transaction on the connection it holds.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/database.hpp"

namespace bulkhead::store {

struct EventRecord {
  std::string id;  // evt_ + 32 hex digits of a UUIDv7
  std::string organization_id;
  std::string type;
  int64_t seq = 0;
  int64_t occurred_at = 0;
  std::string data;  // JSON text
};

inline constexpr int64_t kDefaultEventRetentionMs = 30LL * 24 * 3600 * 1000;

namespace tenant {

// Appends in the caller's write transaction: allocates the next sequences, skips any event whose id
// is already there (a relayed outbox row seen twice); sets each appended event's seq (0 on a
// skipped one). Now and then (when the head passes a multiple of 512) deletes up to 1,000 events
// and webhook deliveries older than `retention_ms`.
Status AppendEvents(Connection& c, std::vector<EventRecord>& events,
                    int64_t retention_ms = kDefaultEventRetentionMs);
// The last sequence given out (0 before the first event).
Result<int64_t> EventHead(Connection& c);
// Oldest first, seq > after, types empty = all; at most limit. `org_id` fills organization_id.
Result<std::vector<EventRecord>> ListEvents(Connection& c, std::string_view org_id, int64_t after,
                                            const std::vector<std::string>& types, int limit);
Result<std::optional<EventRecord>> FindEvent(Connection& c, std::string_view org_id,
                                             std::string_view id);

}  // namespace tenant

namespace catalog {

Status InsertOutboxEvent(Connection& c, const EventRecord& e);

struct OutboxRow {
  int64_t n = 0;  // the outbox's own order
  EventRecord event;
  bool organization_exists = true;  // ListOldestOutbox only
};
// The organization's outbox rows in the order they were written, at most `limit`.
Result<std::vector<OutboxRow>> ListOutbox(Connection& c, std::string_view organization_id,
                                          int limit);
// The oldest rows of every organization, at most `limit`: for each organization a prefix of its
// rows, in order, and whether the organization still exists.
Result<std::vector<OutboxRow>> ListOldestOutbox(Connection& c, int limit);
// Deletes the organization's rows up to and including `up_to_n`.
Status DeleteOutbox(Connection& c, std::string_view organization_id, int64_t up_to_n);
// What an organization leaves in the event tables of the catalog: its outbox and its
// webhook_organizations row (called in the transaction that deletes it).
Status DeleteOrganizationEventRows(Connection& c, std::string_view organization_id);

}  // namespace catalog
}  // namespace bulkhead::store
