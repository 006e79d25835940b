#pragma once
// Small helpers over Connection that every repository uses: one row or none, all rows, a
// count, a statement whose row count does not matter.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/database.hpp"

namespace bulkhead::store {

// A parameter that is NULL when the value is absent.
inline Value Nullable(const std::optional<int64_t>& v) { return v ? Value{*v} : Value{nullptr}; }
inline Value Nullable(const std::optional<std::string>& v) {
  return v ? Value{*v} : Value{nullptr};
}

template <typename T, typename F>
Result<std::optional<T>> QueryOne(Connection& c, std::string_view sql,
                                  const std::vector<Value>& params, F convert) {
  auto rows = c.Query(sql, params);
  if (!rows.ok()) return rows.error();
  if (rows->empty()) return std::optional<T>{};
  return std::optional<T>{convert(rows->front())};
}

template <typename T, typename F>
Result<std::vector<T>> QueryAll(Connection& c, std::string_view sql,
                                const std::vector<Value>& params, F convert) {
  auto rows = c.Query(sql, params);
  if (!rows.ok()) return rows.error();
  std::vector<T> out;
  out.reserve(rows->size());
  for (const auto& r : *rows) out.push_back(convert(r));
  return out;
}

// The first column of the first row (COUNT(*) and the like).
inline Result<int64_t> QueryCount(Connection& c, std::string_view sql,
                                  const std::vector<Value>& params = {}) {
  auto rows = c.Query(sql, params);
  if (!rows.ok()) return rows.error();
  return rows->at(0).Int(0);
}

inline Status ExecuteStatus(Connection& c, std::string_view sql, const std::vector<Value>& params) {
  auto r = c.Execute(sql, params);
  if (!r.ok()) return r.error();
  return core::Ok();
}

}  // namespace bulkhead::store
