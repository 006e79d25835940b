#pragma once
// Checks on free text that arrives in requests. Pure functions.

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace bulkhead::core {

// Whether `s` is well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
bool IsValidUtf8(std::string_view s);

// A display name or similar: valid UTF-8, no control characters (C0, DEL, C1), not blank,
// at most `max_chars` code points after trimming surrounding ASCII spaces. Returns the trimmed
// text, or kValidationFailed naming `field`.
Result<std::string> ValidateDisplayText(std::string_view field, std::string_view value,
                                        std::size_t max_chars);

// Number of code points in valid UTF-8.
std::size_t CodePointCount(std::string_view s);

// `text` with every byte but RFC 3986's unreserved characters (A-Z a-z 0-9 - . _ ~) written as
// %XX: safe as a query value or a path segment (http::PercentDecode reads it back).
std::string PercentEncode(std::string_view text);

}  // namespace bulkhead::core
