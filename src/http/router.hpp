#pragma once
// Matches a method and path against a table of method and path patterns. Literal segments win
// over parameters. It knows routes only by their index: the application keeps the rest.
// Thread-safety: immutable after construction; Match is thread-safe.

#include <string>
#include <string_view>
#include <vector>

#include "http/message.hpp"

namespace bulkhead::http {

struct RoutePattern {
  std::string method;
  std::string pattern;  // "/api/v1/organizations/{org}/members/{user_id}"
};

class Router {
 public:
  explicit Router(std::vector<RoutePattern> routes);
  // The patterns of any table whose rows have `method` and `pattern`, in its order.
  template <typename Table>
  static Router Of(const Table& table) {
    std::vector<RoutePattern> patterns;
    patterns.reserve(table.size());
    for (const auto& row : table) patterns.push_back({row.method, row.pattern});
    return Router(std::move(patterns));
  }

  RouteMatch Match(std::string_view method, std::string_view path) const;
  const std::vector<RoutePattern>& routes() const { return routes_; }

 private:
  struct Compiled {
    std::vector<std::string> segments;  // "{name}" for parameters
    int literal_count = 0;
  };
  std::vector<RoutePattern> routes_;
  std::vector<Compiled> compiled_;
};

// Splits "/a/b/c" into {"a","b","c"}; false for an empty segment ("//", trailing "/").
bool SplitPath(std::string_view path, std::vector<std::string_view>& out);

}  // namespace bulkhead::http
