// The gate's steps, run by the real pipeline without a socket or a store: the steps a public
// route or a caller without credentials reaches need no service.
#include "api/gate.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace bulkhead::api {
namespace {

using core::Error;
using core::ErrorCode;

Route MakeRoute(std::string method, std::string pattern, Scope scope) {
  Route route;
  route.method = std::move(method);
  route.pattern = std::move(pattern);
  route.scope = scope;
  if (scope == Scope::kOrganization) route.permission = core::Permission::kReadOrganization;
  route.handler = [](RequestContext& c) -> core::Result<Response> {
    Response response;
    response.body = std::string(c.Param("org"));
    return response;
  };
  return route;
}

std::vector<Route> Table() {
  return {MakeRoute("GET", "/healthz", Scope::kPublic),
          MakeRoute("GET", "/api/v1/user", Scope::kUser),
          MakeRoute("GET", "/api/v1/organizations/{org}", Scope::kOrganization)};
}

class GateTest : public ::testing::Test {
 protected:
  http::Request Make(std::string method, std::string target) {
    http::Request request;
    request.method = std::move(method);
    request.target = std::move(target);
    return request;
  }
  std::string Code(const Response& response) {
    return nlohmann::json::parse(response.body)["code"];
  }
  nlohmann::json LastRouting() {
    routing_log_.Stop();
    return routing_lines_.empty() ? nlohmann::json() : nlohmann::json::parse(routing_lines_.back());
  }

  std::vector<std::string> access_lines_, routing_lines_;
  http::LineWriter access_log_{std::make_unique<http::VectorSink>(access_lines_)};
  http::LineWriter routing_log_{std::make_unique<http::VectorSink>(routing_lines_)};
  RouteTable table_{Table()};
  Gate gate_{table_, GateServices{}, &routing_log_};
  http::Pipeline pipeline_{table_.router, gate_, access_log_};
};

TEST_F(GateTest, APublicRouteNeedsNoCredentials) {
  auto request = Make("GET", "/healthz");
  auto response = pipeline_.Handle(request);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(LastRouting()["outcome"], "no_tenant");
}

TEST_F(GateTest, AuthenticationAnswersBeforeAnyServiceIsAsked) {
  auto none = Make("GET", "/api/v1/user");
  auto response = pipeline_.Handle(none);
  EXPECT_EQ(response.status, 401);
  EXPECT_EQ(Code(response), "unauthenticated");

  auto basic = Make("GET", "/api/v1/user");
  basic.headers.push_back({"Authorization", "Basic dXNlcjpwYXNz"});
  EXPECT_EQ(pipeline_.Handle(basic).status, 401);

  auto key_in_cookie = Make("GET", "/api/v1/user");
  key_in_cookie.headers.push_back(
      {"Cookie", "bulkhead_session=" + std::string(service::kApiKeyPrefix) + "abc"});
  EXPECT_EQ(pipeline_.Handle(key_in_cookie).status, 401);
}

TEST_F(GateTest, ARefusedOrganizationRouteIsLoggedWithItsSignalsAndReason) {
  auto request = Make("GET", "/api/v1/organizations/acme");
  request.headers.push_back({"X-Organization", "globex"});
  auto response = pipeline_.Handle(request);
  EXPECT_EQ(response.status, 401);
  auto routing = LastRouting();
  EXPECT_EQ(routing["route"], "/api/v1/organizations/{org}");
  EXPECT_EQ(routing["signals"]["path"], "acme");
  EXPECT_EQ(routing["signals"]["header"], "globex");
  EXPECT_EQ(routing["outcome"], "refused");
  EXPECT_EQ(routing["reason"], "unauthenticated");
}

TEST_F(GateTest, UnmatchedAndRefusedRequestsAreLoggedToo) {
  auto unmatched = Make("GET", "/nothing");
  unmatched.headers.push_back({"X-Organization", "acme"});
  EXPECT_EQ(pipeline_.Handle(unmatched).status, 404);
  http::Request partial;
  pipeline_.Refuse(partial, Error::Make(ErrorCode::kBodyTooLarge, "request body exceeds 1 MiB"));
  routing_log_.Stop();
  ASSERT_EQ(routing_lines_.size(), 2u);
  auto first = nlohmann::json::parse(routing_lines_[0]);
  EXPECT_EQ(first["signals"]["header"], "acme");
  EXPECT_EQ(first["outcome"], "no_tenant");
  auto second = nlohmann::json::parse(routing_lines_[1]);
  EXPECT_EQ(second["reason"], "body_too_large");
}

// Steps run in order; the first error answers and nothing after it runs.
std::vector<int>* g_trace = nullptr;
core::Status First(Gate&, Passage&) {
  return g_trace->push_back(1), core::Ok();
}
core::Status Refuses(Gate&, Passage&) {
  g_trace->push_back(2);
  return Error::Forbidden("no");
}
core::Status Never(Gate&, Passage&) {
  return g_trace->push_back(3), core::Ok();
}

TEST(GateSteps, RunInOrderAndTheFirstErrorAnswers) {
  std::vector<int> trace;
  g_trace = &trace;
  RouteTable table{Table()};
  Gate gate{table, GateServices{}, nullptr};
  http::Request request;
  RequestContext context{request, "r", {}, {}, {}, {}, {}};
  RoutingRecord routing;
  Passage passage{table.routes[0], context, routing};
  constexpr std::array<GateStep, 3> steps = {First, Refuses, Never};
  auto status = RunSteps(steps, gate, passage);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::kForbidden);
  EXPECT_EQ(trace, (std::vector<int>{1, 2}));
  trace.clear();
  EXPECT_TRUE(RunSteps(std::span(steps).first(1), gate, passage).ok());
  EXPECT_EQ(trace, std::vector<int>{1});
}

TEST(GateSteps, AreTheDocumentedOrder) {
  EXPECT_EQ(kGateSteps[0], &Authenticate);
  EXPECT_EQ(kGateSteps[1], &ResolveTenant);
  EXPECT_EQ(kGateSteps[2], &SpendBudget);
  EXPECT_EQ(kGateSteps[3], &ResolveWorkspace);
  EXPECT_EQ(kGateSteps[4], &CheckPermission);
  EXPECT_EQ(kGateSteps[5], &CheckFeature);
  EXPECT_EQ(kGateSteps[6], &CheckWorkspaceRole);
}

}  // namespace
}  // namespace bulkhead::api
