#pragma once
// Bearer secrets: 256-bit random values shown once and stored only as a SHA-256 hash.
// Thread-safe.

#include <string>
#include <string_view>

namespace bulkhead::crypto {

// `prefix` followed by 32 random bytes in base64url (43 characters), e.g. "bks_Xy3...".
std::string NewToken(std::string_view prefix);
// Lowercase hex SHA-256 of `token` (64 characters): the stored form and the lookup key.
std::string HashToken(std::string_view token);
// Constant-time equality of two byte strings (false when the lengths differ).
bool ConstantTimeEquals(std::string_view a, std::string_view b);
// `n` random bytes from the operating system's CSPRNG.
std::string RandomBytes(std::size_t n);
// Lowercase hex of bytes.
std::string ToHex(std::string_view bytes);

}  // namespace bulkhead::crypto
