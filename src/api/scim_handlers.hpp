#pragma once
// SCIM 2.0 over HTTP (RFC 7644) under /scim/v2/organizations/{org}/, and the JSON API routes of
// its tokens and settings under /api/v1/organizations/{org}/. The SCIM routes are public in the
// route table: they accept only SCIM tokens (Authorization: Bearer bks_scim_…), checked here,
// and answer SCIM's own statuses and error bodies ({schemas: [Error], status, scimType?,
// detail}) as application/scim+json, so they are described by their discovery endpoints
// (ServiceProviderConfig, ResourceTypes, Schemas) rather than /openapi.json.

#include "api/handlers.hpp"

namespace bulkhead::service {
class ScimService;
}

namespace bulkhead::api {

inline constexpr std::string_view kScimPrefix = "/scim/v2/organizations/{org}";

// The JSON API (organization scope, admins, feature sso).
Result<Response> ListScimTokens(Services& s, RequestContext& c);
Result<Response> CreateScimToken(Services& s, RequestContext& c);
Result<Response> DeleteScimToken(Services& s, RequestContext& c);
Result<Response> GetScimSettings(Services& s, RequestContext& c);
Result<Response> PutScimSettings(Services& s, RequestContext& c);

// SCIM (public scope; a SCIM token).
Result<Response> ScimServiceProviderConfig(Services& s, RequestContext& c);
Result<Response> ScimResourceTypes(Services& s, RequestContext& c);
Result<Response> ScimResourceType(Services& s, RequestContext& c);
Result<Response> ScimSchemas(Services& s, RequestContext& c);
Result<Response> ScimSchema(Services& s, RequestContext& c);
Result<Response> ScimListUsers(Services& s, RequestContext& c);
Result<Response> ScimCreateUser(Services& s, RequestContext& c);
Result<Response> ScimGetUser(Services& s, RequestContext& c);
Result<Response> ScimReplaceUser(Services& s, RequestContext& c);
Result<Response> ScimPatchUser(Services& s, RequestContext& c);
Result<Response> ScimDeleteUser(Services& s, RequestContext& c);
Result<Response> ScimListGroups(Services& s, RequestContext& c);
Result<Response> ScimCreateGroup(Services& s, RequestContext& c);
Result<Response> ScimGetGroup(Services& s, RequestContext& c);
Result<Response> ScimReplaceGroup(Services& s, RequestContext& c);
Result<Response> ScimPatchGroup(Services& s, RequestContext& c);
Result<Response> ScimDeleteGroup(Services& s, RequestContext& c);

// The SCIM error response for `error` (RFC 7644 §3.12): its status, and its scimType when it
// carries one (core/scim_filter.hpp). SCIM's 400s are core's validation errors.
Response ScimErrorResponse(const core::Error& error);

}  // namespace bulkhead::api
