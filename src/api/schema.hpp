#pragma once
// A small vocabulary for the API's contract: JSON Schema 2020-12 as OpenAPI 3.1 uses it,
// written as nlohmann::json so that the same value is served in /openapi.json and checked by
// the validator (api/schema_validator.hpp). Only keywords the validator enforces are
// written here (type, enum, properties, required, additionalProperties, items, min/maxLength,
// min/maxItems, uniqueItems, minimum/maximum, anyOf, allOf, $ref); `format`, `description` and
// `examples` are annotations.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace bulkhead::api::schema {

using Json = nlohmann::json;

struct StringRules {
  std::optional<int64_t> min_length;  // in code points, as JSON Schema counts
  std::optional<int64_t> max_length;
  std::vector<std::string> one_of;  // enum
  std::string format;               // annotation: "uuid", "email", "date-time", "date", "uri"
  std::string description;
};

Json String(StringRules rules = {});
Json Integer(std::optional<int64_t> minimum = std::nullopt,
             std::optional<int64_t> maximum = std::nullopt, std::string_view description = {});
Json Boolean(std::string_view description = {});
// A reference to a named component (#/components/schemas/<name>).
Json Ref(std::string_view component);
Json Array(Json items, std::optional<int64_t> max_items = std::nullopt, bool unique = false);
// `schema` or null.
Json Nullable(Json schema);
// Adds a description (an annotation) to any schema.
Json Described(Json schema, std::string_view description);

struct Property {
  std::string name;
  Json schema;
  bool required = false;
};
// A closed object: properties not listed are refused.
Json Object(std::vector<Property> properties);
// An object whose own keys are free, each value checked by `values` (a map, e.g. labels).
Json Map(Json values);
// Any JSON object (resource specs, audit details).
Json AnyObject(std::string_view description = {});
// A page of a list: the Page component ({data, next_cursor}) with data: [items].
Json Page(Json items);

// The named components every route refers to (Organization, Member, …, Problem), keyed by
// name: the document's #/components/schemas. Built once.
const Json& Components();

}  // namespace bulkhead::api::schema
