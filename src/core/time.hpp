#pragma once
// Time as INTEGER unix milliseconds in storage and RFC 3339 UTC strings on the wire.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace bulkhead::core {

int64_t NowMs();  // wall clock, unix epoch milliseconds
// "2026-11-23T05:35:26.123Z" (always milliseconds, always Z).
std::string FormatRfc3339(int64_t unix_ms);
// Accepts "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)" (also 't' and 'z'); kValidationFailed
// on field `field` otherwise.
Result<int64_t> ParseRfc3339(std::string_view field, std::string_view text);

}  // namespace bulkhead::core
