// Two instances on one store, as behind a load balancer: what one instance changes, the other
// stops serving within a second, whatever it had cached. On PostgreSQL the change reaches the
// other instance by LISTEN/NOTIFY; on SQLite by the change feed it polls.

#include <chrono>
#include <thread>

#include "integration/harness.hpp"

namespace bulkhead::testing {
namespace {

// Polls until `done` or one second has passed.
template <typename F>
bool WithinASecond(F done) {
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return done();
}

class InstancesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    a_ = std::make_unique<ServerProcess>();
    b_ = std::make_unique<ServerProcess>(ServerProcess::SameStorageAs{*a_});
    owner_ = SignUp(a_->client(), "Owner");
    slug_ = CreateOrganization(a_->client(), owner_.token, "Shared", UniqueSlug("shared"))["slug"];
  }
  std::unique_ptr<ServerProcess> a_, b_;
  Account owner_;
  std::string slug_;
};

TEST_F(InstancesTest, ARemovedMemberIsRefusedByTheOtherInstanceWithinASecond) {
  Account member = SignUp(a_->client(), "Member");
  AddMember(a_->client(), owner_.token, slug_, member.user_id, "member");
  auto read = [&] {
    return b_->client()
        .Request("GET", "/api/v1/organizations/" + slug_, std::nullopt, Bearer(member.token))
        .status;
  };
  ASSERT_EQ(read(), 200);  // B has the membership cached now
  ASSERT_EQ(a_->client()
                .Request("DELETE", "/api/v1/organizations/" + slug_ + "/members/" + member.user_id,
                         std::nullopt, Bearer(owner_.token))
                .status,
            204);
  EXPECT_TRUE(WithinASecond([&] { return read() == 404; }));
}

TEST_F(InstancesTest, ARevokedKeyAndAnEndedSessionAreRefusedEverywhereWithinASecond) {
  auto key = a_->client().Request("POST", "/api/v1/organizations/" + slug_ + "/api-keys",
                                  Json{{"name", "ci"}, {"role", "admin"}}, Bearer(owner_.token));
  ASSERT_EQ(key.status, 201);
  std::string secret = key.json["key"];
  auto with_key = [&] {
    return b_->client()
        .Request("GET", "/api/v1/organizations/" + slug_, std::nullopt, Bearer(secret))
        .status;
  };
  ASSERT_EQ(with_key(), 200);
  ASSERT_EQ(a_->client()
                .Request("DELETE",
                         "/api/v1/organizations/" + slug_ + "/api-keys/" +
                             key.json["id"].get<std::string>(),
                         std::nullopt, Bearer(owner_.token))
                .status,
            204);
  EXPECT_TRUE(WithinASecond([&] { return with_key() == 401; }));

  Account other = SignUp(a_->client(), "Other");
  auto me = [&] {
    return b_->client().Request("GET", "/api/v1/user", std::nullopt, Bearer(other.token)).status;
  };
  ASSERT_EQ(me(), 200);
  ASSERT_EQ(
      a_->client().Request("POST", "/api/v1/auth/logout", std::nullopt, Bearer(other.token)).status,
      204);
  EXPECT_TRUE(WithinASecond([&] { return me() == 401; }));
}

TEST_F(InstancesTest, ASlugRenameAndASuspensionReachTheOtherInstanceWithinASecond) {
  auto by_host = [&](const std::string& slug) {
    return b_->client().Request("GET", "/api/v1/org", std::nullopt,
                                Bearer(owner_.token, {{"Host", slug + ".localhost"}}));
  };
  ASSERT_EQ(by_host(slug_).status, 200);
  std::string renamed = UniqueSlug("renamed");
  ASSERT_EQ(a_->client()
                .Request("PATCH", "/api/v1/organizations/" + slug_, Json{{"slug", renamed}},
                         Bearer(owner_.token))
                .status,
            200);
  EXPECT_TRUE(WithinASecond([&] { return by_host(slug_).status == 404; }));
  EXPECT_EQ(by_host(renamed).status, 200);

  auto suspended = RunCli({"org", "suspend", renamed}, *a_);
  ASSERT_EQ(suspended.exit_code, 0) << suspended.err;
  EXPECT_TRUE(WithinASecond([&] { return by_host(renamed).Code() == "organization_suspended"; }));
  EXPECT_TRUE(WithinASecond([&] {
    return a_->client()
               .Request("GET", "/api/v1/organizations/" + renamed, std::nullopt,
                        Bearer(owner_.token))
               .Code() == "organization_suspended";
  }));
}

TEST_F(InstancesTest, AfterItsListenerConnectionIsCutAnInstanceStillSeesChangesWithinASecond) {
  if (!OnPostgres()) GTEST_SKIP() << "the listener connection exists on PostgreSQL only";
  Account member = SignUp(a_->client(), "Member");
  AddMember(a_->client(), owner_.token, slug_, member.user_id, "member");
  auto read = [&] {
    return b_->client()
        .Request("GET", "/api/v1/organizations/" + slug_, std::nullopt, Bearer(member.token))
        .status;
  };
  ASSERT_EQ(read(), 200);
  // Cut every instance's LISTEN connection, as a failover or a network blip would.
  ExecuteSql(*a_, "",
             "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
             " WHERE application_name = 'bulkhead-listener' AND datname = current_database()");
  ASSERT_EQ(a_->client()
                .Request("DELETE", "/api/v1/organizations/" + slug_ + "/members/" + member.user_id,
                         std::nullopt, Bearer(owner_.token))
                .status,
            204);
  EXPECT_TRUE(WithinASecond([&] { return read() == 404; }));
}

}  // namespace
}  // namespace bulkhead::testing
