#include "crypto/saml_certificate.hpp"

#include <memory>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "crypto/saml_xml.hpp"
#include "crypto/token.hpp"

namespace bulkhead::crypto {
namespace {

struct X509Free {
  void operator()(X509* cert) const { X509_free(cert); }
};
struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};

}  // namespace

std::optional<std::string> SamlCertificatePem(std::string_view der_base64) {
  auto der = saml::Base64Decode(der_base64);
  if (!der || der->empty() || der->size() > 64 * 1024) return std::nullopt;
  const auto* p = reinterpret_cast<const unsigned char*>(der->data());
  std::unique_ptr<X509, X509Free> cert(d2i_X509(nullptr, &p, static_cast<long>(der->size())));
  // One certificate and nothing after it.
  if (!cert || p != reinterpret_cast<const unsigned char*>(der->data()) + der->size()) {
    return std::nullopt;
  }
  EVP_PKEY* key = X509_get0_pubkey(cert.get());
  if (key == nullptr) return std::nullopt;
  int type = EVP_PKEY_base_id(key);
  if (type != EVP_PKEY_RSA && type != EVP_PKEY_EC) return std::nullopt;
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert.get()) != 1) return std::nullopt;
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  if (size <= 0) return std::nullopt;
  return std::string(data, static_cast<std::size_t>(size));
}

std::optional<std::string> SamlCertificateSha256(std::string_view pem) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return std::nullopt;
  std::unique_ptr<X509, X509Free> cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) return std::nullopt;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (X509_digest(cert.get(), EVP_sha256(), digest, &length) != 1) return std::nullopt;
  return ToHex(std::string_view(reinterpret_cast<const char*>(digest), length));
}

}  // namespace bulkhead::crypto
