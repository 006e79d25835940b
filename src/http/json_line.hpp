#pragma once
// A JSON object written field by field into one string, for the access and routing logs:
// a log line per request must cost next to nothing, so no document tree is built. Strings
// are escaped; bytes that are not UTF-8 (a hostile Host header) become U+FFFD, so every line
// is valid JSON. Not thread-safe; one per line.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace bulkhead::http {

class JsonLine {
 public:
  JsonLine() { out_.reserve(384); out_ += '{'; }

  JsonLine& Add(std::string_view key, std::string_view value);
  JsonLine& Add(std::string_view key, const char* value) { return Add(key, std::string_view(value)); }
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
