#pragma once
// The tamper-evident audit log: every audit event carries its position in its organization's
// chain, the hash of the event before it and its own hash, a SHA-256 over a canonical
// encoding of all its fields. Changing, removing or reordering an event breaks the chain from
// there on; removing the newest events is caught by the chain head kept beside the events.
// Appending runs inside the caller's write transaction, so an event and its link commit with
// the change they record. Thread-safety: stateless functions on the caller's connection.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/database.hpp"
#include "store/records.hpp"

namespace bulkhead::store {

// Lowercase hex SHA-256 of the event's canonical encoding (every field but `hash`, each
// length-prefixed, so no two different events encode alike).
std::string AuditEventHash(const AuditEventRecord& event);

// The next link of `chain`: sets event.seq, event.prev_hash and event.hash, and moves the
// chain head. Call before inserting the event, in the same write transaction.
Status LinkAuditEvent(Connection& c, std::string_view chain, AuditEventRecord& event);

// Where a chain is broken.
struct ChainBreak {
  std::string chain;
  std::string
      event_id;  // the first event that does not verify (empty: events are missing at the end)
  int64_t seq = 0;
  std::string reason;
};

// Checks one chain, given its events in `seq` order and the head recorded for it.
std::optional<ChainBreak> VerifyChain(std::string_view chain,
                                      const std::vector<AuditEventRecord>& events,
                                      std::optional<std::pair<int64_t, std::string>> head);

// The head (seq, hash) recorded for every chain in this database.
Result<std::vector<std::pair<std::string, std::pair<int64_t, std::string>>>> ChainHeads(
    Connection& c);
Status DeleteChainHead(Connection& c, std::string_view chain);

}  // namespace bulkhead::store
