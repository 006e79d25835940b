// HTTPS with a self-signed certificate made here: TLS 1.2 and 1.3 only, HSTS and Secure
// cookies, and plain HTTP refused on the same port.

#include <curl/curl.h>

#include <cstdlib>
#include <fstream>

#include "integration/harness.hpp"

namespace bulkhead::testing {
namespace {

namespace fs = std::filesystem;

struct CurlResult {
  CURLcode code = CURLE_OK;
  long status = 0;
  std::string headers;
  std::string body;
};

size_t Collect(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

// One HTTPS request to loopback that trusts `ca` only; `max_tls` limits the protocol version.
CurlResult Https(uint16_t port, const fs::path& ca, const std::string& method,
                 const std::string& path, const std::string& body = "", long max_tls = 0) {
  CurlResult out;
  CURL* curl = curl_easy_init();
  std::string url = "https://127.0.0.1:" + std::to_string(port) + path;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CAINFO, ca.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10L);
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  if (!body.empty()) curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
  if (max_tls) curl_easy_setopt(curl, CURLOPT_SSLVERSION, CURL_SSLVERSION_TLSv1_0 | max_tls);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &out.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, Collect);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &out.headers);
  out.code = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &out.status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return out;
}

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/bulkhead-tls-XXXXXX";
    dir_ = ::mkdtemp(pattern);
    std::string command =
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
        " -keyout " +
        (dir_ / "key.pem").string() + " -out " + (dir_ / "cert.pem").string() +
        " -days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2>/dev/null";
    ASSERT_EQ(std::system(command.c_str()), 0);
    server_ = std::make_unique<ServerProcess>(std::vector<std::string>{
        "--tls-cert", (dir_ / "cert.pem").string(), "--tls-key", (dir_ / "key.pem").string()});
  }
  void TearDown() override {
    server_.reset();
    fs::remove_all(dir_);
  }

  fs::path dir_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(TlsTest, ServesHttpsWithHstsAndSecureCookies) {
  auto health = Https(server_->port(), dir_ / "cert.pem", "GET", "/healthz");
  ASSERT_EQ(health.code, CURLE_OK) << curl_easy_strerror(health.code);
  EXPECT_EQ(health.status, 200);
  EXPECT_NE(health.headers.find("Strict-Transport-Security: max-age=63072000"), std::string::npos)
      << health.headers;
  auto signup =
      Https(server_->port(), dir_ / "cert.pem", "POST", "/api/v1/auth/signup",
            Json{{"email", UniqueEmail("tls")}, {"password", kPassword}, {"name", "Tls"}}.dump());
  EXPECT_EQ(signup.status, 201) << signup.body;
  EXPECT_NE(signup.headers.find("; Secure"), std::string::npos) << signup.headers;
  EXPECT_NE(server_->Output().find("\"tls\":true"), std::string::npos);
}

TEST_F(TlsTest, PlainHttpAndOldTlsAreRefused) {
  auto plain = server_->client().RawBytes("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  EXPECT_EQ(plain.status, 0) << plain.body;  // closed without an answer
  auto old =
      Https(server_->port(), dir_ / "cert.pem", "GET", "/healthz", "", CURL_SSLVERSION_MAX_TLSv1_1);
  EXPECT_NE(old.code, CURLE_OK);
  auto tls12 =
      Https(server_->port(), dir_ / "cert.pem", "GET", "/healthz", "", CURL_SSLVERSION_MAX_TLSv1_2);
  EXPECT_EQ(tls12.code, CURLE_OK) << curl_easy_strerror(tls12.code);
  // The server still serves after refusing.
  EXPECT_EQ(Https(server_->port(), dir_ / "cert.pem", "GET", "/healthz").status, 200);
}

TEST(TlsConfigTest, AKeyThatDoesNotMatchTheCertificateStopsTheServer) {
  char pattern[] = "/tmp/bulkhead-tls-XXXXXX";
  fs::path dir = ::mkdtemp(pattern);
  for (const char* name : {"a", "b"}) {
    std::string command =
        std::string("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes") +
        " -keyout " + (dir / (std::string(name) + ".key")).string() + " -out " +
        (dir / (std::string(name) + ".pem")).string() + " -days 1 -subj /CN=x 2>/dev/null";
    ASSERT_EQ(std::system(command.c_str()), 0);
  }
  auto r = RunCli({"serve", "--listen", "127.0.0.1:0", "--data", (dir / "data").string(),
                   "--tls-cert", (dir / "a.pem").string(), "--tls-key", (dir / "b.key").string()});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("--tls-key"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("mismatch"), std::string::npos) << r.err;
  EXPECT_EQ(RunCli({"serve", "--listen", "127.0.0.1:0", "--data", (dir / "data").string(),
                    "--tls-cert", (dir / "a.pem").string()})
                .exit_code,
            2);
  fs::remove_all(dir);
}

// libpq reads sslmode from the URL: asking for TLS from a test cluster that has none fails at
// start, naming SSL, instead of connecting in the clear.
TEST(PostgresTlsTest, SslModeInTheDatabaseUrlIsHonoured) {
  if (!OnPostgres()) GTEST_SKIP() << "PostgreSQL only";
  std::string url = std::getenv("BULKHEAD_TEST_POSTGRES_URL");
  url += (url.find('?') == std::string::npos ? "?" : "&") + std::string("sslmode=require");
  char pattern[] = "/tmp/bulkhead-tls-XXXXXX";
  fs::path dir = ::mkdtemp(pattern);
  auto r = RunCli({"serve", "--listen", "127.0.0.1:0", "--data", dir.string(), "--database", url});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("SSL"), std::string::npos) << r.err;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace bulkhead::testing
