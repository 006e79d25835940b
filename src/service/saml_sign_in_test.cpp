// SamlClaims on attribute sets shaped as Entra ID, Okta and Google Workspace send them (the
// names are those of their documentation and default claim sets, written out here).

#include "service/saml_sign_in.hpp"

#include <gtest/gtest.h>

namespace bulkhead::service {
namespace {

crypto::SamlAssertion Assertion(std::string name_id, std::string format,
                                std::vector<crypto::SamlAttribute> attributes) {
  crypto::SamlAssertion a;
  a.id = "_a";
  a.issuer = "https://idp.test/";
  a.name_id = std::move(name_id);
  a.name_id_format = std::move(format);
  a.attributes = std::move(attributes);
  return a;
}

constexpr const char* kEmailFormat = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress";
constexpr const char* kPersistent = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent";

TEST(SamlClaims, EmailFromAnEmailAddressNameId) {
  auto claims = SamlClaims(
      Assertion("ada@example.test", kEmailFormat, {{"email", "", {"other@example.test"}}}));
  EXPECT_EQ(claims.subject, "ada@example.test");
  EXPECT_EQ(claims.email, "ada@example.test");
  EXPECT_TRUE(claims.email_verified);
}

TEST(SamlClaims, EntraIdDefaultClaims) {
  auto claims = SamlClaims(Assertion(
      "9f3c0d2e-opaque", kPersistent,
      {{"http://schemas.microsoft.com/identity/claims/objectidentifier", "", {"oid-1"}},
       {"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
        "",
        {"ada@contoso.test"}},
       {"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name", "", {"ada@contoso.test"}},
       {"http://schemas.microsoft.com/identity/claims/displayname", "", {"Ada Lovelace"}},
       {"http://schemas.microsoft.com/ws/2008/06/identity/claims/groups",
        "",
        {"5b7a-group-object-id", "c0ff-ee"}}}));
  EXPECT_EQ(claims.subject, "9f3c0d2e-opaque");
  EXPECT_EQ(claims.email, "ada@contoso.test");
  EXPECT_EQ(claims.name, "Ada Lovelace");
  EXPECT_EQ(claims.groups, (std::vector<std::string>{"5b7a-group-object-id", "c0ff-ee"}));
  EXPECT_EQ(
      claims.raw["attributes"]["http://schemas.microsoft.com/identity/claims/objectidentifier"],
      nlohmann::json::array({"oid-1"}));
}

TEST(SamlClaims, OktaAttributeStatements) {
  auto claims = SamlClaims(Assertion("grace@okta.test", kEmailFormat,
                                     {{"firstName", "", {"Grace"}},
                                      {"lastName", "", {"Hopper"}},
                                      {"groups", "", {"Everyone", "bulkhead-admins"}}}));
  EXPECT_EQ(claims.name, "Grace Hopper");
  EXPECT_EQ(claims.groups, (std::vector<std::string>{"Everyone", "bulkhead-admins"}));
}

TEST(SamlClaims, LdapOidsWithFriendlyNames) {
  auto claims = SamlClaims(
      Assertion("_transient", "urn:oasis:names:tc:SAML:2.0:nameid-format:transient",
                {{"urn:oid:0.9.2342.19200300.100.1.3", "mail", {"", "kat@uni.test"}},
                 {"urn:oid:2.16.840.1.113730.3.1.241", "displayName", {"Katherine Johnson"}},
                 {"urn:oid:1.3.6.1.4.1.5923.1.5.1.1", "isMemberOf", {"staff", "staff"}}}));
  EXPECT_EQ(claims.email, "kat@uni.test");
  EXPECT_EQ(claims.name, "Katherine Johnson");
  EXPECT_EQ(claims.groups, (std::vector<std::string>{"staff"}));  // once
}

TEST(SamlClaims, NoEmailIsNoEmail) {
  auto claims = SamlClaims(Assertion("not-an-address", kEmailFormat, {{"Role", "", {"x"}}}));
  EXPECT_EQ(claims.email, "");
  EXPECT_FALSE(claims.email_verified);
  EXPECT_TRUE(claims.groups.empty());
}

}  // namespace
}  // namespace bulkhead::service
