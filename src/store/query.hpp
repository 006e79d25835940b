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
inline Value Nullable(const std::optional<int64_t>& v) {
  return v ? Value{*v} : Value{nullptr};
}
inline Value Nullable(const std::optional<std::string>& v) {
  return v ? Value{*v} : Value{nullptr};
}

// The cursor bound of a list read newest id first: `id < param`, or, for the first page, a
// condition that is always true. Two statements rather than "(param = '' OR id < param)",
// which neither engine can turn into an index range: a deep page would filter every newer row.
inline std::string BeforeId(std::string_view param, std::string_view before_id) {
  std::string sql = before_id.empty() ? "" : "id < ";
  sql += param;
  if (before_id.empty()) sql += " = ''";
  return sql;
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
