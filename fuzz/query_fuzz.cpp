// URL query strings (src/http/query). Invariants: percent-encoding what ParseQuery returned
// and parsing it again gives the same pairs; QueryValue finds the first pair of a name.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "check.hpp"
#include "http/query.hpp"

namespace {

std::string Encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)bulkhead::http::PercentDecode(text);
  auto params = bulkhead::http::ParseQuery(text);
  if (!params) return 0;
  std::string encoded;
  for (const auto& [name, value] : *params) {
    if (!encoded.empty()) encoded += '&';
    encoded += Encode(name) + "=" + Encode(value);
  }
  auto again = bulkhead::http::ParseQuery(encoded);
  FUZZ_CHECK(again.has_value());
  // An empty name with an empty value ("=") is kept by ParseQuery; so the lists compare whole.
  FUZZ_CHECK(*again == *params);
  for (const auto& [name, value] : *params) {
    auto first = bulkhead::http::QueryValue(*params, name);
    FUZZ_CHECK(first.has_value());
    auto decoded = bulkhead::http::PercentDecode(Encode(*first));
    FUZZ_CHECK(decoded && *decoded == *first);
  }
  return 0;
}
