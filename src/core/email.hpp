#pragma once
// Email addresses: validated and compared case-insensitively. Pure functions.

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace bulkhead::core {

// The address lowercased (the form stored and compared), or kValidationFailed on field "email".
// Accepts the common dot-atom form: local part 1-64 of A-Z a-z 0-9 and !#$%&'*+/=?^_`{|}~.-
// (no leading, trailing or double dot), '@', a domain of at least two labels of letters, digits
// and '-', each 1-63 characters, not starting or ending with '-'; at most 254 characters in all.
Result<std::string> NormalizeEmail(std::string_view email);

}  // namespace bulkhead::core
