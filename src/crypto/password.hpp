#pragma once
// Password hashing with argon2id (libsodium's crypto_pwhash_str, interactive limits).
// Thread-safe. Hashing costs tens of milliseconds and 64 MiB on purpose: call it from the
// blocking worker pool, never from an I/O thread.

#include <string>
#include <string_view>

namespace bulkhead::crypto {

// Initializes libsodium once; safe to call repeatedly and from several threads. Throws
// std::runtime_error when libsodium cannot start (no entropy source).
void InitCrypto();

// The encoded "$argon2id$v=19$m=...,t=...,p=1$salt$hash" string.
std::string HashPassword(std::string_view password);
// Constant-time check of `password` against an encoded hash; false on any malformed hash.
bool VerifyPassword(std::string_view encoded_hash, std::string_view password);
// A valid encoded hash of a random password, so that a login for an unknown email costs the same
// as one for a known email (no account enumeration by timing).
const std::string& DummyPasswordHash();

}  // namespace bulkhead::crypto
