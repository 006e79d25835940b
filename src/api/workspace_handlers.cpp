#include "api/body.hpp"
#include "api/handlers.hpp"
#include "api/render.hpp"
#include "core/time.hpp"
#include "http/query.hpp"

namespace bulkhead::api {
namespace {

constexpr std::string_view kWorkspacesCursor = "workspaces";
constexpr std::string_view kWorkspaceMembersCursor = "workspace-members";
constexpr std::string_view kResourcesCursor = "resources";

http::Response ResourceResponse(const store::ResourceRecord& r) {
  std::string body;
  body.reserve(256 + r.labels.size() + r.spec.size());
  AppendResourceJson(body, r);
  return RawJsonResponse(std::move(body));
}

nlohmann::json NextCursor(bool more, std::string_view kind, const std::string& last) {
  return more ? nlohmann::json(EncodeCursor(kind, last)) : nlohmann::json(nullptr);
}

}  // namespace

Result<Response> ListWorkspaces(Services& s, RequestContext& c) {
  auto page = ReadPage(c.request, kWorkspacesCursor);
  if (!page.ok()) return page.error();
  auto listed = s.workspaces.List(*c.tenant, *c.principal, page->cursor, page->limit);
  if (!listed.ok()) return listed.error();
  nlohmann::json data = nlohmann::json::array();
  for (const auto& w : listed->workspaces) data.push_back(WorkspaceJson(w));
  std::string last = listed->workspaces.empty() ? "" : listed->workspaces.back().id;
  return JsonResponse(
      {{"data", data}, {"next_cursor", NextCursor(listed->more, kWorkspacesCursor, last)}});
}

Result<Response> CreateWorkspace(Services& s, RequestContext& c) {
  auto workspace = s.workspaces.Create(*c.tenant, Text(c.body, "name"),
                                       OptionalText(c.body, "description"), c.Actor());
  if (!workspace.ok()) return workspace.error();
  return JsonResponse(WorkspaceJson(*workspace));
}

Result<Response> GetWorkspace(Services& s, RequestContext& c) {
  return JsonResponse(WorkspaceJson(c.workspace->workspace, c.workspace->role));
}

Result<Response> UpdateWorkspace(Services& s, RequestContext& c) {
  auto workspace = s.workspaces.Update(*c.tenant, *c.workspace, OptionalText(c.body, "name"),
                                       OptionalText(c.body, "description"), c.Actor());
  if (!workspace.ok()) return workspace.error();
  return JsonResponse(WorkspaceJson(*workspace));
}

Result<Response> DeleteWorkspace(Services& s, RequestContext& c) {
  BULKHEAD_TRY(s.workspaces.Delete(*c.tenant, *c.workspace, c.Actor()));
  return NoContent();
}

Result<Response> ListWorkspaceMembers(Services& s, RequestContext& c) {
  auto page = ReadPage(c.request, kWorkspaceMembersCursor);
  if (!page.ok()) return page.error();
  auto listed = s.workspaces.ListMembers(*c.tenant, *c.workspace, page->cursor, page->limit);
  if (!listed.ok()) return listed.error();
  nlohmann::json data = nlohmann::json::array();
  for (const auto& m : listed->members) data.push_back(WorkspaceMemberJson(m));
  std::string last = listed->members.empty() ? "" : listed->members.back().member.user_id;
  return JsonResponse(
      {{"data", data}, {"next_cursor", NextCursor(listed->more, kWorkspaceMembersCursor, last)}});
}

Result<Response> AssignWorkspaceMember(Services& s, RequestContext& c) {
  auto member = s.workspaces.Assign(*c.tenant, *c.workspace, std::string(c.Param("user_id")),
                                    Text(c.body, "role"), c.Actor());
  if (!member.ok()) return member.error();
  return JsonResponse(WorkspaceMemberJson(*member));
}

Result<Response> UnassignWorkspaceMember(Services& s, RequestContext& c) {
  BULKHEAD_TRY(
      s.workspaces.Unassign(*c.tenant, *c.workspace, std::string(c.Param("user_id")), c.Actor()));
  return NoContent();
}

Result<store::tenant::ResourceFilter> ReadResourceFilter(const Request& request) {
  auto query = http::ParseQuery(request.Query());
  if (!query) return core::Error::Validation("query", "is not a valid query string");
  store::tenant::ResourceFilter filter;
  for (const auto& [name, value] : *query) {
    if (name == "kind") {
      BULKHEAD_TRY(core::ValidateKind(value));
      filter.kind = value;
    } else if (name == "label") {
      auto selector = core::ParseLabelSelector(value);
      if (!selector.ok()) return selector.error();
      filter.labels.push_back(*selector);
    }
  }
  return filter;
}

service::CreateResourceInput ReadCreateResourceInput(const nlohmann::json& body) {
  service::CreateResourceInput input;
  input.kind = Text(body, "kind");
  input.name = Text(body, "name");
  input.labels = OptionalObject(body, "labels");
  input.spec = OptionalObject(body, "spec");
  return input;
}

service::UpdateResourceInput ReadUpdateResourceInput(const nlohmann::json& body) {
  service::UpdateResourceInput input;
  input.name = OptionalText(body, "name");
  input.labels = OptionalObject(body, "labels");
  input.spec = OptionalObject(body, "spec");
  return input;
}

Result<Response> ListResources(Services& s, RequestContext& c) {
  auto page = ReadPage(c.request, kResourcesCursor);
  if (!page.ok()) return page.error();
  auto filter = ReadResourceFilter(c.request);
  if (!filter.ok()) return filter.error();
  auto listed = s.resources.List(*c.tenant, *c.workspace, *filter, page->cursor, page->limit);
  if (!listed.ok()) return listed.error();
  std::string body = "{\"data\":[";
  body.reserve(512 * (listed->resources.size() + 1));
  for (const auto& r : listed->resources) {
    if (body.back() != '[') body += ',';
    AppendResourceJson(body, r);
  }
  std::string last = listed->resources.empty() ? "" : listed->resources.back().id;
  body += "],\"next_cursor\":";
  body += NextCursor(listed->more, kResourcesCursor, last).dump();
  body += '}';
  return RawJsonResponse(std::move(body));
}

Result<Response> CreateResource(Services& s, RequestContext& c) {
  auto input = ReadCreateResourceInput(c.body);
  auto resource = s.resources.Create(*c.tenant, *c.workspace, input, c.Actor());
  if (!resource.ok()) return resource.error();
  return ResourceResponse(*resource);
}

Result<Response> GetResource(Services& s, RequestContext& c) {
  auto resource = s.resources.Get(*c.tenant, *c.workspace, std::string(c.Param("id")));
  if (!resource.ok()) return resource.error();
  return ResourceResponse(*resource);
}

Result<Response> UpdateResource(Services& s, RequestContext& c) {
  auto input = ReadUpdateResourceInput(c.body);
  auto resource =
      s.resources.Update(*c.tenant, *c.workspace, std::string(c.Param("id")), input, c.Actor());
  if (!resource.ok()) return resource.error();
  return ResourceResponse(*resource);
}

Result<Response> DeleteResource(Services& s, RequestContext& c) {
  BULKHEAD_TRY(s.resources.Delete(*c.tenant, *c.workspace, std::string(c.Param("id")), c.Actor()));
  return NoContent();
}

}  // namespace bulkhead::api
