#include "api/return_to.hpp"
#include "core/text.hpp"

#include <gtest/gtest.h>

namespace bulkhead::api {
namespace {

TEST(ReturnToTest, AcceptsTheAuthorizeEndpointAndTheConsole) {
  const std::string authorize =
      "/oauth2/authorize?response_type=code&client_id=abc&redirect_uri=https%3A%2F%2Fapp."
      "example%2Fcb&state=x%20y";
  EXPECT_EQ(SanitizeReturnTo(authorize), authorize);
  EXPECT_EQ(SanitizeReturnTo("/console/"), "/console/");
  EXPECT_EQ(SanitizeReturnTo("/console/organizations/acme?tab=members"),
            "/console/organizations/acme?tab=members");
}

TEST(ReturnToTest, RefusesOtherSitesAndOtherPaths) {
  for (const char* bad : {
           "",
           "//evil",
           "//evil.example/oauth2/authorize?x",
           "/\\evil",
           "\\\\evil",
           "https://evil",
           "https://evil/oauth2/authorize?",
           "http:/evil",
           "javascript:alert(1)",
           "/oauth2/authorize@evil",
           "/oauth2/authorize",
           "/oauth2/authorizex?a=1",
           "/oauth2/token?a=1",
           "/console",
           "/consolex/",
           "/api/v1/user",
           "/login?return_to=x",
           "oauth2/authorize?a=1",
           " /console/",
           "/console/ ",
           "/console/\t",
           "/console/a\\b",
           "/oauth2/authorize?a=\\evil",
           "/console/#x",
           "/oauth2/authorize?#x",
           "/console/\r\nSet-Cookie:x=y",
           "/console/caf\xC3\xA9",
       }) {
    EXPECT_EQ(SanitizeReturnTo(bad), std::nullopt) << bad;
  }
}

TEST(ReturnToTest, RefusesDotAndEmptySegmentsUnderTheConsole) {
  for (const char* bad : {"/console//evil", "/console/../login", "/console/./x",
                          "/console/a/../../evil", "/console/..", "/console/a//b"}) {
    EXPECT_EQ(SanitizeReturnTo(bad), std::nullopt) << bad;
  }
}

TEST(ReturnToTest, RefusesEncodedVariants) {
  // The value arrives decoded once (from the form or query); what stays encoded must not turn
  // into a separator when a browser or a proxy decodes it again.
  for (const char* bad : {"%2F%2Fevil", "/%2Fevil", "/%5Cevil", "/console/%2F%2Fevil",
                          "/console/%2e%2e/login", "/console/%2E%2E%2Flogin", "/console%2F..%2F",
                          "/oauth2%2Fauthorize?a=1", "%2Foauth2%2Fauthorize%3Fa%3D1"}) {
    EXPECT_EQ(SanitizeReturnTo(bad), std::nullopt) << bad;
  }
}

TEST(ReturnToTest, RefusesOverlongValues) {
  std::string url = "/oauth2/authorize?state=" + std::string(kMaxReturnTo, 'a');
  EXPECT_EQ(SanitizeReturnTo(url), std::nullopt);
}

TEST(ReturnToTest, PromptIsStrippedAndTheRestKeptByteForByte) {
  EXPECT_EQ(WithoutPrompt("/oauth2/authorize?client_id=a&prompt=login&state=x%20y"),
            "/oauth2/authorize?client_id=a&state=x%20y");
  EXPECT_EQ(WithoutPrompt("/oauth2/authorize?prompt=select_account&client_id=a"),
            "/oauth2/authorize?client_id=a");
  EXPECT_EQ(WithoutPrompt("/oauth2/authorize?client_id=a&prompt=login"),
            "/oauth2/authorize?client_id=a");
  // Every prompt, however spelled: an encoded name is still the parameter.
  EXPECT_EQ(WithoutPrompt("/oauth2/authorize?prompt=login&pr%6Fmpt=login&prompt&a=1"),
            "/oauth2/authorize?a=1");
  EXPECT_EQ(WithoutPrompt("/oauth2/authorize?prompts=1&xprompt=2"),
            "/oauth2/authorize?prompts=1&xprompt=2");
  EXPECT_EQ(WithoutPrompt("/console/"), "/console/");
  EXPECT_EQ(WithoutPrompt("/console/?prompt=login"), "/console/");
}

TEST(ReturnToTest, APickSetsOrReplacesTheOrganization) {
  EXPECT_EQ(WithOrganization("/oauth2/authorize?client_id=a", "0190-id"),
            "/oauth2/authorize?client_id=a&organization=0190-id");
  EXPECT_EQ(
      WithOrganization("/oauth2/authorize?organization=acme&client_id=a&organization=b", "0190-id"),
      "/oauth2/authorize?client_id=a&organization=0190-id");
  EXPECT_EQ(WithOrganization("/console/", "x y"), "/console/?organization=x%20y");
}

TEST(ReturnToTest, ReadsAQueryValue) {
  EXPECT_EQ(UrlQueryValue("/oauth2/authorize?a=1&organization=ac%6De", "organization"), "acme");
  EXPECT_EQ(UrlQueryValue("/oauth2/authorize?a=1", "organization"), std::nullopt);
  EXPECT_EQ(UrlQueryValue("/console/", "organization"), std::nullopt);
}

TEST(ReturnToTest, PercentEncodesEverythingButUnreserved) {
  EXPECT_EQ(core::PercentEncode("/oauth2/authorize?a=1&b=x y"),
            "%2Foauth2%2Fauthorize%3Fa%3D1%26b%3Dx%20y");
  EXPECT_EQ(core::PercentEncode("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(core::PercentEncode("\xC3\xA9"), "%C3%A9");
}

}  // namespace
}  // namespace bulkhead::api
