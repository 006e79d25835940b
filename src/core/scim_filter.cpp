#include "core/scim_filter.hpp"

#include <algorithm>

namespace bulkhead::core::scim {
namespace {

using Json = nlohmann::json;

char Lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string Lowered(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = Lower(c);
  return out;
}

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return Lower(x) == Lower(y); });
}

bool IsAlpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}

// ATTRNAME = ALPHA *(nameChar), nameChar = "-" / "_" / DIGIT / ALPHA; and "$ref".
bool IsAttributeName(std::string_view name) {
  if (name == "$ref") return true;
  if (name.empty() || name.size() > 128 || !IsAlpha(name[0])) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return IsAlpha(c) || IsDigit(c) || c == '-' || c == '_'; });
}

constexpr std::string_view kCoreSchemas[] = {
    "urn:ietf:params:scim:schemas:core:2.0:User",
    "urn:ietf:params:scim:schemas:core:2.0:Group",
};

struct Token {
  enum class Kind { kEnd, kOpen, kClose, kOpenBracket, kCloseBracket, kString, kWord };
  Kind kind = Kind::kEnd;
  std::string text;  // kWord: as written; kString: decoded
};

// Splits filter text into tokens. Words run to a space, a bracket, a parenthesis or a quote.
class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  Result<Token> Next() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t')) ++pos_;
    if (pos_ >= text_.size()) return Token{};
    char c = text_[pos_];
    switch (c) {
      case '(': ++pos_; return Token{Token::Kind::kOpen, "("};
      case ')': ++pos_; return Token{Token::Kind::kClose, ")"};
      case '[': ++pos_; return Token{Token::Kind::kOpenBracket, "["};
      case ']': ++pos_; return Token{Token::Kind::kCloseBracket, "]"};
      default: break;
    }
    if (c == '"') {
      std::size_t end = pos_ + 1;
      while (end < text_.size() && text_[end] != '"') {
        if (text_[end] == '\\') ++end;
        ++end;
      }
      if (end >= text_.size()) return Invalid("a string is not closed");
      std::string_view literal = text_.substr(pos_, end - pos_ + 1);
      pos_ = end + 1;
      Json decoded = Json::parse(literal, nullptr, /*allow_exceptions=*/false);
      if (!decoded.is_string()) return Invalid("a string is not valid JSON text");
      return Token{Token::Kind::kString, decoded.get<std::string>()};
    }
    std::size_t start = pos_;
    while (pos_ < text_.size()) {
      char w = text_[pos_];
      if (w == ' ' || w == '\t' || w == '(' || w == ')' || w == '[' || w == ']' || w == '"') break;
      ++pos_;
    }
    return Token{Token::Kind::kWord, std::string(text_.substr(start, pos_ - start))};
  }

  static Error Invalid(std::string why) { return ScimError("invalidFilter", std::move(why)); }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

Result<AttributePath> ParseAttributePath(std::string_view word, const char* scim_type) {
  AttributePath path;
  std::string_view rest = word;
  if (word.size() > 4 && EqualsIgnoringCase(word.substr(0, 4), "urn:")) {
    auto colon = word.rfind(':');
    path.schema = std::string(word.substr(0, colon));
    rest = word.substr(colon + 1);
  }
  auto dot = rest.find('.');
  path.attribute = std::string(rest.substr(0, dot));
  if (dot != std::string_view::npos) path.sub_attribute = std::string(rest.substr(dot + 1));
  if (!IsAttributeName(path.attribute) ||
      (dot != std::string_view::npos && !IsAttributeName(path.sub_attribute))) {
    return ScimError(scim_type, "'" + std::string(word) + "' is not an attribute path");
  }
  return path;
}

constexpr std::string_view kOperators[] = {"eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"};

bool IsOperator(std::string_view op) {
  return std::find(std::begin(kOperators), std::end(kOperators), op) != std::end(kOperators);
}

// filter  := term ("or" term)*      term := factor ("and" factor)*
// factor  := ["not"] "(" filter ")" | path "[" filter "]" | path "pr" | path op value
class Parser {
 public:
  explicit Parser(std::string_view text) : lexer_(text) {}

  Result<std::unique_ptr<Filter>> ParseAll() {
    BULKHEAD_TRY(Advance());
    auto filter = ParseOr(0);
    if (!filter.ok()) return filter.error();
    if (token_.kind != Token::Kind::kEnd) return Lexer::Invalid("unexpected '" + token_.text + "'");
    return std::move(*filter);
  }

  // For a PATCH path's value filter: parses up to the closing bracket.
  Result<std::unique_ptr<Filter>> ParseBracketed() {
    BULKHEAD_TRY(Advance());
    auto filter = ParseOr(1);
    if (!filter.ok()) return filter.error();
    if (token_.kind != Token::Kind::kCloseBracket) return Lexer::Invalid("expected ']'");
    return std::move(*filter);
  }

 private:
  Status Advance() {
    auto next = lexer_.Next();
    if (!next.ok()) return next.error();
    token_ = std::move(*next);
    return Ok();
  }

  bool AtWord(std::string_view word) const {
    return token_.kind == Token::Kind::kWord && EqualsIgnoringCase(token_.text, word);
  }

  Result<std::unique_ptr<Filter>> Combine(Filter::Kind kind, std::unique_ptr<Filter> left,
                                          std::unique_ptr<Filter> right) {
    auto node = std::make_unique<Filter>();
    node->kind = kind;
    node->left = std::move(left);
    node->right = std::move(right);
    return node;
  }

  Result<std::unique_ptr<Filter>> ParseOr(int depth) {
    auto left = ParseAnd(depth);
    if (!left.ok()) return left.error();
    std::unique_ptr<Filter> node = std::move(*left);
    while (AtWord("or")) {
      BULKHEAD_TRY(Advance());
      auto right = ParseAnd(depth);
      if (!right.ok()) return right.error();
      auto combined = Combine(Filter::Kind::kOr, std::move(node), std::move(*right));
      node = std::move(*combined);
    }
    return node;
  }

  Result<std::unique_ptr<Filter>> ParseAnd(int depth) {
    auto left = ParseFactor(depth);
    if (!left.ok()) return left.error();
    std::unique_ptr<Filter> node = std::move(*left);
    while (AtWord("and")) {
      BULKHEAD_TRY(Advance());
      auto right = ParseFactor(depth);
      if (!right.ok()) return right.error();
      auto combined = Combine(Filter::Kind::kAnd, std::move(node), std::move(*right));
      node = std::move(*combined);
    }
    return node;
  }

  Result<std::unique_ptr<Filter>> ParseGroup(int depth) {
    if (depth + 1 > kMaxScimFilterDepth) {
      return Lexer::Invalid("nests deeper than " + std::to_string(kMaxScimFilterDepth));
    }
    BULKHEAD_TRY(Advance());  // the "("
    auto inner = ParseOr(depth + 1);
    if (!inner.ok()) return inner.error();
    if (token_.kind != Token::Kind::kClose) return Lexer::Invalid("expected ')'");
    BULKHEAD_TRY(Advance());
    return std::move(*inner);
  }

  Result<std::unique_ptr<Filter>> ParseFactor(int depth) {
    if (AtWord("not")) {
      BULKHEAD_TRY(Advance());
      if (token_.kind != Token::Kind::kOpen) return Lexer::Invalid("expected '(' after not");
      auto inner = ParseGroup(depth);
      if (!inner.ok()) return inner.error();
      auto node = std::make_unique<Filter>();
      node->kind = Filter::Kind::kNot;
      node->left = std::move(*inner);
      return node;
    }
    if (token_.kind == Token::Kind::kOpen) return ParseGroup(depth);
    if (token_.kind != Token::Kind::kWord) {
      return Lexer::Invalid(token_.kind == Token::Kind::kEnd ? "ends too early"
                                                             : "expected an attribute path");
    }
    if (++terms_ > kMaxScimFilterTerms) {
      return Lexer::Invalid("has more than " + std::to_string(kMaxScimFilterTerms) + " terms");
    }
    auto path = ParseAttributePath(token_.text, "invalidFilter");
    if (!path.ok()) return path.error();
    BULKHEAD_TRY(Advance());
    auto node = std::make_unique<Filter>();
    node->path = std::move(*path);
    if (token_.kind == Token::Kind::kOpenBracket) {
      if (depth + 1 > kMaxScimFilterDepth || !node->path.sub_attribute.empty()) {
        return Lexer::Invalid("a value filter must follow a plain attribute");
      }
      BULKHEAD_TRY(Advance());
      auto inner = ParseOr(depth + 1);
      if (!inner.ok()) return inner.error();
      if (token_.kind != Token::Kind::kCloseBracket) return Lexer::Invalid("expected ']'");
      BULKHEAD_TRY(Advance());
      node->kind = Filter::Kind::kValuePath;
      node->left = std::move(*inner);
      return node;
    }
    if (token_.kind != Token::Kind::kWord) return Lexer::Invalid("expected an operator");
    std::string op = Lowered(token_.text);
    BULKHEAD_TRY(Advance());
    if (op == "pr") {
      node->kind = Filter::Kind::kPresent;
      return node;
    }
    if (!IsOperator(op)) return Lexer::Invalid("unknown operator '" + op + "'");
    node->kind = Filter::Kind::kCompare;
    node->op = op;
    if (token_.kind == Token::Kind::kString) {
      node->value = token_.text;
    } else if (AtWord("true") || AtWord("false")) {
      node->value = AtWord("true");
    } else if (AtWord("null")) {
      node->value = nullptr;
    } else if (token_.kind == Token::Kind::kWord) {
      Json number = Json::parse(token_.text, nullptr, /*allow_exceptions=*/false);
      if (!number.is_number()) return Lexer::Invalid("'" + token_.text + "' is not a value");
      node->value = number;
    } else {
      return Lexer::Invalid("expected a value after " + op);
    }
    bool ordering = op == "gt" || op == "ge" || op == "lt" || op == "le";
    bool text_only = op == "co" || op == "sw" || op == "ew";
    if ((ordering && (node->value.is_boolean() || node->value.is_null())) ||
        (text_only && !node->value.is_string())) {
      return Lexer::Invalid(op + " does not apply to " + node->value.dump());
    }
    BULKHEAD_TRY(Advance());
    return node;
  }

  Lexer lexer_;
  Token token_;
  int terms_ = 0;
};

bool IsCaseExact(const AttributePath& path) {
  return path.sub_attribute.empty() && (EqualsIgnoringCase(path.attribute, "id") ||
                                        EqualsIgnoringCase(path.attribute, "externalId"));
}

// The values `path` names in `resource`, multi-valued attributes flattened. A multi-valued
// attribute of complex values compared without a sub-attribute compares their `value`s.
void Collect(const AttributePath& path, const Json& resource, std::vector<const Json*>& out) {
  const Json* base = &resource;
  if (!path.schema.empty() && !IsCoreSchema(path.schema)) {
    base = FindMember(resource, path.schema);
    if (!base) return;
  }
  const Json* attribute = FindMember(*base, path.attribute);
  if (!attribute) return;
  auto take = [&](const Json& v) {
    if (path.sub_attribute.empty()) {
      if (v.is_object()) {
        if (const Json* value = FindMember(v, "value")) out.push_back(value);
      } else {
        out.push_back(&v);
      }
    } else if (v.is_object()) {
      if (const Json* sub = FindMember(v, path.sub_attribute)) out.push_back(sub);
    }
  };
  if (attribute->is_array()) {
    for (const auto& element : *attribute) take(element);
  } else if (path.sub_attribute.empty() && attribute->is_object()) {
    out.push_back(attribute);  // pr on a complex attribute
  } else {
    take(*attribute);
  }
}

bool CompareOne(const std::string& op, const Json& actual, const Json& expected, bool case_exact) {
  if (expected.is_null()) {
    return op == "eq" ? actual.is_null() : op == "ne" ? !actual.is_null() : false;
  }
  if (expected.is_boolean()) {
    if (!actual.is_boolean()) return op == "ne";
    bool equal = actual.get<bool>() == expected.get<bool>();
    return op == "eq" ? equal : op == "ne" ? !equal : false;
  }
  if (expected.is_number()) {
    if (!actual.is_number()) return op == "ne";
    double a = actual.get<double>();
    double e = expected.get<double>();
    if (op == "eq") return a == e;
    if (op == "ne") return a != e;
    if (op == "gt") return a > e;
    if (op == "ge") return a >= e;
    if (op == "lt") return a < e;
    if (op == "le") return a <= e;
    return false;
  }
  if (!actual.is_string()) return op == "ne";
  std::string a = actual.get<std::string>();
  std::string e = expected.get<std::string>();
  if (!case_exact) {
    a = Lowered(a);
    e = Lowered(e);
  }
  if (op == "eq") return a == e;
  if (op == "ne") return a != e;
  if (op == "co") return a.find(e) != std::string::npos;
  if (op == "sw") return a.starts_with(e);
  if (op == "ew") return a.ends_with(e);
  if (op == "gt") return a > e;
  if (op == "ge") return a >= e;
  if (op == "lt") return a < e;
  if (op == "le") return a <= e;
  return false;
}

}  // namespace

Error ScimError(std::string scim_type, std::string detail) {
  Error e = Error::Make(ErrorCode::kValidationFailed, std::move(detail));
  e.fields.push_back({std::move(scim_type), e.message});
  return e;
}

std::string ScimErrorType(const Error& error) {
  if (error.fields.size() != 1) return "";
  const std::string& type = error.fields.front().field;
  constexpr std::string_view kTypes[] = {
      "invalidFilter", "tooMany",  "uniqueness",   "mutability",  "invalidSyntax",
      "invalidPath",   "noTarget", "invalidValue", "invalidVers", "sensitive"};
  return std::find(std::begin(kTypes), std::end(kTypes), type) != std::end(kTypes) ? type : "";
}

std::string AttributePath::Dotted() const {
  return sub_attribute.empty() ? attribute : attribute + "." + sub_attribute;
}

bool IsCoreSchema(std::string_view schema) {
  return std::any_of(std::begin(kCoreSchemas), std::end(kCoreSchemas),
                     [&](std::string_view core) { return EqualsIgnoringCase(core, schema); });
}

Result<std::unique_ptr<Filter>> ParseFilter(std::string_view text) {
  if (text.size() > kMaxScimFilterLength) {
    return Lexer::Invalid("is longer than " + std::to_string(kMaxScimFilterLength) + " characters");
  }
  if (text.find('\0') != std::string_view::npos) return Lexer::Invalid("holds a NUL character");
  return Parser(text).ParseAll();
}

Result<PatchPath> ParsePatchPath(std::string_view text) {
  auto invalid = [&](std::string why) {
    return ScimError("invalidPath", "path '" + std::string(text.substr(0, 200)) + "' " + why);
  };
  if (text.empty() || text.size() > kMaxScimFilterLength) return invalid("is empty or too long");
  auto bracket = text.find('[');
  PatchPath out;
  auto path = ParseAttributePath(text.substr(0, bracket), "invalidPath");
  if (!path.ok()) return path.error();
  out.path = std::move(*path);
  if (bracket == std::string_view::npos) return out;
  if (!out.path.sub_attribute.empty()) return invalid("has a value filter after a sub-attribute");
  auto close = text.rfind(']');
  if (close == std::string_view::npos || close < bracket) return invalid("does not close '['");
  auto inner = ParseFilter(text.substr(bracket + 1, close - bracket - 1));
  if (!inner.ok()) return inner.error();
  out.filter = std::move(*inner);
  std::string_view after = text.substr(close + 1);
  if (!after.empty()) {
    if (after[0] != '.' || !IsAttributeName(after.substr(1))) {
      return invalid("has something other than .subAttribute after ']'");
    }
    out.sub_attribute = std::string(after.substr(1));
  }
  return out;
}

const Json* FindMember(const Json& object, std::string_view name) {
  if (!object.is_object()) return nullptr;
  for (auto it = object.begin(); it != object.end(); ++it) {
    if (EqualsIgnoringCase(it.key(), name)) return &it.value();
  }
  return nullptr;
}

Json* FindMember(Json& object, std::string_view name) {
  if (!object.is_object()) return nullptr;
  for (auto it = object.begin(); it != object.end(); ++it) {
    if (EqualsIgnoringCase(it.key(), name)) return &it.value();
  }
  return nullptr;
}

bool Matches(const Filter& filter, const Json& resource) {
  switch (filter.kind) {
    case Filter::Kind::kAnd:
      return Matches(*filter.left, resource) && Matches(*filter.right, resource);
    case Filter::Kind::kOr:
      return Matches(*filter.left, resource) || Matches(*filter.right, resource);
    case Filter::Kind::kNot: return !Matches(*filter.left, resource);
    case Filter::Kind::kPresent: {
      std::vector<const Json*> values;
      Collect(filter.path, resource, values);
      return std::any_of(values.begin(), values.end(), [](const Json* v) {
        return !v->is_null() && !(v->is_string() && v->get_ref<const std::string&>().empty()) &&
               !(v->is_structured() && v->empty());
      });
    }
    case Filter::Kind::kValuePath: {
      const Json* base = &resource;
      if (!filter.path.schema.empty() && !IsCoreSchema(filter.path.schema)) {
        base = FindMember(resource, filter.path.schema);
        if (!base) return false;
      }
      const Json* attribute = FindMember(*base, filter.path.attribute);
      if (!attribute) return false;
      if (attribute->is_array()) {
        return std::any_of(attribute->begin(), attribute->end(),
                           [&](const Json& element) { return Matches(*filter.left, element); });
      }
      return Matches(*filter.left, *attribute);
    }
    case Filter::Kind::kCompare: {
      std::vector<const Json*> values;
      Collect(filter.path, resource, values);
      bool case_exact = IsCaseExact(filter.path);
      if (filter.op == "ne") {
        return std::none_of(values.begin(), values.end(), [&](const Json* v) {
          return CompareOne("eq", *v, filter.value, case_exact);
        });
      }
      if (values.empty()) return false;
      return std::any_of(values.begin(), values.end(), [&](const Json* v) {
        return CompareOne(filter.op, *v, filter.value, case_exact);
      });
    }
  }
  return false;
}

}  // namespace bulkhead::core::scim
