#include "api/body.hpp"
#include "api/handlers.hpp"
#include "api/render.hpp"

namespace bulkhead::api {

Result<nlohmann::json> RenderOrganization(Services& s, const store::OrganizationRecord& org) {
  auto domains = service::ListOrganizationDomains(s.env, org);
  if (!domains.ok()) return domains.error();
  return OrganizationJson(org, *domains);
}

namespace {

Result<Response> OrganizationResponse(Services& s, int status, const store::OrganizationRecord& org) {
  auto json = RenderOrganization(s, org);
  if (!json.ok()) return json.error();
  return JsonResponse(status, *json);
}

}  // namespace

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
  c.metered_organization_id = org->id;
  return OrganizationResponse(s, 201, *org);
}

Result<Response> GetOrganization(Services& s, RequestContext& c) {
  return OrganizationResponse(s, 200, c.tenant->organization);
}

Result<Response> UpdateOrganization(Services& s, RequestContext& c) {
  auto body = BodyReader::Parse(c.request.body);
  if (!body.ok()) return body.error();
  service::UpdateOrganizationInput input;
  input.name = body->OptionalString("name");
  input.slug = body->OptionalString("slug");
  input.settings = body->OptionalObject("settings");
  input.billing_email = body->OptionalNullableString("billing_email");
  BULKHEAD_TRY(body->Finish());
  auto org = s.organizations.Update(*c.tenant, input, c.Actor());
  if (!org.ok()) return org.error();
  return OrganizationResponse(s, 200, *org);
}

Result<Response> ChangePlan(Services& s, RequestContext& c) {
  auto body = BodyReader::Parse(c.request.body);
  if (!body.ok()) return body.error();
  auto plan = body->RequiredString("plan");
  BULKHEAD_TRY(body->Finish());
  auto org = s.organizations.ChangePlan(c.tenant->organization.id, *plan, c.Actor());
  if (!org.ok()) return org.error();
  return OrganizationResponse(s, 200, *org);
}

Result<Response> GetFeatures(Services& s, RequestContext& c) {
  auto entitlements = service::OrganizationEntitlements(s.env, c.tenant->organization);
  nlohmann::json limits = nlohmann::json::object();
  for (const auto& [name, value] : entitlements->limits) limits[name] = value;
  // What the operator grants above the plan, so a tenant can tell it from the plan's.
  auto overrides = core::OverridesFromJson(c.tenant->organization.entitlement_overrides);
  return JsonResponse(200, {{"plan", c.tenant->organization.plan},
                            {"features", entitlements->features},
                            {"limits", limits},
                            {"overrides", core::OverridesToJson(overrides)}});
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
