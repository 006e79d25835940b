#pragma once
// Authenticated encryption for data at rest: XChaCha20-Poly1305 (libsodium's IETF
// construction) with a random 192-bit nonce per message, so that random nonces never repeat in
// practice. The associated data binds a ciphertext to where it belongs (an organization, a key
// version, a secret's name): opened anywhere else, it fails. Thread-safe.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace bulkhead::crypto {

inline constexpr std::size_t kKeyBytes = 32;

// A new random 256-bit key.
std::string NewKey();
// nonce || ciphertext || tag. `key` must be kKeyBytes long.
std::string Seal(std::string_view key, std::string_view plaintext,
                 std::string_view associated_data);
// The plaintext, or nullopt when the key or the associated data is not the one it was sealed
// with, or the bytes were changed.
std::optional<std::string> Open(std::string_view key, std::string_view sealed,
                                std::string_view associated_data);

}  // namespace bulkhead::crypto
