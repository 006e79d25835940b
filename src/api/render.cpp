#include "api/render.hpp"

#include "core/time.hpp"

namespace bulkhead::api {

nlohmann::json UserJson(const store::UserRecord& user) {
  return {{"id", user.id},
          {"email", user.email},
          {"name", user.name},
          {"created_at", core::FormatRfc3339(user.created_at)},
          {"email_verified", user.email_verified_at.has_value()}};
}

nlohmann::json AuditEventJson(const store::AuditEventRecord& e) {
  auto details = nlohmann::json::parse(e.details, nullptr, false);
  if (details.is_discarded()) details = nlohmann::json::object();
  return {{"id", e.id},
          {"ts", core::FormatRfc3339(e.ts)},
          {"actor", {{"type", e.actor_type}, {"id", e.actor_id}}},
          {"action", e.action},
          {"target", {{"type", e.target_type}, {"id", e.target_id}}},
          {"request_id", e.request_id},
          {"details", details}};
}

http::Response JsonResponse(int status, const nlohmann::json& body) {
  http::Response response;
  response.status = status;
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

http::Response JsonResponse(const nlohmann::json& body) {
  http::Response response;
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

http::Response RawJsonResponse(std::string body) {
  http::Response response;
  response.body = std::move(body);
  return response;
}

http::Response NoContent() {
  http::Response response;
  response.content_type.clear();
  return response;
}

}  // namespace bulkhead::api
