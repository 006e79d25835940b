#include "crypto/webhook_signature.hpp"

#include <sodium.h>

#include <vector>

namespace bulkhead::crypto {
namespace {

std::optional<std::string> DecodeBase64(std::string_view text, int variant) {
  std::string bytes(text.size(), '\0');
  std::size_t length = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(bytes.data()), bytes.size(), text.data(),
                        text.size(), nullptr, &length, &end, variant) != 0 ||
      end != text.data() + text.size()) {
    return std::nullopt;
  }
  bytes.resize(length);
  return bytes;
}

std::string EncodeBase64(const unsigned char* bytes, std::size_t size) {
  std::string text(sodium_base64_ENCODED_LEN(size, sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(text.data(), text.size(), bytes, size, sodium_base64_VARIANT_ORIGINAL);
  text.resize(text.size() - 1);  // the terminating NUL
  return text;
}

}  // namespace

std::optional<std::string> DecodeWebhookSecret(std::string_view secret) {
  if (secret.starts_with(kWebhookSecretPrefix)) secret.remove_prefix(kWebhookSecretPrefix.size());
  if (secret.empty()) return std::nullopt;
  // Padded, as we issue them; unpadded too, as other issuers write them.
  auto key = DecodeBase64(secret, sodium_base64_VARIANT_ORIGINAL);
  if (!key) key = DecodeBase64(secret, sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
  if (!key || key->empty()) return std::nullopt;
  return key;
}

std::string SignWebhook(std::string_view key, std::string_view msg_id, int64_t timestamp,
                        std::string_view body) {
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()),
                              key.size());
  std::string prefix = std::string(msg_id) + "." + std::to_string(timestamp) + ".";
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(prefix.data()),
                                prefix.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(body.data()),
                                body.size());
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_final(&state, mac);
  return "v1," + EncodeBase64(mac, sizeof mac);
}

}  // namespace bulkhead::crypto
