#include "api/handlers.hpp"
#include "api/render.hpp"
#include "service/health.hpp"

namespace bulkhead::api {

Result<Response> Healthz(Services& s, RequestContext& c) {
  return JsonResponse(200, {{"status", "ok"}});
}

Result<Response> Readyz(Services& s, RequestContext& c) {
  if (!service::CheckCatalog(s.env).ok()) {
    return core::Error::Make(core::ErrorCode::kUnavailable, "the catalog database does not answer");
  }
  return JsonResponse(200, {{"status", "ready"}});
}

}  // namespace bulkhead::api
