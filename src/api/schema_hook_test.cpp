// The contract hook without a socket: a request that breaks the route's schema never reaches
// the handler, a valid one arrives parsed, the status is the row's, and reads pay nothing.

#include "api/schema_hook.hpp"

#include <gtest/gtest.h>

#include "api/schema.hpp"

namespace bulkhead::api {
namespace schema_hook_test {

using namespace schema;  // NOLINT(google-build-using-namespace)

struct Call {
  int handled = 0;
  nlohmann::json body;
};

HandlerFn Recording(Call& call) {
  return [&call](RequestContext& c) -> core::Result<http::Response> {
    ++call.handled;
    call.body = c.body;
    return http::Response{};
  };
}

core::Result<http::Response> Send(const HandlerFn& fn, std::string method, std::string target,
                                  std::string body, std::vector<http::Header> headers = {}) {
  http::Request request{.method = std::move(method),
                        .target = std::move(target),
                        .headers = std::move(headers),
                        .body = std::move(body)};
  RequestContext context{request, "req", {}, {}, {}, {}, {}};
  return fn(context);
}

Route Create() {
  return {.method = "POST",
          .pattern = "/things",
          .success_status = 201,
          .request_body = Object({{"name", String({.max_length = 3}), true}}),
          .response_body = AnyObject()};
}

TEST(SchemaHook, AnInvalidBodyNeverReachesTheHandler) {
  Call call;
  auto fn = WithContract(Create(), Recording(call));
  auto r = Send(fn, "POST", "/things", R"({"name": "long", "extra": 1})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, core::ErrorCode::kValidationFailed);
  ASSERT_EQ(r.error().fields.size(), 2u);
  EXPECT_EQ(r.error().fields[0].field, "extra");  // a body's fields in name order
  EXPECT_EQ(r.error().fields[1].field, "name");
  EXPECT_EQ(Send(fn, "POST", "/things", "{").error().code, core::ErrorCode::kMalformedJson);
  EXPECT_EQ(call.handled, 0);
}

TEST(SchemaHook, AValidBodyArrivesParsedAndTheStatusIsTheRows) {
  Call call;
  auto fn = WithContract(Create(), Recording(call));
  auto r = Send(fn, "POST", "/things", R"({"name": "abc"})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(call.body, (nlohmann::json{{"name", "abc"}}));
}

TEST(SchemaHook, QueriesAreCheckedOnlyWhenGivenOrRequired) {
  Call call;
  Route list{.method = "GET",
             .pattern = "/things",
             .parameters = {{.name = "limit", .schema = Integer(1, 200)}},
             .response_body = AnyObject()};
  auto fn = WithContract(list, Recording(call));
  EXPECT_TRUE(Send(fn, "GET", "/things", "").ok());
  EXPECT_TRUE(Send(fn, "GET", "/things?limit=200&other=x", "").ok());
  auto r = Send(fn, "GET", "/things?limit=0", "");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().fields.at(0).field, "limit");
  EXPECT_EQ(call.handled, 2);

  list.parameters = {{.name = "host", .schema = String({.min_length = 1}), .required = true}};
  auto required = WithContract(list, Recording(call));
  EXPECT_EQ(Send(required, "GET", "/things", "").error().fields.at(0).field, "host");
}

TEST(SchemaHook, ReadsWithoutAQueryOrBodyKeepTheirHandlerUnwrapped) {
  Call call;
  Route read{.method = "GET", .pattern = "/thing", .response_body = AnyObject()};
  auto inner = Recording(call);
  auto fn = WithContract(read, inner);
  EXPECT_EQ(fn.target_type(), inner.target_type());
}

TEST(SchemaHook, JsonOnlyRoutesRefuseOtherContentTypesFirst) {
  Call call;
  auto route = Create();
  route.json_only = true;
  auto fn = WithContract(route, Recording(call));
  auto r = Send(fn, "POST", "/things", "name=x", {{"Content-Type", "text/plain"}});
  EXPECT_EQ(r.error().code, core::ErrorCode::kUnsupportedMediaType);
  EXPECT_TRUE(Send(fn, "POST", "/things", R"({"name": "a"})",
                   {{"Content-Type", "Application/JSON; charset=utf-8"}})
                  .ok());
}

TEST(SchemaHook, NoContentRoutesSendNoContentType) {
  Call call;
  Route remove{.method = "DELETE", .pattern = "/thing", .success_status = 204};
  auto r = Send(WithContract(remove, Recording(call)), "DELETE", "/thing", "");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 204);
  EXPECT_TRUE(r->content_type.empty());
}

}  // namespace schema_hook_test
}  // namespace bulkhead::api
