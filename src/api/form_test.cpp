#include "api/form.hpp"

#include <gtest/gtest.h>

namespace bulkhead::api {
namespace {

http::Request WithContentType(std::string type) {
  http::Request r;
  r.method = "POST";
  r.headers.push_back({"Content-Type", std::move(type)});
  return r;
}

TEST(FormTest, DecodesPlusAsSpaceAndPercentEscapes) {
  auto form = ParseForm(
      "name=Jane+Doe&email=jane%40example.com&return_to=%2Foauth2%2Fauthorize%3F"
      "a%3D1%26b%3D2&empty=");
  ASSERT_TRUE(form);
  EXPECT_EQ(form->Value("name"), "Jane Doe");
  EXPECT_EQ(form->Value("email"), "jane@example.com");
  EXPECT_EQ(form->Value("return_to"), "/oauth2/authorize?a=1&b=2");
  EXPECT_TRUE(form->Has("empty"));
  EXPECT_EQ(form->Value("empty"), "");
  EXPECT_FALSE(form->Has("missing"));
  EXPECT_EQ(form->Value("missing"), "");
}

TEST(FormTest, KeepsUtf8AndLineBreaks) {
  auto form = ParseForm("name=Zo%C3%AB&note=a%0D%0Ab%09c");
  ASSERT_TRUE(form);
  EXPECT_EQ(form->Value("name"), "Zo\xC3\xAB");
  EXPECT_EQ(form->Value("note"), "a\r\nb\tc");
}

TEST(FormTest, AnEmptyBodyHasNoFields) {
  auto form = ParseForm("");
  ASSERT_TRUE(form);
  EXPECT_FALSE(form->Has("email"));
}

TEST(FormTest, RefusesMalformedEscapes) {
  EXPECT_FALSE(ParseForm("a=%"));
  EXPECT_FALSE(ParseForm("a=%4"));
  EXPECT_FALSE(ParseForm("a=%zz"));
  EXPECT_FALSE(ParseForm("%g0=1"));
}

TEST(FormTest, RefusesControlCharactersAndInvalidUtf8) {
  EXPECT_FALSE(ParseForm("a=x%00y"));
  EXPECT_FALSE(ParseForm("a=%1B"));
  EXPECT_FALSE(ParseForm("a=%7F"));
  EXPECT_FALSE(ParseForm("a=%C3"));
  EXPECT_FALSE(ParseForm("a=%FF%FE"));
  EXPECT_FALSE(ParseForm("%00=1"));
}

TEST(FormTest, RefusesRepeatedNames) {
  // Two csrf_tokens or two return_tos: which one counts would be ours to guess.
  EXPECT_FALSE(ParseForm("csrf_token=a&csrf_token=b"));
  EXPECT_FALSE(ParseForm("return_to=%2Fconsole%2F&return_to=%2F%2Fevil"));
  EXPECT_FALSE(ParseForm("a=1&b=2&a=1"));
}

TEST(FormTest, RefusesMoreFieldsThanAnyOfOurForms) {
  std::string body;
  for (std::size_t i = 0; i < kMaxFormFields; ++i) {
    if (i) body += '&';
    body += "f" + std::to_string(i) + "=x";
  }
  EXPECT_TRUE(ParseForm(body));
  EXPECT_FALSE(ParseForm(body + "&one=more"));
  EXPECT_FALSE(ParseForm(std::string(100000, '&')));
}

TEST(FormTest, RecognizesTheFormContentType) {
  EXPECT_TRUE(IsFormBody(WithContentType("application/x-www-form-urlencoded")));
  EXPECT_TRUE(IsFormBody(WithContentType("Application/X-WWW-Form-URLEncoded; charset=UTF-8")));
  EXPECT_FALSE(IsFormBody(WithContentType("application/json")));
  EXPECT_FALSE(IsFormBody(WithContentType("multipart/form-data; boundary=x")));
  EXPECT_FALSE(IsFormBody(WithContentType("text/plain")));
  EXPECT_FALSE(IsFormBody(WithContentType("application/x-www-form-urlencodedx")));
  EXPECT_FALSE(IsFormBody(http::Request{}));
}

}  // namespace
}  // namespace bulkhead::api
