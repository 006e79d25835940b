#include "api/body.hpp"
#include "api/handlers.hpp"
#include "api/render.hpp"
#include "http/query.hpp"

namespace bulkhead::api {

Result<nlohmann::json> RenderOrganization(Services& s, const store::OrganizationRecord& org) {
  auto domains = service::ListOrganizationDomains(s.env, org);
  if (!domains.ok()) return domains.error();
  return OrganizationJson(org, *domains);
}

namespace {

// A single read or write answers with the caller's role in it (an API key's own role), so that
// a client can tell what to offer without another request.
Result<Response> OrganizationResponse(Services& s, const store::OrganizationRecord& org,
                                      std::string_view role_key) {
  auto json = RenderOrganization(s, org);
  if (!json.ok()) return json.error();
  (*json)["role"] = role_key;
  return JsonResponse(*json);
}

}  // namespace

Result<Response> CreateOrganization(Services& s, RequestContext& c) {
  service::CreateOrganizationInput input;
  input.name = Text(c.body, "name");
  input.slug = OptionalText(c.body, "slug");
  input.settings = OptionalObject(c.body, "settings");
  auto org = s.organizations.Create(input, c.Actor());
  if (!org.ok()) return org.error();
  c.metered_organization_id = org->id;
  return OrganizationResponse(s, *org, core::RoleName(core::Role::kOwner));
}

Result<Response> GetOrganization(Services& s, RequestContext& c) {
  return OrganizationResponse(s, c.tenant->organization, c.tenant->role_key);
}

Result<Response> UpdateOrganization(Services& s, RequestContext& c) {
  service::UpdateOrganizationInput input;
  input.name = OptionalText(c.body, "name");
  input.slug = OptionalText(c.body, "slug");
  input.settings = OptionalObject(c.body, "settings");
  input.billing_email = NullableText(c.body, "billing_email");
  auto org = s.organizations.Update(*c.tenant, input, c.Actor());
  if (!org.ok()) return org.error();
  return OrganizationResponse(s, *org, c.tenant->role_key);
}

Result<Response> ChangePlan(Services& s, RequestContext& c) {
  auto org = s.organizations.ChangePlan(c.tenant->organization.id, Text(c.body, "plan"), c.Actor());
  if (!org.ok()) return org.error();
  return OrganizationResponse(s, *org, c.tenant->role_key);
}

Result<Response> CheckOrganizationSlug(Services& s, RequestContext& c) {
  // The path segment as typed, percent-decoded; text that does not decode is simply invalid.
  auto raw = c.Param("slug");
  auto decoded = http::PercentDecode(raw);
  std::string slug = decoded ? *decoded : std::string(raw);
  auto answer = s.organizations.CheckSlug(slug);
  if (!answer.ok()) return answer.error();
  auto or_null = [](const std::string& text) {
    return text.empty() ? nlohmann::json(nullptr) : nlohmann::json(text);
  };
  return JsonResponse({{"slug", slug},
                       {"available", answer->available},
                       {"reason", or_null(answer->reason)},
                       {"detail", or_null(answer->detail)}});
}

Result<Response> GetFeatures(Services& s, RequestContext& c) {
  auto entitlements = service::OrganizationEntitlements(s.env, c.tenant->organization);
  nlohmann::json limits = nlohmann::json::object();
  for (const auto& [name, value] : entitlements->limits) limits[name] = value;
  // What the operator grants above the plan, so a tenant can tell it from the plan's.
  auto overrides = core::OverridesFromJson(c.tenant->organization.entitlement_overrides);
  return JsonResponse({{"plan", c.tenant->organization.plan},
                       {"features", entitlements->features},
                       {"limits", limits},
                       {"overrides", core::OverridesToJson(overrides)}});
}

Result<Response> DeleteOrganization(Services& s, RequestContext& c) {
  BULKHEAD_TRY(s.organizations.Delete(*c.tenant, Text(c.body, "confirm"), c.Actor()));
  return NoContent();
}

}  // namespace bulkhead::api
