// The HTTP server itself: operations endpoints, routing errors, keep-alive, shutdown, OpenAPI.

#include <utility>  // Boost 1.74 awaitable.hpp uses std::exchange without including it

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <future>
#include <thread>

#include "integration/harness.hpp"

namespace bulkhead::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

class ServerBasicsTest : public ServerTest<ServerBasicsTest> {};

TEST_F(ServerBasicsTest, HealthAndReadiness) {
  auto c = client();
  auto health = c.Request("GET", "/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.json["status"], "ok");
  auto ready = c.Request("GET", "/readyz");
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(ready.json["status"], "ready");
}

TEST_F(ServerBasicsTest, UnknownPathIs404AndWrongMethodIs405) {
  auto c = client();
  auto missing = c.Request("GET", "/api/v1/nothing-here");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.Code(), "not_found");
  EXPECT_EQ(missing.Header("content-type"), "application/problem+json");
  auto wrong = c.Request("PUT", "/api/v1/user");
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(wrong.Code(), "method_not_allowed");
  EXPECT_EQ(wrong.Header("allow"), "GET");
}

TEST_F(ServerBasicsTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), server().port()));
  beast::flat_buffer buffer;
  for (int i = 0; i < 3; ++i) {
    bhttp::request<bhttp::empty_body> req(bhttp::verb::get, "/healthz", 11);
    req.set(bhttp::field::host, "127.0.0.1");
    bhttp::write(stream, req);
    bhttp::response<bhttp::string_body> res;
    bhttp::read(stream, buffer, res);
    EXPECT_EQ(res.result_int(), 200u);
    EXPECT_TRUE(res.keep_alive());
  }
}

TEST_F(ServerBasicsTest, SigtermExitsCleanlyAfterFinishingInFlightRequests) {
  // A sign-up hashes a password (tens of milliseconds). Its bytes are on the wire before
  // SIGTERM: a later connection answered first proves the server accepted the earlier one.
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.expires_after(std::chrono::seconds(30));
  stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), server().port()));
  bhttp::request<bhttp::string_body> signup{bhttp::verb::post, "/api/v1/auth/signup", 11};
  signup.set(bhttp::field::host, "127.0.0.1");
  signup.set(bhttp::field::content_type, "application/json");
  signup.body() =
      Json{{"email", UniqueEmail("inflight")}, {"password", kPassword}, {"name", "In Flight"}}
          .dump();
  signup.prepare_payload();
  bhttp::write(stream, signup);
  ASSERT_EQ(client().Request("GET", "/healthz").status, 200);

  EXPECT_EQ(server().Stop(), 0);
  beast::flat_buffer buffer;
  bhttp::response<bhttp::string_body> response;
  beast::error_code ec;
  bhttp::read(stream, buffer, response, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(response.result_int(), 201) << response.body();
  EXPECT_FALSE(response.keep_alive());  // a stopping server closes after the response
  std::string out = server().Output();
  EXPECT_NE(out.find("\"event\":\"stopped\""), std::string::npos);
}

TEST_F(ServerBasicsTest, SigtermClosesIdleKeepAliveConnectionsPromptly) {
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.expires_after(std::chrono::seconds(30));
  stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), server().port()));
  bhttp::request<bhttp::empty_body> health{bhttp::verb::get, "/healthz", 11};
  health.set(bhttp::field::host, "127.0.0.1");
  bhttp::write(stream, health);
  beast::flat_buffer buffer;
  bhttp::response<bhttp::string_body> response;
  bhttp::read(stream, buffer, response);
  ASSERT_TRUE(response.keep_alive());

  // The connection now idles; the grace period is 10 s, an idle connection must not use it.
  auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(server().Stop(), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  beast::error_code ec;
  bhttp::read(stream, buffer, response, ec);
  EXPECT_TRUE(ec);  // closed by the server, nothing more to read
}

TEST_F(ServerBasicsTest, EveryRequestGetsOneAccessLogLine) {
  auto c = client();
  c.Request("GET", "/healthz", std::nullopt, {{"X-Request-Id", "log-check-1"}});
  c.Request("GET", "/nope", std::nullopt, {{"X-Request-Id", "log-check-2"}});
  EXPECT_EQ(server().Stop(), 0);
  std::string out = server().Output();
  for (const char* id : {"log-check-1", "log-check-2"}) {
    std::size_t count = 0, pos = 0;
    while ((pos = out.find(id, pos)) != std::string::npos) {
      ++count;
      ++pos;
    }
    EXPECT_EQ(count, 1u) << id;
  }
  EXPECT_NE(out.find("\"route\":\"/healthz\""), std::string::npos);
}

TEST_F(ServerBasicsTest, OpenApiIsGeneratedFromTheRouteTable) {
  auto r = client().Request("GET", "/openapi.json");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.json["openapi"].get<std::string>().rfind("3.1", 0), 0u);
  const auto& paths = r.json["paths"];
  for (const char* p :
       {"/api/v1/auth/signup", "/api/v1/auth/login", "/api/v1/auth/logout", "/api/v1/user",
        "/api/v1/user/organizations", "/api/v1/organizations", "/api/v1/organizations/{org}",
        "/api/v1/organizations/{org}/members", "/api/v1/organizations/{org}/members/{user_id}",
        "/api/v1/organizations/{org}/audit-log", "/api/v1/org", "/healthz", "/readyz"}) {
    EXPECT_TRUE(paths.contains(p)) << p;
  }
  EXPECT_TRUE(paths["/api/v1/organizations/{org}"].contains("delete"));
  EXPECT_EQ(paths["/api/v1/organizations/{org}"]["delete"]["x-bulkhead-permission"],
            "organization:delete");
}

TEST_F(ServerBasicsTest, BaseDomainHostCarriesNoTenant) {
  auto c = client();
  auto a = SignUp(c, "Host User");
  auto r =
      c.Request("GET", "/api/v1/org", std::nullopt, Bearer(a.token, {{"Host", "localhost:8080"}}));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.Code(), "tenant_required");
  std::string slug = a.personal_organization["slug"];
  auto sub = c.Request("GET", "/api/v1/org", std::nullopt,
                       Bearer(a.token, {{"Host", slug + ".localhost:8080"}}));
  EXPECT_EQ(sub.status, 200) << sub.body;
  EXPECT_EQ(sub.json["slug"], slug);
}

}  // namespace
}  // namespace bulkhead::testing
