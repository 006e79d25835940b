#include "crypto/token.hpp"

#include <openssl/evp.h>
#include <sodium.h>

#include <cstdlib>

#include "core/base64.hpp"
#include "crypto/password.hpp"

namespace bulkhead::crypto {

std::string RandomBytes(std::size_t n) {
  InitCrypto();
  std::string out(n, '\0');
  randombytes_buf(out.data(), n);
  return out;
}

std::string NewToken(std::string_view prefix) {
  return std::string(prefix) + core::Base64UrlEncode(RandomBytes(32));
}

std::string ToHex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += kHex[c >> 4];
    out += kHex[c & 0xF];
  }
  return out;
}

// OpenSSL's SHA-256 uses the CPU's SHA extensions where it has them (libsodium's does not):
// every session lookup and audit event hashes. Fetched once; the algorithm object is shared.
std::string HashToken(std::string_view token) {
  static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  if (sha256 == nullptr) std::abort();  // OpenSSL without its default provider
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(token.data(), token.size(), digest, &size, sha256, nullptr) != 1) std::abort();
  return ToHex(std::string_view(reinterpret_cast<const char*>(digest), size));
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace bulkhead::crypto
