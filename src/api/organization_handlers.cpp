#include "api/body.hpp"
#include "api/handlers.hpp"
#include "api/render.hpp"

namespace bulkhead::api {

Result<Response> CreateOrganization(Services& s, RequestContext& c) {
  auto body = BodyReader::Parse(c.request.body);
  if (!body.ok()) return body.error();
  service::CreateOrganizationInput input;
  auto name = body->RequiredString("name");
  input.slug = body->OptionalString("slug");
  input.settings = body->OptionalObject("settings");
  BULKHEAD_TRY(body->Finish());
  input.name = *name;
  auto org = s.organizations.Create(input, c.Actor());
  if (!org.ok()) return org.error();
  return JsonResponse(201, OrganizationJson(*org));
}

Result<Response> GetOrganization(Services& s, RequestContext& c) {
  return JsonResponse(200, OrganizationJson(c.tenant->organization));
}

Result<Response> UpdateOrganization(Services& s, RequestContext& c) {
  auto body = BodyReader::Parse(c.request.body);
  if (!body.ok()) return body.error();
  service::UpdateOrganizationInput input;
  input.name = body->OptionalString("name");
  input.slug = body->OptionalString("slug");
  input.settings = body->OptionalObject("settings");
  BULKHEAD_TRY(body->Finish());
  auto org = s.organizations.Update(*c.tenant, input, c.Actor());
  if (!org.ok()) return org.error();
  return JsonResponse(200, OrganizationJson(*org));
}

Result<Response> DeleteOrganization(Services& s, RequestContext& c) {
  auto body = BodyReader::Parse(c.request.body);
  if (!body.ok()) return body.error();
  auto confirm = body->RequiredString("confirm");
  BULKHEAD_TRY(body->Finish());
  BULKHEAD_TRY(s.organizations.Delete(*c.tenant, *confirm, c.Actor()));
  return NoContent();
}

}  // namespace bulkhead::api
