#include "api/return_to.hpp"
#include "core/text.hpp"

#include <algorithm>
#include <vector>

#include "http/query.hpp"

namespace bulkhead::api {
namespace {

constexpr std::string_view kAuthorizePrefix = "/oauth2/authorize?";
constexpr std::string_view kConsolePrefix = "/console/";

bool IsUnreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

// A /console/ path: segments of unreserved characters, none empty, "." or "..".
bool IsPlainConsolePath(std::string_view path) {
  std::string_view rest = path.substr(1);  // after the leading '/'
  while (!rest.empty()) {
    auto slash = rest.find('/');
    std::string_view segment = rest.substr(0, slash);
    bool last = slash == std::string_view::npos;
    // The only empty segment allowed is a trailing slash's.
    if (segment.empty() && !last) return false;
    if (segment == "." || segment == "..") return false;
    if (!std::all_of(segment.begin(), segment.end(), IsUnreserved)) return false;
    if (last) break;
    rest.remove_prefix(slash + 1);
  }
  return true;
}

// The query's '&'-separated pairs as received.
std::vector<std::string_view> SplitPairs(std::string_view query) {
  std::vector<std::string_view> pairs;
  while (!query.empty()) {
    auto amp = query.find('&');
    auto pair = query.substr(0, amp);
    if (!pair.empty()) pairs.push_back(pair);
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return pairs;
}

bool PairNamed(std::string_view pair, std::string_view name) {
  auto decoded = http::PercentDecode(pair.substr(0, pair.find('=')));
  return decoded && *decoded == name;
}

// `url` with the pairs named `name` removed, and `append` (already encoded) added when given.
std::string RewriteQuery(std::string_view url, std::string_view name, std::string_view append) {
  auto question = url.find('?');
  std::string out(url.substr(0, question));
  std::string query;
  if (question != std::string_view::npos) {
    for (auto pair : SplitPairs(url.substr(question + 1))) {
      if (PairNamed(pair, name)) continue;
      if (!query.empty()) query += '&';
      query += pair;
    }
  }
  if (!append.empty()) {
    if (!query.empty()) query += '&';
    query += append;
  }
  if (!query.empty()) out += "?" + query;
  return out;
}

}  // namespace

std::optional<std::string> SanitizeReturnTo(std::string_view raw) {
  if (raw.empty() || raw.size() > kMaxReturnTo) return std::nullopt;
  // Printable ASCII only: no space, control character or byte a browser would re-interpret;
  // no backslash (browsers read "/\host" as "//host"); no fragment.
  for (char ch : raw) {
    auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c >= 0x7f || ch == '\\' || ch == '#') return std::nullopt;
  }
  if (raw.starts_with(kAuthorizePrefix)) return std::string(raw);
  if (raw.starts_with(kConsolePrefix)) {
    auto path = raw.substr(0, raw.find('?'));
    if (IsPlainConsolePath(path)) return std::string(raw);
  }
  return std::nullopt;
}

std::string WithoutPrompt(std::string_view url) {
  return RewriteQuery(url, "prompt", "");
}

std::string WithOrganization(std::string_view url, std::string_view organization_id) {
  return RewriteQuery(url, "organization", "organization=" + core::PercentEncode(organization_id));
}

std::optional<std::string> UrlQueryValue(std::string_view url, std::string_view name) {
  auto question = url.find('?');
  if (question == std::string_view::npos) return std::nullopt;
  for (auto pair : SplitPairs(url.substr(question + 1))) {
    if (!PairNamed(pair, name)) continue;
    auto eq = pair.find('=');
    return http::PercentDecode(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
  }
  return std::nullopt;
}

}  // namespace bulkhead::api
