#include "service/saml_sign_in.hpp"

#include <algorithm>
#include <array>

#include "core/time.hpp"
#include "crypto/saml_xml.hpp"
#include "store/sso_store.hpp"

namespace bulkhead::service {
namespace {

constexpr std::string_view kEmailFormat = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress";

// Attribute names, compared without case against an attribute's Name and FriendlyName. The
// URIs are what Entra ID (and AD FS) send by default; Okta and Google Workspace send the names
// their admin types in the app's attribute statements (the plain names below).
constexpr std::array<std::string_view, 6> kEmailAttributes = {
    "email",
    "mail",
    "emailaddress",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
    "urn:oid:0.9.2342.19200300.100.1.3",  // mail (LDAP/eduPerson, Shibboleth)
    "user.email",
};
constexpr std::array<std::string_view, 5> kNameAttributes = {
    "displayname",
    "http://schemas.microsoft.com/identity/claims/displayname",
    "urn:oid:2.16.840.1.113730.3.1.241",  // displayName
    "name",
    "fullname",
};
constexpr std::array<std::string_view, 5> kGivenNameAttributes = {
    "givenname",        "firstname",
    "first_name",       "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
    "urn:oid:2.5.4.42",
};
constexpr std::array<std::string_view, 6> kSurnameAttributes = {
    "surname",
    "sn",
    "lastname",
    "last_name",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname",
    "urn:oid:2.5.4.4",
};
constexpr std::array<std::string_view, 6> kGroupAttributes = {
    "groups",
    "group",
    "memberof",
    "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups",  // Entra ID
    "http://schemas.xmlsoap.org/claims/group",                         // AD FS
    "urn:oid:1.3.6.1.4.1.5923.1.5.1.1",                                // isMemberOf
};

bool SameText(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
           return lower(x) == lower(y);
         });
}

template <std::size_t N>
bool Named(const crypto::SamlAttribute& a, const std::array<std::string_view, N>& names) {
  return std::any_of(names.begin(), names.end(), [&](std::string_view n) {
    return SameText(a.name, n) || (!a.friendly_name.empty() && SameText(a.friendly_name, n));
  });
}

// The first non-empty value of the first attribute with one of `names`, in `names`' order.
template <std::size_t N>
std::string FirstValue(const crypto::SamlAssertion& assertion,
                       const std::array<std::string_view, N>& names) {
  for (std::string_view name : names) {
    for (const auto& a : assertion.attributes) {
      if (!SameText(a.name, name) &&
          !(!a.friendly_name.empty() && SameText(a.friendly_name, name))) {
        continue;
      }
      for (const auto& v : a.values) {
        if (!v.empty()) return v;
      }
    }
  }
  return "";
}

core::Error RelayStateUnknown() {
  return core::Error::NotFound("sign-in (the RelayState is unknown, used or expired)");
}

}  // namespace

SamlServiceProvider SamlServiceProviderFor(std::string_view public_url,
                                           std::string_view connection_id) {
  std::string base(public_url);
  while (!base.empty() && base.back() == '/') base.pop_back();
  std::string entity = base + "/sso/saml/" + std::string(connection_id);
  return SamlServiceProvider{entity, entity + "/acs"};
}

SsoClaims SamlClaims(const crypto::SamlAssertion& assertion) {
  SsoClaims claims;
  claims.subject = assertion.name_id;
  if (assertion.name_id_format == kEmailFormat &&
      assertion.name_id.find('@') != std::string::npos) {
    claims.email = assertion.name_id;
  } else {
    claims.email = FirstValue(assertion, kEmailAttributes);
  }
  // The IdP asserts it, signed: the address is the one its directory holds for the user.
  claims.email_verified = !claims.email.empty();
  claims.name = FirstValue(assertion, kNameAttributes);
  if (claims.name.empty()) {
    std::string given = FirstValue(assertion, kGivenNameAttributes);
    std::string surname = FirstValue(assertion, kSurnameAttributes);
    claims.name = given.empty() ? surname : surname.empty() ? given : given + " " + surname;
  }
  nlohmann::json attributes = nlohmann::json::object();
  for (const auto& a : assertion.attributes) {
    auto& values = attributes[a.name];
    if (!values.is_array()) values = nlohmann::json::array();
    for (const auto& v : a.values) values.push_back(v);
    if (!Named(a, kGroupAttributes)) continue;
    for (const auto& v : a.values) {
      if (!v.empty() &&
          std::find(claims.groups.begin(), claims.groups.end(), v) == claims.groups.end()) {
        claims.groups.push_back(v);
      }
    }
  }
  claims.raw = {{"name_id", assertion.name_id},
                {"name_id_format", assertion.name_id_format},
                {"issuer", assertion.issuer},
                {"session_index", assertion.session_index},
                {"attributes", std::move(attributes)}};
  return claims;
}

core::Result<SamlStart> SamlSignIn::Start(const std::string& connection_id,
                                          const std::string& return_to,
                                          const std::string& test_id) {
  auto connection = sso_.FindConnection(connection_id, /*allow_disabled=*/!test_id.empty());
  if (!connection.ok()) return connection.error();
  if (connection->type != "saml") return core::Error::NotFound("SAML connection");
  auto login = sso_.BeginSignIn(*connection, return_to, test_id);
  if (!login.ok()) return login.error();
  std::string request_id = NewSamlRequestId();
  BULKHEAD_TRY(sso_.SetSamlRequestId(login->id, request_id));
  auto sp = SamlServiceProviderFor(env_.config.public_url, connection->id);
  std::string xml = AuthnRequestXml(sp, request_id, connection->idp_sso_url, core::NowMs());
  SamlStart start;
  if (connection->idp_sso_binding == "post") {
    start.post = true;
    start.url = connection->idp_sso_url;
    start.saml_request = SamlPostValue(xml);
    start.relay_state = login->id;
  } else {
    start.url = SamlRedirectUrl(connection->idp_sso_url, xml, login->id);
  }
  return start;
}

core::Status SamlSignIn::FailTest(const SsoLogin& login, const core::Error& error) {
  if (login.test_id.empty()) return core::Ok();
  auto lease = env_.catalog.Acquire();
  return store::catalog::FinishSsoTest(*lease, login.test_id, "failed",
                                       nlohmann::json{{"error", error.message}}.dump());
}

core::Result<SsoSignInResult> SamlSignIn::Finish(const std::string& connection_id,
                                                 std::string_view saml_response,
                                                 const std::string& relay_state,
                                                 const std::string& request_id) {
  if (relay_state.empty()) return RelayStateUnknown();
  // Taken first, so that it is used up whatever happens next: a refused response cannot be
  // retried with the same pending sign-in.
  auto login = sso_.TakeSignIn(relay_state);
  if (!login.ok()) {
    if (login.error().code == core::ErrorCode::kNotFound) return RelayStateUnknown();
    return login.error();
  }
  if (login->connection_id != connection_id) return RelayStateUnknown();
  auto refused = [&](core::Error e) -> core::Result<SsoSignInResult> {
    auto recorded = FailTest(*login, e);
    if (!recorded.ok()) return recorded.error();
    return e;
  };
  auto connection = sso_.FindConnection(connection_id, !login->test_id.empty());
  if (!connection.ok()) return refused(connection.error());
  if (connection->type != "saml") return refused(core::Error::NotFound("SAML connection"));

  auto xml = crypto::saml::Base64Decode(saml_response);
  if (!xml) return refused(core::Error::Validation("SAMLResponse", "is not base64"));
  auto sp = SamlServiceProviderFor(env_.config.public_url, connection->id);
  crypto::SamlExpectations expect{.idp_entity_id = connection->idp_entity_id,
                                  .idp_certificates_pem = connection->idp_certificates_pem,
                                  .sp_entity_id = sp.entity_id,
                                  .acs_url = sp.acs_url,
                                  .request_id = login->saml_request_id,
                                  .now_ms = core::NowMs()};
  if (expect.request_id.empty()) return refused(RelayStateUnknown());
  auto assertion = crypto::VerifySamlResponse(*xml, expect);
  if (!assertion.ok()) return refused(assertion.error());
  auto fresh = sso_.RememberAssertion(connection->id, assertion->id, assertion->remember_until_ms);
  if (!fresh.ok()) return refused(fresh.error());
  if (!*fresh) {
    core::Error e = core::Error::Make(core::ErrorCode::kForbidden,
                                      "replay: this assertion was already used to sign in");
    e.fields.push_back({"replay", "this assertion was already used to sign in"});
    return refused(std::move(e));
  }
  return sso_.CompleteSignIn(*login, *connection, SamlClaims(*assertion), request_id);
}

}  // namespace bulkhead::service
