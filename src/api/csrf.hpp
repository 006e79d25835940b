#pragma once
// The hosted pages' CSRF defence: a double-submit token. A page's GET sets the cookie
// `bulkhead_csrf` (random, HttpOnly, SameSite=Strict, host-only) when the browser has none and
// renders the same value in the form's hidden `csrf_token`; a POST must carry both, equal.
// Another site can make a browser post to us with our cookies attached (it is what login CSRF
// does) but it can read neither the cookie nor our page, so it cannot put the value in the form.
//
// The field carries the cookie's value itself, not an HMAC of it: an HMAC would only stop
// someone who can write our cookies (a sibling host planting one) from choosing the pair, and
// such an attacker can fetch a valid pair from us as easily as anyone. What the defence rests
// on is that only our own host sets the cookie: it has no Domain attribute and is SameSite=Strict,
// so it is neither sent on other sites' requests nor shared with sibling subdomains.
// Pure functions, but NewCsrfToken (the operating system's CSPRNG).

#include <optional>
#include <string>
#include <string_view>

#include "http/message.hpp"

namespace bulkhead::api {

inline constexpr std::string_view kCsrfCookie = "bulkhead_csrf";

// What a page's GET renders in its form, and the cookie to set when the browser had none.
struct CsrfToken {
  std::string value;
  std::optional<std::string> set_cookie;  // a Set-Cookie header value
};

// A new random token: 32 bytes in base64url (43 characters).
std::string NewCsrfToken();
// Whether `value` has the shape of a token we issue; a cookie of any other shape is replaced.
bool IsCsrfTokenShape(std::string_view value);
// The request's token when its cookie holds one, else a new one with its Set-Cookie value.
CsrfToken CsrfTokenFor(const http::Request& request);
// `bulkhead_csrf=<value>; Path=/; HttpOnly; SameSite=Strict` (and Secure over TLS).
std::string CsrfCookie(const http::Request& request, std::string_view value);
// Whether a POST carries a token in its cookie and the same one in its form, compared in
// constant time.
bool CsrfMatches(const http::Request& request, std::string_view submitted);
// The form's hidden input: <input type="hidden" name="csrf_token" value="...">.
std::string CsrfField(std::string_view value);

}  // namespace bulkhead::api
