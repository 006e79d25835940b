#include "crypto/saml_xml.hpp"

#include <cstring>
#include <mutex>

#include <libxml/parser.h>
#include <openssl/evp.h>
#include <xmlsec/crypto.h>
#include <xmlsec/errors.h>
#include <xmlsec/xmlsec.h>

namespace bulkhead::crypto::saml {
namespace {

void Quiet(void*, const char*, ...) {}

void QuietXmlSec(const char*, int, const char*, const char*, const char*, int, const char*) {}

bool IsXmlSpace(char ch) {
  return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

}  // namespace

void InitXml() {
  static std::once_flag once;
  std::call_once(once, [] {
    xmlInitParser();
    // Parse errors reach the caller as a Result; nothing goes to stderr.
    xmlSetGenericErrorFunc(nullptr, Quiet);
    xmlSecErrorsSetCallback(QuietXmlSec);
    // Failures here leave xmlsec unusable: every signature check then fails closed.
    if (xmlSecInit() < 0) return;
    if (xmlSecCryptoAppInit(nullptr) < 0) return;
    xmlSecCryptoInit();
  });
}

core::Result<XmlDoc> ParseUntrustedXml(std::string_view xml, std::string_view field,
                                       std::size_t max_bytes) {
  InitXml();
  std::string f(field);
  if (xml.empty()) return core::Error::Validation(f, "is empty");
  if (xml.size() > max_bytes) {
    return core::Error::Validation(f,
                                   "is larger than " + std::to_string(max_bytes / 1024) + " KiB");
  }
  // The document is read as UTF-8 whatever it declares, so these bytes are the only way to
  // spell a DTD: refusing them refuses internal subsets, entity declarations and external DTDs.
  if (xml.find("<!DOCTYPE") != std::string_view::npos ||
      xml.find("<!ENTITY") != std::string_view::npos) {
    return core::Error::Validation(f, "must not contain a DTD (<!DOCTYPE>)");
  }
  // No XML_PARSE_NOENT (no substitution), DTDLOAD, DTDATTR, XINCLUDE or HUGE.
  const int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;
  xmlDoc* doc = xmlReadMemory(xml.data(), static_cast<int>(xml.size()), nullptr, "UTF-8", options);
  if (doc == nullptr) return core::Error::Validation(f, "is not well-formed XML");
  XmlDoc owned(doc);
  if (doc->intSubset != nullptr || doc->extSubset != nullptr) {
    return core::Error::Validation(f, "must not contain a DTD (<!DOCTYPE>)");
  }
  if (xmlDocGetRootElement(doc) == nullptr) {
    return core::Error::Validation(f, "has no root element");
  }
  return owned;
}

bool IsElement(const xmlNode* node, const char* ns, const char* name) {
  return node != nullptr && node->type == XML_ELEMENT_NODE && node->ns != nullptr &&
         node->ns->href != nullptr &&
         std::strcmp(reinterpret_cast<const char*>(node->ns->href), ns) == 0 &&
         std::strcmp(reinterpret_cast<const char*>(node->name), name) == 0;
}

std::vector<xmlNode*> ChildElements(xmlNode* parent, const char* ns, const char* name) {
  std::vector<xmlNode*> out;
  if (parent == nullptr) return out;
  for (xmlNode* child = parent->children; child != nullptr; child = child->next) {
    if (IsElement(child, ns, name)) out.push_back(child);
  }
  return out;
}

xmlNode* FirstChildElement(xmlNode* parent, const char* ns, const char* name) {
  if (parent == nullptr) return nullptr;
  for (xmlNode* child = parent->children; child != nullptr; child = child->next) {
    if (IsElement(child, ns, name)) return child;
  }
  return nullptr;
}

std::vector<xmlNode*> DescendantElements(xmlNode* root, const char* ns, const char* name) {
  std::vector<xmlNode*> out;
  // Iterative, so that a deeply nested document cannot exhaust the stack.
  xmlNode* node = root;
  while (node != nullptr) {
    if (IsElement(node, ns, name)) out.push_back(node);
    if (node->type == XML_ELEMENT_NODE && node->children != nullptr) {
      node = node->children;
      continue;
    }
    while (node != nullptr && node != root && node->next == nullptr) node = node->parent;
    if (node == nullptr || node == root) break;
    node = node->next;
  }
  return out;
}

std::optional<std::string> Attribute(const xmlNode* node, const char* name) {
  if (node == nullptr) return std::nullopt;
  xmlChar* value = xmlGetNoNsProp(node, reinterpret_cast<const xmlChar*>(name));
  if (value == nullptr) return std::nullopt;
  std::string out(reinterpret_cast<const char*>(value));
  xmlFree(value);
  return out;
}

std::string TextOf(const xmlNode* node) {
  if (node == nullptr) return "";
  xmlChar* content = xmlNodeGetContent(node);
  if (content == nullptr) return "";
  std::string text(reinterpret_cast<const char*>(content));
  xmlFree(content);
  std::size_t begin = 0;
  std::size_t end = text.size();
  while (begin < end && IsXmlSpace(text[begin])) ++begin;
  while (end > begin && IsXmlSpace(text[end - 1])) --end;
  return text.substr(begin, end - begin);
}

std::string XmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += ch;
    }
  }
  return out;
}

std::string Base64Encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::optional<std::string> Base64Decode(std::string_view text) {
  std::string compact;
  compact.reserve(text.size());
  for (char ch : text) {
    if (IsXmlSpace(ch)) continue;
    bool ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
              ch == '+' || ch == '/' || ch == '=';
    if (!ok) return std::nullopt;
    compact += ch;
  }
  if (compact.empty() || compact.size() % 4 != 0) return std::nullopt;
  std::size_t padding = 0;
  while (padding < 2 && compact[compact.size() - 1 - padding] == '=') ++padding;
  // '=' only at the end.
  if (compact.find('=') < compact.size() - padding) return std::nullopt;
  std::string out(compact.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(compact.data()),
                          static_cast<int>(compact.size()));
  if (n < 0) return std::nullopt;
  out.resize(static_cast<std::size_t>(n) - padding);
  return out;
}

}  // namespace bulkhead::crypto::saml
