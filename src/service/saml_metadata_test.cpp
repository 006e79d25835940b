// ParseIdpMetadata on metadata shaped as identity providers publish it, and SpMetadataXml read
// back as an IdP reads it; the AuthnRequest and its HTTP-Redirect encoding decoded with zlib.

#include "service/saml_metadata.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <zlib.h>

#include "crypto/saml_certificate.hpp"
#include "crypto/saml_xml.hpp"
#include "service/saml_request.hpp"

namespace bulkhead::service {
namespace {

namespace saml = crypto::saml;

// A self-signed certificate's base64 DER, as metadata carries it.
std::string CertificateBase64() {
  EVP_PKEY* key = EVP_RSA_gen(2048);
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  X509_gmtime_adj(X509_getm_notBefore(cert), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
  X509_set_pubkey(cert, key);
  X509_set_issuer_name(cert, X509_get_subject_name(cert));
  X509_sign(cert, key, EVP_sha256());
  unsigned char* der = nullptr;
  int n = i2d_X509(cert, &der);
  std::string out = saml::Base64Encode(std::string(reinterpret_cast<char*>(der), n));
  OPENSSL_free(der);
  X509_free(cert);
  EVP_PKEY_free(key);
  return out;
}

const std::string& Cert() {
  static const std::string c = CertificateBase64();
  return c;
}

// `services` goes inside the IDPSSODescriptor after the key descriptors.
std::string Metadata(const std::string& services, const std::string& keys = "",
                     const std::string& root_attrs = "") {
  std::string key_descriptors = keys;
  if (keys.empty()) {
    // Line-wrapped, as most IdPs publish it.
    std::string wrapped;
    for (std::size_t i = 0; i < Cert().size(); i += 64) wrapped += Cert().substr(i, 64) + "\n";
    key_descriptors =
        "<md:KeyDescriptor use=\"signing\"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>\n" +
        wrapped + "</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>";
  }
  return "<?xml version=\"1.0\"?><md:EntityDescriptor "
         "xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\" "
         "xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\" entityID=\"https://idp.example.test/x\"" +
         root_attrs +
         "><md:IDPSSODescriptor "
         "protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:protocol\">" +
         key_descriptors + services + "</md:IDPSSODescriptor></md:EntityDescriptor>";
}

const std::string kRedirect =
    "<md:SingleSignOnService Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect\" "
    "Location=\"https://idp.example.test/sso/redirect\"/>";
const std::string kPost =
    "<md:SingleSignOnService Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST\" "
    "Location=\"https://idp.example.test/sso/post\"/>";

std::string FieldOf(const core::Result<IdpMetadata>& r) {
  return r.ok() ? "accepted" : r.error().fields.front().field;
}

TEST(SamlMetadata, ReadsEntityIdRedirectBindingAndCertificate) {
  auto r = ParseIdpMetadata(Metadata(kPost + kRedirect), "metadata_xml");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->entity_id, "https://idp.example.test/x");
  EXPECT_EQ(r->sso_url, "https://idp.example.test/sso/redirect");
  EXPECT_EQ(r->sso_binding, "redirect");
  ASSERT_EQ(r->certificates_pem.size(), 1u);
  EXPECT_EQ(r->certificates_pem[0].rfind("-----BEGIN CERTIFICATE-----", 0), 0u);
  EXPECT_TRUE(crypto::SamlCertificateSha256(r->certificates_pem[0]).has_value());
}

TEST(SamlMetadata, FallsBackToPost) {
  auto r = ParseIdpMetadata(Metadata(kPost), "metadata_xml");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->sso_binding, "post");
  EXPECT_EQ(r->sso_url, "https://idp.example.test/sso/post");
}

TEST(SamlMetadata, ReadsAnyPrefixAndKeysWithoutUse) {
  std::string xml =
      "<EntityDescriptor xmlns=\"urn:oasis:names:tc:SAML:2.0:metadata\" entityID=\"urn:x\">"
      "<IDPSSODescriptor protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:1.1:protocol "
      "urn:oasis:names:tc:SAML:2.0:protocol\"><KeyDescriptor><KeyInfo "
      "xmlns=\"http://www.w3.org/2000/09/xmldsig#\"><X509Data><X509Certificate>" +
      Cert() +
      "</X509Certificate></X509Data></KeyInfo></KeyDescriptor><KeyDescriptor "
      "use=\"encryption\"><KeyInfo xmlns=\"http://www.w3.org/2000/09/xmldsig#\"><X509Data>"
      "<X509Certificate>bm90IGEgY2VydA==</X509Certificate></X509Data></KeyInfo></KeyDescriptor>"
      "<SingleSignOnService Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect\" "
      "Location=\"http://127.0.0.1:9000/sso\"/></IDPSSODescriptor></EntityDescriptor>";
  auto r = ParseIdpMetadata(xml, "metadata_xml");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->entity_id, "urn:x");
  EXPECT_EQ(r->certificates_pem.size(), 1u);  // the encryption key is not a signing key
}

TEST(SamlMetadata, ReadsTheOneIdpOfAnEntitiesDescriptor) {
  std::string one = Metadata(kRedirect).substr(std::string("<?xml version=\"1.0\"?>").size());
  std::string xml = "<md:EntitiesDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\">" +
                    one + "</md:EntitiesDescriptor>";
  EXPECT_EQ(FieldOf(ParseIdpMetadata(xml, "metadata_xml")), "accepted");
  std::string two = "<md:EntitiesDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\">" +
                    one + one + "</md:EntitiesDescriptor>";
  EXPECT_EQ(FieldOf(ParseIdpMetadata(two, "metadata_xml")), "metadata_xml");
}

TEST(SamlMetadata, RefusesUnusableMetadataNamingTheField) {
  EXPECT_EQ(FieldOf(ParseIdpMetadata("", "metadata_xml")), "metadata_xml");
  EXPECT_EQ(FieldOf(ParseIdpMetadata("not xml", "metadata_url")), "metadata_url");
  EXPECT_EQ(FieldOf(ParseIdpMetadata("<a xmlns=\"urn:x\"/>", "metadata_xml")), "metadata_xml");
  // No SSO service; only an artifact binding; no signing key; a bad certificate.
  EXPECT_FALSE(ParseIdpMetadata(Metadata(""), "m").ok());
  EXPECT_FALSE(
      ParseIdpMetadata(Metadata("<md:SingleSignOnService "
                                "Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Artifact\" "
                                "Location=\"https://idp.example.test/a\"/>"),
                       "m")
          .ok());
  EXPECT_FALSE(
      ParseIdpMetadata(Metadata(kRedirect, "<md:KeyDescriptor use=\"encryption\"/>"), "m").ok());
  EXPECT_FALSE(ParseIdpMetadata(Metadata(kRedirect,
                                         "<md:KeyDescriptor><ds:KeyInfo><ds:X509Data><ds:"
                                         "X509Certificate>AAAA</ds:X509Certificate></"
                                         "ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"),
                                "m")
                   .ok());
  // A plain-http SSO URL off loopback; a javascript: one.
  std::string http = kRedirect;
  http.replace(http.find("https://"), 8, "http://");
  EXPECT_FALSE(ParseIdpMetadata(Metadata(http), "m").ok());
  std::string js = kRedirect;
  js.replace(js.find("https://idp.example.test/sso/redirect"), 37, "javascript:alert(1)");
  EXPECT_FALSE(ParseIdpMetadata(Metadata(js), "m").ok());
}

TEST(SamlMetadata, RefusesDtdsAndEntities) {
  std::string xml = "<!DOCTYPE md:EntityDescriptor [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>" +
                    Metadata(kRedirect).substr(std::string("<?xml version=\"1.0\"?>").size());
  auto r = ParseIdpMetadata(xml, "metadata_xml");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("DTD"), std::string::npos);
}

TEST(SamlMetadata, RefusesOversized) {
  std::string xml = Metadata(kRedirect);
  xml.insert(xml.find("<md:IDPSSODescriptor"), "<!--" + std::string(600 * 1024, 'x') + "-->");
  EXPECT_FALSE(ParseIdpMetadata(xml, "metadata_xml").ok());
}

TEST(SamlMetadata, SpMetadataReadsBack) {
  std::string xml = SpMetadataXml("https://b.test/sso/saml/1?a=1&b=2", "https://b.test/acs");
  auto doc = saml::ParseUntrustedXml(xml, "sp", 64 * 1024);
  ASSERT_TRUE(doc.ok());
  xmlNode* root = xmlDocGetRootElement(doc->get());
  EXPECT_TRUE(saml::IsElement(root, saml::kNsMetadata, "EntityDescriptor"));
  EXPECT_EQ(saml::Attribute(root, "entityID"), "https://b.test/sso/saml/1?a=1&b=2");
  xmlNode* sp = saml::FirstChildElement(root, saml::kNsMetadata, "SPSSODescriptor");
  EXPECT_EQ(saml::Attribute(sp, "AuthnRequestsSigned"), "false");
  EXPECT_EQ(saml::Attribute(sp, "WantAssertionsSigned"), "true");
  xmlNode* acs = saml::FirstChildElement(sp, saml::kNsMetadata, "AssertionConsumerService");
  EXPECT_EQ(saml::Attribute(acs, "Binding"), "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST");
  EXPECT_EQ(saml::Attribute(acs, "Location"), "https://b.test/acs");
  EXPECT_EQ(saml::TextOf(saml::FirstChildElement(sp, saml::kNsMetadata, "NameIDFormat")),
            "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress");
}

// %XX decoding (the encoder is core::PercentEncode); nullopt on a malformed escape.
std::optional<std::string> PercentDecoded(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    out += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
    i += 2;
  }
  return out;
}

std::string Inflate(const std::string& raw) {
  z_stream s{};
  inflateInit2(&s, -15);
  std::string out(64 * 1024, '\0');
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(raw.data()));
  s.avail_in = static_cast<uInt>(raw.size());
  s.next_out = reinterpret_cast<Bytef*>(out.data());
  s.avail_out = static_cast<uInt>(out.size());
  int rc = inflate(&s, Z_FINISH);
  out.resize(s.total_out);
  inflateEnd(&s);
  return rc == Z_STREAM_END ? out : "";
}

TEST(SamlRequest, RedirectBindingCarriesTheDeflatedRequest) {
  SamlServiceProvider sp{"https://b.test/sso/saml/c1", "https://b.test/sso/saml/c1/acs"};
  std::string id = NewSamlRequestId();
  EXPECT_EQ(id.size(), 33u);
  EXPECT_EQ(id[0], '_');
  EXPECT_NE(id, NewSamlRequestId());
  std::string xml = AuthnRequestXml(sp, id, "https://idp.test/sso?tenant=1", 1'800'000'000'123);
  std::string url = SamlRedirectUrl("https://idp.test/sso?tenant=1", xml, "login-1");
  ASSERT_EQ(url.rfind("https://idp.test/sso?tenant=1&SAMLRequest=", 0), 0u);
  auto amp = url.find("&RelayState=");
  ASSERT_NE(amp, std::string::npos);
  EXPECT_EQ(url.substr(amp), "&RelayState=login-1");
  std::string encoded =
      url.substr(url.find("SAMLRequest=") + 12, amp - url.find("SAMLRequest=") - 12);
  auto decoded = PercentDecoded(encoded);
  ASSERT_TRUE(decoded.has_value());
  auto raw = saml::Base64Decode(*decoded);
  ASSERT_TRUE(raw.has_value());
  std::string request = Inflate(*raw);
  EXPECT_EQ(request, xml);

  auto doc = saml::ParseUntrustedXml(request, "r", 64 * 1024);
  ASSERT_TRUE(doc.ok());
  xmlNode* root = xmlDocGetRootElement(doc->get());
  EXPECT_TRUE(saml::IsElement(root, saml::kNsProtocol, "AuthnRequest"));
  EXPECT_EQ(saml::Attribute(root, "ID"), id);
  EXPECT_EQ(saml::Attribute(root, "Version"), "2.0");
  EXPECT_EQ(saml::Attribute(root, "IssueInstant"), "2027-01-15T08:00:00Z");
  EXPECT_EQ(saml::Attribute(root, "Destination"), "https://idp.test/sso?tenant=1");
  EXPECT_EQ(saml::Attribute(root, "AssertionConsumerServiceURL"), sp.acs_url);
  EXPECT_EQ(saml::Attribute(root, "ProtocolBinding"),
            "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST");
  EXPECT_EQ(saml::TextOf(saml::FirstChildElement(root, saml::kNsAssertion, "Issuer")),
            sp.entity_id);
  EXPECT_EQ(saml::Base64Decode(SamlPostValue(xml)), xml);
}

}  // namespace
}  // namespace bulkhead::service
