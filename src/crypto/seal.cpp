#include "crypto/seal.hpp"

#include <sodium.h>

#include <stdexcept>

#include "crypto/password.hpp"
#include "crypto/token.hpp"

namespace bulkhead::crypto {
namespace {

constexpr std::size_t kNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr std::size_t kTagBytes = crypto_aead_xchacha20poly1305_ietf_ABYTES;
static_assert(kKeyBytes == crypto_aead_xchacha20poly1305_ietf_KEYBYTES);

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

std::string NewKey() {
  return RandomBytes(kKeyBytes);
}

std::string Seal(std::string_view key, std::string_view plaintext,
                 std::string_view associated_data) {
  if (key.size() != kKeyBytes) throw std::invalid_argument("a sealing key is 32 bytes");
  InitCrypto();
  std::string out(kNonceBytes + plaintext.size() + kTagBytes, '\0');
  auto* nonce = reinterpret_cast<unsigned char*>(out.data());
  randombytes_buf(nonce, kNonceBytes);
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(nonce + kNonceBytes, &written, Bytes(plaintext),
                                             plaintext.size(), Bytes(associated_data),
                                             associated_data.size(), nullptr, nonce, Bytes(key));
  out.resize(kNonceBytes + written);
  return out;
}

std::optional<std::string> Open(std::string_view key, std::string_view sealed,
                                std::string_view associated_data) {
  if (key.size() != kKeyBytes || sealed.size() < kNonceBytes + kTagBytes) return std::nullopt;
  InitCrypto();
  std::string out(sealed.size() - kNonceBytes - kTagBytes, '\0');
  unsigned long long written = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(out.data()), &written, nullptr,
          Bytes(sealed) + kNonceBytes, sealed.size() - kNonceBytes, Bytes(associated_data),
          associated_data.size(), Bytes(sealed), Bytes(key)) != 0) {
    sodium_memzero(out.data(), out.size());
    return std::nullopt;
  }
  out.resize(written);
  return out;
}

}  // namespace bulkhead::crypto
