#pragma once
// Calendar days (UTC) for usage: a day is counted as days since 1970-01-01 and written
// "YYYY-MM-DD" on the wire and in storage. Pure functions.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace bulkhead::core {

// The UTC day that contains `unix_ms`.
int64_t DayOf(int64_t unix_ms);
// "2026-11-23".
std::string FormatDay(int64_t day);
// Exactly "YYYY-MM-DD" naming a real date; kValidationFailed on `field` otherwise.
Result<int64_t> ParseDay(std::string_view field, std::string_view text);

}  // namespace bulkhead::core
