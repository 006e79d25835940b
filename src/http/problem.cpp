#include "http/problem.hpp"

#include <nlohmann/json.hpp>

namespace bulkhead::http {

using core::ErrorCode;

namespace {
struct Mapping {
  int status;
  std::string_view code;
  std::string_view title;
  // The server's own refusals say why (a limit, a full queue); other server errors keep
  // their cause in the server log and give the caller a stable, safe message.
  bool detail_shown = true;
};

Mapping MappingOf(ErrorCode code) {
  switch (code) {
    case ErrorCode::kMalformedJson: return {400, "malformed_json", "Malformed JSON"};
    case ErrorCode::kMalformedRequest: return {400, "malformed_request", "Malformed request"};
    case ErrorCode::kTenantRequired: return {400, "tenant_required", "Organization required"};
    case ErrorCode::kTenantConflict: return {400, "tenant_conflict", "Conflicting organizations"};
    case ErrorCode::kUnauthenticated: return {401, "unauthenticated", "Unauthenticated"};
    case ErrorCode::kForbidden: return {403, "forbidden", "Forbidden"};
    case ErrorCode::kOrganizationSuspended:
      return {403, "organization_suspended", "Organization suspended"};
    case ErrorCode::kPersonalOrganization:
      return {403, "personal_organization", "Personal organization"};
    case ErrorCode::kNotFound: return {404, "not_found", "Not found"};
    case ErrorCode::kOrganizationNotFound:
      return {404, "organization_not_found", "Organization not found"};
    case ErrorCode::kMethodNotAllowed: return {405, "method_not_allowed", "Method not allowed"};
    case ErrorCode::kSlugTaken: return {409, "slug_taken", "Slug taken"};
    case ErrorCode::kEmailTaken: return {409, "email_taken", "Email taken"};
    case ErrorCode::kLastOwner: return {409, "last_owner", "Last owner"};
    case ErrorCode::kAlreadyMember: return {409, "already_member", "Already a member"};
    case ErrorCode::kInvitationUnusable: return {410, "invitation_unusable", "Invitation unusable"};
    case ErrorCode::kTokenUnusable: return {410, "token_unusable", "Link unusable"};
    case ErrorCode::kWrongPassword: return {403, "wrong_password", "Wrong password"};
    case ErrorCode::kEmailUnverified: return {403, "email_unverified", "Email unverified"};
    case ErrorCode::kFeatureNotEnabled: return {403, "feature_not_enabled", "Feature not enabled"};
    case ErrorCode::kSsoRequired: return {403, "sso_required", "Single sign-on required"};
    case ErrorCode::kLimitReached: return {409, "limit_reached", "Limit reached"};
    case ErrorCode::kNameTaken: return {409, "name_taken", "Name taken"};
    case ErrorCode::kDomainTaken: return {409, "domain_taken", "Domain taken"};
    case ErrorCode::kConflict: return {409, "conflict", "Conflict"};
    case ErrorCode::kRoleInUse: return {409, "role_in_use", "Role in use"};
    case ErrorCode::kSecretUnreadable: return {409, "secret_unreadable", "Secret unreadable"};
    case ErrorCode::kIntegrationInUse: return {409, "integration_in_use", "Integration in use"};
    case ErrorCode::kBodyTooLarge: return {413, "body_too_large", "Body too large"};
    case ErrorCode::kUnsupportedMediaType:
      return {415, "unsupported_media_type", "Unsupported media type"};
    case ErrorCode::kValidationFailed: return {422, "validation_failed", "Validation failed"};
    case ErrorCode::kVerificationFailed: return {422, "verification_failed", "Verification failed"};
    case ErrorCode::kDomainNotVerified: return {422, "domain_not_verified", "Domain not verified"};
    case ErrorCode::kRateLimited: return {429, "rate_limited", "Too many requests"};
    case ErrorCode::kHeadersTooLarge: return {431, "headers_too_large", "Headers too large"};
    case ErrorCode::kInternal: return {500, "internal", "Internal error", false};
    case ErrorCode::kUnavailable: return {503, "unavailable", "Service unavailable", false};
    case ErrorCode::kServerBusy: return {503, "server_busy", "Service unavailable"};
    case ErrorCode::kTooManyConnections:
      return {503, "too_many_connections", "Service unavailable"};
    case ErrorCode::kConsoleNotBuilt: return {503, "console_not_built", "Console not built"};
  }
  return {500, "internal", "Internal error", false};
}
}  // namespace

int StatusOf(ErrorCode code) {
  return MappingOf(code).status;
}
std::string_view ProblemCode(ErrorCode code) {
  return MappingOf(code).code;
}
std::string_view ProblemTitle(ErrorCode code) {
  return MappingOf(code).title;
}
bool IsServerError(ErrorCode code) {
  return MappingOf(code).status >= 500;
}
bool IsSuccess(int status) {
  return status >= 200 && status < 300;
}

namespace {
Response ProblemResponse(int status, std::string_view code, std::string_view title,
                         std::string_view detail, std::string_view request_id) {
  nlohmann::json body = {{"type", "https://bulkhead.dev/problems/" + std::string(code)},
                         {"title", title},
                         {"status", status},
                         {"code", code},
                         {"detail", detail},
                         {"request_id", request_id}};
  Response response;
  response.status = status;
  response.content_type = "application/problem+json";
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}
}  // namespace

Response ProblemResponse(const core::Error& error, std::string_view request_id) {
  auto m = MappingOf(error.code);
  // Internal details stay in the server log; the caller gets a stable, safe message.
  std::string_view detail = m.detail_shown ? std::string_view(error.message) : "internal error";
  Response response = ProblemResponse(m.status, m.code, m.title, detail, request_id);
  if (!error.fields.empty() || error.limit || !error.extra_members.empty()) {
    auto body = nlohmann::json::parse(response.body);
    auto extra = nlohmann::json::parse(error.extra_members, nullptr, false);
    if (extra.is_object()) {
      for (const auto& [key, value] : extra.items()) {
        if (!body.contains(key)) body[key] = value;
      }
    }
    if (!error.fields.empty()) {
      auto& errors = body["errors"] = nlohmann::json::array();
      for (const auto& f : error.fields)
        errors.push_back({{"field", f.field}, {"message", f.message}});
    }
    if (error.limit) {
      body["limit"] = error.limit->name;
      body["maximum"] = error.limit->maximum;
      body["current"] = error.limit->current;
    }
    response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  if (error.code == ErrorCode::kRateLimited && error.retry_after_seconds > 0) {
    response.SetHeader("Retry-After", std::to_string(error.retry_after_seconds));
  }
  return response;
}

}  // namespace bulkhead::http
