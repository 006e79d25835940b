// SCIM filters, paths and PATCH against RFC 7644's own examples (§3.4.2.2, §3.5.2) and the
// request shapes Entra ID and Okta send.

#include "core/scim_filter.hpp"

#include <gtest/gtest.h>

#include "core/scim_patch.hpp"

namespace bulkhead::core::scim {
namespace {

using Json = nlohmann::json;

Json Barbara() {
  return Json::parse(R"({
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
    "id": "2819c223-7f76-453a-919d-413861904646",
    "externalId": "bjensen",
    "userName": "Barbara@Example.com",
    "name": {"givenName": "Barbara", "familyName": "Jensen"},
    "emails": [{"value": "bjensen@example.com", "type": "work", "primary": true},
               {"value": "babs@jensen.org", "type": "home"}],
    "active": true,
    "meta": {"resourceType": "User", "lastModified": "2011-05-13T04:42:34Z"}
  })");
}

bool Eval(const std::string& filter, const Json& resource = Barbara()) {
  auto parsed = ParseFilter(filter);
  EXPECT_TRUE(parsed.ok()) << filter << ": " << (parsed.ok() ? "" : parsed.error().message);
  return parsed.ok() && Matches(**parsed, resource);
}

std::string FilterError(const std::string& filter) {
  auto parsed = ParseFilter(filter);
  return parsed.ok() ? "" : ScimErrorType(parsed.error());
}

TEST(ScimFilter, UserNameEqualsIgnoresCaseOfNameAndValue) {
  EXPECT_TRUE(Eval(R"(userName eq "barbara@example.com")"));
  EXPECT_TRUE(Eval(R"(USERNAME EQ "BARBARA@EXAMPLE.COM")"));
  EXPECT_FALSE(Eval(R"(userName eq "barbara@example.org")"));
}

TEST(ScimFilter, ExternalIdAndIdCompareExactly) {
  EXPECT_TRUE(Eval(R"(externalId eq "bjensen")"));
  EXPECT_FALSE(Eval(R"(externalId eq "BJensen")"));
  EXPECT_FALSE(Eval(R"(id eq "2819C223-7F76-453A-919D-413861904646")"));
}

TEST(ScimFilter, EveryOperator) {
  EXPECT_TRUE(Eval(R"(userName ne "someone@example.com")"));
  EXPECT_FALSE(Eval(R"(userName ne "barbara@example.com")"));
  EXPECT_TRUE(Eval(R"(userName co "@example")"));
  EXPECT_TRUE(Eval(R"(userName sw "barb")"));
  EXPECT_TRUE(Eval(R"(userName ew ".COM")"));
  EXPECT_TRUE(Eval(R"(title pr)") == false);
  EXPECT_TRUE(Eval(R"(name.givenName pr)"));
  EXPECT_TRUE(Eval(R"(meta.lastModified gt "2011-05-13T04:42:33Z")"));
  EXPECT_FALSE(Eval(R"(meta.lastModified lt "2011-05-13T04:42:34Z")"));
  EXPECT_TRUE(Eval(R"(meta.lastModified le "2011-05-13T04:42:34Z")"));
  EXPECT_TRUE(Eval("active eq true"));
  EXPECT_FALSE(Eval("active eq false"));
}

TEST(ScimFilter, MultiValuedAttributesMatchAnyValue) {
  EXPECT_TRUE(Eval(R"(emails co "jensen.org")"));
  EXPECT_TRUE(Eval(R"(emails.value eq "babs@jensen.org")"));
  EXPECT_TRUE(Eval(R"(emails[type eq "work" and value co "@example.com"])"));
  EXPECT_FALSE(Eval(R"(emails[type eq "home" and value co "@example.com"])"));
}

TEST(ScimFilter, AndBindsTighterThanOrAndParenthesesRegroup) {
  // false and false or true: (false and false) or true.
  EXPECT_TRUE(Eval(R"(userName eq "x" and active eq false or externalId eq "bjensen")"));
  EXPECT_FALSE(Eval(R"(userName eq "x" and (active eq false or externalId eq "bjensen"))"));
  EXPECT_TRUE(Eval(R"(not (userName eq "x"))"));
}

TEST(ScimFilter, SchemaQualifiedNames) {
  EXPECT_TRUE(Eval(R"(urn:ietf:params:scim:schemas:core:2.0:User:name.familyName eq "jensen")"));
  Json r = Barbara();
  r["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"] = {{"department", "Tour"}};
  EXPECT_TRUE(Eval(
      R"(urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "tour")", r));
}

TEST(ScimFilter, RefusesBadInputWithInvalidFilter) {
  for (const char* bad :
       {"", "userName", "userName eq", "userName xx \"a\"", "(userName pr",
        "userName eq \"unterminated", "userName eq \"a\" and", "1abc eq \"a\"", "active gt true",
        "userName co 3", "emails[type eq \"work\"", "userName eq \"a\" garbage"}) {
    EXPECT_EQ(FilterError(bad), "invalidFilter") << bad;
  }
}

TEST(ScimFilter, RefusesFiltersPastItsBounds) {
  std::string deep;
  for (int i = 0; i < kMaxScimFilterDepth + 1; ++i) deep += "(";
  deep += "userName pr";
  for (int i = 0; i < kMaxScimFilterDepth + 1; ++i) deep += ")";
  EXPECT_EQ(FilterError(deep), "invalidFilter");
  std::string many = "userName pr";
  for (int i = 0; i < kMaxScimFilterTerms; ++i) many += " or userName pr";
  EXPECT_EQ(FilterError(many), "invalidFilter");
  EXPECT_EQ(FilterError("userName eq \"" + std::string(kMaxScimFilterLength, 'a') + "\""),
            "invalidFilter");
  // A deep but allowed nesting still parses.
  EXPECT_TRUE(Eval("((((userName pr))))"));
}

TEST(ScimPatchPath, ParsesFiltersAndSubAttributes) {
  auto p = ParsePatchPath(R"(emails[type eq "work"].value)");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->path.attribute, "emails");
  ASSERT_TRUE(p->filter);
  EXPECT_EQ(p->sub_attribute, "value");
  auto m = ParsePatchPath(R"(members[value eq "2819c223-7f76-453a-919d-413861904646"])");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->path.attribute, "members");
  EXPECT_TRUE(m->sub_attribute.empty());
  auto n = ParsePatchPath("name.givenName");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->path.sub_attribute, "givenName");
  auto e = ParsePatchPath("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->path.schema, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User");
  EXPECT_EQ(e->path.attribute, "department");
  for (const char* bad : {"", "name..x", "emails[type eq \"work\"", "emails[type eq \"w\"]x",
                          "9lives", "name.givenName[type eq \"x\"]"}) {
    auto r = ParsePatchPath(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_FALSE(ScimErrorType(r.error()).empty()) << bad;
  }
}

Json Patch(std::initializer_list<Json> operations) {
  Json list = Json::array();
  for (const auto& op : operations) list.push_back(op);
  return {{"schemas", {std::string(kPatchOpSchema)}}, {"Operations", list}};
}

std::string PatchError(Json resource, const Json& request) {
  auto st = ApplyPatch(resource, request);
  return st.ok() ? "" : ScimErrorType(st.error());
}

TEST(ScimPatch, EntraReplaceActiveWithAStringAndCapitalizedOp) {
  // Entra ID: {"op": "Replace", "path": "active", "value": "False"}.
  Json r = Barbara();
  ASSERT_TRUE(
      ApplyPatch(r, Patch({{{"op", "Replace"}, {"path", "active"}, {"value", "False"}}})).ok());
  EXPECT_EQ(r["active"], "False");  // the use case reads "False" as false
}

TEST(ScimPatch, OktaReplaceWithoutPath) {
  // Okta: {"op": "replace", "value": {"active": false}}.
  Json r = Barbara();
  ASSERT_TRUE(ApplyPatch(r, Patch({{{"op", "replace"}, {"value", {{"active", false}}}}})).ok());
  EXPECT_EQ(r["active"], false);
  // Dotted names and extension objects inside a path-less value.
  ASSERT_TRUE(ApplyPatch(r, Patch({{{"op", "replace"},
                                    {"value",
                                     {{"name.givenName", "Babs"},
                                      {"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
                                       {{"department", "Sales"}}}}}}}))
                  .ok());
  EXPECT_EQ(r["name"]["givenName"], "Babs");
  EXPECT_EQ(r["name"]["familyName"], "Jensen");
  EXPECT_EQ(r["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]["department"], "Sales");
}

TEST(ScimPatch, ValueFilterPathsSetAndCreate) {
  Json r = Barbara();
  ASSERT_TRUE(ApplyPatch(r, Patch({{{"op", "replace"},
                                    {"path", R"(emails[type eq "work"].value)"},
                                    {"value", "barbara@example.net"}}}))
                  .ok());
  EXPECT_EQ(r["emails"][0]["value"], "barbara@example.net");
  EXPECT_EQ(r["emails"][1]["value"], "babs@jensen.org");
  // No element matches: Entra ID expects the one the filter describes to be made.
  ASSERT_TRUE(ApplyPatch(r, Patch({{{"op", "add"},
                                    {"path", R"(phoneNumbers[type eq "mobile"].value)"},
                                    {"value", "+1 555 0100"}}}))
                  .ok());
  EXPECT_EQ(r["phoneNumbers"], Json::parse(R"([{"type": "mobile", "value": "+1 555 0100"}])"));
}

TEST(ScimPatch, GroupMembersAddAndRemove) {
  Json group = {{"id", "g1"}, {"displayName", "Engineering"}, {"members", Json::array()}};
  ASSERT_TRUE(ApplyPatch(group, Patch({{{"op", "Add"},
                                        {"path", "members"},
                                        {"value", {{{"value", "u1"}}, {{"value", "u2"}}}}}}))
                  .ok());
  EXPECT_EQ(group["members"].size(), 2u);
  // Adding a member twice keeps one.
  ASSERT_TRUE(
      ApplyPatch(group,
                 Patch({{{"op", "add"}, {"path", "members"}, {"value", {{{"value", "u1"}}}}}}))
          .ok());
  EXPECT_EQ(group["members"].size(), 2u);
  // Okta: remove through a value filter.
  ASSERT_TRUE(
      ApplyPatch(group, Patch({{{"op", "remove"}, {"path", R"(members[value eq "u1"])"}}})).ok());
  EXPECT_EQ(group["members"], Json::parse(R"([{"value": "u2"}])"));
  // Entra ID: remove with the members listed in the value.
  ASSERT_TRUE(
      ApplyPatch(group,
                 Patch({{{"op", "Remove"}, {"path", "members"}, {"value", {{{"value", "u2"}}}}}}))
          .ok());
  EXPECT_TRUE(group["members"].empty());
  // Removing someone who is not there succeeds.
  ASSERT_TRUE(
      ApplyPatch(group, Patch({{{"op", "remove"}, {"path", R"(members[value eq "u9"])"}}})).ok());
  // Replace of the whole list.
  ASSERT_TRUE(
      ApplyPatch(group,
                 Patch({{{"op", "replace"}, {"path", "members"}, {"value", {{{"value", "u3"}}}}}}))
          .ok());
  EXPECT_EQ(group["members"], Json::parse(R"([{"value": "u3"}])"));
}

TEST(ScimPatch, RemoveOfAnAttributeAndASubAttribute) {
  Json r = Barbara();
  ASSERT_TRUE(ApplyPatch(r, Patch({{{"op", "remove"}, {"path", "externalId"}},
                                   {{"op", "remove"}, {"path", "name.familyName"}}}))
                  .ok());
  EXPECT_FALSE(r.contains("externalId"));
  EXPECT_EQ(r["name"], Json::parse(R"({"givenName": "Barbara"})"));
}

TEST(ScimPatch, RefusesWhatItCannotApply) {
  EXPECT_EQ(PatchError(Barbara(), Json::array()), "invalidSyntax");
  EXPECT_EQ(PatchError(Barbara(), Patch({})), "invalidSyntax");
  EXPECT_EQ(PatchError(Barbara(), Patch({{{"op", "move"}, {"path", "active"}}})), "invalidSyntax");
  EXPECT_EQ(PatchError(Barbara(), Patch({{{"op", "remove"}}})), "noTarget");
  EXPECT_EQ(PatchError(Barbara(), Patch({{{"op", "replace"}, {"path", "id"}, {"value", "x"}}})),
            "mutability");
  EXPECT_EQ(PatchError(Barbara(), Patch({{{"op", "replace"}, {"value", {{"id", "other"}}}}})),
            "mutability");
  EXPECT_EQ(PatchError(Barbara(), Patch({{{"op", "add"}, {"path", "active"}}})), "invalidValue");
  EXPECT_EQ(PatchError(Barbara(), Patch({{{"op", "add"}, {"path", "a b"}, {"value", 1}}})),
            "invalidPath");
  EXPECT_EQ(PatchError(Barbara(), Patch({{{"op", "add"}, {"value", "not an object"}}})),
            "invalidValue");
  EXPECT_EQ(
      PatchError(
          Barbara(),
          Patch({{{"op", "replace"}, {"path", R"(emails[type pr or value pr])"}, {"value", 1}},
                 {{"op", "replace"}, {"path", R"(addresses[type pr])"}, {"value", 1}}})),
      "noTarget");
}

}  // namespace
}  // namespace bulkhead::core::scim
