// The response contract check on a small document: what it lets through and what it calls drift.

#include "integration/contract_check.hpp"

#include <gtest/gtest.h>

namespace bulkhead::testing {
namespace {

using Json = nlohmann::json;

const Json& Document() {
  static const Json document = Json::parse(R"({
    "paths": {
      "/things/{id}": {"get": {"responses": {
        "200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}},
        "404": {"content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}}},
                       "delete": {"responses": {"204": {"description": "gone"}}}},
      "/things/mine": {"get": {"responses": {"200": {"content": {"application/json": {"schema": {"type": "array", "items": {"type": "integer"}}}}}}}}
    },
    "components": {"schemas": {
      "Thing": {"type": "object", "additionalProperties": false, "required": ["id", "name", "at"],
                "properties": {"id": {"type": "string", "format": "uuid"},
                               "name": {"type": "string", "minLength": 1, "maxLength": 3},
                               "at": {"type": "string", "format": "date-time"},
                               "note": {"anyOf": [{"type": "string"}, {"type": "null"}]},
                               "kind": {"enum": ["a", "b"]},
                               "count": {"type": "integer", "minimum": 0}}},
      "Problem": {"type": "object", "required": ["code"], "properties": {"code": {"type": "string"}}}
    }}
  })");
  return document;
}

std::vector<std::string> Check(const std::string& method, const std::string& target, int status,
                               const std::string& body,
                               const std::string& type = "application/json") {
  return CheckResponse(Document(), {method, target, status, type, body});
}

constexpr const char* kThing =
    R"({"id": "0190c2a4-1b2c-7d3e-8f40-123456789abc", "name": "éé", "at": "2026-01-02T03:04:05Z", "note": null, "kind": "a", "count": 2})";

TEST(ContractCheck, AResponseAsDeclaredPasses) {
  EXPECT_TRUE(Check("GET", "/things/x1?full=true", 200, kThing).empty());
  EXPECT_TRUE(Check("DELETE", "/things/x1", 204, "", "").empty());
  EXPECT_TRUE(Check("GET", "/things/x1", 404, R"({"code": "not_found"})",
                    "application/problem+json; charset=utf-8")
                  .empty());
  // The literal template wins over /things/{id}.
  EXPECT_TRUE(Check("GET", "/things/mine", 200, "[1, 2.0]").empty());
}

TEST(ContractCheck, EachDriftIsNamed) {
  auto thing = Json::parse(kThing);
  auto with = [&](const std::string& key, const Json& value) {
    auto copy = thing;
    if (value.is_discarded()) {
      copy.erase(key);
    } else {
      copy[key] = value;
    }
    return Check("GET", "/things/x1", 200, copy.dump());
  };
  auto drift = with("extra", 1);
  ASSERT_EQ(drift.size(), 1u);
  EXPECT_NE(drift[0].find("undeclared property extra"), std::string::npos) << drift[0];
  EXPECT_EQ(with("name", Json(Json::value_t::discarded)).size(), 1u);
  EXPECT_EQ(with("name", 5).size(), 1u);
  EXPECT_EQ(with("name", "abcd").size(), 1u);
  EXPECT_EQ(with("name", "").size(), 1u);
  EXPECT_EQ(with("id", "not-a-uuid").size(), 1u);
  EXPECT_EQ(with("at", "2026-01-02").size(), 1u);
  EXPECT_EQ(with("note", 3).size(), 1u);
  EXPECT_EQ(with("kind", "c").size(), 1u);
  EXPECT_EQ(with("count", -1).size(), 1u);
  EXPECT_EQ(with("count", 1.5).size(), 1u);
  EXPECT_EQ(Check("GET", "/things/mine", 200, R"([1, "2"])").size(), 1u);
}

TEST(ContractCheck, StatusesBodiesAndTypesMustBeDeclared) {
  EXPECT_EQ(Check("GET", "/things/x1", 500, "{}").size(), 1u);     // undeclared status
  EXPECT_EQ(Check("GET", "/things/x1", 200, "").size(), 1u);       // a declared body missing
  EXPECT_EQ(Check("DELETE", "/things/x1", 204, "{}").size(), 1u);  // an undeclared body
  EXPECT_EQ(Check("GET", "/things/x1", 200, kThing, "text/plain").size(), 1u);
  EXPECT_EQ(Check("GET", "/things/x1", 200, "{not json").size(), 1u);
  // No route: only a problem is checked, as a Problem.
  EXPECT_TRUE(Check("GET", "/elsewhere", 200, "anything", "text/html").empty());
  EXPECT_EQ(Check("GET", "/elsewhere", 404, R"({"title": "x"})", "application/problem+json").size(),
            1u);
}

}  // namespace
}  // namespace bulkhead::testing
