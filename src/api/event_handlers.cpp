#include "api/event_handlers.hpp"

#include <algorithm>
#include <charconv>
#include <limits>

#include "api/render.hpp"
#include "core/event_types.hpp"
#include "http/query.hpp"
#include "service/events.hpp"

namespace bulkhead::api {
namespace {

constexpr int kDefaultLimit = 50;
constexpr int kMaxLimit = 200;

// A whole number in [minimum, maximum] written in decimal digits only, else kValidationFailed.
Result<int64_t> ReadInteger(const std::string& field, const std::string& text, int64_t minimum,
                            int64_t maximum) {
  int64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end || value < minimum || value > maximum) {
    return core::Error::Validation(field, "must be a whole number from " + std::to_string(minimum) +
                                              " to " + std::to_string(maximum));
  }
  return value;
}

Result<std::vector<std::string>> ReadTypes(const std::string& text) {
  std::vector<std::string> types;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    std::string type = text.substr(start, comma - start);
    if (!core::IsEventType(type)) {
      return core::Error::Validation("types", "'" + type + "' is not an event type");
    }
    // Each type once: the query's text (prepared and cached per text) has at most as many
    // forms as there are types.
    if (std::find(types.begin(), types.end(), type) == types.end()) types.push_back(type);
    start = comma + 1;
  }
  return types;
}

}  // namespace

Result<Response> ListEvents(Services& s, RequestContext& c) {
  auto params = http::ParseQuery(c.request.Query());
  if (!params) return core::Error::Validation("query", "is not a valid query string");
  int64_t after = 0;
  int64_t limit = kDefaultLimit;
  std::vector<std::string> types;
  std::vector<core::FieldError> errors;
  if (auto text = http::QueryValue(*params, "after")) {
    auto read = ReadInteger("after", *text, 0, std::numeric_limits<int64_t>::max());
    if (read.ok())
      after = *read;
    else
      errors.push_back(read.error().fields.at(0));
  }
  if (auto text = http::QueryValue(*params, "limit")) {
    auto read = ReadInteger("limit", *text, 1, kMaxLimit);
    if (read.ok())
      limit = *read;
    else
      errors.push_back(read.error().fields.at(0));
  }
  if (auto text = http::QueryValue(*params, "types")) {
    auto read = ReadTypes(*text);
    if (read.ok())
      types = std::move(*read);
    else
      errors.push_back(read.error().fields.at(0));
  }
  if (!errors.empty()) return core::Error::Validation(std::move(errors));
  auto page = service::ListEvents(s.env, *c.tenant, after, types, static_cast<int>(limit));
  if (!page.ok()) return page.error();
  nlohmann::json data = nlohmann::json::array();
  for (const auto& e : page->events) data.push_back(service::EventJson(e));
  nlohmann::json next = nullptr;
  if (page->more) next = std::to_string(page->events.back().seq);
  return JsonResponse({{"data", std::move(data)}, {"next_cursor", std::move(next)}});
}

Result<Response> GetEvent(Services& s, RequestContext& c) {
  auto event = service::GetEvent(s.env, *c.tenant, std::string(c.Param("id")));
  if (!event.ok()) return event.error();
  return JsonResponse(service::EventJson(*event));
}

}  // namespace bulkhead::api
