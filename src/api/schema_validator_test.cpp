// The validator against the vocabulary it checks: each rule refuses with the field named, all
// problems are reported together, and what a schema allows passes untouched.

#include "api/schema_validator.hpp"

#include <gtest/gtest.h>

#include "api/schema.hpp"

namespace bulkhead::api {
namespace schema_validator_test {

using namespace schema;  // NOLINT(google-build-using-namespace)

std::vector<core::FieldError> Check(const Json& s, const Json& value) {
  std::vector<core::FieldError> errors;
  ValidateJson(s, value, Components(), "", errors);
  return errors;
}

std::vector<std::string> Fields(const std::vector<core::FieldError>& errors) {
  std::vector<std::string> out;
  for (const auto& e : errors) out.push_back(e.field);
  return out;
}

const Json kBody = Object({{"name", String({.min_length = 1, .max_length = 5}), true},
                           {"role", String({.one_of = {"owner", "member"}}), true},
                           {"count", Integer(1, 200)},
                           {"note", Nullable(String())},
                           {"settings", Nullable(Ref("SettingsPatch"))}});

TEST(SchemaValidator, AcceptsWhatTheSchemaAllows) {
  EXPECT_TRUE(Check(kBody, {{"name", "Ada"}, {"role", "owner"}}).empty());
  EXPECT_TRUE(Check(kBody, {{"name", "Ada"},
                            {"role", "owner"},
                            {"count", 200},
                            {"note", nullptr},
                            {"settings", {{"limits", {{"max_members", 3}}}}}})
                  .empty());
}

TEST(SchemaValidator, NamesEachMissingWrongAndUnknownField) {
  auto errors = Check(kBody, {{"name", 42}, {"colour", "red"}});
  EXPECT_EQ(Fields(errors), (std::vector<std::string>{"role", "colour", "name"}));
  EXPECT_EQ(errors[0].message, "is required");
  EXPECT_EQ(errors[1].message, "is not a known field");
  EXPECT_EQ(errors[2].message, "must be a string");
}

// Found by fuzz_json_body: an unknown empty key was named by an empty field.
TEST(SchemaValidator, AnEmptyKeyIsNamedVisibly) {
  auto errors = Check(kBody, {{"name", "Ada"}, {"role", "owner"}, {"", 1}});
  EXPECT_EQ(Fields(errors), (std::vector<std::string>{"\"\""}));
  errors = Check(kBody, {{"name", "Ada"}, {"role", "owner"}, {"settings", {{"", 1}}}});
  EXPECT_EQ(Fields(errors), (std::vector<std::string>{"settings.\"\""}));
}

TEST(SchemaValidator, RefusesOutOfRangeNumbersAndNonIntegers) {
  auto errors = Check(kBody, {{"name", "A"}, {"role", "owner"}, {"count", 201}});
  ASSERT_EQ(Fields(errors), std::vector<std::string>{"count"});
  EXPECT_EQ(errors[0].message, "must be an integer from 1 to 200");
  EXPECT_EQ(Fields(Check(kBody, {{"name", "A"}, {"role", "owner"}, {"count", 0}})),
            std::vector<std::string>{"count"});
  EXPECT_EQ(Fields(Check(kBody, {{"name", "A"}, {"role", "owner"}, {"count", 1.5}})),
            std::vector<std::string>{"count"});
}

TEST(SchemaValidator, CountsStringLengthInCodePoints) {
  EXPECT_TRUE(Check(kBody, {{"name", "ÅÅÅÅÅ"}, {"role", "owner"}}).empty());
  auto errors = Check(kBody, {{"name", "abcdef"}, {"role", "owner"}});
  ASSERT_EQ(Fields(errors), std::vector<std::string>{"name"});
  EXPECT_EQ(errors[0].message, "must be at most 5 characters");
  EXPECT_EQ(Fields(Check(kBody, {{"name", ""}, {"role", "owner"}})),
            std::vector<std::string>{"name"});
}

TEST(SchemaValidator, RefusesValuesOutsideTheEnum) {
  auto errors = Check(kBody, {{"name", "A"}, {"role", "OWNER"}});
  ASSERT_EQ(Fields(errors), std::vector<std::string>{"role"});
  EXPECT_EQ(errors[0].message, "must be one of owner, member");
  EXPECT_EQ(Fields(Check(kBody, {{"name", "A"}, {"role", nullptr}})),
            std::vector<std::string>{"role"});
}

TEST(SchemaValidator, NamesNestedFieldsByTheirPath) {
  auto errors = Check(kBody, {{"name", "A"},
                              {"role", "owner"},
                              {"settings",
                               {{"limits", {{"max_members", -1}}},
                                {"branding", {{"logo", "x"}}},
                                {"features", {"a", 7}}}}});
  EXPECT_EQ(Fields(errors),
            (std::vector<std::string>{"settings.branding.logo", "settings.features.1",
                                      "settings.limits.max_members"}));
}

TEST(SchemaValidator, NullableAcceptsNullAndChecksTheRest) {
  EXPECT_TRUE(Check(kBody, {{"name", "A"}, {"role", "owner"}, {"settings", nullptr}}).empty());
  auto errors = Check(kBody, {{"name", "A"}, {"role", "owner"}, {"note", 3}});
  ASSERT_EQ(Fields(errors), std::vector<std::string>{"note"});
  EXPECT_EQ(errors[0].message, "must be a string or null");
  EXPECT_EQ(Fields(Check(kBody, {{"name", "A"}, {"role", "owner"}, {"settings", "dark"}})),
            std::vector<std::string>{"settings"});
}

TEST(SchemaValidator, ArraysRefuseRepeatsAndTooManyEntries) {
  Json list = Object({{"tags", Array(String(), 2, true)}});
  EXPECT_TRUE(Check(list, {{"tags", {"a", "b"}}}).empty());
  EXPECT_EQ(Fields(Check(list, {{"tags", {"a", "a"}}})), std::vector<std::string>{"tags"});
  EXPECT_EQ(Fields(Check(list, {{"tags", {"a", "b", "c"}}})), std::vector<std::string>{"tags"});
}

TEST(SchemaValidator, TheRootIsNamedBody) {
  EXPECT_EQ(Fields(Check(kBody, Json::array())), std::vector<std::string>{"body"});
}

TEST(SchemaValidator, AnUnresolvedReferenceIsAnError) {
  EXPECT_FALSE(Check(Ref("NoSuchComponent"), Json::object()).empty());
}

TEST(SchemaValidator, ValidatesTheComponentsOwnExamples) {
  for (const auto& [name, component] : Components().items()) {
    if (!component.contains("examples")) continue;
    for (const auto& example : component["examples"]) {
      auto errors = Check(component, example);
      EXPECT_TRUE(errors.empty()) << name << ": "
                                  << (errors.empty() ? ""
                                                     : errors[0].field + " " + errors[0].message);
    }
  }
}

TEST(SchemaValidator, ReadsQueryTextAsTheParameterType) {
  std::vector<core::FieldError> errors;
  EXPECT_EQ(QueryValueAs(Integer(1, 200), "limit", "50", errors), Json(50));
  EXPECT_EQ(QueryValueAs(Boolean(), "reveal", "true", errors), Json(true));
  EXPECT_EQ(QueryValueAs(String(), "kind", "box", errors), Json("box"));
  EXPECT_TRUE(errors.empty());
  EXPECT_FALSE(QueryValueAs(Integer(1, 200), "limit", "5x", errors));
  EXPECT_FALSE(QueryValueAs(Boolean(), "reveal", "yes", errors));
  EXPECT_EQ(Fields(errors), (std::vector<std::string>{"limit", "reveal"}));
  EXPECT_EQ(errors[0].message, "must be an integer from 1 to 200");
}

}  // namespace schema_validator_test
}  // namespace bulkhead::api
