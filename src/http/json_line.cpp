#include "http/json_line.hpp"

#include <charconv>
#include <cstdio>

namespace bulkhead::http {
namespace {

// The length of the valid UTF-8 sequence at `s[i]`, or 0 when it is not one.
std::size_t Utf8SequenceLength(std::string_view s, std::size_t i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  std::size_t n = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c <= 0xDF ? 2 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  }
  if (n == 3 && ((c == 0xE0 && byte(i + 1) < 0xA0) || (c == 0xED && byte(i + 1) > 0x9F))) return 0;
  if (n == 4 && ((c == 0xF0 && byte(i + 1) < 0x90) || (c == 0xF4 && byte(i + 1) > 0x8F))) return 0;
  return n;
}

bool IsTokenChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

}  // namespace

CredentialShape FindCredentialShape(std::string_view s, std::size_t i) {
  // "bk" and up to three lowercase letters, then "_" and the secret: bk_ (API keys), bks_
  // (sessions), bki_ (invitations), and whatever prefix a credential gets later.
  if (s.compare(i, 2, "bk") != 0) return {};
  std::size_t p = i + 2;
  while (p < s.size() && p - i < 5 && s[p] >= 'a' && s[p] <= 'z') ++p;
  if (p >= s.size() || s[p] != '_') return {};
  ++p;
  std::size_t end = p;
  while (end < s.size() && IsTokenChar(s[end])) ++end;
  if (end - p < kMinCredentialSecret) return {};
  return {p - i, end - i};
}

void JsonLine::Key(std::string_view key) {
  if (!first_) out_ += ',';
  first_ = false;
  String(key);
  out_ += ':';
}

void JsonLine::String(std::string_view s) {
  out_ += '"';
  // Runs of printable ASCII, nearly every byte of a log line, are copied in one append.
  std::size_t plain = 0;  // where the pending run of bytes written as they are starts
  auto flush = [&](std::size_t end) { out_.append(s.data() + plain, end - plain); };
  std::size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
      if (c == 'b') {
        if (auto token = FindCredentialShape(s, i); token.length > 0) {
          flush(i);
          out_.append(s.substr(i, token.prefix));
          out_ += "[redacted]";
          i += token.length;
          plain = i;
          continue;
        }
      }
      ++i;
      continue;
    }
    flush(i);
    if (c >= 0x80) {
      std::size_t n = Utf8SequenceLength(s, i);
      if (n == 0) {
        out_ += "\\ufffd";
        ++i;
      } else {
        out_.append(s.substr(i, n));
        i += n;
      }
      plain = i;
      continue;
    }
    switch (c) {
      case '"': out_ += "\\\""; break;
      case '\\': out_ += "\\\\"; break;
      case '\n': out_ += "\\n"; break;
      case '\r': out_ += "\\r"; break;
      case '\t': out_ += "\\t"; break;
      default: {
        char escaped[8];
        std::snprintf(escaped, sizeof(escaped), "\\u%04x", c);
        out_ += escaped;
      }
    }
    plain = ++i;
  }
  flush(i);
  out_ += '"';
}

JsonLine& JsonLine::Add(std::string_view key, std::string_view value) {
  Key(key);
  String(value);
  return *this;
}

JsonLine& JsonLine::Add(std::string_view key, const std::optional<std::string>& value) {
  return value ? Add(key, std::string_view(*value)) : AddNull(key);
}

JsonLine& JsonLine::Add(std::string_view key, int64_t value) {
  Key(key);
  out_ += std::to_string(value);
  return *this;
}

JsonLine& JsonLine::AddMillis(std::string_view key, double ms) {
  Key(key);
  char text[32];
  auto written = std::to_chars(text, text + sizeof(text), ms, std::chars_format::fixed, 3);
  out_.append(text, written.ptr);
  return *this;
}

JsonLine& JsonLine::AddNull(std::string_view key) {
  Key(key);
  out_ += "null";
  return *this;
}

JsonLine& JsonLine::Open(std::string_view key) {
  Key(key);
  out_ += '{';
  first_ = true;
  return *this;
}

JsonLine& JsonLine::Close() {
  out_ += '}';
  first_ = false;
  return *this;
}

std::string JsonLine::Finish() {
  out_ += '}';
  return std::move(out_);
}

}  // namespace bulkhead::http
