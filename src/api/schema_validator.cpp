#include "api/schema_validator.hpp"

#include <charconv>
#include <optional>

namespace bulkhead::api {
namespace {

using Json = nlohmann::json;

// An empty key (`{"": 1}`) is named `""`, so that no error names an empty field.
std::string ChildField(const std::string& path, std::string_view key) {
  std::string name = key.empty() ? std::string("\"\"") : std::string(key);
  return path.empty() ? name : path + "." + name;
}

// How errors name the root: a body's root is "body" (as the handlers always said).
std::string FieldName(const std::string& path) {
  return path.empty() ? "body" : path;
}

std::size_t CodePoints(const std::string& s) {
  std::size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

bool HasType(const Json& value, std::string_view type) {
  if (type == "string") return value.is_string();
  if (type == "integer") return value.is_number_integer();
  if (type == "number") return value.is_number();
  if (type == "boolean") return value.is_boolean();
  if (type == "object") return value.is_object();
  if (type == "array") return value.is_array();
  if (type == "null") return value.is_null();
  return false;
}

std::string Article(std::string_view type) {
  if (type == "integer" || type == "array" || type == "object") return "an " + std::string(type);
  if (type == "null") return "null";
  return "a " + std::string(type);
}

// "must be a string", "must be a string or null".
std::string TypeMessage(const Json& type) {
  if (type.is_string()) return "must be " + Article(type.get<std::string>());
  std::string out = "must be ";
  for (std::size_t i = 0; i < type.size(); ++i) {
    if (i) out += i + 1 == type.size() ? " or " : ", ";
    out += Article(type[i].get<std::string>());
  }
  return out;
}

std::string RangeMessage(const Json& schema) {
  auto min = schema.find("minimum");
  auto max = schema.find("maximum");
  if (min != schema.end() && max != schema.end()) {
    return "must be an integer from " + min->dump() + " to " + max->dump();
  }
  if (min != schema.end()) return "must be at least " + min->dump();
  return "must be at most " + max->dump();
}

std::string EnumMessage(const Json& values) {
  std::string out = "must be one of ";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out += ", ";
    out += values[i].is_string() ? values[i].get<std::string>() : values[i].dump();
  }
  return out;
}

const Json* Resolve(const Json& schema, const Json& components) {
  auto ref = schema.find("$ref");
  if (ref == schema.end()) return &schema;
  constexpr std::string_view kPrefix = "#/components/schemas/";
  const auto& target = ref->get_ref<const std::string&>();
  if (target.rfind(kPrefix, 0) != 0) return nullptr;
  auto it = components.find(target.substr(kPrefix.size()));
  return it == components.end() ? nullptr : &*it;
}

void CheckValue(const Json& schema_in, const Json& value, const Json& components,
                const std::string& path, std::vector<core::FieldError>& errors) {
  const Json* resolved = Resolve(schema_in, components);
  if (!resolved) {
    errors.push_back({FieldName(path), "has a schema that does not resolve"});
    return;
  }
  const Json& schema = *resolved;
  if (auto all = schema.find("allOf"); all != schema.end()) {
    for (const auto& branch : *all) CheckValue(branch, value, components, path, errors);
  }
  if (auto any = schema.find("anyOf"); any != schema.end()) {
    // Nullable(...) is the only anyOf the vocabulary writes: null, or the other branch, whose
    // errors are the useful ones.
    const Json* other = nullptr;
    for (const auto& branch : *any) {
      if (branch.value("type", Json()) == "null") {
        if (value.is_null()) return;
      } else if (!other) {
        other = &branch;
      }
    }
    if (other) CheckValue(*other, value, components, path, errors);
  }
  if (auto type = schema.find("type"); type != schema.end()) {
    bool ok = false;
    if (type->is_string()) {
      ok = HasType(value, type->get_ref<const std::string&>());
    } else {
      for (const auto& t : *type) ok = ok || HasType(value, t.get_ref<const std::string&>());
    }
    if (!ok) {
      errors.push_back({FieldName(path), TypeMessage(*type)});
      return;
    }
  }
  if (auto values = schema.find("enum"); values != schema.end()) {
    bool listed = false;
    for (const auto& v : *values) listed = listed || v == value;
    if (!listed) {
      errors.push_back({FieldName(path), EnumMessage(*values)});
      return;
    }
  }
  if (value.is_string()) {
    auto n = CodePoints(value.get_ref<const std::string&>());
    if (auto min = schema.find("minLength"); min != schema.end() && n < min->get<std::size_t>()) {
      errors.push_back({FieldName(path), *min == 1
                                             ? std::string("must not be empty")
                                             : "must be at least " + min->dump() + " characters"});
    }
    if (auto max = schema.find("maxLength"); max != schema.end() && n > max->get<std::size_t>()) {
      errors.push_back({FieldName(path), "must be at most " + max->dump() + " characters"});
    }
  }
  if (value.is_number()) {
    auto min = schema.find("minimum");
    auto max = schema.find("maximum");
    bool low = min != schema.end() && value < *min;
    bool high = max != schema.end() && value > *max;
    if (low || high) errors.push_back({FieldName(path), RangeMessage(schema)});
  }
  if (value.is_array()) {
    if (auto max = schema.find("maxItems");
        max != schema.end() && value.size() > max->get<std::size_t>()) {
      errors.push_back({FieldName(path), "must have at most " + max->dump() + " entries"});
    }
    if (schema.value("uniqueItems", false)) {
      for (std::size_t i = 1; i < value.size(); ++i) {
        for (std::size_t j = 0; j < i; ++j) {
          if (value[i] == value[j]) {
            errors.push_back({FieldName(path), "must not repeat an entry"});
            i = value.size();
            break;
          }
        }
      }
    }
    if (auto items = schema.find("items"); items != schema.end()) {
      for (std::size_t i = 0; i < value.size(); ++i) {
        CheckValue(*items, value[i], components, ChildField(path, std::to_string(i)), errors);
      }
    }
  }
  if (value.is_object()) {
    static const Json kNone = Json::object();
    auto props = schema.find("properties");
    const Json& properties = props == schema.end() ? kNone : *props;
    if (auto required = schema.find("required"); required != schema.end()) {
      for (const auto& name : *required) {
        const auto& key = name.get_ref<const std::string&>();
        if (!value.contains(key)) errors.push_back({ChildField(path, key), "is required"});
      }
    }
    auto additional = schema.find("additionalProperties");
    for (const auto& [key, child] : value.items()) {
      if (auto p = properties.find(key); p != properties.end()) {
        CheckValue(*p, child, components, ChildField(path, key), errors);
      } else if (additional != schema.end()) {
        if (additional->is_boolean()) {
          if (!additional->get<bool>()) {
            errors.push_back({ChildField(path, key), "is not a known field"});
          }
        } else {
          CheckValue(*additional, child, components, ChildField(path, key), errors);
        }
      }
    }
  }
}

}  // namespace

void ValidateJson(const Json& schema, const Json& value, const Json& components,
                  const std::string& path, std::vector<core::FieldError>& errors) {
  CheckValue(schema, value, components, path, errors);
}

std::optional<Json> QueryValueAs(const Json& schema, const std::string& name, std::string_view text,
                                 std::vector<core::FieldError>& errors) {
  auto type = schema.value("type", std::string("string"));
  if (type == "integer") {
    int64_t n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec == std::errc() && end == text.data() + text.size()) return Json(n);
    bool bounded = schema.contains("minimum") && schema.contains("maximum");
    errors.push_back({name, bounded ? RangeMessage(schema) : "must be an integer"});
    return std::nullopt;
  }
  if (type == "boolean") {
    if (text == "true") return Json(true);
    if (text == "false") return Json(false);
    errors.push_back({name, "must be true or false"});
    return std::nullopt;
  }
  return Json(std::string(text));
}

}  // namespace bulkhead::api
