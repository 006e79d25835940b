#pragma once
// The events API (docs/events.md): an organization's event log, for consumers that pull.

#include "api/handlers.hpp"

namespace bulkhead::api {

// GET …/events?after=&types=&limit=: oldest first, {data, next_cursor}.
Result<Response> ListEvents(Services& s, RequestContext& c);
// GET …/events/{id}.
Result<Response> GetEvent(Services& s, RequestContext& c);

}  // namespace bulkhead::api
