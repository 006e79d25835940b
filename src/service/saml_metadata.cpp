#include "service/saml_metadata.hpp"

#include <algorithm>

#include "crypto/saml_certificate.hpp"
#include "crypto/saml_xml.hpp"

namespace bulkhead::service {
namespace {

namespace saml = crypto::saml;

constexpr std::size_t kMaxMetadataBytes = 512 * 1024;
constexpr std::size_t kMaxCertificates = 10;
constexpr std::size_t kMaxUrl = 2048;
constexpr std::string_view kProtocol = "urn:oasis:names:tc:SAML:2.0:protocol";
constexpr std::string_view kRedirectBinding = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";
constexpr std::string_view kPostBinding = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST";

// https://, or http:// on a loopback host (tests and a local IdP), without credentials or a
// fragment; the browser is sent there.
bool UsableSsoUrl(const std::string& url) {
  if (url.empty() || url.size() > kMaxUrl) return false;
  for (char ch : url) {
    if (static_cast<unsigned char>(ch) <= 0x20 || ch == 0x7f || ch == '"' || ch == '<' ||
        ch == '>' || ch == '\\' || ch == '#') {
      return false;
    }
  }
  std::string_view rest;
  bool https = url.rfind("https://", 0) == 0;
  if (https) {
    rest = std::string_view(url).substr(8);
  } else if (url.rfind("http://", 0) == 0) {
    rest = std::string_view(url).substr(7);
  } else {
    return false;
  }
  std::string_view authority = rest.substr(0, rest.find_first_of("/?"));
  if (authority.empty() || authority.find('@') != std::string_view::npos) return false;
  if (https) return true;
  std::string_view host = authority;
  if (!host.empty() && host.front() == '[') {
    host = host.substr(0, host.find(']') + 1);
  } else {
    host = host.substr(0, host.find(':'));
  }
  return host == "127.0.0.1" || host == "[::1]" || host == "localhost";
}

bool Contains(std::string_view list, std::string_view word) {
  std::size_t i = 0;
  while (i < list.size()) {
    while (i < list.size() && (list[i] == ' ' || list[i] == '\t' || list[i] == '\n')) ++i;
    std::size_t j = i;
    while (j < list.size() && list[j] != ' ' && list[j] != '\t' && list[j] != '\n') ++j;
    if (list.substr(i, j - i) == word) return true;
    i = j;
  }
  return false;
}

}  // namespace

core::Result<IdpMetadata> ParseIdpMetadata(std::string_view xml, std::string_view field) {
  const std::string f(field);
  auto invalid = [&](const std::string& why) { return core::Error::Validation(f, why); };
  auto parsed = saml::ParseUntrustedXml(xml, field, kMaxMetadataBytes);
  if (!parsed.ok()) return parsed.error();
  xmlNode* root = xmlDocGetRootElement(parsed->get());

  // An EntityDescriptor, or an EntitiesDescriptor holding exactly one identity provider.
  xmlNode* entity = nullptr;
  if (saml::IsElement(root, saml::kNsMetadata, "EntityDescriptor")) {
    entity = root;
  } else if (saml::IsElement(root, saml::kNsMetadata, "EntitiesDescriptor")) {
    for (xmlNode* e : saml::DescendantElements(root, saml::kNsMetadata, "EntityDescriptor")) {
      if (saml::FirstChildElement(e, saml::kNsMetadata, "IDPSSODescriptor") == nullptr) continue;
      if (entity != nullptr) {
        return invalid("describes several identity providers: paste the metadata of one");
      }
      entity = e;
    }
    if (entity == nullptr) return invalid("describes no identity provider (IDPSSODescriptor)");
  } else {
    return invalid("is not SAML 2.0 metadata (an md:EntityDescriptor)");
  }

  IdpMetadata out;
  out.entity_id = saml::Attribute(entity, "entityID").value_or("");
  if (out.entity_id.empty() || out.entity_id.size() > 1024) {
    return invalid("has no usable entityID");
  }
  xmlNode* idp = nullptr;
  for (xmlNode* d : saml::ChildElements(entity, saml::kNsMetadata, "IDPSSODescriptor")) {
    if (Contains(saml::Attribute(d, "protocolSupportEnumeration").value_or(""), kProtocol)) {
      idp = d;
      break;
    }
  }
  if (idp == nullptr) {
    return invalid("has no IDPSSODescriptor supporting SAML 2.0 (protocolSupportEnumeration)");
  }

  // HTTP-Redirect preferred (a plain redirect), HTTP-POST otherwise.
  std::string redirect_url, post_url;
  for (xmlNode* s : saml::ChildElements(idp, saml::kNsMetadata, "SingleSignOnService")) {
    auto binding = saml::Attribute(s, "Binding").value_or("");
    auto location = saml::Attribute(s, "Location").value_or("");
    if (binding == kRedirectBinding && redirect_url.empty()) redirect_url = location;
    if (binding == kPostBinding && post_url.empty()) post_url = location;
  }
  if (!redirect_url.empty()) {
    out.sso_url = redirect_url;
    out.sso_binding = "redirect";
  } else if (!post_url.empty()) {
    out.sso_url = post_url;
    out.sso_binding = "post";
  } else {
    return invalid("has no SingleSignOnService with the HTTP-Redirect or HTTP-POST binding");
  }
  if (!UsableSsoUrl(out.sso_url)) {
    return invalid("has a SingleSignOnService Location that is not an https:// URL");
  }

  for (xmlNode* k : saml::ChildElements(idp, saml::kNsMetadata, "KeyDescriptor")) {
    auto use = saml::Attribute(k, "use");
    if (use && *use != "signing") continue;
    for (xmlNode* c : saml::DescendantElements(k, saml::kNsDsig, "X509Certificate")) {
      auto pem = crypto::SamlCertificatePem(saml::TextOf(c));
      if (!pem) return invalid("has a signing certificate that is not a valid X.509 certificate");
      if (std::find(out.certificates_pem.begin(), out.certificates_pem.end(), *pem) ==
          out.certificates_pem.end()) {
        out.certificates_pem.push_back(std::move(*pem));
      }
    }
  }
  if (out.certificates_pem.empty()) {
    return invalid(
        "has no signing certificate (KeyDescriptor use=\"signing\" with X509Certificate)");
  }
  if (out.certificates_pem.size() > kMaxCertificates) {
    return invalid("has more than " + std::to_string(kMaxCertificates) + " signing certificates");
  }
  return out;
}

std::string SpMetadataXml(const std::string& sp_entity_id, const std::string& acs_url) {
  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  xml += "<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\" entityID=\"" +
         saml::XmlEscape(sp_entity_id) + "\">\n";
  xml +=
      "  <md:SPSSODescriptor AuthnRequestsSigned=\"false\" WantAssertionsSigned=\"true\" "
      "protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:protocol\">\n";
  xml +=
      "    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
      "</md:NameIDFormat>\n";
  xml +=
      "    <md:AssertionConsumerService "
      "Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST\" Location=\"" +
      saml::XmlEscape(acs_url) + "\" index=\"0\" isDefault=\"true\"/>\n";
  xml += "  </md:SPSSODescriptor>\n</md:EntityDescriptor>\n";
  return xml;
}

}  // namespace bulkhead::service
