#pragma once
// The X.509 certificates an identity provider signs SAML with, as its metadata carries them
// (base64 DER in ds:X509Certificate) and as connections store them (PEM). Only the public key
// matters to a signature check: the chain, names and validity dates are not checked, as SAML
// deployments expect (the metadata is the trust anchor). Thread-safe: pure functions.

#include <optional>
#include <string>
#include <string_view>

namespace bulkhead::crypto {

// The PEM of the certificate whose DER is base64 `der_base64` (whitespace allowed); nullopt
// when that is not base64 of one X.509 certificate with an RSA or EC public key.
std::optional<std::string> SamlCertificatePem(std::string_view der_base64);

// Lowercase hex SHA-256 of the certificate's DER (the usual certificate fingerprint); nullopt
// when `pem` is not a PEM certificate.
std::optional<std::string> SamlCertificateSha256(std::string_view pem);

}  // namespace bulkhead::crypto
