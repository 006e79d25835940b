// The generic pipeline as a plain function from Request to Response: no socket, no store, an
// application that records what it was asked.
#include "http/pipeline.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <stdexcept>

namespace bulkhead::http {
namespace {

using core::Error;
using core::ErrorCode;

class FakeApplication final : public Application {
 public:
  Lane LaneOf(std::size_t route) const override {
    return route == 1 ? Lane::kWorker : Lane::kInline;
  }
  core::Result<Response> Dispatch(Request& request, std::string_view request_id,
                                  RouteMatch& match) override {
    dispatched.push_back(match.route);
    if (match.route == 2) throw std::runtime_error("boom");
    if (match.route == 3) return Error::Internal("the disk is on fire");
    Response response;
    response.body = match.params.empty() ? "{}" : match.params.front().second;
    return response;
  }
  void Undispatched(const Request&, std::string_view, const Error* refusal) override {
    undispatched.push_back(refusal ? std::string(refusal->message) : "unmatched");
  }
  std::vector<std::size_t> dispatched;
  std::vector<std::string> undispatched;
};

class PipelineTest : public ::testing::Test {
 protected:
  Request Make(std::string method, std::string target) {
    Request request;
    request.method = std::move(method);
    request.target = std::move(target);
    return request;
  }
  std::string Access() {
    log_.Stop();
    for (const auto& line : lines_) {
      if (line.find("\"event\":\"access\"") != std::string::npos) return line;
    }
    return "";
  }

  std::vector<std::string> lines_;
  LineWriter log_{std::make_unique<VectorSink>(lines_)};
  Router router_{
      {{"GET", "/things/{id}"}, {"POST", "/things"}, {"GET", "/explode"}, {"GET", "/fail"}}};
  FakeApplication app_;
  HttpMetrics metrics_{router_};
  Pipeline pipeline_{router_, app_, log_, {.metrics = &metrics_}};
};

TEST_F(PipelineTest, RoutesToTheApplicationWithPathParameters) {
  auto request = Make("GET", "/things/t-1?x=1");
  EXPECT_EQ(pipeline_.LaneOf(request), Lane::kInline);
  auto response = pipeline_.Handle(request);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "t-1");
  EXPECT_EQ(app_.dispatched, std::vector<std::size_t>{0});
  auto post = Make("POST", "/things");
  EXPECT_EQ(pipeline_.LaneOf(post), Lane::kWorker);
}

TEST_F(PipelineTest, EveryAnswerCarriesTheRequestIdAndNoStore) {
  auto request = Make("GET", "/things/t-1");
  request.headers.push_back({"X-Request-Id", "client-id.1"});
  auto response = pipeline_.Handle(request);
  std::string id, cache;
  for (const auto& h : response.headers) {
    if (h.name == "X-Request-Id") id = h.value;
    if (h.name == "Cache-Control") cache = h.value;
  }
  EXPECT_EQ(id, "client-id.1");
  EXPECT_EQ(cache, "no-store");
  auto access = nlohmann::json::parse(Access());
  EXPECT_EQ(access["request_id"], "client-id.1");
  EXPECT_EQ(access["route"], "/things/{id}");
  EXPECT_EQ(access["status"], 200);
}

TEST_F(PipelineTest, AnUnknownPathIs404AndAWrongMethod405WithAllow) {
  auto missing = Make("GET", "/nothing");
  auto response = pipeline_.Handle(missing);
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.content_type, "application/problem+json");
  EXPECT_EQ(nlohmann::json::parse(response.body)["code"], "not_found");

  auto wrong = Make("DELETE", "/things/t-1");
  response = pipeline_.Handle(wrong);
  EXPECT_EQ(response.status, 405);
  bool allow = false;
  for (const auto& h : response.headers) allow |= h.name == "Allow" && h.value == "GET";
  EXPECT_TRUE(allow);
  EXPECT_TRUE(app_.dispatched.empty());
  EXPECT_EQ(app_.undispatched, (std::vector<std::string>{"unmatched", "unmatched"}));
}

TEST_F(PipelineTest, ErrorsAndExceptionsBecomeProblemsWithoutTheirCause) {
  auto fail = Make("GET", "/fail");
  auto response = pipeline_.Handle(fail);
  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(nlohmann::json::parse(response.body)["detail"], "internal error");
  auto explode = Make("GET", "/explode");
  response = pipeline_.Handle(explode);
  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(response.body.find("boom"), std::string::npos);
  log_.Stop();
  std::string all;
  for (const auto& line : lines_) all += line + "\n";
  // The operator's log has both causes.
  EXPECT_NE(all.find("the disk is on fire"), std::string::npos) << all;
  EXPECT_NE(all.find("boom"), std::string::npos) << all;
}

TEST_F(PipelineTest, TheServersRefusalsAreProblemsFromTheirErrorCode) {
  Request partial;
  partial.remote_address = "192.0.2.1";
  auto response =
      pipeline_.Refuse(partial, Error::Make(ErrorCode::kHeadersTooLarge, "too many header fields"));
  EXPECT_EQ(response.status, 431);
  EXPECT_TRUE(response.close);
  auto body = nlohmann::json::parse(response.body);
  EXPECT_EQ(body["code"], "headers_too_large");
  EXPECT_EQ(body["title"], "Headers too large");
  EXPECT_EQ(body["detail"], "too many header fields");
  EXPECT_EQ(app_.undispatched, std::vector<std::string>{"too many header fields"});
  auto access = nlohmann::json::parse(Access());
  EXPECT_EQ(access["status"], 431);
}

}  // namespace
}  // namespace bulkhead::http
