// SCIM's error bodies (RFC 7644 §3.12): every error a use case returns becomes one, with the
// status SCIM expects and its scimType.

#include "api/scim_handlers.hpp"

#include <gtest/gtest.h>

#include "core/scim_filter.hpp"

namespace bulkhead::api {
namespace {

nlohmann::json BodyOf(const Response& response) {
  return nlohmann::json::parse(response.body);
}

TEST(ScimErrorResponse, ScimBadRequestsAre400WithTheirScimType) {
  auto response = ScimErrorResponse(core::scim::ScimError("invalidFilter", "ends too early"));
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(response.content_type, "application/scim+json");
  auto body = BodyOf(response);
  EXPECT_EQ(body["schemas"],
            nlohmann::json::array({"urn:ietf:params:scim:api:messages:2.0:Error"}));
  EXPECT_EQ(body["status"], "400");  // a string, as the RFC's examples have it
  EXPECT_EQ(body["scimType"], "invalidFilter");
  EXPECT_EQ(body["detail"], "ends too early");
}

TEST(ScimErrorResponse, OtherValidationErrorsAreInvalidValue) {
  auto response = ScimErrorResponse(core::Error::Validation("name", "is too long"));
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(BodyOf(response)["scimType"], "invalidValue");
}

TEST(ScimErrorResponse, UniquenessIs409) {
  core::Error conflict = core::Error::Make(core::ErrorCode::kConflict, "taken");
  conflict.fields.push_back({"uniqueness", "taken"});
  auto response = ScimErrorResponse(conflict);
  EXPECT_EQ(response.status, 409);
  EXPECT_EQ(BodyOf(response)["scimType"], "uniqueness");
}

TEST(ScimErrorResponse, StatusesWithoutScimType) {
  struct Case {
    core::Error error;
    int status;
  };
  for (const auto& c : std::vector<Case>{
           {core::Error::NotFound("user"), 404},
           {core::Error::Make(core::ErrorCode::kUnauthenticated, "no"), 401},
           {core::Error::Forbidden("owner"), 403},
           {core::Error::Make(core::ErrorCode::kFeatureNotEnabled, "sso"), 403},
           {core::Error::Make(core::ErrorCode::kUnsupportedMediaType, "type"), 415},
       }) {
    auto response = ScimErrorResponse(c.error);
    EXPECT_EQ(response.status, c.status) << c.error.message;
    auto body = BodyOf(response);
    EXPECT_EQ(body["status"], std::to_string(c.status));
    EXPECT_FALSE(body.contains("scimType")) << c.error.message;
  }
  auto unauthenticated =
      ScimErrorResponse(core::Error::Make(core::ErrorCode::kUnauthenticated, "no"));
  bool challenged = false;
  for (const auto& h : unauthenticated.headers) challenged |= h.name == "WWW-Authenticate";
  EXPECT_TRUE(challenged);
}

TEST(ScimErrorResponse, ServerErrorsKeepTheirCauseToThemselves) {
  auto response = ScimErrorResponse(core::Error::Internal("disk I/O error at /var/lib/x"));
  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(BodyOf(response)["detail"], "internal error");
}

}  // namespace
}  // namespace bulkhead::api
