#include "core/email.hpp"

#include <cstring>

namespace bulkhead::core {
namespace {

constexpr std::size_t kMaxEmail = 254;
constexpr std::size_t kMaxLocal = 64;
constexpr std::size_t kMaxLabel = 63;

bool IsAtext(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return true;
  return c != '\0' && std::strchr("!#$%&'*+/=?^_`{|}~-", c) != nullptr;
}

bool ValidLocal(std::string_view local) {
  if (local.empty() || local.size() > kMaxLocal) return false;
  if (local.front() == '.' || local.back() == '.') return false;
  char previous = 0;
  for (char c : local) {
    if (c == '.') {
      if (previous == '.') return false;
    } else if (!IsAtext(c)) {
      return false;
    }
    previous = c;
  }
  return true;
}

bool ValidDomain(std::string_view domain) {
  int labels = 0;
  std::size_t start = 0;
  while (start <= domain.size()) {
    std::size_t end = domain.find('.', start);
    if (end == std::string_view::npos) end = domain.size();
    std::string_view label = domain.substr(start, end - start);
    if (label.empty() || label.size() > kMaxLabel) return false;
    if (label.front() == '-' || label.back() == '-') return false;
    for (char c : label) {
      bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
      if (!ok) return false;
    }
    ++labels;
    start = end + 1;
  }
  return labels >= 2;
}

}  // namespace

Result<std::string> NormalizeEmail(std::string_view email) {
  auto invalid = [] { return Error::Validation("email", "must be a valid email address"); };
  if (email.empty() || email.size() > kMaxEmail) return invalid();
  std::string lower(email);
  for (auto& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  auto at = lower.rfind('@');
  if (at == std::string::npos || lower.find('@') != at) return invalid();
  if (!ValidLocal(std::string_view(lower).substr(0, at))) return invalid();
  if (!ValidDomain(std::string_view(lower).substr(at + 1))) return invalid();
  return lower;
}

}  // namespace bulkhead::core
