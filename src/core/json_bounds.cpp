#include "core/json_bounds.hpp"

#include <string>

namespace bulkhead::core {

Status CheckJsonBounds(std::string_view text, std::size_t max_depth) {
  std::size_t depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\0') {
      return Error::Make(
          ErrorCode::kMalformedJson,
          "the request body is not valid JSON: NUL byte at offset " + std::to_string(i));
    }
    if (in_string) {
      // A backslash escapes exactly the next character ("\\\"" is backslash then quote); a
      // \uXXXX escape's hex digits can be neither a quote nor a backslash, so they need no state.
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"': in_string = true; break;
      case '[':
      case '{':
        if (++depth > max_depth) {
          return Error::Make(ErrorCode::kMalformedJson,
                             "the request body nests arrays and objects deeper than " +
                                 std::to_string(max_depth) + " levels");
        }
        break;
      case ']':
      case '}':
        // Unbalanced closers are the parser's to refuse; never wrap below zero.
        if (depth > 0) --depth;
        break;
      default: break;
    }
  }
  return Ok();
}

}  // namespace bulkhead::core
