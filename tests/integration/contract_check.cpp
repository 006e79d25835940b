#include "integration/contract_check.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>
#include <regex>
#include <set>
#include <sstream>

namespace bulkhead::testing {

using Json = nlohmann::json;

namespace {

std::string Show(const Json& value) {
  auto text = value.dump(-1, ' ', false, Json::error_handler_t::replace);
  return text.size() > 120 ? text.substr(0, 117) + "..." : text;
}

std::size_t CodePoints(const std::string& s) {
  return static_cast<std::size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

bool HasType(const Json& value, const std::string& type) {
  if (type == "null") return value.is_null();
  if (type == "boolean") return value.is_boolean();
  if (type == "object") return value.is_object();
  if (type == "array") return value.is_array();
  if (type == "string") return value.is_string();
  if (type == "number") return value.is_number();
  if (type == "integer") {
    if (value.is_number_integer()) return true;
    if (!value.is_number_float()) return false;
    double d = value.get<double>();
    return std::isfinite(d) && std::floor(d) == d;
  }
  return false;
}

// Patterns are compiled once per process (std::regex is slow to build).
bool Matches(const std::string& pattern, const std::string& text) {
  static std::mutex mu;
  static std::map<std::string, std::regex> compiled;
  const std::regex* re = nullptr;
  {
    std::lock_guard lock(mu);
    auto it = compiled.find(pattern);
    if (it == compiled.end())
      it = compiled.emplace(pattern, std::regex(pattern, std::regex::ECMAScript)).first;
    re = &it->second;
  }
  return std::regex_search(text, *re);
}

bool FormatHolds(const std::string& format, const std::string& s) {
  static const std::regex uuid("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
                               std::regex::icase);
  static const std::regex date("^\\d{4}-\\d{2}-\\d{2}$");
  static const std::regex date_time(
      "^\\d{4}-\\d{2}-\\d{2}[Tt]\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?([Zz]|[+-]\\d{2}:\\d{2})$");
  if (format == "uuid") return std::regex_match(s, uuid);
  if (format == "date") return std::regex_match(s, date);
  if (format == "date-time") return std::regex_match(s, date_time);
  return true;  // other formats are annotations here
}

const Json* Resolve(const Json& document, const std::string& ref) {
  if (ref.rfind("#/", 0) != 0) return nullptr;
  auto pointer = Json::json_pointer(ref.substr(1));
  return document.contains(pointer) ? &document.at(pointer) : nullptr;
}

std::string Child(const std::string& where, const std::string& key) {
  return where + "." + key;
}

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::vector<std::string> Segments(const std::string& path) {
  std::vector<std::string> out;
  std::stringstream in(path);
  std::string part;
  while (std::getline(in, part, '/')) out.push_back(part);
  if (!path.empty() && path.back() == '/') out.emplace_back();
  return out;
}

// The operation for `method` on `path`: the matching template with the most literal segments.
const Json* FindOperation(const Json& document, const std::string& method,
                          const std::string& path) {
  if (!document.contains("paths") || !document["paths"].is_object()) return nullptr;
  auto wanted = Segments(path);
  auto verb = Lower(method);
  const Json* best = nullptr;
  int best_literals = -1;
  for (const auto& [pattern, item] : document["paths"].items()) {
    if (!item.is_object() || !item.contains(verb)) continue;
    auto segments = Segments(pattern);
    if (segments.size() != wanted.size()) continue;
    int literals = 0;
    bool match = true;
    for (std::size_t i = 0; i < segments.size() && match; ++i) {
      const auto& s = segments[i];
      if (s.size() > 2 && s.front() == '{' && s.back() == '}') {
        match = !wanted[i].empty();
      } else {
        match = s == wanted[i];
        ++literals;
      }
    }
    if (match && literals > best_literals) {
      best = &item[verb];
      best_literals = literals;
    }
  }
  return best;
}

std::string Keys(const Json& object) {
  std::string out;
  for (const auto& [key, value] : object.items()) out += (out.empty() ? "" : ", ") + key;
  return out;
}

}  // namespace

void ValidateSchema(const Json& schema, const Json& value, const Json& document,
                    const std::string& where, std::vector<std::string>& errors) {
  if (schema.is_boolean()) {
    if (!schema.get<bool>()) errors.push_back(where + ": no value is allowed here");
    return;
  }
  if (!schema.is_object()) return;
  auto fail = [&](const std::string& what) { errors.push_back(where + ": " + what); };

  if (auto ref = schema.find("$ref"); ref != schema.end() && ref->is_string()) {
    const Json* target = Resolve(document, *ref);
    if (!target) {
      fail("unresolvable $ref " + ref->get<std::string>());
    } else {
      ValidateSchema(*target, value, document, where, errors);
    }
  }
  if (auto type = schema.find("type"); type != schema.end()) {
    bool ok = false;
    if (type->is_string()) ok = HasType(value, *type);
    if (type->is_array()) {
      for (const auto& t : *type) ok = ok || (t.is_string() && HasType(value, t));
    }
    if (!ok) {
      fail("is " + Show(value) + ", not of type " + Show(*type));
      return;  // the other keywords would only repeat it
    }
  }
  if (auto e = schema.find("enum"); e != schema.end() && e->is_array()) {
    if (std::find(e->begin(), e->end(), value) == e->end())
      fail(Show(value) + " is not one of " + Show(*e));
  }
  if (auto c = schema.find("const"); c != schema.end() && *c != value) {
    fail(Show(value) + " is not " + Show(*c));
  }

  if (value.is_string()) {
    const auto& s = value.get_ref<const std::string&>();
    auto length = static_cast<int64_t>(CodePoints(s));
    if (schema.contains("minLength") && length < schema["minLength"].get<int64_t>())
      fail("shorter than minLength");
    if (schema.contains("maxLength") && length > schema["maxLength"].get<int64_t>())
      fail("longer than maxLength");
    if (schema.contains("pattern") && !Matches(schema["pattern"], s)) {
      fail(Show(value) + " does not match " + schema["pattern"].get<std::string>());
    }
    if (schema.contains("format") && schema["format"].is_string() &&
        !FormatHolds(schema["format"], s)) {
      fail(Show(value) + " is not a " + schema["format"].get<std::string>());
    }
  }
  if (value.is_number()) {
    double v = value.get<double>();
    if (schema.contains("minimum") && v < schema["minimum"].get<double>())
      fail(Show(value) + " is below minimum");
    if (schema.contains("maximum") && v > schema["maximum"].get<double>())
      fail(Show(value) + " is above maximum");
    if (schema.contains("exclusiveMinimum") && schema["exclusiveMinimum"].is_number() &&
        v <= schema["exclusiveMinimum"].get<double>()) {
      fail(Show(value) + " is not above exclusiveMinimum");
    }
    if (schema.contains("exclusiveMaximum") && schema["exclusiveMaximum"].is_number() &&
        v >= schema["exclusiveMaximum"].get<double>()) {
      fail(Show(value) + " is not below exclusiveMaximum");
    }
  }
  if (value.is_array()) {
    auto size = static_cast<int64_t>(value.size());
    if (schema.contains("minItems") && size < schema["minItems"].get<int64_t>())
      fail("fewer items than minItems");
    if (schema.contains("maxItems") && size > schema["maxItems"].get<int64_t>())
      fail("more items than maxItems");
    if (schema.value("uniqueItems", false)) {
      std::set<std::string> seen;
      for (const auto& item : value) {
        if (!seen.insert(item.dump()).second) fail("repeats " + Show(item));
      }
    }
    std::size_t first = 0;
    if (auto prefix = schema.find("prefixItems"); prefix != schema.end() && prefix->is_array()) {
      for (; first < prefix->size() && first < value.size(); ++first) {
        ValidateSchema((*prefix)[first], value[first], document,
                       where + "[" + std::to_string(first) + "]", errors);
      }
    }
    if (auto items = schema.find("items"); items != schema.end()) {
      for (std::size_t i = first; i < value.size(); ++i) {
        ValidateSchema(*items, value[i], document, where + "[" + std::to_string(i) + "]", errors);
      }
    }
  }
  if (value.is_object()) {
    auto size = static_cast<int64_t>(value.size());
    if (schema.contains("minProperties") && size < schema["minProperties"].get<int64_t>())
      fail("too few properties");
    if (schema.contains("maxProperties") && size > schema["maxProperties"].get<int64_t>())
      fail("too many properties");
    if (auto required = schema.find("required"); required != schema.end() && required->is_array()) {
      for (const auto& name : *required) {
        if (name.is_string() && !value.contains(name.get<std::string>())) {
          fail("lacks required property " + name.get<std::string>());
        }
      }
    }
    const Json empty = Json::object();
    auto properties = schema.find("properties");
    const Json& declared =
        properties != schema.end() && properties->is_object() ? *properties : empty;
    auto patterns = schema.find("patternProperties");
    auto additional = schema.find("additionalProperties");
    for (const auto& [key, item] : value.items()) {
      bool known = false;
      if (auto p = declared.find(key); p != declared.end()) {
        known = true;
        ValidateSchema(*p, item, document, Child(where, key), errors);
      }
      if (patterns != schema.end() && patterns->is_object()) {
        for (const auto& [pattern, sub] : patterns->items()) {
          if (Matches(pattern, key)) {
            known = true;
            ValidateSchema(sub, item, document, Child(where, key), errors);
          }
        }
      }
      if (!known && additional != schema.end()) {
        if (additional->is_boolean() && !additional->get<bool>()) {
          fail("has undeclared property " + key);
        } else {
          ValidateSchema(*additional, item, document, Child(where, key), errors);
        }
      }
    }
  }

  if (auto all = schema.find("allOf"); all != schema.end() && all->is_array()) {
    for (const auto& sub : *all) ValidateSchema(sub, value, document, where, errors);
  }
  for (const char* keyword : {"anyOf", "oneOf"}) {
    auto options = schema.find(keyword);
    if (options == schema.end() || !options->is_array()) continue;
    int passing = 0;
    std::vector<std::string> reasons;
    for (const auto& sub : *options) {
      std::vector<std::string> sub_errors;
      ValidateSchema(sub, value, document, where, sub_errors);
      if (sub_errors.empty()) {
        ++passing;
      } else {
        reasons.push_back(sub_errors.front());
      }
    }
    bool ok = std::string(keyword) == "anyOf" ? passing > 0 : passing == 1;
    if (!ok) {
      std::string why;
      for (const auto& r : reasons) why += "; " + r;
      fail(std::string("matches ") + std::to_string(passing) + " of " + keyword + why);
    }
  }
  if (auto no = schema.find("not"); no != schema.end()) {
    std::vector<std::string> sub_errors;
    ValidateSchema(*no, value, document, where, sub_errors);
    if (sub_errors.empty()) fail("matches a schema under not");
  }
}

std::vector<std::string> CheckResponse(const Json& document, const ResponseSeen& response) {
  std::vector<std::string> errors;
  auto path = response.target.substr(0, response.target.find('?'));
  auto type = Lower(response.content_type.substr(0, response.content_type.find(';')));
  while (!type.empty() && type.back() == ' ') type.pop_back();

  const Json* operation = FindOperation(document, response.method, path);
  if (!operation) {
    // No route: the server's own 404/405 and refusals before routing are problems still.
    const Json* problem = Resolve(document, "#/components/schemas/Problem");
    if (problem && type == "application/problem+json") {
      auto body = Json::parse(response.body, nullptr, false);
      ValidateSchema(*problem, body, document, "$", errors);
    }
    return errors;
  }
  const Json& responses =
      operation->contains("responses") ? (*operation)["responses"] : Json::object();
  auto status = std::to_string(response.status);
  const Json* declared = nullptr;
  for (const auto& key : {status, status.substr(0, 1) + "XX", std::string("default")}) {
    if (responses.contains(key)) {
      declared = &responses[key];
      break;
    }
  }
  if (!declared) {
    errors.push_back("status " + status + " is not declared (declared: " + Keys(responses) + ")");
    return errors;
  }
  if (declared->contains("$ref")) declared = Resolve(document, (*declared)["$ref"]);
  if (!declared) {
    errors.push_back("status " + status + ": unresolvable $ref");
    return errors;
  }
  auto content = declared->find("content");
  if (content == declared->end() || !content->is_object() || content->empty()) {
    if (!response.body.empty())
      errors.push_back("declares no body, got " + type + " " + response.body.substr(0, 120));
    return errors;
  }
  if (response.body.empty()) {
    errors.push_back("declares a body (" + Keys(*content) + "), got none");
    return errors;
  }
  auto media = content->find(type);
  if (media == content->end()) {
    errors.push_back("content type " + type + " is not declared (declared: " + Keys(*content) +
                     ")");
    return errors;
  }
  if (type.find("json") == std::string::npos || !media->contains("schema")) return errors;
  auto body = Json::parse(response.body, nullptr, false);
  if (body.is_discarded()) {
    errors.push_back("the body is not JSON");
    return errors;
  }
  ValidateSchema((*media)["schema"], body, document, "$", errors);
  return errors;
}

}  // namespace bulkhead::testing
