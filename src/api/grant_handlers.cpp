// Sharing grants (docs/sharing.md). The rules are service::GrantService's; these parse, call
// it and render. Shared resources render exactly as the resource routes render them.

#include "api/grant_handlers.hpp"

#include "api/body.hpp"
#include "api/render.hpp"
#include "core/resource.hpp"
#include "core/time.hpp"
#include "http/query.hpp"
#include "service/grant_service.hpp"

namespace bulkhead::api {
namespace {

constexpr std::string_view kGrantsCursor = "grants";
constexpr std::string_view kIncomingGrantsCursor = "incoming-grants";
constexpr std::string_view kSharedResourcesCursor = "shared-resources";

nlohmann::json TimeOrNull(const std::optional<int64_t>& unix_ms) {
  return unix_ms ? nlohmann::json(core::FormatRfc3339(*unix_ms)) : nlohmann::json(nullptr);
}

nlohmann::json OrganizationRef(const store::OrganizationRecord& org) {
  return {{"id", org.id}, {"slug", org.slug}, {"name", org.name}};
}

nlohmann::json MembersJson(const std::string& members) {
  if (members == "all") return "all";
  auto ids = nlohmann::json::parse(members, nullptr, /*allow_exceptions=*/false);
  return ids.is_array() ? ids : nlohmann::json::array();
}

nlohmann::json GrantJson(const service::GrantView& v) {
  const auto& g = v.grant;
  return {{"id", g.id},
          {"organization", OrganizationRef(v.organization)},
          {"target_organization", OrganizationRef(v.target_organization)},
          {"workspace_id", g.workspace_id},
          {"resource_id", g.resource_id ? nlohmann::json(*g.resource_id) : nlohmann::json()},
          {"level", g.level},
          {"status", g.status},
          {"members", MembersJson(g.members)},
          {"expires_at", TimeOrNull(g.expires_at)},
          {"created_at", core::FormatRfc3339(g.created_at)},
          {"responded_at", TimeOrNull(g.responded_at)},
          {"revoked_at", TimeOrNull(g.revoked_at)}};
}

nlohmann::json SharedGrantJson(const service::GrantView& v) {
  const auto& g = v.grant;
  return {{"id", g.id},
          {"organization", OrganizationRef(v.organization)},
          {"workspace_id", g.workspace_id},
          {"resource_id", g.resource_id ? nlohmann::json(*g.resource_id) : nlohmann::json()},
          {"level", g.level},
          {"expires_at", TimeOrNull(g.expires_at)}};
}

Response GrantPageResponse(const service::GrantPage& page, std::string_view cursor_kind) {
  nlohmann::json data = nlohmann::json::array();
  for (const auto& v : page.grants) data.push_back(GrantJson(v));
  nlohmann::json next = nullptr;
  if (page.more) next = EncodeCursor(cursor_kind, page.grants.back().grant.id);
  return JsonResponse({{"data", data}, {"next_cursor", next}});
}

Response SharedResourceResponse(const store::ResourceRecord& r) {
  std::string body;
  body.reserve(256 + r.labels.size() + r.spec.size());
  AppendResourceJson(body, r);
  return RawJsonResponse(std::move(body));
}

service::GrantService& Grants(Services& s) {
  return *s.grants;
}

std::string GrantId(RequestContext& c) {
  return std::string(c.Param("grant_id"));
}

}  // namespace

Result<Response> OfferGrant(Services& s, RequestContext& c) {
  service::OfferGrantInput input{.target_organization = Text(c.body, "target_organization"),
                                 .workspace_id = OptionalText(c.body, "workspace_id"),
                                 .resource_id = OptionalText(c.body, "resource_id"),
                                 .level = Text(c.body, "level"),
                                 .expires_at = OptionalText(c.body, "expires_at")};
  auto grant = Grants(s).Offer(*c.tenant, *c.principal, input, c.Actor());
  if (!grant.ok()) return grant.error();
  return JsonResponse(GrantJson(*grant));
}

Result<Response> ListGrants(Services& s, RequestContext& c) {
  auto page = ReadPage(c.request, kGrantsCursor);
  if (!page.ok()) return page.error();
  auto listed = Grants(s).ListGiven(*c.tenant, page->cursor, page->limit);
  if (!listed.ok()) return listed.error();
  return GrantPageResponse(*listed, kGrantsCursor);
}

Result<Response> GetGrant(Services& s, RequestContext& c) {
  auto grant = Grants(s).GetGiven(*c.tenant, std::string(c.Param("id")));
  if (!grant.ok()) return grant.error();
  return JsonResponse(GrantJson(*grant));
}

Result<Response> RevokeGrant(Services& s, RequestContext& c) {
  BULKHEAD_TRY(Grants(s).Revoke(*c.tenant, std::string(c.Param("id")), c.Actor()));
  return NoContent();
}

Result<Response> ListIncomingGrants(Services& s, RequestContext& c) {
  auto page = ReadPage(c.request, kIncomingGrantsCursor);
  if (!page.ok()) return page.error();
  auto listed = Grants(s).ListIncoming(*c.tenant, page->cursor, page->limit);
  if (!listed.ok()) return listed.error();
  return GrantPageResponse(*listed, kIncomingGrantsCursor);
}

Result<Response> AcceptGrant(Services& s, RequestContext& c) {
  std::optional<nlohmann::json> members;
  if (c.body.is_object()) {
    if (auto it = c.body.find("members"); it != c.body.end()) members = *it;
  }
  auto grant = Grants(s).Accept(*c.tenant, std::string(c.Param("id")), members, c.Actor());
  if (!grant.ok()) return grant.error();
  return JsonResponse(GrantJson(*grant));
}

Result<Response> DeclineGrant(Services& s, RequestContext& c) {
  auto grant = Grants(s).Decline(*c.tenant, std::string(c.Param("id")), c.Actor());
  if (!grant.ok()) return grant.error();
  return JsonResponse(GrantJson(*grant));
}

Result<Response> ListSharedGrants(Services& s, RequestContext& c) {
  auto shared = Grants(s).ListShared(*c.tenant, *c.principal);
  if (!shared.ok()) return shared.error();
  nlohmann::json data = nlohmann::json::array();
  for (const auto& v : *shared) data.push_back(SharedGrantJson(v));
  return JsonResponse({{"data", data}, {"next_cursor", nullptr}});
}

Result<Response> ListSharedResources(Services& s, RequestContext& c) {
  auto page = ReadPage(c.request, kSharedResourcesCursor);
  if (!page.ok()) return page.error();
  auto filter = ReadResourceFilter(c.request);
  if (!filter.ok()) return filter.error();
  auto listed = Grants(s).ListSharedResources(*c.tenant, *c.principal, c.Actor(), GrantId(c),
                                              *filter, page->cursor, page->limit);
  if (!listed.ok()) return listed.error();
  std::string body = "{\"data\":[";
  body.reserve(512 * (listed->resources.size() + 1));
  for (const auto& r : listed->resources) {
    if (body.back() != '[') body += ',';
    AppendResourceJson(body, r);
  }
  body += "],\"next_cursor\":";
  body +=
      listed->more
          ? nlohmann::json(EncodeCursor(kSharedResourcesCursor, listed->resources.back().id)).dump()
          : "null";
  body += '}';
  return RawJsonResponse(std::move(body));
}

Result<Response> CreateSharedResource(Services& s, RequestContext& c) {
  auto input = ReadCreateResourceInput(c.body);
  auto resource =
      Grants(s).CreateSharedResource(*c.tenant, *c.principal, c.Actor(), GrantId(c), input);
  if (!resource.ok()) return resource.error();
  return SharedResourceResponse(*resource);
}

Result<Response> GetSharedResource(Services& s, RequestContext& c) {
  auto resource = Grants(s).GetSharedResource(*c.tenant, *c.principal, c.Actor(), GrantId(c),
                                              std::string(c.Param("id")));
  if (!resource.ok()) return resource.error();
  return SharedResourceResponse(*resource);
}

Result<Response> UpdateSharedResource(Services& s, RequestContext& c) {
  auto input = ReadUpdateResourceInput(c.body);
  auto resource = Grants(s).UpdateSharedResource(*c.tenant, *c.principal, c.Actor(), GrantId(c),
                                                 std::string(c.Param("id")), input);
  if (!resource.ok()) return resource.error();
  return SharedResourceResponse(*resource);
}

Result<Response> DeleteSharedResource(Services& s, RequestContext& c) {
  BULKHEAD_TRY(Grants(s).DeleteSharedResource(*c.tenant, *c.principal, c.Actor(), GrantId(c),
                                              std::string(c.Param("id"))));
  return NoContent();
}

}  // namespace bulkhead::api
