#pragma once
// Bounds of untrusted JSON text, checked before it is parsed. nlohmann::json parses without
// recursion, but copying, comparing and dumping a parsed value recurse once per level, so a
// 120 kB body nested 60,000 levels deep overflows the stack wherever the value is used. And
// nlohmann's lexer takes a NUL byte for the end of input, so "{}\0anything" would parse as {}.
// This scan refuses both before the parser sees the text. Pure function, thread-safe.

#include <cstddef>
#include <string_view>

#include "core/result.hpp"

namespace bulkhead::core {

// The deepest nesting of arrays and objects a request body may have: the body object itself
// is level 1, so `{"settings": {...}}` leaves 63 levels to the settings.
inline constexpr std::size_t kMaxJsonDepth = 64;

// kMalformedJson when `text` contains a NUL byte anywhere or nests arrays and objects deeper
// than `max_depth`. Brackets inside strings (escapes included) do not count. Does not otherwise
// validate: the parser that follows does. Iterative, constant stack.
Status CheckJsonBounds(std::string_view text, std::size_t max_depth = kMaxJsonDepth);

}  // namespace bulkhead::core
