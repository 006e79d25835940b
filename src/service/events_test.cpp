#include "service/events.hpp"

#include <gtest/gtest.h>

#include <string>

namespace bulkhead::service {
namespace {

store::EventRecord EventWith(const nlohmann::json& data) {
  store::EventRecord e =
      MakeEvent("01936f0e-7a1b-7c3d-8e9f-0a1b2c3d4e5f", "resource.created", data);
  e.seq = 7;
  return e;
}

TEST(EventJson, RendersTheEventWithItsData) {
  auto e = EventWith({{"id", "r1"}, {"name", "main"}});
  auto json = EventJson(e);
  EXPECT_EQ(json["id"], e.id);
  EXPECT_EQ(json["type"], "resource.created");
  EXPECT_EQ(json["sequence"], 7);
  EXPECT_EQ(json["organization_id"], "01936f0e-7a1b-7c3d-8e9f-0a1b2c3d4e5f");
  EXPECT_EQ(json["data"]["name"], "main");
  EXPECT_FALSE(json.contains("data_truncated"));
  EXPECT_EQ(json["occurred_at"].get<std::string>().size(), 24u);
}

TEST(EventJson, IdIsEvtAndThirtyTwoHexDigits) {
  std::string id = NewEventId();
  ASSERT_EQ(id.size(), 36u);
  EXPECT_EQ(id.substr(0, 4), "evt_");
  EXPECT_EQ(id.find_first_not_of("0123456789abcdef", 4), std::string::npos);
}

TEST(EventJson, DataOverTheLimitIsCutToItsIds) {
  nlohmann::json data = {{"id", "r1"},
                         {"workspace_id", "w1"},
                         {"name", "big"},
                         {"spec", {{"blob", std::string(kMaxEventDataBytes, 'x')}}}};
  auto json = EventJson(EventWith(data));
  EXPECT_EQ(json["data"], (nlohmann::json{{"id", "r1"}, {"workspace_id", "w1"}}));
  EXPECT_EQ(json["data_truncated"], true);
}

TEST(EventJson, ACutMemberEventKeepsTheUserId) {
  nlohmann::json data = {{"user", {{"id", "u1"}, {"email", "a@example.com"}}},
                         {"role", "member"},
                         {"pad", std::string(kMaxEventDataBytes, 'x')}};
  auto json = EventJson(EventWith(data));
  EXPECT_EQ(json["data"], (nlohmann::json{{"user", {{"id", "u1"}}}}));
  EXPECT_EQ(json["data_truncated"], true);
}

TEST(EventJson, DataAtTheLimitIsKept) {
  nlohmann::json data = {{"id", "r1"}, {"pad", ""}};
  std::string pad(kMaxEventDataBytes - data.dump().size(), 'x');
  data["pad"] = pad;
  ASSERT_EQ(data.dump().size(), kMaxEventDataBytes);
  auto json = EventJson(EventWith(data));
  EXPECT_FALSE(json.contains("data_truncated"));
  EXPECT_EQ(json["data"]["pad"].get<std::string>().size(), pad.size());
}

}  // namespace
}  // namespace bulkhead::service
