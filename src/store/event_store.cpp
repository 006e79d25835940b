#include "store/event_store.hpp"

#include <algorithm>

namespace bulkhead::store {
namespace {

constexpr int64_t kPruneEvery = 512;  // heads that pass a multiple of this prune
constexpr int64_t kPruneBatch = 1000;

Status ExecEventSql(Connection& c, std::string_view sql, const std::vector<Value>& params) {
  auto r = c.Execute(sql, params);
  if (!r.ok()) return r.error();
  return core::Ok();
}

EventRecord ToEventRecord(const Row& r, std::string_view org_id) {
  return {r.Text(0), std::string(org_id), r.Text(1), r.Int(2), r.Int(3), r.Text(4)};
}

// SQLite: the head is the newest event's sequence (a read of the table's last row), or
// event_head's when pruning emptied the log; pruning records it there first. The write
// transaction holds the whole database, so no lock is needed, and an update of event_head on
// every append cost more than the event's own insert.
constexpr std::string_view kSqliteHead =
    "SELECT MAX(seq, COALESCE((SELECT MAX(seq) FROM events), 0)) FROM event_head WHERE id = 1";

// The first of `n` new sequence numbers. PostgreSQL: one statement both takes event_head's row
// lock, held to commit, so concurrent writers number in commit order, and reserves the numbers.
Result<int64_t> ReserveSequences(Connection& c, int64_t n) {
  auto head = c.dialect() == Dialect::kSqlite
                  ? c.Query(kSqliteHead)
                  : c.Query("UPDATE event_head SET seq = seq + $1 WHERE id = 1 RETURNING seq", {n});
  if (!head.ok()) return head.error();
  if (head->empty()) return core::Error::Internal("event_head has no row");
  int64_t last = head->at(0).Int(0);
  return c.dialect() == Dialect::kSqlite ? last + 1 : last - n + 1;
}

// Bounded, so an append never pays for a backlog: a later prune takes the rest. Events only
// look at the oldest kPruneBatch by sequence (times follow sequences), so the log needs no time
// index, which every append would otherwise write; a filter on time alone, ordered by
// sequence, made SQLite scan the whole log under the write lock.
Status PruneOlderThan(Connection& c, int64_t head, int64_t cutoff) {
  if (c.dialect() == Dialect::kSqlite) {  // the head outlives the events it may delete
    BULKHEAD_TRY(ExecEventSql(c, "UPDATE event_head SET seq = $1 WHERE id = 1", {head}));
  }
  BULKHEAD_TRY(ExecEventSql(c,
                            "DELETE FROM events WHERE seq IN (SELECT seq FROM (SELECT seq,"
                            " occurred_at FROM events ORDER BY seq LIMIT $2) oldest"
                            " WHERE occurred_at < $1)",
                            {cutoff, kPruneBatch}));
  return ExecEventSql(
      c,
      "DELETE FROM webhook_deliveries WHERE id IN (SELECT id FROM webhook_deliveries"
      " WHERE attempted_at < $1 ORDER BY attempted_at LIMIT $2)",
      {cutoff, kPruneBatch});
}

}  // namespace

namespace tenant {

Status AppendEvents(Connection& c, std::vector<EventRecord>& events, int64_t retention_ms) {
  if (events.empty()) return core::Ok();
  auto n = static_cast<int64_t>(events.size());
  auto first = ReserveSequences(c, n);
  if (!first.ok()) return first.error();
  int64_t next = *first;
  int64_t skipped = 0;
  for (auto& e : events) {
    auto inserted = c.Execute(
        "INSERT INTO events (seq, id, type, occurred_at, data) VALUES ($1, $2, $3, $4, $5)"
        " ON CONFLICT (id) DO NOTHING",
        {next, e.id, e.type, e.occurred_at, e.data});
    if (!inserted.ok()) return inserted.error();
    if (*inserted == 0) {  // relayed before: its number goes to the next one
      e.seq = 0;
      ++skipped;
      continue;
    }
    e.seq = next++;
  }
  int64_t last = next - 1;
  if (skipped > 0 && c.dialect() == Dialect::kPostgres) {
    BULKHEAD_TRY(ExecEventSql(c, "UPDATE event_head SET seq = $1 WHERE id = 1", {last}));
  }
  if (retention_ms > 0 && last / kPruneEvery != (last - (n - skipped)) / kPruneEvery) {
    int64_t newest = 0;
    for (const auto& e : events) newest = std::max(newest, e.occurred_at);
    BULKHEAD_TRY(PruneOlderThan(c, last, newest - retention_ms));
  }
  return core::Ok();
}

Result<int64_t> EventHead(Connection& c) {
  auto rows = c.Query(c.dialect() == Dialect::kSqlite ? kSqliteHead
                                                      : "SELECT seq FROM event_head WHERE id = 1");
  if (!rows.ok()) return rows.error();
  if (rows->empty()) return int64_t{0};
  return rows->at(0).Int(0);
}

Result<std::vector<EventRecord>> ListEvents(Connection& c, std::string_view org_id, int64_t after,
                                            const std::vector<std::string>& types, int limit) {
  std::string sql = "SELECT id, type, seq, occurred_at, data FROM events WHERE seq > $1";
  std::vector<Value> params{after};
  if (!types.empty()) {
    sql += " AND type IN (";
    for (std::size_t i = 0; i < types.size(); ++i) {
      sql += (i ? ", $" : "$") + std::to_string(params.size() + 1);
      params.emplace_back(types[i]);
    }
    sql += ")";
  }
  sql += " ORDER BY seq LIMIT $" + std::to_string(params.size() + 1);
  params.emplace_back(int64_t{limit});
  auto rows = c.Query(sql, params);
  if (!rows.ok()) return rows.error();
  std::vector<EventRecord> out;
  out.reserve(rows->size());
  for (const auto& r : *rows) out.push_back(ToEventRecord(r, org_id));
  return out;
}

Result<std::optional<EventRecord>> FindEvent(Connection& c, std::string_view org_id,
                                             std::string_view id) {
  auto rows = c.Query("SELECT id, type, seq, occurred_at, data FROM events WHERE id = $1",
                      {std::string(id)});
  if (!rows.ok()) return rows.error();
  if (rows->empty()) return std::optional<EventRecord>();
  return std::optional<EventRecord>(ToEventRecord(rows->at(0), org_id));
}

}  // namespace tenant

namespace catalog {

Status InsertOutboxEvent(Connection& c, const EventRecord& e) {
  return ExecEventSql(c,
                      "INSERT INTO event_outbox (id, organization_id, type, occurred_at, data)"
                      " VALUES ($1, $2, $3, $4, $5)",
                      {e.id, e.organization_id, e.type, e.occurred_at, e.data});
}

Result<std::vector<OutboxRow>> ListOutbox(Connection& c, std::string_view organization_id,
                                          int limit) {
  auto rows = c.Query(
      "SELECT n, id, organization_id, type, occurred_at, data FROM event_outbox"
      " WHERE organization_id = $1 ORDER BY n LIMIT $2",
      {std::string(organization_id), int64_t{limit}});
  if (!rows.ok()) return rows.error();
  std::vector<OutboxRow> out;
  out.reserve(rows->size());
  for (const auto& r : *rows) {
    out.push_back({r.Int(0), {r.Text(1), r.Text(2), r.Text(3), 0, r.Int(4), r.Text(5)}});
  }
  return out;
}

Result<std::vector<OutboxRow>> ListOldestOutbox(Connection& c, int limit) {
  auto rows = c.Query(
      "SELECT e.n, e.id, e.organization_id, e.type, e.occurred_at, e.data,"
      " CASE WHEN o.id IS NULL THEN 0 ELSE 1 END"
      " FROM event_outbox e LEFT JOIN organizations o ON o.id = e.organization_id"
      " ORDER BY e.n LIMIT $1",
      {int64_t{limit}});
  if (!rows.ok()) return rows.error();
  std::vector<OutboxRow> out;
  out.reserve(rows->size());
  for (const auto& r : *rows) {
    out.push_back(
        {r.Int(0), {r.Text(1), r.Text(2), r.Text(3), 0, r.Int(4), r.Text(5)}, r.Int(6) != 0});
  }
  return out;
}

Status DeleteOutbox(Connection& c, std::string_view organization_id, int64_t up_to_n) {
  return ExecEventSql(c, "DELETE FROM event_outbox WHERE organization_id = $1 AND n <= $2",
                      {std::string(organization_id), up_to_n});
}

Status DeleteOrganizationEventRows(Connection& c, std::string_view organization_id) {
  BULKHEAD_TRY(ExecEventSql(c, "DELETE FROM event_outbox WHERE organization_id = $1",
                            {std::string(organization_id)}));
  return ExecEventSql(c, "DELETE FROM webhook_organizations WHERE organization_id = $1",
                      {std::string(organization_id)});
}

}  // namespace catalog
}  // namespace bulkhead::store
