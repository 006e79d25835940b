#pragma once
// Making and rendering events (docs/events.md). A use case makes its event with MakeEvent from
// the object after the change, rendered as the API renders it (service/views.hpp), and writes
// it in its own transaction: AppendEvent for changes to the organization's own database (the
// sequence is given there), WriteOutboxEvent for catalog changes (relayed right after commit,
// service/event_relay.hpp). EventJson is the one rendering of an event, for the events API and
// for webhook bodies alike. Thread-safe: pure functions but for the connections they are given.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.hpp"
#include "service/environment.hpp"
#include "service/tenant_resolver.hpp"
#include "store/database.hpp"
#include "store/event_store.hpp"
#include "store/records.hpp"

namespace bulkhead::service {

// Over this, an event's `data` is cut to the object's ids and `data_truncated` is set.
inline constexpr std::size_t kMaxEventDataBytes = 256 * 1024;

// "evt_" + the 32 hex digits of a new UUIDv7.
std::string NewEventId();
// An event of now, its sequence still 0 (given when appended).
store::EventRecord MakeEvent(const std::string& organization_id, std::string type,
                             nlohmann::json data);
// The same from `data` already written as JSON text (the resource renderer writes text).
store::EventRecord MakeEventFromText(const std::string& organization_id, std::string type,
                                     std::string data);
// {"id", "type", "sequence", "organization_id", "occurred_at", "data"[, "data_truncated"]}.
nlohmann::json EventJson(const store::EventRecord& e);

// In the caller's tenant write transaction (InTenantWrite): gives the event the next sequence.
core::Status AppendEvent(Environment& env, store::Connection& tenant, store::EventRecord event);
// In the caller's catalog write transaction; the caller runs RelayOutbox after its commit.
core::Status WriteOutboxEvent(store::Connection& catalog, const store::EventRecord& event);

// The data of organization events: the organization as GET /organizations/{org} renders it
// (without the caller's role), its domains read on `catalog` (the caller's transaction).
core::Result<nlohmann::json> OrganizationEventData(Environment& env, store::Connection& catalog,
                                                   const store::OrganizationRecord& org);
// The data of member events: {"user": {id, email, name}, "role", "joined_at"}.
nlohmann::json MemberEventData(const store::MembershipRecord& membership, const std::string& email,
                               const std::string& name);

struct EventPage {
  std::vector<store::EventRecord> events;
  bool more = false;
};
// The organization's events after sequence `after`, oldest first; `types` empty: every type.
core::Result<EventPage> ListEvents(Environment& env, const TenantContext& tenant, int64_t after,
                                   const std::vector<std::string>& types, int limit);
// kNotFound when the organization has no event `id` (any more).
core::Result<store::EventRecord> GetEvent(Environment& env, const TenantContext& tenant,
                                          const std::string& id);

}  // namespace bulkhead::service
