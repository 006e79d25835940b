#include "crypto/password.hpp"

#include <sodium.h>

#include <mutex>
#include <stdexcept>

namespace bulkhead::crypto {

void InitCrypto() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialize");
  });
}

std::string HashPassword(std::string_view password) {
  InitCrypto();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(),
                        crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    throw std::runtime_error("out of memory while hashing a password");
  }
  return out;
}

bool VerifyPassword(std::string_view encoded_hash, std::string_view password) {
  InitCrypto();
  if (encoded_hash.empty() || encoded_hash.size() >= crypto_pwhash_STRBYTES) return false;
  std::string hash(encoded_hash);  // libsodium wants a NUL-terminated string
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

const std::string& DummyPasswordHash() {
  static const std::string kHash = [] {
    unsigned char random[32];
    InitCrypto();
    randombytes_buf(random, sizeof random);
    return HashPassword(std::string_view(reinterpret_cast<const char*>(random), sizeof random));
  }();
  return kHash;
}

}  // namespace bulkhead::crypto
