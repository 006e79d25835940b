#include "crypto/saml_response.hpp"

#include <algorithm>
#include <memory>
#include <optional>

#include <libxml/parser.h>
#include <libxml/valid.h>
#include <xmlsec/crypto.h>
#include <xmlsec/keys.h>
#include <xmlsec/transforms.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmlsec.h>

#include "core/time.hpp"
#include "crypto/saml_xml.hpp"

namespace bulkhead::crypto {
namespace {

using saml::Attribute;
using saml::ChildElements;
using saml::FirstChildElement;
using saml::kNsAssertion;
using saml::kNsDsig;
using saml::kNsProtocol;
using saml::TextOf;

constexpr std::string_view kStatusPrefix = "urn:oasis:names:tc:SAML:2.0:status:";
constexpr std::string_view kSuccess = "urn:oasis:names:tc:SAML:2.0:status:Success";
constexpr std::string_view kBearer = "urn:oasis:names:tc:SAML:2.0:cm:bearer";

core::Error Refuse(const std::string& check, const std::string& why) {
  core::Error e = core::Error::Make(core::ErrorCode::kForbidden, check + ": " + why);
  e.fields.push_back({check, why});
  return e;
}

struct DSigCtxFree {
  void operator()(xmlSecDSigCtx* ctx) const { xmlSecDSigCtxDestroy(ctx); }
};

// A status URI as a page may show it: the standard ones by their last part, anything else not
// at all (it is the sender's text).
std::string StatusName(const std::optional<std::string>& value) {
  if (!value) return "no status code";
  if (value->rfind(kStatusPrefix, 0) == 0) {
    std::string name = value->substr(kStatusPrefix.size());
    bool plain =
        !name.empty() && name.size() <= 40 && std::all_of(name.begin(), name.end(), [](char ch) {
          return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z');
        });
    if (plain) return name;
  }
  return "a status other than Success";
}

// Every element of the tree at `root`, in document order (iterative: depth cannot exhaust the
// stack).
template <typename Fn>
void ForEachElement(xmlNode* root, Fn&& fn) {
  xmlNode* node = root;
  while (node != nullptr) {
    if (node->type == XML_ELEMENT_NODE) fn(node);
    if (node->type == XML_ELEMENT_NODE && node->children != nullptr) {
      node = node->children;
      continue;
    }
    while (node != nullptr && node != root && node->next == nullptr) node = node->parent;
    if (node == nullptr || node == root) break;
    node = node->next;
  }
}

// Registers every un-namespaced `ID` attribute as an XML ID, so that xmlsec resolves a
// Reference's "#id" to its element. false when two elements share an ID: which of them a
// reference means would depend on the resolver, the root of ID-based wrapping.
bool RegisterIds(xmlDoc* doc, xmlNode* root) {
  bool unique = true;
  ForEachElement(root, [&](xmlNode* node) {
    for (xmlAttr* attr = node->properties; attr != nullptr; attr = attr->next) {
      if (attr->ns != nullptr || xmlStrEqual(attr->name, BAD_CAST "ID") == 0) continue;
      xmlChar* value = xmlNodeListGetString(doc, attr->children, 1);
      if (value == nullptr) continue;
      if (*value != '\0') {
        if (xmlGetID(doc, value) != nullptr || xmlAddID(nullptr, doc, value, attr) == nullptr) {
          unique = false;
        }
      }
      xmlFree(value);
    }
  });
  return unique;
}

// Only what SAML signatures use, with SHA-2: anything else (XSLT, XPath, SHA-1, external or
// whole-document URIs) fails the check.
bool RestrictTransforms(xmlSecDSigCtx* ctx) {
  ctx->enabledReferenceUris = xmlSecTransformUriTypeSameDocument;
  const xmlSecTransformId c14n[] = {
      xmlSecTransformExclC14NId, xmlSecTransformExclC14NWithCommentsId, xmlSecTransformInclC14NId,
      xmlSecTransformInclC14NWithCommentsId};
  const xmlSecTransformId signature[] = {
      xmlSecTransformRsaSha256Id,   xmlSecTransformRsaSha384Id,   xmlSecTransformRsaSha512Id,
      xmlSecTransformEcdsaSha256Id, xmlSecTransformEcdsaSha384Id, xmlSecTransformEcdsaSha512Id};
  const xmlSecTransformId reference[] = {xmlSecTransformEnvelopedId, xmlSecTransformSha256Id,
                                         xmlSecTransformSha384Id, xmlSecTransformSha512Id};
  for (auto id : c14n) {
    if (xmlSecDSigCtxEnableSignatureTransform(ctx, id) < 0) return false;
    if (xmlSecDSigCtxEnableReferenceTransform(ctx, id) < 0) return false;
  }
  for (auto id : signature) {
    if (xmlSecDSigCtxEnableSignatureTransform(ctx, id) < 0) return false;
  }
  for (auto id : reference) {
    if (xmlSecDSigCtxEnableReferenceTransform(ctx, id) < 0) return false;
  }
  return true;
}

// nullopt when `signature`, a ds:Signature child of `signed_node`, verifies with one of the
// certificates and its one Reference is "#<ID of signed_node>" (so: an enveloped signature over
// exactly that element); else why not.
std::optional<std::string> VerifyEnveloped(xmlDoc* doc, xmlNode* signature, xmlNode* signed_node,
                                           const std::vector<std::string>& certificates) {
  auto id = Attribute(signed_node, "ID");
  if (!id || id->empty()) return "the signed element has no ID";
  xmlAttr* registered = xmlGetID(doc, BAD_CAST id->c_str());
  if (registered == nullptr || registered->parent != signed_node) {
    return "the signed element's ID is not its own";
  }
  bool any_key = false;
  for (const auto& pem : certificates) {
    std::unique_ptr<xmlSecDSigCtx, DSigCtxFree> ctx(xmlSecDSigCtxCreate(nullptr));
    if (!ctx || !RestrictTransforms(ctx.get())) return "the signature library is unavailable";
    // The key is the certificate's; the signature's own KeyInfo is never trusted.
    ctx->signKey = xmlSecCryptoAppKeyLoadMemory(
        reinterpret_cast<const xmlSecByte*>(pem.data()), static_cast<xmlSecSize>(pem.size()),
        xmlSecKeyDataFormatCertPem, nullptr, nullptr, nullptr);
    if (ctx->signKey == nullptr) continue;
    any_key = true;
    if (xmlSecDSigCtxVerify(ctx.get(), signature) < 0) continue;
    if (ctx->status != xmlSecDSigStatusSucceeded) continue;
    if (xmlSecPtrListGetSize(&ctx->signedInfoReferences) != 1) {
      return "the signature must reference exactly one element";
    }
    auto* reference =
        static_cast<xmlSecDSigReferenceCtx*>(xmlSecPtrListGetItem(&ctx->signedInfoReferences, 0));
    if (reference == nullptr || reference->uri == nullptr ||
        "#" + *id != reinterpret_cast<const char*>(reference->uri) ||
        reference->status != xmlSecDSigStatusSucceeded) {
      return "the signature does not cover the element it is in";
    }
    return std::nullopt;
  }
  if (!any_key) return "the connection's certificates could not be read";
  return "the signature does not verify with the identity provider's certificates";
}

// An xs:dateTime attribute as unix ms; nullopt when absent; an error when malformed.
core::Result<std::optional<int64_t>> TimeAttribute(const xmlNode* node, const char* name,
                                                   const std::string& check) {
  auto text = Attribute(node, name);
  if (!text) return std::optional<int64_t>();
  auto ms = core::ParseRfc3339(name, *text);
  if (!ms.ok()) return Refuse(check, std::string(name) + " is not a valid time");
  return std::optional<int64_t>(*ms);
}

}  // namespace

core::Result<SamlAssertion> VerifySamlResponse(std::string_view xml,
                                               const SamlExpectations& expect) {
  auto parsed = saml::ParseUntrustedXml(xml, "SAMLResponse", kMaxSamlResponseBytes);
  if (!parsed.ok()) return parsed.error();
  xmlDoc* doc = parsed->get();
  xmlNode* response = xmlDocGetRootElement(doc);
  if (!saml::IsElement(response, kNsProtocol, "Response")) {
    return Refuse("xml", "the document is not a SAML 2.0 samlp:Response");
  }
  if (Attribute(response, "Version") != "2.0") return Refuse("xml", "the response is not SAML 2.0");

  xmlNode* status_code = FirstChildElement(FirstChildElement(response, kNsProtocol, "Status"),
                                           kNsProtocol, "StatusCode");
  auto status = Attribute(status_code, "Value");
  if (status != kSuccess) {
    std::string why = "the identity provider answered " + StatusName(status);
    auto second = Attribute(FirstChildElement(status_code, kNsProtocol, "StatusCode"), "Value");
    if (second) why += " (" + StatusName(second) + ")";
    return Refuse("status", why);
  }

  // Before any signature is checked: IDs unique and registered, one assertion where the
  // profile puts it.
  if (!RegisterIds(doc, response)) return Refuse("xml", "two elements share an ID");
  if (!saml::DescendantElements(response, kNsAssertion, "EncryptedAssertion").empty()) {
    return Refuse("assertion",
                  "encrypted assertions are not supported: turn assertion encryption off for "
                  "this application at the identity provider");
  }
  auto assertions = saml::DescendantElements(response, kNsAssertion, "Assertion");
  if (assertions.size() != 1) {
    return Refuse("assertion", "the response must hold exactly one assertion (it holds " +
                                   std::to_string(assertions.size()) + ")");
  }
  xmlNode* assertion = assertions.front();
  if (assertion->parent != response) {
    return Refuse("assertion", "the assertion must be a direct child of the response");
  }

  if (expect.idp_certificates_pem.empty()) {
    return Refuse("signature", "the connection has no signing certificate");
  }
  auto response_signatures = ChildElements(response, kNsDsig, "Signature");
  auto assertion_signatures = ChildElements(assertion, kNsDsig, "Signature");
  if (response_signatures.size() > 1 || assertion_signatures.size() > 1) {
    return Refuse("signature", "an element carries more than one signature");
  }
  SamlAssertion out;
  // Every signature present must verify; at least one must cover the assertion (the response's
  // covers it: the assertion is its direct child).
  if (!response_signatures.empty()) {
    if (auto why = VerifyEnveloped(doc, response_signatures.front(), response,
                                   expect.idp_certificates_pem)) {
      return Refuse("signature", "the response's signature is not valid: " + *why);
    }
    out.response_signed = true;
  }
  if (!assertion_signatures.empty()) {
    if (auto why = VerifyEnveloped(doc, assertion_signatures.front(), assertion,
                                   expect.idp_certificates_pem)) {
      return Refuse("signature", "the assertion's signature is not valid: " + *why);
    }
    out.assertion_signed = true;
  }
  if (!out.response_signed && !out.assertion_signed) {
    return Refuse("signature", "neither the assertion nor the response is signed");
  }

  // From here on only `response` and `assertion`, the nodes just verified, are read.
  if (auto destination = Attribute(response, "Destination");
      destination && *destination != expect.acs_url) {
    return Refuse("destination", "the response is addressed to another URL");
  }
  if (auto answered = Attribute(response, "InResponseTo");
      answered && *answered != expect.request_id) {
    return Refuse("in_response_to", "the response answers another sign-in request");
  }
  if (xmlNode* issuer = FirstChildElement(response, kNsAssertion, "Issuer");
      issuer != nullptr && TextOf(issuer) != expect.idp_entity_id) {
    return Refuse("issuer", "the response comes from another identity provider");
  }

  if (Attribute(assertion, "Version") != "2.0") {
    return Refuse("assertion", "the assertion is not SAML 2.0");
  }
  out.id = Attribute(assertion, "ID").value_or("");
  if (out.id.empty()) return Refuse("assertion", "the assertion has no ID");
  xmlNode* issuer = FirstChildElement(assertion, kNsAssertion, "Issuer");
  out.issuer = TextOf(issuer);
  if (issuer == nullptr || out.issuer != expect.idp_entity_id) {
    return Refuse("issuer", "the assertion's Issuer is not the identity provider's entity id");
  }

  const int64_t now = expect.now_ms;
  const int64_t skew = expect.clock_skew_ms;
  xmlNode* subject = FirstChildElement(assertion, kNsAssertion, "Subject");
  if (subject == nullptr) return Refuse("subject", "the assertion has no Subject");
  if (FirstChildElement(subject, kNsAssertion, "EncryptedID") != nullptr) {
    return Refuse("subject", "encrypted NameIDs are not supported");
  }
  xmlNode* name_id = FirstChildElement(subject, kNsAssertion, "NameID");
  out.name_id = TextOf(name_id);
  out.name_id_format = Attribute(name_id, "Format").value_or("");
  if (out.name_id.empty()) return Refuse("subject", "the assertion has no NameID");

  // Web Browser SSO profile: a bearer confirmation for our ACS, answering our request, not
  // expired. The first failure is reported when none passes.
  std::optional<core::Error> failure;
  std::optional<int64_t> confirmed_until;
  for (xmlNode* confirmation : ChildElements(subject, kNsAssertion, "SubjectConfirmation")) {
    if (Attribute(confirmation, "Method") != kBearer) continue;
    xmlNode* data = FirstChildElement(confirmation, kNsAssertion, "SubjectConfirmationData");
    auto keep = [&](core::Error e) {
      if (!failure) failure = std::move(e);
    };
    if (data == nullptr) {
      keep(Refuse("subject", "the bearer confirmation has no SubjectConfirmationData"));
      continue;
    }
    if (Attribute(data, "Recipient") != expect.acs_url) {
      keep(Refuse("recipient", "the assertion's Recipient is not this connection's ACS URL"));
      continue;
    }
    if (Attribute(data, "InResponseTo") != expect.request_id) {
      keep(Refuse("in_response_to", "the assertion answers another sign-in request"));
      continue;
    }
    auto until = TimeAttribute(data, "NotOnOrAfter", "subject");
    if (!until.ok()) {
      keep(until.error());
      continue;
    }
    if (!*until) {
      keep(Refuse("subject", "the bearer confirmation has no NotOnOrAfter"));
      continue;
    }
    if (now - skew >= **until) {
      keep(Refuse("expired", "the assertion's subject confirmation has expired"));
      continue;
    }
    auto before = TimeAttribute(data, "NotBefore", "subject");
    if (!before.ok()) {
      keep(before.error());
      continue;
    }
    if (*before && now + skew < **before) {
      keep(Refuse("not_yet_valid", "the assertion's subject confirmation is not valid yet"));
      continue;
    }
    confirmed_until = **until;
    break;
  }
  if (!confirmed_until) {
    if (failure) return *failure;
    return Refuse("subject", "the assertion has no bearer subject confirmation");
  }

  xmlNode* conditions = FirstChildElement(assertion, kNsAssertion, "Conditions");
  if (conditions == nullptr) return Refuse("conditions", "the assertion has no Conditions");
  auto not_before = TimeAttribute(conditions, "NotBefore", "conditions");
  if (!not_before.ok()) return not_before.error();
  if (*not_before && now + skew < **not_before) {
    return Refuse("not_yet_valid", "the assertion is not valid yet (NotBefore)");
  }
  auto not_on_or_after = TimeAttribute(conditions, "NotOnOrAfter", "conditions");
  if (!not_on_or_after.ok()) return not_on_or_after.error();
  if (*not_on_or_after && now - skew >= **not_on_or_after) {
    return Refuse("expired", "the assertion has expired (NotOnOrAfter)");
  }
  // Every AudienceRestriction must name us (SAML core 2.5.1.4), and there must be one.
  auto restrictions = ChildElements(conditions, kNsAssertion, "AudienceRestriction");
  if (restrictions.empty()) return Refuse("audience", "the assertion has no AudienceRestriction");
  for (xmlNode* restriction : restrictions) {
    auto audiences = ChildElements(restriction, kNsAssertion, "Audience");
    bool ours = std::any_of(audiences.begin(), audiences.end(),
                            [&](xmlNode* a) { return TextOf(a) == expect.sp_entity_id; });
    if (!ours) {
      return Refuse("audience", "the assertion is meant for another service provider");
    }
  }

  xmlNode* authn = FirstChildElement(assertion, kNsAssertion, "AuthnStatement");
  if (authn == nullptr) return Refuse("assertion", "the assertion has no AuthnStatement");
  out.session_index = Attribute(authn, "SessionIndex").value_or("");

  for (xmlNode* statement : ChildElements(assertion, kNsAssertion, "AttributeStatement")) {
    for (xmlNode* attribute : ChildElements(statement, kNsAssertion, "Attribute")) {
      SamlAttribute a;
      a.name = Attribute(attribute, "Name").value_or("");
      a.friendly_name = Attribute(attribute, "FriendlyName").value_or("");
      for (xmlNode* value : ChildElements(attribute, kNsAssertion, "AttributeValue")) {
        a.values.push_back(TextOf(value));
      }
      if (!a.name.empty()) out.attributes.push_back(std::move(a));
    }
  }

  out.remember_until_ms = std::max(*confirmed_until, not_on_or_after->value_or(0)) + skew;
  return out;
}

}  // namespace bulkhead::crypto
