#include "http/json_line.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace bulkhead::http {
namespace {

TEST(JsonLine, WritesFieldsNestedObjectsAndNulls) {
  std::string line = JsonLine()
                         .Add("a", "x")
                         .Add("n", 42)
                         .AddMillis("ms", 1.23456)
                         .Open("signals")
                         .Add("path", std::optional<std::string>("acme"))
                         .Add("header", std::optional<std::string>())
                         .Close()
                         .AddNull("z")
                         .Finish();
  EXPECT_EQ(line, R"({"a":"x","n":42,"ms":1.235,"signals":{"path":"acme","header":null},"z":null})");
}

TEST(JsonLine, EscapesAndReplacesBytesThatAreNotUtf8) {
  std::string hostile = "a\"b\\c\nd\x01\xff\xc3\xa9";  // ends with a valid "é"
  std::string line = JsonLine().Add("host", hostile).Finish();
  auto parsed = nlohmann::json::parse(line);  // valid JSON, valid UTF-8
  EXPECT_EQ(parsed["host"], "a\"b\\c\nd\x01\xef\xbf\xbd\xc3\xa9");
}

}  // namespace
}  // namespace bulkhead::http
