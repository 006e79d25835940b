#pragma once
// A JSON object written field by field into one string, for the access and routing logs:
// a log line per request must cost next to nothing, so no document tree is built. Strings
// are escaped; bytes that are not UTF-8 (a hostile Host header) become U+FFFD, so every line
// is valid JSON. Anything shaped like one of our credentials (a token pasted into a path, a
// header or a Host by mistake) is written as its prefix and "[redacted]", so no log keeps a
// usable secret whatever field it came in. Not thread-safe; one per line.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace bulkhead::http {

// Where a credential-shaped run starts at s[i]: the length of its public prefix ("bks_") and
// of the whole run; {0, 0} when there is none. A secret has at least kMinCredentialSecret
// base64url characters, so words like "bk_x" stay readable.
inline constexpr std::size_t kMinCredentialSecret = 8;
struct CredentialShape {
  std::size_t prefix = 0;
  std::size_t length = 0;
};
CredentialShape FindCredentialShape(std::string_view s, std::size_t i);

class JsonLine {
 public:
  JsonLine() {
    out_.reserve(384);
    out_ += '{';
  }

  JsonLine& Add(std::string_view key, std::string_view value);
  JsonLine& Add(std::string_view key, const char* value) {
    return Add(key, std::string_view(value));
  }
  JsonLine& Add(std::string_view key, const std::string& value) {
    return Add(key, std::string_view(value));
  }
  JsonLine& Add(std::string_view key, const std::optional<std::string>& value);
  JsonLine& Add(std::string_view key, int64_t value);
  JsonLine& Add(std::string_view key, int value) { return Add(key, static_cast<int64_t>(value)); }
  JsonLine& AddMillis(std::string_view key, double ms);  // 3 decimals
  JsonLine& AddNull(std::string_view key);
  // A nested object: Open("signals") ... Close().
  JsonLine& Open(std::string_view key);
  JsonLine& Close();

  // The finished line (closes the outer object); the builder is spent.
  std::string Finish();

 private:
  void Key(std::string_view key);
  void String(std::string_view value);

  std::string out_;
  bool first_ = true;
};

}  // namespace bulkhead::http
