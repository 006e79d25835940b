#include "http/router.hpp"

#include <algorithm>

namespace bulkhead::http {

bool SplitPath(std::string_view path, std::vector<std::string_view>& out) {
  out.clear();
  if (path.empty() || path[0] != '/') return false;
  if (path == "/") return true;
  std::size_t start = 1;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (end == start) return false;
    out.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return true;
}

Router::Router(std::vector<RoutePattern> routes) : routes_(std::move(routes)) {
  for (const auto& route : routes_) {
    Compiled c;
    std::vector<std::string_view> parts;
    SplitPath(route.pattern, parts);
    for (auto p : parts) {
      c.segments.emplace_back(p);
      if (p.empty() || p[0] != '{') ++c.literal_count;
    }
    compiled_.push_back(std::move(c));
  }
}

RouteMatch Router::Match(std::string_view method, std::string_view path) const {
  // HEAD is GET without the body (RFC 9110 §9.3.2); the server leaves the body out.
  if (method == "HEAD") method = "GET";
  RouteMatch result;
  std::vector<std::string_view> parts;
  if (!SplitPath(path, parts)) return result;
  int best_literals = -1;
  for (std::size_t i = 0; i < routes_.size(); ++i) {
    const auto& c = compiled_[i];
    if (c.segments.size() != parts.size()) continue;
    bool ok = true;
    for (std::size_t s = 0; s < parts.size() && ok; ++s) {
      const auto& seg = c.segments[s];
      ok = (!seg.empty() && seg[0] == '{') || seg == parts[s];
    }
    if (!ok) continue;
    if (routes_[i].method != method) {
      if (std::find(result.allowed_methods.begin(), result.allowed_methods.end(),
                    routes_[i].method) == result.allowed_methods.end()) {
        result.allowed_methods.push_back(routes_[i].method);
      }
      continue;
    }
    if (c.literal_count <= best_literals) continue;
    best_literals = c.literal_count;
    result.route = i;
    result.params.clear();
    for (std::size_t s = 0; s < parts.size(); ++s) {
      const auto& seg = c.segments[s];
      if (!seg.empty() && seg[0] == '{') {
        result.params.emplace_back(seg.substr(1, seg.size() - 2), std::string(parts[s]));
      }
    }
  }
  if (result.found()) result.allowed_methods.clear();
  return result;
}

}  // namespace bulkhead::http
