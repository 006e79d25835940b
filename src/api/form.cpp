#include "api/form.hpp"

#include <algorithm>

#include "core/text.hpp"

namespace bulkhead::api {
namespace {

bool AcceptableText(std::string_view text) {
  if (!core::IsValidUtf8(text)) return false;
  return std::none_of(text.begin(), text.end(), [](char ch) {
    auto c = static_cast<unsigned char>(ch);
    return (c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0x7f;
  });
}

char Lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

}  // namespace

std::string Form::Value(std::string_view name) const {
  return http::QueryValue(fields_, name).value_or("");
}

bool Form::Has(std::string_view name) const {
  return http::QueryValue(fields_, name).has_value();
}

bool IsFormBody(const http::Request& request) {
  auto type = request.HeaderValue("Content-Type");
  auto essence = type.substr(0, type.find(';'));
  while (!essence.empty() && (essence.back() == ' ' || essence.back() == '\t')) {
    essence.remove_suffix(1);
  }
  constexpr std::string_view kForm = "application/x-www-form-urlencoded";
  return essence.size() == kForm.size() && std::equal(essence.begin(), essence.end(), kForm.begin(),
                                                      [](char a, char b) { return Lower(a) == b; });
}

std::optional<Form> ParseForm(std::string_view body) {
  // Count before decoding: a body of a million '&'-separated pairs is refused unread.
  if (static_cast<std::size_t>(std::count(body.begin(), body.end(), '&')) >= kMaxFormFields) {
    return std::nullopt;
  }
  auto fields = http::ParseQuery(body);
  if (!fields || fields->size() > kMaxFormFields) return std::nullopt;
  for (std::size_t i = 0; i < fields->size(); ++i) {
    const auto& [name, value] = (*fields)[i];
    if (!AcceptableText(name) || !AcceptableText(value)) return std::nullopt;
    for (std::size_t j = 0; j < i; ++j) {
      if ((*fields)[j].first == name) return std::nullopt;
    }
  }
  return Form(std::move(*fields));
}

}  // namespace bulkhead::api
