#pragma once
// URL query strings: "a=1&b=x%20y" into decoded pairs.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bulkhead::http {

using QueryParams = std::vector<std::pair<std::string, std::string>>;

// Percent-decodes names and values ('+' is a space); nullopt on a malformed escape.
std::optional<QueryParams> ParseQuery(std::string_view query);
std::optional<std::string> PercentDecode(std::string_view text);
// The first value of `name`, if present.
std::optional<std::string> QueryValue(const QueryParams& params, std::string_view name);

}  // namespace bulkhead::http
