#include "core/slug.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace bulkhead::core {
namespace {

TEST(Slug, AcceptsValidSlugs) {
  const std::vector<std::string> slugs = {"acme", "a1b", "acme-corp", "123", std::string(63, 'a')};
  for (const auto& s : slugs) {
    EXPECT_TRUE(ValidateSlug(s).ok()) << s;
  }
}

TEST(Slug, RejectsWrongLength) {
  EXPECT_FALSE(ValidateSlug("ab").ok());
  EXPECT_FALSE(ValidateSlug("").ok());
  EXPECT_FALSE(ValidateSlug(std::string(64, 'a')).ok());
}

TEST(Slug, RejectsLeadingOrTrailingHyphen) {
  auto st = ValidateSlug("-acme");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kValidationFailed);
  EXPECT_EQ(st.error().fields.at(0).field, "slug");
  EXPECT_FALSE(ValidateSlug("acme-").ok());
}

TEST(Slug, RejectsCharactersOutsideTheAlphabet) {
  for (const char* s : {"Acme", "ac_me", "ac me", "acmé", "ac.me", "ac/me"}) {
    EXPECT_FALSE(ValidateSlug(s).ok()) << s;
  }
}

TEST(Slug, RejectsReservedNames) {
  for (const char* s : {"www", "api", "app", "admin", "mail", "static", "status", "docs"}) {
    EXPECT_TRUE(IsReservedSlug(s)) << s;
    EXPECT_FALSE(ValidateSlug(s).ok()) << s;
  }
  EXPECT_FALSE(IsReservedSlug("acme"));
}

TEST(Slug, RejectsUuidShapedSlugs) {
  // An id-shaped slug would be read as an id by the path and X-Organization: refused, with a
  // message of its own.
  for (const char* s :
       {"0190a3c4-5b6d-7e8f-9a0b-1c2d3e4f5a6b", "00000000-0000-0000-0000-000000000000"}) {
    auto st = ValidateSlug(s);
    ASSERT_FALSE(st.ok()) << s;
    EXPECT_EQ(st.error().code, ErrorCode::kValidationFailed);
    EXPECT_EQ(st.error().fields.at(0).field, "slug");
  }
  // Near misses are ordinary slugs.
  for (const char* s :
       {"0190a3c4-5b6d-7e8f-9a0b-1c2d3e4f5a6", "0190a3c4-5b6d-7e8f-9a0b-1c2d3e4f5a6bc",
        "0190a3c45b6d7e8f9a0b1c2d3e4f5a6b", "0190a3c4-5b6d-7e8f-9a0b-1c2d3e4f5a6g"}) {
    EXPECT_TRUE(ValidateSlug(s).ok()) << s;
  }
}

TEST(Slug, ADerivedSlugIsNeverUuidShaped) {
  std::string derived = SlugFromName("0190A3C4-5B6D-7E8F-9A0B-1C2D3E4F5A6B", "org");
  EXPECT_EQ(derived, "0190a3c4-5b6d-7e8f-9a0b-1c2d3e4f5a6b-org");
  EXPECT_TRUE(ValidateSlug(derived).ok());
}

TEST(Slug, DerivesFromNames) {
  EXPECT_EQ(SlugFromName("Jane Doe", "user"), "jane-doe");
  EXPECT_EQ(SlugFromName("  Jane   Doe!! ", "user"), "jane-doe");
  EXPECT_EQ(SlugFromName("Acme, Inc.", "org"), "acme-inc");
  EXPECT_EQ(SlugFromName("O'Brien & Sons", "org"), "o-brien-sons");
}

TEST(Slug, FoldsAccentsToAscii) {
  EXPECT_EQ(SlugFromName("Zoë Ærøskøbing", "user"), "zoe-aeroskobing");
  EXPECT_EQ(SlugFromName("Straße Łódź", "user"), "strasse-lodz");
  EXPECT_EQ(SlugFromName("Œuvre Ñandú", "user"), "oeuvre-nandu");
  EXPECT_EQ(SlugFromName("Þórr Đorđe", "user"), "thorr-dorde");
}

TEST(Slug, FallsBackWhenNothingUsableRemains) {
  EXPECT_EQ(SlugFromName("日本語", "user"), "user");
  EXPECT_EQ(SlugFromName("!!!", "org"), "org");
  EXPECT_EQ(SlugFromName("", "org"), "org");
}

TEST(Slug, PadsShortOrReservedResults) {
  EXPECT_EQ(SlugFromName("Jo", "user"), "jo-user");
  EXPECT_EQ(SlugFromName("Admin", "org"), "admin-org");
  EXPECT_TRUE(ValidateSlug(SlugFromName("Jo", "user")).ok());
}

TEST(Slug, DerivedSlugsLeaveRoomForASuffix) {
  std::string long_name(200, 'x');
  std::string slug = SlugFromName(long_name, "org");
  EXPECT_TRUE(ValidateSlug(slug).ok());
  EXPECT_TRUE(ValidateSlug(SlugWithSuffix(slug, 999999)).ok());
  EXPECT_LE(SlugWithSuffix(slug, 999999).size(), kSlugMaxLength);
}

TEST(Slug, SuffixNumbersAndStaysValid) {
  EXPECT_EQ(SlugWithSuffix("jane-doe", 2), "jane-doe-2");
  std::string full(63, 'a');
  std::string suffixed = SlugWithSuffix(full, 12);
  EXPECT_EQ(suffixed.size(), 63u);
  EXPECT_TRUE(ValidateSlug(suffixed).ok());
  // A cut that would end in a hyphen is trimmed.
  std::string hyphen = std::string(60, 'a') + "-bb";
  EXPECT_TRUE(ValidateSlug(SlugWithSuffix(hyphen, 10)).ok());
}

TEST(Slug, InvalidUtf8InANameIsASeparator) {
  EXPECT_EQ(SlugFromName("ab\xff"
                         "cd",
                         "org"),
            "ab-cd");
}

}  // namespace
}  // namespace bulkhead::core
