#include "api/render.hpp"

#include <gtest/gtest.h>

#include <string>

namespace bulkhead::api {
namespace {

// The hand-written escaper must print exactly what nlohmann::json prints for the same string,
// so that a raw body and a JSON-tree body of the same object are byte for byte alike.
TEST(AppendJsonStringTest, PrintsWhatNlohmannJsonPrints) {
  const std::string samples[] = {
      "",
      "plain",
      "quote \" and backslash \\ inside",
      "\"\\\"",
      "tab\tnewline\nreturn\rbackspace\bformfeed\f",
      std::string("nul ") + '\0' + " and \x01 \x1f \x7f",
      "unicode: é 東京 🚀",
      "ends with escape\n",
  };
  for (const auto& s : samples) {
    std::string out;
    AppendJsonString(out, s);
    EXPECT_EQ(out, nlohmann::json(s).dump()) << "for " << nlohmann::json(s).dump();
  }
}

TEST(AppendJsonStringTest, Appends) {
  std::string out = "[";
  AppendJsonString(out, "a");
  out += ',';
  AppendJsonString(out, "b\"");
  out += ']';
  EXPECT_EQ(out, R"(["a","b\""])");
}

}  // namespace
}  // namespace bulkhead::api
