#include "core/slug.hpp"

#include <algorithm>
#include <array>
#include <cstdint>

#include "core/uuid.hpp"

namespace bulkhead::core {
namespace {

// Room kept for a "-NNNNNN" suffix when deriving a slug.
constexpr std::size_t kSuffixRoom = 7;

constexpr std::array<std::string_view, 41> kReserved = {
    "www",      "api",       "app",           "admin",   "mail",     "static",    "status",
    "docs",     "help",      "support",       "blog",    "auth",     "login",     "logout",
    "signup",   "dashboard", "console",       "assets",  "cdn",      "smtp",      "imap",
    "ftp",      "ns1",       "ns2",           "root",    "system",   "internal",  "bulkhead",
    "org",      "orgs",      "organizations", "billing", "security", "localhost", "account",
    "accounts", "settings",  "webhooks",      "oauth",   "sso",      "mx"};

bool IsSlugChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

// ASCII spelling of a Latin-1 Supplement or Latin Extended-A letter, or "" for anything else.
std::string_view FoldLatin(uint32_t cp) {
  if (cp >= 0xC0 && cp <= 0xFF) {
    static constexpr std::string_view kLatin1[] = {
        "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",   // C0-CF
        "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "ss",  // D0-DF
        "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",   // E0-EF
        "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "y"};  // F0-FF
    return kLatin1[cp - 0xC0];
  }
  if (cp >= 0x100 && cp <= 0x17F) {
    // Latin Extended-A, two code points per base letter for most of the block.
    static constexpr std::string_view kExtA[] = {
        "a", "a", "a",  "a",  "a", "a", "c", "c", "c", "c", "c", "c", "c", "c", "d", "d",   // 100
        "d", "d", "e",  "e",  "e", "e", "e", "e", "e", "e", "e", "e", "g", "g", "g", "g",   // 110
        "g", "g", "g",  "g",  "h", "h", "h", "h", "i", "i", "i", "i", "i", "i", "i", "i",   // 120
        "i", "i", "ij", "ij", "j", "j", "k", "k", "k", "l", "l", "l", "l", "l", "l", "l",   // 130
        "l", "l", "l",  "n",  "n", "n", "n", "n", "n", "n", "n", "n", "o", "o", "o", "o",   // 140
        "o", "o", "oe", "oe", "r", "r", "r", "r", "r", "r", "s", "s", "s", "s", "s", "s",   // 150
        "s", "s", "t",  "t",  "t", "t", "t", "t", "u", "u", "u", "u", "u", "u", "u", "u",   // 160
        "u", "u", "u",  "u",  "w", "w", "y", "y", "y", "z", "z", "z", "z", "z", "z", "s"};  // 170
    return kExtA[cp - 0x100];
  }
  return "";
}

// Decodes one UTF-8 sequence at `i`; invalid bytes decode as U+FFFD one byte at a time.
uint32_t NextCodePoint(std::string_view s, std::size_t& i) {
  auto c = static_cast<unsigned char>(s[i]);
  int extra = c < 0x80             ? 0
              : (c & 0xE0) == 0xC0 ? 1
              : (c & 0xF0) == 0xE0 ? 2
              : (c & 0xF8) == 0xF0 ? 3
                                   : -1;
  if (extra < 0 || i + extra >= s.size()) {
    ++i;
    return 0xFFFD;
  }
  uint32_t cp = extra == 0 ? c : c & (0x3F >> extra);
  for (int k = 1; k <= extra; ++k) {
    auto cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xC0) != 0x80) {
      ++i;
      return 0xFFFD;
    }
    cp = (cp << 6) | (cc & 0x3F);
  }
  i += extra + 1;
  return cp;
}

void TrimHyphens(std::string& s) {
  while (!s.empty() && s.back() == '-') s.pop_back();
  std::size_t start = s.find_first_not_of('-');
  s.erase(0, start == std::string::npos ? s.size() : start);
}

}  // namespace

bool IsReservedSlug(std::string_view slug) {
  return std::find(kReserved.begin(), kReserved.end(), slug) != kReserved.end();
}

Status ValidateSlug(std::string_view slug) {
  if (slug.size() < kSlugMinLength || slug.size() > kSlugMaxLength) {
    return Error::Validation("slug", "must be 3-63 characters");
  }
  if (!std::all_of(slug.begin(), slug.end(), IsSlugChar)) {
    return Error::Validation("slug", "may contain only a-z, 0-9 and '-'");
  }
  if (slug.front() == '-' || slug.back() == '-') {
    return Error::Validation("slug", "must start and end with a letter or digit");
  }
  if (IsReservedSlug(slug)) return Error::Validation("slug", "is reserved");
  // Ids and slugs share the path and X-Organization, where an id-shaped name is read as an id:
  // such a slug would name (or route to) whichever organization has that id.
  if (IsUuid(slug)) return Error::Validation("slug", "must not have the shape of an id (UUID)");
  return Ok();
}

std::string SlugFromName(std::string_view name, std::string_view fallback) {
  std::string out;
  bool separator = false;
  for (std::size_t i = 0; i < name.size();) {
    uint32_t cp = NextCodePoint(name, i);
    std::string_view piece;
    char ascii[2] = {0, 0};
    if (cp < 0x80) {
      char c = static_cast<char>(cp);
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
        ascii[0] = c;
        piece = std::string_view(ascii, 1);
      }
    } else {
      piece = FoldLatin(cp);
    }
    if (piece.empty()) {
      separator = true;
      continue;
    }
    if (separator && !out.empty()) out += '-';
    separator = false;
    out += piece;
  }
  if (out.size() > kSlugMaxLength - kSuffixRoom) out.resize(kSlugMaxLength - kSuffixRoom);
  TrimHyphens(out);
  if (out.empty()) return std::string(fallback);
  if (out.size() < kSlugMinLength || IsReservedSlug(out) || IsUuid(out)) {
    out += '-';
    out += fallback;
  }
  return out;
}

std::string SlugWithSuffix(std::string_view base, int n) {
  std::string suffix = "-" + std::to_string(n);
  std::string out(base.substr(0, std::min(base.size(), kSlugMaxLength - suffix.size())));
  TrimHyphens(out);
  return out + suffix;
}

}  // namespace bulkhead::core
