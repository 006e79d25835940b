#include "api/csrf.hpp"

#include <algorithm>

#include "api/page.hpp"
#include "crypto/token.hpp"
#include "http/pipeline.hpp"

namespace bulkhead::api {
namespace {

constexpr std::size_t kTokenLength = 43;  // 32 bytes in base64url without padding

bool IsBase64UrlChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

}  // namespace

std::string NewCsrfToken() {
  return crypto::NewToken("");
}

bool IsCsrfTokenShape(std::string_view value) {
  return value.size() == kTokenLength && std::all_of(value.begin(), value.end(), IsBase64UrlChar);
}

CsrfToken CsrfTokenFor(const http::Request& request) {
  auto cookie = http::CookieValue(request.HeaderValue("Cookie"), kCsrfCookie);
  if (IsCsrfTokenShape(cookie)) return {std::string(cookie), std::nullopt};
  std::string value = NewCsrfToken();
  std::string set_cookie = CsrfCookie(request, value);
  return {std::move(value), std::move(set_cookie)};
}

std::string CsrfCookie(const http::Request& request, std::string_view value) {
  std::string cookie =
      std::string(kCsrfCookie) + "=" + std::string(value) + "; Path=/; HttpOnly; SameSite=Strict";
  if (request.secure) cookie += "; Secure";
  return cookie;
}

bool CsrfMatches(const http::Request& request, std::string_view submitted) {
  auto cookie = http::CookieValue(request.HeaderValue("Cookie"), kCsrfCookie);
  if (!IsCsrfTokenShape(cookie) || !IsCsrfTokenShape(submitted)) return false;
  return crypto::ConstantTimeEquals(cookie, submitted);
}

std::string CsrfField(std::string_view value) {
  return "<input type=\"hidden\" name=\"csrf_token\" value=\"" + HtmlEscape(value) + "\">";
}

}  // namespace bulkhead::api
