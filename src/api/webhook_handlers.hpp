#pragma once
// The webhook endpoints' handlers (webhook_handlers.cpp), wired in routes.cpp.

#include "api/handlers.hpp"

namespace bulkhead::api {

Result<Response> ListWebhookEndpoints(Services& s, RequestContext& c);
Result<Response> CreateWebhookEndpoint(Services& s, RequestContext& c);
Result<Response> GetWebhookEndpoint(Services& s, RequestContext& c);
Result<Response> UpdateWebhookEndpoint(Services& s, RequestContext& c);
Result<Response> DeleteWebhookEndpoint(Services& s, RequestContext& c);
Result<Response> RotateWebhookSecret(Services& s, RequestContext& c);
Result<Response> ReplayWebhookEvents(Services& s, RequestContext& c);
Result<Response> TestWebhookEndpoint(Services& s, RequestContext& c);
Result<Response> ListWebhookDeliveries(Services& s, RequestContext& c);

}  // namespace bulkhead::api
