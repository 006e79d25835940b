// Organization integrations (service/integration_service.hpp) and their availability to
// workspaces. Members see names and kinds; callers holding organization:update also see the
// config and the workspaces; credentials only ever leave in a reveal (no-store).

#include "api/body.hpp"
#include "api/handlers.hpp"
#include "api/render.hpp"
#include "core/time.hpp"
#include "http/query.hpp"
#include "service/integration_service.hpp"

namespace bulkhead::api {
namespace {

constexpr std::string_view kIntegrationsCursor = "integrations";  // payload: the last id
constexpr std::string_view kWorkspaceIntegrationsCursor = "workspace-integrations";

bool SeesConfig(const RequestContext& c) {
  return c.tenant->Can(core::Permission::kUpdateOrganization);
}

nlohmann::json IntegrationJson(const service::IntegrationView& v, bool sees_config) {
  const auto& r = v.record;
  nlohmann::json out = {{"id", r.id},
                        {"kind", r.kind},
                        {"name", r.name},
                        {"created_at", core::FormatRfc3339(r.created_at)},
                        {"updated_at", core::FormatRfc3339(r.updated_at)}};
  if (!sees_config) return out;
  out["config"] = nlohmann::json::parse(r.config, nullptr, false);
  nlohmann::json workspaces = nlohmann::json::array();
  for (const auto& w : v.workspaces) {
    workspaces.push_back(
        {{"id", w.id}, {"name", w.name}, {"added_at", core::FormatRfc3339(w.added_at)}});
  }
  out["workspaces"] = std::move(workspaces);
  if (v.credentials) out["credentials"] = *v.credentials;
  return out;
}

nlohmann::json WorkspaceIntegrationJson(const store::WorkspaceIntegrationRecord& r) {
  return {{"id", r.integration_id},
          {"kind", r.kind},
          {"name", r.name},
          {"workspace_id", r.workspace_id},
          {"added_at", core::FormatRfc3339(r.created_at)}};
}

nlohmann::json NextCursor(bool more, std::string_view kind, const std::string& last) {
  return more ? nlohmann::json(EncodeCursor(kind, last)) : nlohmann::json(nullptr);
}

}  // namespace

Result<Response> ListIntegrations(Services& s, RequestContext& c) {
  auto page = ReadPage(c.request, kIntegrationsCursor);
  if (!page.ok()) return page.error();
  auto listed = s.integrations->List(*c.tenant, page->cursor, page->limit);
  if (!listed.ok()) return listed.error();
  bool sees_config = SeesConfig(c);
  nlohmann::json data = nlohmann::json::array();
  for (const auto& v : listed->integrations) data.push_back(IntegrationJson(v, sees_config));
  std::string last = listed->integrations.empty() ? "" : listed->integrations.back().record.id;
  return JsonResponse(
      {{"data", data}, {"next_cursor", NextCursor(listed->more, kIntegrationsCursor, last)}});
}

Result<Response> CreateIntegration(Services& s, RequestContext& c) {
  service::CreateIntegrationInput input{
      .kind = Text(c.body, "kind"),
      .name = Text(c.body, "name"),
      .config = OptionalObject(c.body, "config").value_or(nlohmann::json::object()),
      .credentials = OptionalObject(c.body, "credentials").value_or(nlohmann::json::object())};
  auto created = s.integrations->Create(*c.tenant, input, c.Actor());
  if (!created.ok()) return created.error();
  return JsonResponse(IntegrationJson(*created, true));
}

Result<Response> GetIntegration(Services& s, RequestContext& c) {
  auto params = http::ParseQuery(c.request.Query());
  if (!params) return core::Error::Validation("query", "is not a valid query string");
  bool reveal = false;
  if (auto text = http::QueryValue(*params, "reveal")) {
    if (*text != "true" && *text != "false")
      return core::Error::Validation("reveal", "must be true or false");
    reveal = *text == "true";
  }
  auto found = s.integrations->Get(*c.tenant, std::string(c.Param("id")), reveal, c.Actor());
  if (!found.ok()) return found.error();
  Response response = JsonResponse(IntegrationJson(*found, SeesConfig(c)));
  if (reveal) response.SetHeader("Cache-Control", "no-store");
  return response;
}

Result<Response> UpdateIntegration(Services& s, RequestContext& c) {
  service::UpdateIntegrationInput input{.name = OptionalText(c.body, "name"),
                                        .config = OptionalObject(c.body, "config"),
                                        .credentials = OptionalObject(c.body, "credentials")};
  auto updated = s.integrations->Update(*c.tenant, std::string(c.Param("id")), input, c.Actor());
  if (!updated.ok()) return updated.error();
  return JsonResponse(IntegrationJson(*updated, true));
}

Result<Response> DeleteIntegration(Services& s, RequestContext& c) {
  BULKHEAD_TRY(s.integrations->Delete(*c.tenant, std::string(c.Param("id")), c.Actor()));
  return NoContent();
}

Result<Response> ListWorkspaceIntegrations(Services& s, RequestContext& c) {
  auto page = ReadPage(c.request, kWorkspaceIntegrationsCursor);
  if (!page.ok()) return page.error();
  auto listed =
      s.integrations->ListForWorkspace(*c.tenant, *c.workspace, page->cursor, page->limit);
  if (!listed.ok()) return listed.error();
  nlohmann::json data = nlohmann::json::array();
  for (const auto& r : listed->integrations) data.push_back(WorkspaceIntegrationJson(r));
  std::string last = listed->integrations.empty() ? "" : listed->integrations.back().integration_id;
  return JsonResponse(
      {{"data", data},
       {"next_cursor", NextCursor(listed->more, kWorkspaceIntegrationsCursor, last)}});
}

Result<Response> AddWorkspaceIntegration(Services& s, RequestContext& c) {
  bool created = false;
  auto linked = s.integrations->Link(*c.tenant, *c.workspace, std::string(c.Param("id")), c.Actor(),
                                     &created);
  if (!linked.ok()) return linked.error();
  return JsonResponse(created ? 201 : 200, WorkspaceIntegrationJson(*linked));
}

Result<Response> RemoveWorkspaceIntegration(Services& s, RequestContext& c) {
  BULKHEAD_TRY(
      s.integrations->Unlink(*c.tenant, *c.workspace, std::string(c.Param("id")), c.Actor()));
  return NoContent();
}

}  // namespace bulkhead::api
