// The operator commands against a data directory a real server wrote.

#include "integration/harness.hpp"

namespace bulkhead::testing {
namespace {

class CliTest : public ServerTest<CliTest> {};

TEST_F(CliTest, OrgListAndShowReadTheDataDirectory) {
  auto c = client();
  auto owner = SignUp(c, "Owner");
  auto org = CreateOrganization(c, owner.token, "Acme Inc", "acme");

  auto table = RunCli({"org", "list"}, server());
  EXPECT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("SLUG"), std::string::npos);
  EXPECT_NE(table.out.find("acme"), std::string::npos);
  EXPECT_NE(table.out.find("Acme Inc"), std::string::npos);

  auto json = RunCli({"org", "list", "--json"}, server());
  ASSERT_EQ(json.exit_code, 0) << json.err;
  auto list = Json::parse(json.out);
  ASSERT_TRUE(list.is_array());
  EXPECT_EQ(list.size(), 2u);  // the personal organization and acme

  auto show = RunCli({"org", "show", "acme", "--json"}, server());
  ASSERT_EQ(show.exit_code, 0) << show.err;
  auto shown = Json::parse(show.out);
  EXPECT_EQ(shown["id"], org["id"]);
  EXPECT_EQ(shown["name"], "Acme Inc");

  auto plain = RunCli({"org", "show", "acme"}, server());
  EXPECT_EQ(plain.exit_code, 0);
  EXPECT_NE(plain.out.find(org["id"].get<std::string>()), std::string::npos);
}

TEST_F(CliTest, UnknownSlugOrDataDirectoryExitsWithOne) {
  auto missing = RunCli({"org", "show", "nope"}, server());
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("nope"), std::string::npos);
  auto no_dir = RunCli({"org", "list", "--data", "/nonexistent/bulkhead-data"});
  EXPECT_EQ(no_dir.exit_code, 1);
  EXPECT_FALSE(no_dir.err.empty());
}

TEST_F(CliTest, BadFlagsAreUsageErrors) {
  auto r = RunCli({"serve", "--listen", "nonsense"});
  EXPECT_NE(r.exit_code, 0);
  auto r2 = RunCli({"frobnicate"});
  EXPECT_NE(r2.exit_code, 0);
}

}  // namespace
}  // namespace bulkhead::testing
