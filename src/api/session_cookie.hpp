#pragma once
// The browser session's cookie, set by the JSON login and sign-up and by the hosted pages alike.

#include <cstdint>
#include <string>
#include <string_view>

#include "http/message.hpp"

namespace bulkhead::api {

inline constexpr std::string_view kSessionCookieName = "bulkhead_session";

// `bulkhead_session=<token>; Path=/; HttpOnly; SameSite=Lax; Max-Age=<max_age>` (and Secure
// over TLS). Lax, not Strict: a relying party's redirect to /oauth2/authorize is a top-level
// cross-site navigation that must carry the session. An empty token and 0 clear it.
inline std::string SessionCookie(const http::Request& request, const std::string& token,
                                 int64_t max_age) {
  std::string cookie = std::string(kSessionCookieName) + "=" + token +
                       "; Path=/; HttpOnly; SameSite=Lax; Max-Age=" + std::to_string(max_age);
  if (request.secure) cookie += "; Secure";
  return cookie;
}

}  // namespace bulkhead::api
