#include "service/saml_request.hpp"

#include <zlib.h>

#include "core/text.hpp"
#include "core/time.hpp"
#include "crypto/saml_xml.hpp"
#include "crypto/token.hpp"

namespace bulkhead::service {
namespace {

using crypto::saml::XmlEscape;

// Raw DEFLATE (RFC 1951, no zlib header), as the HTTP-Redirect binding requires.
std::string Deflate(const std::string& input) {
  z_stream stream{};
  if (deflateInit2(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return "";
  }
  std::string out(deflateBound(&stream, static_cast<uLong>(input.size())), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  stream.avail_in = static_cast<uInt>(input.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return rc == Z_STREAM_END ? out : "";
}

// xs:dateTime in UTC without fractional seconds, the form every IdP reads.
std::string SamlInstant(int64_t ms) {
  std::string text = core::FormatRfc3339(ms);  // 2026-11-25T04:30:00.123Z
  return text.substr(0, 19) + "Z";
}

}  // namespace

std::string NewSamlRequestId() {
  return "_" + crypto::ToHex(crypto::RandomBytes(16));
}

std::string AuthnRequestXml(const SamlServiceProvider& sp, const std::string& request_id,
                            const std::string& destination, int64_t issue_instant_ms) {
  std::string xml =
      "<samlp:AuthnRequest xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" "
      "xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"" +
      XmlEscape(request_id) + "\" Version=\"2.0\" IssueInstant=\"" + SamlInstant(issue_instant_ms) +
      "\" Destination=\"" + XmlEscape(destination) + "\" AssertionConsumerServiceURL=\"" +
      XmlEscape(sp.acs_url) +
      "\" ProtocolBinding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST\">";
  xml += "<saml:Issuer>" + XmlEscape(sp.entity_id) + "</saml:Issuer>";
  xml +=
      "<samlp:NameIDPolicy Format=\"urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified\" "
      "AllowCreate=\"true\"/>";
  xml += "</samlp:AuthnRequest>";
  return xml;
}

std::string SamlRedirectUrl(const std::string& sso_url, const std::string& request_xml,
                            const std::string& relay_state) {
  std::string url = sso_url;
  url += sso_url.find('?') == std::string::npos ? '?' : '&';
  url += "SAMLRequest=" + core::PercentEncode(crypto::saml::Base64Encode(Deflate(request_xml)));
  url += "&RelayState=" + core::PercentEncode(relay_state);
  return url;
}

std::string SamlPostValue(const std::string& request_xml) {
  return crypto::saml::Base64Encode(request_xml);
}

}  // namespace bulkhead::service
