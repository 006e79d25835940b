#pragma once
// SAML's XML, read from strangers (an IdP's metadata, a browser's SAMLResponse): parsed by
// libxml2 with no DTD (a document with a DOCTYPE is refused before parsing, so no entity is
// declared, expanded or fetched), no network, a size limit, and read by namespace URI and local
// name, never by prefix. Only the SAML code includes this header (it exposes libxml2's types).
// Thread-safe: libxml2 and xmlsec are initialised once (std::call_once); each document is used
// by one thread.

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <libxml/tree.h>

#include "core/result.hpp"

namespace bulkhead::crypto::saml {

inline constexpr const char* kNsProtocol = "urn:oasis:names:tc:SAML:2.0:protocol";
inline constexpr const char* kNsAssertion = "urn:oasis:names:tc:SAML:2.0:assertion";
inline constexpr const char* kNsMetadata = "urn:oasis:names:tc:SAML:2.0:metadata";
inline constexpr const char* kNsDsig = "http://www.w3.org/2000/09/xmldsig#";

struct XmlDocFree {
  void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};
using XmlDoc = std::unique_ptr<xmlDoc, XmlDocFree>;

// libxml2 and xmlsec (with OpenSSL), once per process; their error output silenced.
void InitXml();

// `xml` (UTF-8) as a tree, or a kValidationFailed on `field` naming why not: larger than
// `max_bytes`, a DOCTYPE (any DTD, so any entity), or not well-formed.
core::Result<XmlDoc> ParseUntrustedXml(std::string_view xml, std::string_view field,
                                       std::size_t max_bytes);

// Whether `node` is the element {ns}name.
bool IsElement(const xmlNode* node, const char* ns, const char* name);
// The element children {ns}name of `parent`, in document order.
std::vector<xmlNode*> ChildElements(xmlNode* parent, const char* ns, const char* name);
// The first of them, or nullptr.
xmlNode* FirstChildElement(xmlNode* parent, const char* ns, const char* name);
// Every element of the subtree at `root` (itself included) named {ns}name.
std::vector<xmlNode*> DescendantElements(xmlNode* root, const char* ns, const char* name);
// An attribute without a namespace, or nullopt.
std::optional<std::string> Attribute(const xmlNode* node, const char* name);
// The element's text content with surrounding XML whitespace trimmed.
std::string TextOf(const xmlNode* node);
// `text` escaped for an attribute value or element content.
std::string XmlEscape(std::string_view text);

// Standard base64 (RFC 4648 section 4, padded). Decoding ignores XML whitespace (metadata and
// POSTed responses wrap lines); nullopt on anything else outside the alphabet.
std::string Base64Encode(std::string_view bytes);
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace bulkhead::crypto::saml
