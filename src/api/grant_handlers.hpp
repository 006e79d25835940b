#pragma once
// Sharing grants' handlers (grant_handlers.cpp), wired in routes.cpp: the giver's …/grants,
// the receiver's …/incoming-grants and …/shared, and the shared resources under
// …/shared/{grant_id}/resources (service::GrantService).

#include "api/handlers.hpp"

namespace bulkhead::api {

Result<Response> OfferGrant(Services& s, RequestContext& c);
Result<Response> ListGrants(Services& s, RequestContext& c);
Result<Response> GetGrant(Services& s, RequestContext& c);
Result<Response> RevokeGrant(Services& s, RequestContext& c);
Result<Response> ListIncomingGrants(Services& s, RequestContext& c);
Result<Response> AcceptGrant(Services& s, RequestContext& c);
Result<Response> DeclineGrant(Services& s, RequestContext& c);
Result<Response> ListSharedGrants(Services& s, RequestContext& c);
Result<Response> ListSharedResources(Services& s, RequestContext& c);
Result<Response> CreateSharedResource(Services& s, RequestContext& c);
Result<Response> GetSharedResource(Services& s, RequestContext& c);
Result<Response> UpdateSharedResource(Services& s, RequestContext& c);
Result<Response> DeleteSharedResource(Services& s, RequestContext& c);

}  // namespace bulkhead::api
