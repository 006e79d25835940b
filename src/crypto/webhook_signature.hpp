#pragma once
// Standard Webhooks signatures (https://www.standardwebhooks.com): `v1,` followed by the base64
// HMAC-SHA256 of "<msg_id>.<timestamp>.<body>", keyed with the bytes a `whsec_` secret encodes.
// A receiver verifies them with any Standard Webhooks library, not with our code.
// Thread-safe: pure functions.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace bulkhead::crypto {

inline constexpr std::string_view kWebhookSecretPrefix = "whsec_";

// The key bytes of a secret: the base64 after `whsec_` (the prefix is optional, as in the
// Standard Webhooks libraries). nullopt when that is not base64 or encodes nothing.
std::optional<std::string> DecodeWebhookSecret(std::string_view secret);

// "v1,<base64 HMAC-SHA256(key, msg_id + "." + timestamp + "." + body)>".
std::string SignWebhook(std::string_view key, std::string_view msg_id, int64_t timestamp,
                        std::string_view body);

}  // namespace bulkhead::crypto
