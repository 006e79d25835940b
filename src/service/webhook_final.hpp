#pragma once
// The last event of an organization, organization.deleted, outlives its store: it is queued in
// the catalog (webhook_final_deliveries), one row per endpoint, with the endpoint's URL and
// sealed secrets, and the dispatcher delivers it by the same rules as any other event.
// Thread-safety: a function, on the caller's catalog connection.

#include "core/result.hpp"
#include "service/environment.hpp"
#include "service/tenant_resolver.hpp"
#include "store/database.hpp"
#include "store/event_store.hpp"

namespace bulkhead::service {

// Inside the catalog transaction that deletes the organization, before its store is dropped:
// gives event.seq the organization's next sequence and queues `event` (organization.deleted)
// in webhook_final_deliveries for every enabled endpoint subscribed to it.
core::Status QueueFinalEvent(Environment& env, store::Connection& catalog,
                             const TenantContext& tenant, store::EventRecord event);

}  // namespace bulkhead::service
