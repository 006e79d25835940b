#include "api/body.hpp"
#include "api/handlers.hpp"
#include "api/render.hpp"
#include "core/time.hpp"
#include "http/query.hpp"

namespace bulkhead::api {
namespace {

nlohmann::json SecretJson(const service::SecretView& s) {
  nlohmann::json out = {{"name", s.record.name},
                        {"workspace_id", s.record.workspace_id},
                        {"key_version", s.record.key_version},
                        {"created_by", s.record.created_by},
                        {"updated_by", s.record.updated_by},
                        {"created_at", core::FormatRfc3339(s.record.created_at)},
                        {"updated_at", core::FormatRfc3339(s.record.updated_at)}};
  if (s.value) out["value"] = *s.value;
  return out;
}

}  // namespace

Result<Response> PutSecret(Services& s, RequestContext& c) {
  auto secret = s.secrets->Put(*c.tenant, *c.workspace, std::string(c.Param("name")),
                               Text(c.body, "value"), c.Actor());
  if (!secret.ok()) return secret.error();
  return JsonResponse(SecretJson(*secret));
}

Result<Response> ListSecrets(Services& s, RequestContext& c) {
  auto secrets = s.secrets->List(*c.tenant, *c.workspace);
  if (!secrets.ok()) return secrets.error();
  nlohmann::json data = nlohmann::json::array();
  for (const auto& secret : *secrets) data.push_back(SecretJson(secret));
  return JsonResponse({{"data", data}, {"next_cursor", nullptr}});
}

Result<Response> GetSecret(Services& s, RequestContext& c) {
  auto params = http::ParseQuery(c.request.Query());
  if (!params) return core::Error::Validation("query", "is not a valid query string");
  bool reveal = false;
  if (auto text = http::QueryValue(*params, "reveal")) {
    if (*text != "true" && *text != "false")
      return core::Error::Validation("reveal", "must be true or false");
    reveal = *text == "true";
  }
  auto secret =
      s.secrets->Get(*c.tenant, *c.workspace, std::string(c.Param("name")), reveal, c.Actor());
  if (!secret.ok()) return secret.error();
  Response response = JsonResponse(SecretJson(*secret));
  if (reveal) response.SetHeader("Cache-Control", "no-store");
  return response;
}

Result<Response> DeleteSecret(Services& s, RequestContext& c) {
  BULKHEAD_TRY(s.secrets->Delete(*c.tenant, *c.workspace, std::string(c.Param("name")), c.Actor()));
  return NoContent();
}

}  // namespace bulkhead::api
