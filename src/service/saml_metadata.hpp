#pragma once
// SAML 2.0 metadata: reading an organization's identity provider metadata (EntityDescriptor with
// an IDPSSODescriptor) and writing Bulkhead's own service-provider metadata for a connection.
// The parser never loads a DTD, never expands entities and refuses oversized documents; it reads
// elements by namespace URI, not by prefix. Stateless; safe to call from any thread.

#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace bulkhead::service {

struct IdpMetadata {
  std::string entity_id, sso_url, sso_binding;  // "redirect" | "post"
  std::vector<std::string> certificates_pem;    // signing certificates
};

// 422-style error (core::Error::Validation naming `field`) when it is not usable IdP metadata.
core::Result<IdpMetadata> ParseIdpMetadata(std::string_view xml, std::string_view field);

// SP metadata for a connection: entity id, ACS (HTTP-POST), AuthnRequestsSigned=false,
// WantAssertionsSigned=true, NameIDFormat emailAddress.
std::string SpMetadataXml(const std::string& sp_entity_id, const std::string& acs_url);

}  // namespace bulkhead::service
