#include "api/schema.hpp"

namespace bulkhead::api::schema {

Json String(StringRules rules) {
  Json s = {{"type", "string"}};
  if (rules.min_length) s["minLength"] = *rules.min_length;
  if (rules.max_length) s["maxLength"] = *rules.max_length;
  if (!rules.one_of.empty()) s["enum"] = rules.one_of;
  if (!rules.format.empty()) s["format"] = rules.format;
  if (!rules.description.empty()) s["description"] = rules.description;
  return s;
}

Json Integer(std::optional<int64_t> minimum, std::optional<int64_t> maximum,
             std::string_view description) {
  Json s = {{"type", "integer"}};
  if (minimum) s["minimum"] = *minimum;
  if (maximum) s["maximum"] = *maximum;
  if (!description.empty()) s["description"] = description;
  return s;
}

Json Boolean(std::string_view description) {
  Json s = {{"type", "boolean"}};
  if (!description.empty()) s["description"] = description;
  return s;
}

Json Ref(std::string_view component) {
  return {{"$ref", "#/components/schemas/" + std::string(component)}};
}

Json Array(Json items, std::optional<int64_t> max_items, bool unique) {
  Json s = {{"type", "array"}, {"items", std::move(items)}};
  if (max_items) s["maxItems"] = *max_items;
  if (unique) s["uniqueItems"] = true;
  return s;
}

Json Nullable(Json schema) {
  // A plain type widens its "type"; anything else ($ref, enum) becomes one branch of anyOf.
  if (schema.contains("type") && schema["type"].is_string() && !schema.contains("enum")) {
    schema["type"] = {schema["type"], "null"};
    return schema;
  }
  return {{"anyOf", {std::move(schema), {{"type", "null"}}}}};
}

Json Described(Json schema, std::string_view description) {
  schema["description"] = description;
  return schema;
}

Json Object(std::vector<Property> properties) {
  Json props = Json::object();
  Json required = Json::array();
  for (auto& p : properties) {
    if (p.required) required.push_back(p.name);
    props[p.name] = std::move(p.schema);
  }
  Json s = {{"type", "object"}, {"properties", std::move(props)}, {"additionalProperties", false}};
  if (!required.empty()) s["required"] = std::move(required);
  return s;
}

Json Map(Json values) {
  return {{"type", "object"}, {"additionalProperties", std::move(values)}};
}

Json AnyObject(std::string_view description) {
  // Open on purpose, and said so: generators read a bare {type: object} as an empty object
  // (openapi-typescript's Record<string, never>), so no client could send a spec.
  Json s = {{"type", "object"}, {"additionalProperties", true}};
  if (!description.empty()) s["description"] = description;
  return s;
}

Json Page(Json items) {
  // The generic Page component, its data narrowed to this list's items.
  return {{"allOf",
           {Ref("Page"),
            {{"type", "object"},
             {"required", {"data"}},
             {"properties", {{"data", {{"type", "array"}, {"items", std::move(items)}}}}}}}}};
}

}  // namespace bulkhead::api::schema
