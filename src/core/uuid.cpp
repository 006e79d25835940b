#include "core/uuid.hpp"

#include <chrono>
#include <cstdint>
#include <mutex>
#include <random>

namespace bulkhead::core {
namespace {

uint64_t RandomBits() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return engine();
}

// Process-wide state for monotonic ids: the last timestamp and a 12-bit counter (rand_a).
struct Clock {
  std::mutex mu;
  uint64_t last_ms = 0;
  uint32_t counter = 0;
};

Clock& GlobalClock() {
  static Clock clock;
  return clock;
}

}  // namespace

std::string NewUuidV7() {
  uint64_t now = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                           std::chrono::system_clock::now().time_since_epoch())
                                           .count());
  uint64_t ms;
  uint32_t counter;
  {
    auto& clock = GlobalClock();
    std::lock_guard lock(clock.mu);
    if (now > clock.last_ms) {
      clock.last_ms = now;
      clock.counter = static_cast<uint32_t>(RandomBits() & 0x1FF);  // room to count upward
    } else if (++clock.counter > 0xFFF) {
      ++clock.last_ms;  // counter exhausted (or the clock went back): borrow the next ms
      clock.counter = 0;
    }
    ms = clock.last_ms;
    counter = clock.counter;
  }
  uint64_t rand_b = RandomBits();
  unsigned char b[16];
  for (int i = 0; i < 6; ++i) b[i] = static_cast<unsigned char>(ms >> (40 - 8 * i));
  b[6] = static_cast<unsigned char>(0x70 | ((counter >> 8) & 0x0F));
  b[7] = static_cast<unsigned char>(counter & 0xFF);
  for (int i = 0; i < 8; ++i) b[8 + i] = static_cast<unsigned char>(rand_b >> (56 - 8 * i));
  b[8] = static_cast<unsigned char>((b[8] & 0x3F) | 0x80);  // RFC 9562 variant

  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += kHex[b[i] >> 4];
    out += kHex[b[i] & 0xF];
  }
  return out;
}

bool IsUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

std::string UuidHex(std::string_view uuid) {
  std::string out;
  out.reserve(32);
  for (char c : uuid) {
    if (c != '-') out += c;
  }
  return out;
}

}  // namespace bulkhead::core
