#include "api/body.hpp"
#include "api/handlers.hpp"
#include "api/render.hpp"
#include "core/time.hpp"
#include "http/query.hpp"

namespace bulkhead::api {
namespace {

nlohmann::json SecretJson(const service::SecretView& s) {
  nlohmann::json out = service::SecretMetadataJson(s.record);
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
  constexpr std::string_view kCursor = "secrets";  // payload: the last secret's name
  auto page = ReadPage(c.request, kCursor);
  if (!page.ok()) return page.error();
  auto listed = s.secrets->List(*c.tenant, *c.workspace, page->cursor, page->limit);
  if (!listed.ok()) return listed.error();
  nlohmann::json data = nlohmann::json::array();
  for (const auto& secret : listed->secrets) data.push_back(SecretJson(secret));
  nlohmann::json next = nullptr;
  if (listed->more) next = EncodeCursor(kCursor, listed->secrets.back().record.name);
  return JsonResponse({{"data", data}, {"next_cursor", next}});
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
