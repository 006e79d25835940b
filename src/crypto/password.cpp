#include "crypto/password.hpp"

#include <sodium.h>

#include <algorithm>
#include <mutex>
#include <semaphore>
#include <stdexcept>
#include <thread>

namespace bulkhead::crypto {
namespace {

// argon2id is CPU- and memory-bound (64 MiB a hash): no more run at once than there are
// cores. The worker pool is larger than that because most of its threads wait for disks.
class HashSlot {
 public:
  HashSlot() { Slots().acquire(); }
  ~HashSlot() { Slots().release(); }
  HashSlot(const HashSlot&) = delete;
  HashSlot& operator=(const HashSlot&) = delete;

 private:
  static std::counting_semaphore<>& Slots() {
    static std::counting_semaphore<> slots(
        static_cast<std::ptrdiff_t>(std::max(1u, std::thread::hardware_concurrency())));
    return slots;
  }
};

}  // namespace

void InitCrypto() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialize");
  });
}

std::string HashPassword(std::string_view password) {
  InitCrypto();
  char out[crypto_pwhash_STRBYTES];
  HashSlot slot;
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    throw std::runtime_error("out of memory while hashing a password");
  }
  return out;
}

bool VerifyPassword(std::string_view encoded_hash, std::string_view password) {
  InitCrypto();
  if (encoded_hash.empty() || encoded_hash.size() >= crypto_pwhash_STRBYTES) return false;
  std::string hash(encoded_hash);  // libsodium wants a NUL-terminated string
  HashSlot slot;
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
