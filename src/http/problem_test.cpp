#include "http/problem.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "http/pipeline.hpp"

namespace bulkhead::http {
namespace {

using core::Error;
using core::ErrorCode;

TEST(ProblemResponse, AddsTheErrorsExtraMembersWithoutReplacingItsOwn) {
  Error e = Error::Make(ErrorCode::kSsoRequired, "use your identity provider");
  e.extra_members = R"({"connections": [{"connection_id": "c1"}], "status": 200})";
  auto body = nlohmann::json::parse(ProblemResponse(e, "req-1").body);
  EXPECT_EQ(body["code"], "sso_required");
  EXPECT_EQ(body["status"], 403);
  EXPECT_EQ(body["connections"][0]["connection_id"], "c1");
}

TEST(ErrorMapping, MapsEveryCodeOfTheContract) {
  struct Case {
    ErrorCode code;
    int status;
    std::string_view problem;
  };
  const Case cases[] = {
      {ErrorCode::kMalformedJson, 400, "malformed_json"},
      {ErrorCode::kTenantRequired, 400, "tenant_required"},
      {ErrorCode::kTenantConflict, 400, "tenant_conflict"},
      {ErrorCode::kUnauthenticated, 401, "unauthenticated"},
      {ErrorCode::kForbidden, 403, "forbidden"},
      {ErrorCode::kOrganizationSuspended, 403, "organization_suspended"},
      {ErrorCode::kPersonalOrganization, 403, "personal_organization"},
      {ErrorCode::kFeatureNotEnabled, 403, "feature_not_enabled"},
      {ErrorCode::kNotFound, 404, "not_found"},
      {ErrorCode::kOrganizationNotFound, 404, "organization_not_found"},
      {ErrorCode::kInvitationUnusable, 410, "invitation_unusable"},
      {ErrorCode::kTokenUnusable, 410, "token_unusable"},
      {ErrorCode::kWrongPassword, 403, "wrong_password"},
      {ErrorCode::kEmailUnverified, 403, "email_unverified"},
      {ErrorCode::kSlugTaken, 409, "slug_taken"},
      {ErrorCode::kEmailTaken, 409, "email_taken"},
      {ErrorCode::kLastOwner, 409, "last_owner"},
      {ErrorCode::kAlreadyMember, 409, "already_member"},
      {ErrorCode::kLimitReached, 409, "limit_reached"},
      {ErrorCode::kDomainTaken, 409, "domain_taken"},
      {ErrorCode::kNameTaken, 409, "name_taken"},
      {ErrorCode::kSecretUnreadable, 409, "secret_unreadable"},
      {ErrorCode::kRoleInUse, 409, "role_in_use"},
      {ErrorCode::kIntegrationInUse, 409, "integration_in_use"},
      {ErrorCode::kBodyTooLarge, 413, "body_too_large"},
      {ErrorCode::kValidationFailed, 422, "validation_failed"},
      {ErrorCode::kVerificationFailed, 422, "verification_failed"},
      {ErrorCode::kDomainNotVerified, 422, "domain_not_verified"},
      {ErrorCode::kSsoRequired, 403, "sso_required"},
      {ErrorCode::kRateLimited, 429, "rate_limited"},
      {ErrorCode::kInternal, 500, "internal"},
      // The server's own refusals, before a request reaches a route.
      {ErrorCode::kMalformedRequest, 400, "malformed_request"},
      {ErrorCode::kHeadersTooLarge, 431, "headers_too_large"},
      {ErrorCode::kServerBusy, 503, "server_busy"},
      {ErrorCode::kTooManyConnections, 503, "too_many_connections"},
      {ErrorCode::kConsoleNotBuilt, 503, "console_not_built"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(StatusOf(c.code), c.status) << c.problem;
    EXPECT_EQ(ProblemCode(c.code), c.problem);
  }
}

TEST(ProblemResponse, TheServersRefusalsSayWhyButInternalErrorsDoNot) {
  auto busy = nlohmann::json::parse(
      ProblemResponse(Error::Make(ErrorCode::kServerBusy, "the server is busy; retry later"), "r")
          .body);
  EXPECT_EQ(busy["title"], "Service unavailable");
  EXPECT_EQ(busy["detail"], "the server is busy; retry later");
  auto headers = nlohmann::json::parse(
      ProblemResponse(Error::Make(ErrorCode::kHeadersTooLarge, "too many header fields"), "r")
          .body);
  EXPECT_EQ(headers["title"], "Headers too large");
  EXPECT_EQ(headers["detail"], "too many header fields");
  auto internal = nlohmann::json::parse(ProblemResponse(Error::Internal("disk on fire"), "r").body);
  EXPECT_EQ(internal["detail"], "internal error");
}

TEST(ProblemResponse, RendersRfc9457WithFieldErrors) {
  Error e = Error::Validation("slug", "must be 3-63 characters");
  auto response = ProblemResponse(e, "req-1");
  EXPECT_EQ(response.status, 422);
  EXPECT_EQ(response.content_type, "application/problem+json");
  auto body = nlohmann::json::parse(response.body);
  EXPECT_EQ(body["type"], "https://bulkhead.dev/problems/validation_failed");
  EXPECT_EQ(body["title"], "Validation failed");
  EXPECT_EQ(body["status"], 422);
  EXPECT_EQ(body["code"], "validation_failed");
  EXPECT_EQ(body["detail"], "slug must be 3-63 characters");
  EXPECT_EQ(body["request_id"], "req-1");
  ASSERT_EQ(body["errors"].size(), 1u);
  EXPECT_EQ(body["errors"][0]["field"], "slug");
}

TEST(ProblemResponse, HidesInternalDetails) {
  auto response = ProblemResponse(Error::Internal("sqlite: disk I/O error at /secret/path"), "r");
  auto body = nlohmann::json::parse(response.body);
  EXPECT_EQ(body["status"], 500);
  EXPECT_EQ(body["detail"], "internal error");
}

TEST(ProblemResponse, RateLimitedCarriesRetryAfter) {
  Error e = Error::Make(ErrorCode::kRateLimited, "slow down");
  e.retry_after_seconds = 42;
  auto response = ProblemResponse(e, "r");
  bool found = false;
  for (const auto& h : response.headers) {
    if (h.name == "Retry-After") found = h.value == "42";
  }
  EXPECT_TRUE(found);
}

TEST(Pipeline, RequestIdIsEchoedOnlyWhenSafe) {
  Request r;
  r.headers.push_back({"X-Request-Id", "abc-123"});
  EXPECT_EQ(RequestIdFor(r), "abc-123");
  r.headers[0].value = "bad id with spaces";
  EXPECT_NE(RequestIdFor(r), "bad id with spaces");
  EXPECT_FALSE(RequestIdFor(r).empty());
}

TEST(Pipeline, CookieValueFindsTheNamedCookie) {
  EXPECT_EQ(CookieValue("a=1; bulkhead_session=tok; b=2", "bulkhead_session"), "tok");
  EXPECT_EQ(CookieValue("bulkhead_session=tok", "bulkhead_session"), "tok");
  EXPECT_EQ(CookieValue("a=1", "bulkhead_session"), "");
  EXPECT_EQ(CookieValue("", "bulkhead_session"), "");
}

}  // namespace
}  // namespace bulkhead::http
