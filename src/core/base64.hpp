#pragma once
// base64url without padding (RFC 4648 section 5), for opaque cursors and tokens.

#include <optional>
#include <string>
#include <string_view>

namespace bulkhead::core {

std::string Base64UrlEncode(std::string_view bytes);
// nullopt on any character outside the alphabet, on padding, or on an impossible length.
std::optional<std::string> Base64UrlDecode(std::string_view text);

}  // namespace bulkhead::core
