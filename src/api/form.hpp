#pragma once
// HTML form bodies (application/x-www-form-urlencoded), as the hosted pages receive them.
// Pure functions.

#include <optional>
#include <string>
#include <string_view>

#include "http/message.hpp"
#include "http/query.hpp"

namespace bulkhead::api {

// A form has a handful of fields; more is not a browser posting one of our pages.
inline constexpr std::size_t kMaxFormFields = 32;

// The decoded fields of a form, each name at most once.
class Form {
 public:
  explicit Form(http::QueryParams fields) : fields_(std::move(fields)) {}
  // The field's value, or "" when absent.
  std::string Value(std::string_view name) const;
  bool Has(std::string_view name) const;

 private:
  http::QueryParams fields_;
};

// Whether the request says its body is application/x-www-form-urlencoded (any parameters, any
// case).
bool IsFormBody(const http::Request& request);

// The fields of `body`: '+' is a space and %XX escapes are decoded (http::ParseQuery). nullopt
// when an escape is malformed, a name or value is not UTF-8 or holds a control character other
// than tab, CR and LF, a name repeats, or there are more than kMaxFormFields fields: a form we
// did not render, refused whole rather than half read.
std::optional<Form> ParseForm(std::string_view body);

}  // namespace bulkhead::api
