#pragma once
// Matches a method and path against the route table. Literal segments win over parameters.
// Thread-safety: immutable after construction; Match is thread-safe.

#include <string>
#include <string_view>
#include <vector>

#include "http/route.hpp"

namespace bulkhead::http {

class Router {
 public:
  explicit Router(std::vector<Route> routes);
  RouteMatch Match(std::string_view method, std::string_view path) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  struct Compiled {
    std::vector<std::string> segments;  // "{name}" for parameters
    int literal_count = 0;
  };
  std::vector<Route> routes_;
  std::vector<Compiled> compiled_;
};

// Splits "/a/b/c" into {"a","b","c"}; false for an empty segment ("//", trailing "/").
bool SplitPath(std::string_view path, std::vector<std::string_view>& out);

}  // namespace bulkhead::http
