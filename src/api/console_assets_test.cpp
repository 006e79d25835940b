#include "api/console_assets.hpp"

#include <unistd.h>

#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace bulkhead::api {
namespace {

namespace fs = std::filesystem;

void Write(const fs::path& path, const std::string& body) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << body;
}

std::string HeaderOf(const http::Response& response, std::string_view name) {
  for (const auto& h : response.headers) {
    if (h.name == name) return h.value;
  }
  return "";
}

http::Request Get(std::string target, std::vector<http::Header> headers = {}) {
  http::Request request;
  request.method = "GET";
  request.target = std::move(target);
  request.headers = std::move(headers);
  return request;
}

class ConsoleAssetsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("console-assets-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    Write(dir_ / "index.html", "<!doctype html><title>Console</title>");
    Write(dir_ / "favicon.svg", "<svg/>");
    Write(dir_ / "assets" / "app-1a2b3c.js", "console.log('plain')");
    Write(dir_ / "assets" / "app-1a2b3c.js.gz", "GZIPPED");
    fs::create_directories(dir_.parent_path());
    Write(dir_.parent_path() / ("secret-" + std::to_string(::getpid())), "outside");
    assets_ = ConsoleAssets::Load(dir_);
  }
  void TearDown() override {
    fs::remove_all(dir_);
    fs::remove(dir_.parent_path() / ("secret-" + std::to_string(::getpid())));
  }

  fs::path dir_;
  ConsoleAssets assets_;
};

TEST_F(ConsoleAssetsTest, IndexesTheFilesAndTheirGzipVariants) {
  EXPECT_TRUE(assets_.built());
  EXPECT_EQ(assets_.file_count(), 3u);  // the .gz rides with its file
}

TEST_F(ConsoleAssetsTest, HashedAssetsAreImmutableAndGzippedWhenAccepted) {
  auto plain = assets_.Serve(Get("/console/assets/app-1a2b3c.js"), "r");
  EXPECT_EQ(plain.status, 200);
  EXPECT_EQ(plain.body, "console.log('plain')");
  EXPECT_EQ(plain.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(HeaderOf(plain, "Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(HeaderOf(plain, "Vary"), "Accept-Encoding");
  EXPECT_EQ(HeaderOf(plain, "Content-Encoding"), "");
  EXPECT_EQ(HeaderOf(plain, "X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(HeaderOf(plain, "Referrer-Policy"), "no-referrer");
  EXPECT_EQ(HeaderOf(plain, "Content-Security-Policy"), kConsoleCsp);

  auto gz = assets_.Serve(
      Get("/console/assets/app-1a2b3c.js", {{"Accept-Encoding", "br, gzip;q=0.8"}}), "r");
  EXPECT_EQ(gz.body, "GZIPPED");
  EXPECT_EQ(HeaderOf(gz, "Content-Encoding"), "gzip");
  EXPECT_EQ(gz.content_type, "text/javascript; charset=utf-8");
  EXPECT_NE(HeaderOf(gz, "ETag"), HeaderOf(plain, "ETag"));

  auto refused =
      assets_.Serve(Get("/console/assets/app-1a2b3c.js", {{"Accept-Encoding", "gzip;q=0"}}), "r");
  EXPECT_EQ(refused.body, "console.log('plain')");
}

TEST_F(ConsoleAssetsTest, ClientRoutesGetTheIndexAndUnknownFilesAreNotFound) {
  for (const char* target : {"/console/", "/console/o/acme/members", "/console/new?x=1",
                             "/console/accept-invitation?token=bki_x"}) {
    auto response = assets_.Serve(Get(target), "r");
    EXPECT_EQ(response.status, 200) << target;
    EXPECT_EQ(response.content_type, "text/html; charset=utf-8") << target;
    EXPECT_EQ(HeaderOf(response, "Cache-Control"), "no-cache") << target;
  }
  for (const char* target :
       {"/console/assets/gone-123.js", "/console/assets/x", "/console/robots.txt",
        "/console/../secret", "/console/assets/../../secret", "/console/%2e%2e/secret"}) {
    auto response = assets_.Serve(Get(target), "r");
    if (response.status == 200) {
      // Only the index may come back for an extension-less path, never another file.
      EXPECT_EQ(response.content_type, "text/html; charset=utf-8") << target;
      EXPECT_EQ(response.body.find("outside"), std::string::npos) << target;
    } else {
      EXPECT_EQ(response.status, 404) << target;
      EXPECT_EQ(nlohmann::json::parse(response.body)["code"], "not_found") << target;
    }
  }
  auto favicon = assets_.Serve(Get("/console/favicon.svg"), "r");
  EXPECT_EQ(favicon.status, 200);
  EXPECT_EQ(favicon.content_type, "image/svg+xml");
  EXPECT_EQ(HeaderOf(favicon, "Cache-Control"), "no-cache");
}

TEST_F(ConsoleAssetsTest, RedirectsTheBarePrefixAndRevalidatesByETag) {
  auto bare = assets_.Serve(Get("/console"), "r");
  EXPECT_EQ(bare.status, 308);
  EXPECT_EQ(HeaderOf(bare, "Location"), "/console/");
  auto first = assets_.Serve(Get("/console/"), "r");
  auto again = assets_.Serve(Get("/console/", {{"If-None-Match", HeaderOf(first, "ETag")}}), "r");
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  http::Request post = Get("/console/");
  post.method = "POST";
  auto refused = assets_.Serve(post, "r");
  EXPECT_EQ(refused.status, 405);
  EXPECT_EQ(HeaderOf(refused, "Allow"), "GET, HEAD");
}

TEST(ConsoleAssets, AConsoleNotBuiltAnswers503) {
  auto assets = ConsoleAssets::Load("/nonexistent/console/dist");
  EXPECT_FALSE(assets.built());
  auto response = assets.Serve(Get("/console/o/acme"), "r");
  EXPECT_EQ(response.status, 503);
  auto problem = nlohmann::json::parse(response.body);
  EXPECT_EQ(problem["code"], "console_not_built");
  EXPECT_NE(problem["detail"].get<std::string>().find("make"), std::string::npos);
}

TEST(ConsoleAssets, AcceptsGzip) {
  EXPECT_TRUE(AcceptsGzip("gzip"));
  EXPECT_TRUE(AcceptsGzip("gzip, deflate, br, zstd"));
  EXPECT_TRUE(AcceptsGzip("br;q=1.0, GZIP;q=0.5"));
  EXPECT_TRUE(AcceptsGzip("*"));
  EXPECT_FALSE(AcceptsGzip(""));
  EXPECT_FALSE(AcceptsGzip("br"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=0"));
  EXPECT_FALSE(AcceptsGzip("x-gzip"));
}

}  // namespace
}  // namespace bulkhead::api
