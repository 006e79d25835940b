// VerifySamlResponse against responses signed here with xmlsec and a key made here with
// OpenSSL, as an identity provider signs them; then changed the ways attackers change them
// (tampering, replayed elsewhere, signature wrapping). The oracle is the SAML profiles' rules,
// written into each test, not the verifier's code.

#include "crypto/saml_response.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <xmlsec/crypto.h>
#include <xmlsec/templates.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmltree.h>

#include <libxml/parser.h>
#include <libxml/valid.h>

#include "core/time.hpp"
#include "crypto/saml_xml.hpp"

namespace bulkhead::crypto {
namespace {

constexpr const char* kIdp = "https://idp.example.test/metadata";
constexpr const char* kSp = "https://bulkhead.example.test/sso/saml/0190";
constexpr const char* kAcs = "https://bulkhead.example.test/sso/saml/0190/acs";
constexpr const char* kRequest = "_0123456789abcdef0123456789abcdef";
constexpr int64_t kNow = 1'800'000'000'000;

struct KeyPair {
  std::string key_pem;
  std::string cert_pem;
};

std::string BioText(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<std::size_t>(n));
  BIO_free(bio);
  return out;
}

// An RSA key and a self-signed certificate for it, as an IdP's signing pair.
KeyPair MakeKeyPair() {
  EVP_PKEY* key = EVP_RSA_gen(2048);
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("test idp"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  X509_sign(cert, key, EVP_sha256());
  BIO* kb = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(kb, key, nullptr, nullptr, 0, nullptr, nullptr);
  BIO* cb = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(cb, cert);
  KeyPair out{BioText(kb), BioText(cb)};
  X509_free(cert);
  EVP_PKEY_free(key);
  return out;
}

const KeyPair& IdpKey() {
  static const KeyPair k = MakeKeyPair();
  return k;
}
const KeyPair& OtherKey() {
  static const KeyPair k = MakeKeyPair();
  return k;
}

struct Shape {
  std::string assertion_id = "_assertion1";
  std::string issuer = kIdp;
  std::string audience = kSp;
  std::string recipient = kAcs;
  std::string in_response_to = kRequest;
  std::string status = "urn:oasis:names:tc:SAML:2.0:status:Success";
  std::string name_id = "ada@example.test";
  int64_t not_before = kNow - 60'000;
  int64_t not_on_or_after = kNow + 300'000;
};

std::string T(int64_t ms) {
  return core::FormatRfc3339(ms);
}

std::string AssertionXml(const Shape& s) {
  return "<saml:Assertion xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"" +
         s.assertion_id + "\" Version=\"2.0\" IssueInstant=\"" + T(kNow) + "\"><saml:Issuer>" +
         s.issuer +
         "</saml:Issuer><saml:Subject><saml:NameID "
         "Format=\"urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress\">" +
         s.name_id +
         "</saml:NameID><saml:SubjectConfirmation "
         "Method=\"urn:oasis:names:tc:SAML:2.0:cm:bearer\"><saml:SubjectConfirmationData "
         "NotOnOrAfter=\"" +
         T(s.not_on_or_after) + "\" Recipient=\"" + s.recipient + "\" InResponseTo=\"" +
         s.in_response_to +
         "\"/></saml:SubjectConfirmation></saml:Subject><saml:Conditions NotBefore=\"" +
         T(s.not_before) + "\" NotOnOrAfter=\"" + T(s.not_on_or_after) +
         "\"><saml:AudienceRestriction><saml:Audience>" + s.audience +
         "</saml:Audience></saml:AudienceRestriction></saml:Conditions><saml:AuthnStatement "
         "AuthnInstant=\"" +
         T(kNow) +
         "\" SessionIndex=\"_s1\"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:"
         "tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></"
         "saml:AuthnContext></saml:AuthnStatement><saml:AttributeStatement><saml:Attribute "
         "Name=\"email\"><saml:AttributeValue>ada@example.test</saml:AttributeValue></"
         "saml:Attribute><saml:Attribute Name=\"groups\"><saml:AttributeValue>engineering</"
         "saml:AttributeValue><saml:AttributeValue>admins</saml:AttributeValue></"
         "saml:Attribute></saml:AttributeStatement></saml:Assertion>";
}

std::string ResponseXml(const Shape& s, const std::string& assertions) {
  return "<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" "
         "xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"_response1\" "
         "Version=\"2.0\" IssueInstant=\"" +
         T(kNow) + "\" Destination=\"" + std::string(kAcs) + "\" InResponseTo=\"" +
         s.in_response_to + "\"><saml:Issuer>" + s.issuer +
         "</saml:Issuer><samlp:Status><samlp:StatusCode Value=\"" + s.status +
         "\"/></samlp:Status>" + assertions + "</samlp:Response>";
}

// Signs the element with attribute ID=`id` in `xml` (enveloped, exclusive c14n, a Signature
// right after its Issuer), as an IdP does; returns the serialized document.
std::string Sign(const std::string& xml, const std::string& id, const KeyPair& key,
                 xmlSecTransformId method = xmlSecTransformRsaSha256Id,
                 xmlSecTransformId digest = xmlSecTransformSha256Id) {
  saml::InitXml();
  xmlDoc* doc = xmlReadMemory(xml.data(), static_cast<int>(xml.size()), nullptr, "UTF-8", 0);
  EXPECT_NE(doc, nullptr);
  xmlNode* target = nullptr;
  // Register IDs and find the target.
  std::vector<xmlNode*> stack = {xmlDocGetRootElement(doc)};
  while (!stack.empty()) {
    xmlNode* n = stack.back();
    stack.pop_back();
    for (xmlAttr* a = n->properties; a != nullptr; a = a->next) {
      if (xmlStrEqual(a->name, BAD_CAST "ID")) {
        xmlChar* v = xmlNodeListGetString(doc, a->children, 1);
        xmlAddID(nullptr, doc, v, a);
        if (id == reinterpret_cast<const char*>(v)) target = n;
        xmlFree(v);
      }
    }
    for (xmlNode* c = n->children; c != nullptr; c = c->next) {
      if (c->type == XML_ELEMENT_NODE) stack.push_back(c);
    }
  }
  EXPECT_NE(target, nullptr);
  xmlNode* sig = xmlSecTmplSignatureCreate(doc, xmlSecTransformExclC14NId, method, nullptr);
  xmlNode* issuer = saml::FirstChildElement(target, saml::kNsAssertion, "Issuer");
  if (issuer != nullptr) {
    xmlAddNextSibling(issuer, sig);
  } else {
    xmlAddChild(target, sig);
  }
  std::string uri = "#" + id;
  xmlNode* ref =
      xmlSecTmplSignatureAddReference(sig, digest, nullptr, BAD_CAST uri.c_str(), nullptr);
  xmlSecTmplReferenceAddTransform(ref, xmlSecTransformEnvelopedId);
  xmlSecTmplReferenceAddTransform(ref, xmlSecTransformExclC14NId);
  xmlNode* key_info = xmlSecTmplSignatureEnsureKeyInfo(sig, nullptr);
  xmlSecTmplKeyInfoAddX509Data(key_info);
  xmlSecDSigCtx* ctx = xmlSecDSigCtxCreate(nullptr);
  ctx->signKey =
      xmlSecCryptoAppKeyLoadMemory(reinterpret_cast<const xmlSecByte*>(key.key_pem.data()),
                                   static_cast<xmlSecSize>(key.key_pem.size()),
                                   xmlSecKeyDataFormatPem, nullptr, nullptr, nullptr);
  EXPECT_NE(ctx->signKey, nullptr);
  xmlSecCryptoAppKeyCertLoadMemory(
      ctx->signKey, reinterpret_cast<const xmlSecByte*>(key.cert_pem.data()),
      static_cast<xmlSecSize>(key.cert_pem.size()), xmlSecKeyDataFormatPem);
  EXPECT_EQ(xmlSecDSigCtxSign(ctx, sig), 0);
  xmlSecDSigCtxDestroy(ctx);
  xmlChar* out = nullptr;
  int size = 0;
  xmlDocDumpMemory(doc, &out, &size);
  std::string text(reinterpret_cast<const char*>(out), static_cast<std::size_t>(size));
  xmlFree(out);
  xmlFreeDoc(doc);
  return text;
}

SamlExpectations Expect() {
  return SamlExpectations{.idp_entity_id = kIdp,
                          .idp_certificates_pem = {IdpKey().cert_pem},
                          .sp_entity_id = kSp,
                          .acs_url = kAcs,
                          .request_id = kRequest,
                          .now_ms = kNow};
}

// A response whose assertion is signed.
std::string SignedAssertionResponse(const Shape& s = {}) {
  return Sign(ResponseXml(s, AssertionXml(s)), s.assertion_id, IdpKey());
}

// The signed assertion element's text within a serialized response.
std::string AssertionOf(const std::string& xml) {
  auto begin = xml.find("<saml:Assertion");
  auto end = xml.find("</saml:Assertion>") + std::string("</saml:Assertion>").size();
  return xml.substr(begin, end - begin);
}

// The check a refusal names.
std::string CheckOf(const core::Result<SamlAssertion>& r) {
  if (r.ok()) return "accepted";
  return r.error().fields.empty() ? r.error().message : r.error().fields.front().field;
}

void Replace(std::string& text, const std::string& from, const std::string& to) {
  auto at = text.find(from);
  ASSERT_NE(at, std::string::npos) << from;
  text.replace(at, from.size(), to);
}

TEST(SamlResponse, AcceptsASignedAssertion) {
  auto r = VerifySamlResponse(SignedAssertionResponse(), Expect());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->id, "_assertion1");
  EXPECT_EQ(r->name_id, "ada@example.test");
  EXPECT_EQ(r->name_id_format, "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress");
  EXPECT_EQ(r->session_index, "_s1");
  EXPECT_TRUE(r->assertion_signed);
  EXPECT_FALSE(r->response_signed);
  ASSERT_EQ(r->attributes.size(), 2u);
  EXPECT_EQ(r->attributes[1].name, "groups");
  EXPECT_EQ(r->attributes[1].values, (std::vector<std::string>{"engineering", "admins"}));
  EXPECT_EQ(r->remember_until_ms, kNow + 300'000 + kSamlClockSkewMs);
}

TEST(SamlResponse, AcceptsASignedResponseCoveringItsAssertion) {
  Shape s;
  auto xml = Sign(ResponseXml(s, AssertionXml(s)), "_response1", IdpKey());
  auto r = VerifySamlResponse(xml, Expect());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->response_signed);
  EXPECT_FALSE(r->assertion_signed);
}

TEST(SamlResponse, AcceptsBothSigned) {
  Shape s;
  auto inner = Sign(ResponseXml(s, AssertionXml(s)), s.assertion_id, IdpKey());
  auto both = Sign(inner, "_response1", IdpKey());
  auto r = VerifySamlResponse(both, Expect());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->response_signed && r->assertion_signed);
}

TEST(SamlResponse, AcceptsWithinTheClockSkew) {
  auto expect = Expect();
  expect.now_ms = kNow + 300'000 + 60'000;  // a minute past NotOnOrAfter
  EXPECT_EQ(CheckOf(VerifySamlResponse(SignedAssertionResponse(), expect)), "accepted");
  expect.now_ms = kNow - 60'000 - 90'000;  // 90 s before NotBefore
  EXPECT_EQ(CheckOf(VerifySamlResponse(SignedAssertionResponse(), expect)), "accepted");
}

TEST(SamlResponse, RefusesAChangedAttribute) {
  auto xml = SignedAssertionResponse();
  Replace(xml, "<saml:AttributeValue>engineering<", "<saml:AttributeValue>owners<");
  EXPECT_EQ(CheckOf(VerifySamlResponse(xml, Expect())), "signature");
}

TEST(SamlResponse, RefusesAChangedNameId) {
  auto xml = SignedAssertionResponse();
  Replace(xml, ">ada@example.test</saml:NameID>", ">eve@example.test</saml:NameID>");
  EXPECT_EQ(CheckOf(VerifySamlResponse(xml, Expect())), "signature");
}

TEST(SamlResponse, RefusesAnotherKey) {
  Shape s;
  auto xml = Sign(ResponseXml(s, AssertionXml(s)), s.assertion_id, OtherKey());
  EXPECT_EQ(CheckOf(VerifySamlResponse(xml, Expect())), "signature");
}

TEST(SamlResponse, AcceptsAnyOfTheConnectionsCertificates) {
  Shape s;
  auto xml = Sign(ResponseXml(s, AssertionXml(s)), s.assertion_id, OtherKey());
  auto expect = Expect();
  expect.idp_certificates_pem = {IdpKey().cert_pem, OtherKey().cert_pem};
  EXPECT_EQ(CheckOf(VerifySamlResponse(xml, expect)), "accepted");
}

TEST(SamlResponse, RefusesUnsigned) {
  Shape s;
  EXPECT_EQ(CheckOf(VerifySamlResponse(ResponseXml(s, AssertionXml(s)), Expect())), "signature");
}

TEST(SamlResponse, RefusesSha1) {
  Shape s;
  auto xml = Sign(ResponseXml(s, AssertionXml(s)), s.assertion_id, IdpKey(),
                  xmlSecTransformRsaSha1Id, xmlSecTransformSha1Id);
  EXPECT_EQ(CheckOf(VerifySamlResponse(xml, Expect())), "signature");
}

TEST(SamlResponse, RefusesExpired) {
  auto expect = Expect();
  expect.now_ms = kNow + 300'000 + kSamlClockSkewMs + 1;
  EXPECT_EQ(CheckOf(VerifySamlResponse(SignedAssertionResponse(), expect)), "expired");
}

TEST(SamlResponse, RefusesExpiredConditionsEvenWhenTheConfirmationLasts) {
  Shape s;
  s.not_on_or_after = kNow - 10 * 60'000;
  auto xml = SignedAssertionResponse(s);
  EXPECT_EQ(CheckOf(VerifySamlResponse(xml, Expect())), "expired");
}

TEST(SamlResponse, RefusesNotYetValid) {
  Shape s;
  s.not_before = kNow + 3 * 60'000;
  EXPECT_EQ(CheckOf(VerifySamlResponse(SignedAssertionResponse(s), Expect())), "not_yet_valid");
}

TEST(SamlResponse, RefusesAnotherAudience) {
  Shape s;
  s.audience = "https://other-sp.example.test/";
  EXPECT_EQ(CheckOf(VerifySamlResponse(SignedAssertionResponse(s), Expect())), "audience");
}

TEST(SamlResponse, RefusesAnotherRecipient) {
  Shape s;
  s.recipient = "https://other-sp.example.test/acs";
  EXPECT_EQ(CheckOf(VerifySamlResponse(SignedAssertionResponse(s), Expect())), "recipient");
}

TEST(SamlResponse, RefusesAnotherRequest) {
  auto expect = Expect();
  expect.request_id = "_another";
  EXPECT_EQ(CheckOf(VerifySamlResponse(SignedAssertionResponse(), expect)), "in_response_to");
}

TEST(SamlResponse, RefusesAnotherIssuer) {
  auto expect = Expect();
  expect.idp_entity_id = "https://other-idp.example.test/";
  EXPECT_EQ(CheckOf(VerifySamlResponse(SignedAssertionResponse(), expect)), "issuer");
}

TEST(SamlResponse, RefusesAFailureStatus) {
  Shape s;
  s.status = "urn:oasis:names:tc:SAML:2.0:status:Responder";
  auto r = VerifySamlResponse(SignedAssertionResponse(s), Expect());
  EXPECT_EQ(CheckOf(r), "status");
  EXPECT_NE(r.error().message.find("Responder"), std::string::npos);
}

// Wrapping: a forged assertion (another subject, unsigned) next to the signed one.
std::string Forged(const std::string& id = "_forged") {
  Shape f;
  f.assertion_id = id;
  f.name_id = "eve@example.test";
  return AssertionXml(f);
}

TEST(SamlResponse, RefusesAForgedAssertionBeforeTheSignedOne) {
  auto xml = SignedAssertionResponse();
  auto signed_assertion = AssertionOf(xml);
  Replace(xml, signed_assertion, Forged() + signed_assertion);
  EXPECT_EQ(CheckOf(VerifySamlResponse(xml, Expect())), "assertion");
}

TEST(SamlResponse, RefusesAForgedAssertionAfterTheSignedOne) {
  auto xml = SignedAssertionResponse();
  auto signed_assertion = AssertionOf(xml);
  Replace(xml, signed_assertion, signed_assertion + Forged());
  EXPECT_EQ(CheckOf(VerifySamlResponse(xml, Expect())), "assertion");
}

TEST(SamlResponse, RefusesTheSignedAssertionMovedIntoExtensions) {
  auto xml = SignedAssertionResponse();
  auto signed_assertion = AssertionOf(xml);
  Replace(xml, signed_assertion, Forged());
  Replace(xml, "<samlp:Status>",
          "<samlp:Extensions>" + signed_assertion + "</samlp:Extensions><samlp:Status>");
  EXPECT_EQ(CheckOf(VerifySamlResponse(xml, Expect())), "assertion");
}

TEST(SamlResponse, RefusesTheSignedAssertionMovedIntoExtensionsUnderItsOwnId) {
  // The forged one takes the signed one's ID, so that "#_assertion1" could name either.
  auto xml = SignedAssertionResponse();
  auto signed_assertion = AssertionOf(xml);
  Replace(xml, signed_assertion, Forged("_assertion1"));
  Replace(xml, "<samlp:Status>",
          "<samlp:Extensions>" + signed_assertion + "</samlp:Extensions><samlp:Status>");
  auto r = VerifySamlResponse(xml, Expect());
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(CheckOf(r) == "xml" || CheckOf(r) == "assertion") << CheckOf(r);
}

TEST(SamlResponse, RefusesTheSignedAssertionMovedIntoASignatureObject) {
  // The response signed over a forged assertion is not what the attacker can make; instead the
  // signed assertion hides in a ds:Object of a signature placed in the forged one.
  auto xml = SignedAssertionResponse();
  auto signed_assertion = AssertionOf(xml);
  std::string forged = Forged();
  Replace(forged, "</saml:Assertion>",
          "<ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"><ds:Object>" +
              signed_assertion + "</ds:Object></ds:Signature></saml:Assertion>");
  Replace(xml, signed_assertion, forged);
  EXPECT_EQ(CheckOf(VerifySamlResponse(xml, Expect())), "assertion");
}

TEST(SamlResponse, RefusesALoneAssertionOutsideItsPlace) {
  auto xml = SignedAssertionResponse();
  auto signed_assertion = AssertionOf(xml);
  Replace(xml, signed_assertion, "");
  Replace(xml, "<samlp:Status>",
          "<samlp:Extensions>" + signed_assertion + "</samlp:Extensions><samlp:Status>");
  EXPECT_EQ(CheckOf(VerifySamlResponse(xml, Expect())), "assertion");
}

TEST(SamlResponse, RefusesASignatureMovedToTheResponse) {
  // The assertion's valid signature, placed on the response, covers the assertion but is not
  // enveloped in the element it references.
  Shape s;
  auto xml = SignedAssertionResponse(s);
  // xmlsec's template: <Signature xmlns="http://www.w3.org/2000/09/xmldsig#">.
  auto begin = xml.find("<Signature");
  auto end = xml.find("</Signature>") + std::string("</Signature>").size();
  ASSERT_NE(begin, std::string::npos);
  std::string signature = xml.substr(begin, end - begin);
  xml.erase(begin, end - begin);
  Replace(xml, "<samlp:Status>", signature + "<samlp:Status>");
  EXPECT_EQ(CheckOf(VerifySamlResponse(xml, Expect())), "signature");
}

TEST(SamlResponse, RefusesAnEncryptedAssertion) {
  Shape s;
  auto xml = ResponseXml(s, "<saml:EncryptedAssertion/>");
  EXPECT_EQ(CheckOf(VerifySamlResponse(xml, Expect())), "assertion");
}

TEST(SamlResponse, RefusesADoctype) {
  std::string xml = "<!DOCTYPE r [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;\">]>" +
                    SignedAssertionResponse();
  auto r = VerifySamlResponse(xml, Expect());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, core::ErrorCode::kValidationFailed);
}

TEST(SamlResponse, RefusesOversizedAndMalformed) {
  EXPECT_FALSE(VerifySamlResponse(std::string(kMaxSamlResponseBytes + 1, ' '), Expect()).ok());
  EXPECT_FALSE(VerifySamlResponse("<samlp:Response", Expect()).ok());
  EXPECT_EQ(CheckOf(VerifySamlResponse("<a/>", Expect())), "xml");
}

TEST(SamlResponse, RefusesWithoutCertificates) {
  auto expect = Expect();
  expect.idp_certificates_pem.clear();
  EXPECT_EQ(CheckOf(VerifySamlResponse(SignedAssertionResponse(), expect)), "signature");
}

}  // namespace
}  // namespace bulkhead::crypto
