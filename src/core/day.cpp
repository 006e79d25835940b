#include "core/day.hpp"

#include <chrono>
#include <cstdio>

namespace bulkhead::core {

namespace {
constexpr int64_t kMsPerDay = 86'400'000;
}

int64_t DayOf(int64_t unix_ms) {
  // Floor division: instants before 1970 belong to the day before.
  return unix_ms >= 0 ? unix_ms / kMsPerDay : -((-unix_ms + kMsPerDay - 1) / kMsPerDay);
}

std::string FormatDay(int64_t day) {
  std::chrono::year_month_day date{std::chrono::sys_days{std::chrono::days{day}}};
  char out[16];
  std::snprintf(out, sizeof out, "%04d-%02u-%02u", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
  return out;
}

Result<int64_t> ParseDay(std::string_view field, std::string_view text) {
  auto invalid = [&] {
    return Error::Validation(std::string(field), "must be a date, YYYY-MM-DD");
  };
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return invalid();
  auto number = [&](std::size_t at, std::size_t length, int& out) {
    out = 0;
    for (std::size_t i = at; i < at + length; ++i) {
      if (text[i] < '0' || text[i] > '9') return false;
      out = out * 10 + (text[i] - '0');
    }
    return true;
  };
  int y = 0, m = 0, d = 0;
  if (!number(0, 4, y) || !number(5, 2, m) || !number(8, 2, d)) return invalid();
  std::chrono::year_month_day date{std::chrono::year{y},
                                   std::chrono::month{static_cast<unsigned>(m)},
                                   std::chrono::day{static_cast<unsigned>(d)}};
  if (!date.ok()) return invalid();
  return static_cast<int64_t>(std::chrono::sys_days{date}.time_since_epoch().count());
}

}  // namespace bulkhead::core
