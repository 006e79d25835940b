#include "core/scim_patch.hpp"

#include <algorithm>
#include <string>

#include "core/scim_filter.hpp"

namespace bulkhead::core::scim {
namespace {

using Json = nlohmann::json;

std::string PatchLowered(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return out;
}

bool IsReadOnly(const AttributePath& path) {
  std::string name = PatchLowered(path.attribute);
  return path.schema.empty() && (name == "id" || name == "meta" || name == "schemas");
}

// The object the path's attribute lives in: the resource, or its extension object (made when
// `create`).
Json* Container(Json& resource, const AttributePath& path, bool create) {
  if (path.schema.empty() || IsCoreSchema(path.schema)) return &resource;
  if (Json* found = FindMember(resource, path.schema)) return found->is_object() ? found : nullptr;
  if (!create) return nullptr;
  resource[path.schema] = Json::object();
  if (Json* schemas = FindMember(resource, "schemas"); schemas && schemas->is_array()) {
    schemas->push_back(path.schema);
  }
  return &resource[path.schema];
}

// The member `name` of `object`, made (null) when absent, under the existing key's spelling.
Json& Member(Json& object, const std::string& name) {
  if (Json* found = FindMember(object, name)) return *found;
  return object[name];
}

void EraseMember(Json& object, std::string_view name) {
  for (auto it = object.begin(); it != object.end(); ++it) {
    if (PatchLowered(it.key()) == PatchLowered(name)) {
      object.erase(it);
      return;
    }
  }
}

// The element a filter of `a eq v` terms (joined by and) describes, or nullopt for any other
// filter.
std::optional<Json> ElementOf(const Filter& filter) {
  if (filter.kind == Filter::Kind::kAnd) {
    auto left = ElementOf(*filter.left);
    auto right = ElementOf(*filter.right);
    if (!left || !right) return std::nullopt;
    left->update(*right);
    return left;
  }
  if (filter.kind != Filter::Kind::kCompare || filter.op != "eq" ||
      !filter.path.sub_attribute.empty() || !filter.path.schema.empty()) {
    return std::nullopt;
  }
  return Json{{filter.path.attribute, filter.value}};
}

// Two values of a multi-valued attribute are the same when their `value`s are (members,
// emails), else when equal.
bool SameElement(const Json& a, const Json& b) {
  const Json* av = FindMember(a, "value");
  const Json* bv = FindMember(b, "value");
  if (av && bv) {
    if (av->is_string() && bv->is_string()) {
      return PatchLowered(av->get<std::string>()) == PatchLowered(bv->get<std::string>());
    }
    return *av == *bv;
  }
  return a == b;
}

void AppendDistinct(Json& array, const Json& value) {
  auto add = [&](const Json& v) {
    if (std::none_of(array.begin(), array.end(),
                     [&](const Json& e) { return SameElement(e, v); })) {
      array.push_back(v);
    }
  };
  if (value.is_array()) {
    for (const auto& v : value) add(v);
  } else {
    add(value);
  }
}

Status SetOrAdd(Json& resource, const PatchPath& p, const Json& value, bool replace) {
  if (IsReadOnly(p.path)) {
    return ScimError("mutability", "'" + p.path.attribute + "' is read-only");
  }
  Json* base = Container(resource, p.path, true);
  if (!base) return ScimError("invalidPath", "'" + p.path.schema + "' is not an object");
  if (!p.filter) {
    Json& target = Member(*base, p.path.attribute);
    if (!p.path.sub_attribute.empty()) {
      if (target.is_null()) target = Json::object();
      if (!target.is_object()) {
        return ScimError("invalidPath", "'" + p.path.Dotted() + "' needs a value filter");
      }
      Member(target, p.path.sub_attribute) = value;
      return Ok();
    }
    if (!replace && target.is_array()) {
      AppendDistinct(target, value);
    } else if (!replace && target.is_object() && value.is_object()) {
      for (const auto& [k, v] : value.items()) Member(target, k) = v;
    } else {
      target = value;
    }
    return Ok();
  }
  Json& target = Member(*base, p.path.attribute);
  if (target.is_null()) target = Json::array();
  if (!target.is_array()) {
    return ScimError("invalidPath", "'" + p.path.attribute + "' is not multi-valued");
  }
  bool matched = false;
  for (auto& element : target) {
    if (!Matches(*p.filter, element)) continue;
    matched = true;
    if (!p.sub_attribute.empty()) {
      if (!element.is_object()) return ScimError("invalidPath", "the element is not complex");
      Member(element, p.sub_attribute) = value;
    } else if (!replace && element.is_object() && value.is_object()) {
      for (const auto& [k, v] : value.items()) Member(element, k) = v;
    } else {
      element = value;
    }
  }
  if (matched) return Ok();
  auto element = ElementOf(*p.filter);
  if (!element) {
    return ScimError("noTarget", "no element of '" + p.path.attribute + "' matches the filter");
  }
  if (!p.sub_attribute.empty()) {
    (*element)[p.sub_attribute] = value;
  } else if (value.is_object()) {
    element->update(value);
  } else {
    return ScimError("invalidValue", "a complex value is needed for '" + p.path.attribute + "'");
  }
  target.push_back(std::move(*element));
  return Ok();
}

Status Remove(Json& resource, const PatchPath& p, const Json* value) {
  if (IsReadOnly(p.path)) {
    return ScimError("mutability", "'" + p.path.attribute + "' is read-only");
  }
  Json* base = Container(resource, p.path, false);
  if (!base) return Ok();
  Json* target = FindMember(*base, p.path.attribute);
  if (!target) return Ok();
  if (p.filter) {
    if (!target->is_array()) return Ok();
    Json kept = Json::array();
    for (auto& element : *target) {
      if (!Matches(*p.filter, element)) {
        kept.push_back(std::move(element));
      } else if (!p.sub_attribute.empty() && element.is_object()) {
        EraseMember(element, p.sub_attribute);
        kept.push_back(std::move(element));
      }
    }
    *target = std::move(kept);
    return Ok();
  }
  if (!p.path.sub_attribute.empty()) {
    if (target->is_object()) EraseMember(*target, p.path.sub_attribute);
    if (target->is_array()) {
      for (auto& element : *target) EraseMember(element, p.path.sub_attribute);
    }
    return Ok();
  }
  if (value && !value->is_null() && target->is_array()) {
    // Remove the listed elements only: {"op":"remove","path":"members","value":[{"value":…}]}.
    Json listed = value->is_array() ? *value : Json::array({*value});
    Json kept = Json::array();
    for (auto& element : *target) {
      if (std::none_of(listed.begin(), listed.end(),
                       [&](const Json& l) { return SameElement(element, l); })) {
        kept.push_back(std::move(element));
      }
    }
    *target = std::move(kept);
    return Ok();
  }
  EraseMember(*base, p.path.attribute);
  return Ok();
}

// An add or replace without a path: each member of the object value is a path of its own; an
// extension's schema URN names an object of that extension's attributes.
Status SetEach(Json& resource, const Json& value, bool replace) {
  if (!value.is_object()) {
    return ScimError("invalidValue", "an operation without a path needs an object value");
  }
  for (const auto& [key, v] : value.items()) {
    std::string lowered = PatchLowered(key);
    if (lowered == "schemas" || lowered == "meta") continue;  // clients echo them
    if (lowered == "id") {
      const Json* id = FindMember(resource, "id");
      if (id && *id == v) continue;
      return ScimError("mutability", "'id' is read-only");
    }
    if (lowered.starts_with("urn:") && v.is_object() && !IsCoreSchema(key)) {
      for (const auto& [sub, sub_value] : v.items()) {
        auto path = ParsePatchPath(key + ":" + sub);
        if (!path.ok()) return path.error();
        BULKHEAD_TRY(SetOrAdd(resource, *path, sub_value, replace));
      }
      continue;
    }
    auto path = ParsePatchPath(key);
    if (!path.ok()) return path.error();
    BULKHEAD_TRY(SetOrAdd(resource, *path, v, replace));
  }
  return Ok();
}

}  // namespace

Status ApplyPatch(Json& resource, const Json& request) {
  if (!request.is_object()) return ScimError("invalidSyntax", "the body must be a JSON object");
  const Json* operations = FindMember(request, "Operations");
  if (!operations || !operations->is_array() || operations->empty()) {
    return ScimError("invalidSyntax", "Operations must be a non-empty array");
  }
  if (operations->size() > kMaxPatchOperations) {
    return ScimError("invalidSyntax",
                     "at most " + std::to_string(kMaxPatchOperations) + " operations per request");
  }
  for (const auto& operation : *operations) {
    if (!operation.is_object()) return ScimError("invalidSyntax", "an operation is not an object");
    const Json* op = FindMember(operation, "op");
    if (!op || !op->is_string()) return ScimError("invalidSyntax", "an operation has no op");
    std::string name = PatchLowered(op->get<std::string>());
    const Json* path = FindMember(operation, "path");
    if (path && !path->is_string() && !path->is_null()) {
      return ScimError("invalidPath", "path must be a string");
    }
    bool has_path = path && path->is_string() && !path->get<std::string>().empty();
    const Json* value = FindMember(operation, "value");
    if (name == "add" || name == "replace") {
      if (!value) return ScimError("invalidValue", name + " needs a value");
      if (!has_path) {
        BULKHEAD_TRY(SetEach(resource, *value, name == "replace"));
        continue;
      }
      auto parsed = ParsePatchPath(path->get<std::string>());
      if (!parsed.ok()) return parsed.error();
      BULKHEAD_TRY(SetOrAdd(resource, *parsed, *value, name == "replace"));
    } else if (name == "remove") {
      if (!has_path) return ScimError("noTarget", "remove needs a path");
      auto parsed = ParsePatchPath(path->get<std::string>());
      if (!parsed.ok()) return parsed.error();
      BULKHEAD_TRY(Remove(resource, *parsed, value));
    } else {
      return ScimError("invalidSyntax", "op must be add, replace or remove");
    }
  }
  return Ok();
}

}  // namespace bulkhead::core::scim
