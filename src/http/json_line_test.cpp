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
  EXPECT_EQ(line,
            R"({"a":"x","n":42,"ms":1.235,"signals":{"path":"acme","header":null},"z":null})");
}

TEST(JsonLine, EscapesAndReplacesBytesThatAreNotUtf8) {
  std::string hostile = "a\"b\\c\nd\x01\xff\xc3\xa9";  // ends with a valid "é"
  std::string line = JsonLine().Add("host", hostile).Finish();
  auto parsed = nlohmann::json::parse(line);  // valid JSON, valid UTF-8
  EXPECT_EQ(parsed["host"], "a\"b\\c\nd\x01\xef\xbf\xbd\xc3\xa9");
}

TEST(JsonLine, RedactsCredentialShapesInEveryField) {
  const std::string session = "bks_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcde";
  const std::string key = "bk_Zz9-_Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0PpOoNnMmLlK";
  const std::string invitation = "bki_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG";
  std::string line = JsonLine()
                         .Add("path", "/api/v1/organizations/" + session + "/members")
                         .Open("signals")
                         .Add("header", key)
                         .Add("host", invitation + ".localhost")
                         .Close()
                         .Finish();
  EXPECT_EQ(line.find(session.substr(4)), std::string::npos) << line;
  EXPECT_EQ(line.find(key.substr(3)), std::string::npos) << line;
  EXPECT_EQ(line.find(invitation.substr(4)), std::string::npos) << line;
  auto parsed = nlohmann::json::parse(line);
  EXPECT_EQ(parsed["path"], "/api/v1/organizations/bks_[redacted]/members");
  EXPECT_EQ(parsed["signals"]["header"], "bk_[redacted]");
  EXPECT_EQ(parsed["signals"]["host"], "bki_[redacted].localhost");
}

TEST(JsonLine, LeavesWordsThatOnlyLookLikeAPrefix) {
  for (std::string text : {"bk_x", "bkfoo", "a bk_ b", "bkabcd_longenoughsecret", "/orgs/bk-1"}) {
    EXPECT_EQ(nlohmann::json::parse(JsonLine().Add("f", text).Finish())["f"], text);
  }
}

// Every byte string round-trips through an independent JSON parser: what is valid UTF-8 and
// carries no credential shape comes back unchanged, whatever mix of plain runs, escapes, DEL
// and multi-byte characters it has.
TEST(JsonLine, RoundTripsEveryMixOfPlainRunsEscapesAndUtf8) {
  const std::string pieces[] = {"plain text ",
                                "\"",
                                "\\",
                                "\n",
                                "\r",
                                "\t",
                                std::string(1, '\x01'),
                                "\x7f",
                                "\xc3\xa9",
                                "\xe2\x82\xac",
                                "\xf0\x9f\x98\x80",
                                "b",
                                "bk",
                                "/api/v1/x"};
  uint32_t seed = 12345;
  for (int round = 0; round < 2000; ++round) {
    std::string text;
    for (int k = 0; k < 8; ++k) {
      seed = seed * 1664525u + 1013904223u;
      text += pieces[(seed >> 16) % std::size(pieces)];
    }
    auto parsed = nlohmann::json::parse(JsonLine().Add("f", text).Finish());
    ASSERT_EQ(parsed["f"], text) << round;
  }
}

}  // namespace
}  // namespace bulkhead::http
