#pragma once
// Verifying a SAML 2.0 Web Browser SSO <samlp:Response> (HTTP-POST binding) the way the SAML
// profiles and the known attacks require: parsed without DTDs; the status Success; XML
// signatures checked by xmlsec (never by hand) against the connection's certificates only, with
// SHA-2 algorithms and exclusive or inclusive canonicalization; and, against signature
// wrapping, exactly one <saml:Assertion> in the document, a direct child of the Response, which
// is the very node a verified signature references (enveloped in it) or lies inside a verified
// signed Response. The assertion read afterwards is that node, never one looked up again. Then
// its Issuer, AudienceRestriction, bearer SubjectConfirmationData (Recipient, NotOnOrAfter,
// InResponseTo) and Conditions, with a clock skew. Replay is the caller's part (the assertion
// ID until `remember_until_ms`). Thread-safe: a pure function of its arguments.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace bulkhead::crypto {

inline constexpr std::size_t kMaxSamlResponseBytes = 256 * 1024;
inline constexpr int64_t kSamlClockSkewMs = 2 * 60 * 1000;

// What the response must match: the connection and the pending sign-in.
struct SamlExpectations {
  std::string idp_entity_id;
  std::vector<std::string> idp_certificates_pem;
  std::string sp_entity_id;  // the Audience
  std::string acs_url;       // the Recipient (and the Response's Destination when present)
  std::string request_id;    // our AuthnRequest's ID: InResponseTo
  int64_t now_ms = 0;
  int64_t clock_skew_ms = kSamlClockSkewMs;
};

struct SamlAttribute {
  std::string name;
  std::string friendly_name;
  std::vector<std::string> values;
};

// The verified assertion's contents.
struct SamlAssertion {
  std::string id;
  std::string issuer;
  std::string name_id;
  std::string name_id_format;
  std::string session_index;
  std::vector<SamlAttribute> attributes;
  // Past this it can no longer be accepted: how long to remember its ID against replay.
  int64_t remember_until_ms = 0;
  bool response_signed = false;
  bool assertion_signed = false;
};

// The checks a refusal names (the message is "<check>: <why>", and `fields[0].field` the check).
// "xml", "status", "signature", "assertion", "issuer", "audience", "recipient", "destination",
// "in_response_to", "subject", "conditions", "expired", "not_yet_valid".
//
// `xml` is the decoded SAMLResponse. kForbidden for a response that fails a check;
// kValidationFailed (field "SAMLResponse") for one that is not XML at all.
core::Result<SamlAssertion> VerifySamlResponse(std::string_view xml,
                                               const SamlExpectations& expect);

}  // namespace bulkhead::crypto
