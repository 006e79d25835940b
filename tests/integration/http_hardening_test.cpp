// The HTTP server under hostile bytes and floods: request smuggling, ambiguous Host and
// X-Organization, HEAD and absolute-form targets, and the bounds that keep one client from
// sinking the others (worker lanes, connection caps, the buffered-body budget). Each test
// speaks raw bytes over its own sockets where the rule is about the wire; flooding clients
// come from 127.0.0.2+ (loopback only), the neighbour who must keep being served from
// 127.0.0.1.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "integration/harness.hpp"

namespace bulkhead::testing {
namespace {

using Clock = std::chrono::steady_clock;

// The sanitizer runtimes keep memory (quarantine, shadow) and need descriptors of their own, so
// tests that measure the server's RSS or starve it of descriptors measure them instead there.
#ifdef BULKHEAD_SANITIZED
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif

// A TCP connection from `source` (a loopback address) to the server, or -1.
int Connect(uint16_t port, const std::string& source = "127.0.0.1") {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in from{};
  from.sin_family = AF_INET;
  ::inet_pton(AF_INET, source.c_str(), &from.sin_addr);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  ::inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
  // The local port is picked at connect(), per destination, rather than at bind(): floods of
  // short connections would otherwise run out of ports sooner.
  int yes = 1;
  ::setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &yes, sizeof yes);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0 ||
      ::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

void SendAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) return;  // the server closed: what it answered is still readable
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

// What the server sends until it closes the connection or stays silent for `quiet`.
std::string ReadUntilClosed(int fd, std::chrono::milliseconds quiet) {
  std::string out;
  char buffer[16384];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(quiet.count())) <= 0) break;
    ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    out.append(buffer, static_cast<std::size_t>(n));
  }
  return out;
}

// Sends `bytes` on a fresh connection and returns everything the server answers.
std::string Exchange(uint16_t port, const std::string& bytes,
                     std::chrono::milliseconds quiet = std::chrono::milliseconds(3000)) {
  int fd = Connect(port);
  if (fd < 0) return "";
  SendAll(fd, bytes);
  std::string out = ReadUntilClosed(fd, quiet);
  ::close(fd);
  return out;
}

// The status lines of the responses in `wire`, in order ("HTTP/1.1 400 Bad Request", ...).
std::vector<std::string> StatusLines(const std::string& wire) {
  std::vector<std::string> lines;
  for (std::size_t at = wire.find("HTTP/1."); at != std::string::npos;
       at = wire.find("HTTP/1.", at + 1)) {
    if (at == 0 || wire.compare(at - 2, 2, "\r\n") == 0 || wire[at - 1] == '}') {
      lines.push_back(wire.substr(at, wire.find("\r\n", at) - at));
    }
  }
  return lines;
}

int StatusOf(const std::string& status_line) {
  return status_line.size() >= 12 ? std::atoi(status_line.c_str() + 9) : 0;
}

std::string Host(uint16_t port) {
  return "127.0.0.1:" + std::to_string(port);
}

long ProcStatusKb(pid_t pid, const std::string& key) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key + ":", 0) == 0) return std::atol(line.c_str() + key.size() + 1);
  }
  return -1;
}

// CPU time (user + system) the process used so far, in clock ticks.
long CpuTicks(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::istringstream fields(stat.substr(stat.rfind(')') + 2));
  std::string field;
  long utime = 0, stime = 0;
  for (int i = 3; fields >> field; ++i) {
    if (i == 14) utime = std::atol(field.c_str());
    if (i == 15) {
      stime = std::atol(field.c_str());
      break;
    }
  }
  return utime + stime;
}

// One keep-alive connection from `source`, as load generators use: a request, its whole
// response, the next request on the same connection; a new connection when the server closed.
class KeepAliveClient {
 public:
  KeepAliveClient(uint16_t port, std::string source) : port_(port), source_(std::move(source)) {}
  ~KeepAliveClient() {
    if (fd_ >= 0) ::close(fd_);
  }
  // The status and whole head and body of the response, or status 0 when none came.
  std::pair<int, std::string> Post(const std::string& target, const std::string& json) {
    if (fd_ < 0) fd_ = Connect(port_, source_);
    if (fd_ < 0) return {0, ""};
    SendAll(fd_, "POST " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " +
                     "application/json\r\nContent-Length: " + std::to_string(json.size()) +
                     "\r\n\r\n" + json);
    std::string wire;
    char buffer[4096];
    std::size_t end = std::string::npos, length = 0;
    while (end == std::string::npos || wire.size() < end + 4 + length) {
      ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) break;
      wire.append(buffer, static_cast<std::size_t>(n));
      if (end == std::string::npos && (end = wire.find("\r\n\r\n")) != std::string::npos) {
        auto at = wire.find("Content-Length: ");
        length = at < end ? std::stoul(wire.substr(at + 16)) : 0;
      }
    }
    bool complete = end != std::string::npos && wire.size() >= end + 4 + length;
    if (!complete || wire.find("Connection: close") < end) {
      ::close(fd_);
      fd_ = -1;
    }
    return {complete ? StatusOf(wire) : 0, wire};
  }

 private:
  uint16_t port_;
  std::string source_;
  int fd_ = -1;
};

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

class HttpHardeningTest : public ServerTest<HttpHardeningTest> {};

// RFC 9112 §6.1, §6.3: a body framed by anything but exactly one Content-Length or exactly
// `Transfer-Encoding: chunked` is refused and the connection closed, so that the bytes after
// the headers are never read as a request of their own.
TEST_F(HttpHardeningTest, TransferEncodingOtherThanChunkedIsRefusedAndNothingIsSmuggled) {
  const std::string smuggled =
      "GET /healthz HTTP/1.1\r\nHost: " + Host(server().port()) + "\r\n\r\n";
  struct Variant {
    std::string framing;  // header lines, each ending in \r\n
    std::string body;
  };
  const std::vector<Variant> variants = {
      {"Transfer-Encoding: gzip\r\n", smuggled},
      {"Transfer-Encoding: identity\r\n", smuggled},
      {"Transfer-Encoding: xchunked\r\n", smuggled},
      {"Transfer-Encoding: chunked, identity\r\n", smuggled},
      {"Transfer-Encoding:\r\n", smuggled},
      {"Transfer-Encoding: gzip\r\nContent-Length: 0\r\n", smuggled},
      {"Content-Length: 0\r\nTransfer-Encoding: gzip\r\n", smuggled},
      {"Transfer-Encoding: gzip, chunked\r\n", "0\r\n\r\n" + smuggled},
      {"Transfer-Encoding: identity\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n" + smuggled},
      {"Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", "0\r\n\r\n" + smuggled},
  };
  for (const auto& v : variants) {
    std::string wire =
        Exchange(server().port(),
                 "POST /api/v1/auth/login HTTP/1.1\r\nHost: " + Host(server().port()) +
                     "\r\nContent-Type: application/json\r\n" + v.framing + "\r\n" + v.body);
    auto statuses = StatusLines(wire);
    ASSERT_EQ(statuses.size(), 1u) << v.framing << "\n" << wire;
    EXPECT_EQ(StatusOf(statuses[0]), 400) << v.framing << "\n" << wire;
    EXPECT_NE(wire.find("\"malformed_request\""), std::string::npos) << v.framing << wire;
  }
  // Exactly `chunked` still works, and a request pipelined after its body is served.
  std::string wire = Exchange(server().port(),
                              "POST /api/v1/auth/login HTTP/1.1\r\nHost: " + Host(server().port()) +
                                  "\r\nContent-Type: application/json\r\nTransfer-Encoding: "
                                  "chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n" +
                                  smuggled,
                              std::chrono::milliseconds(1000));
  auto statuses = StatusLines(wire);
  ASSERT_EQ(statuses.size(), 2u) << wire;
  EXPECT_EQ(StatusOf(statuses[1]), 200) << wire;
}

// RFC 9112 §3.2: a request with no Host (HTTP/1.1), two Host lines or a list as Host gets 400;
// so do two X-Organization lines, which could name two organizations.
TEST_F(HttpHardeningTest, AmbiguousHostOrOrganizationHeadersAre400AndClose) {
  const std::string host = "Host: " + Host(server().port()) + "\r\n";
  const std::vector<std::string> heads = {
      "GET /healthz HTTP/1.1\r\n",
      "GET /healthz HTTP/1.1\r\n" + host + host,
      "GET /healthz HTTP/1.1\r\nHost: a.localhost, b.localhost\r\n",
      "GET /healthz HTTP/1.1\r\n" + host + "X-Organization: a\r\nX-Organization: b\r\n",
      "GET /healthz HTTP/1.1\r\nHost: user@a.localhost\r\n",
  };
  for (const auto& head : heads) {
    std::string wire =
        Exchange(server().port(), head + "\r\n" + "GET /healthz HTTP/1.1\r\n" + host + "\r\n");
    auto statuses = StatusLines(wire);
    ASSERT_EQ(statuses.size(), 1u) << head << wire;  // closed: the next request is not read
    EXPECT_EQ(StatusOf(statuses[0]), 400) << head << wire;
    EXPECT_NE(wire.find("\"malformed_request\""), std::string::npos) << head << wire;
  }
  // HTTP/1.0 has no Host requirement; one Host and one X-Organization are fine.
  EXPECT_EQ(StatusOf(StatusLines(Exchange(server().port(), "GET /healthz HTTP/1.0\r\n\r\n")).at(0)),
            200);
  auto ok = client().Request("GET", "/healthz", std::nullopt, {{"X-Organization", "a"}});
  EXPECT_EQ(ok.status, 200);
}

// RFC 9110 §9.3.2: HEAD is GET without the body: same status and headers, Content-Length
// of the body GET would send; nothing after the headers (the next response follows at once).
TEST_F(HttpHardeningTest, HeadIsServedAsGetWithoutTheBody) {
  auto account = SignUp(client(), "Head");
  auto get = client().Request("GET", "/api/v1/user", std::nullopt, Bearer(account.token));
  ASSERT_EQ(get.status, 200);
  std::string head_request = "HEAD /api/v1/user HTTP/1.1\r\nHost: " + Host(server().port()) +
                             "\r\nAuthorization: Bearer " + account.token + "\r\n\r\n";
  std::string wire = Exchange(
      server().port(), head_request + "GET /healthz HTTP/1.1\r\nHost: " + Host(server().port()) +
                           "\r\nConnection: close\r\n\r\n");
  auto end_of_head = wire.find("\r\n\r\n");
  ASSERT_NE(end_of_head, std::string::npos) << wire;
  std::string head_response = wire.substr(0, end_of_head);
  EXPECT_EQ(StatusOf(head_response), 200) << wire;
  EXPECT_NE(head_response.find("Content-Length: " + std::to_string(get.body.size())),
            std::string::npos)
      << wire;
  EXPECT_NE(head_response.find("Content-Type: application/json"), std::string::npos) << wire;
  // The next bytes are the second response's status line: no body was sent.
  EXPECT_EQ(wire.compare(end_of_head + 4, 9, "HTTP/1.1 "), 0) << wire;
  auto statuses = StatusLines(wire);
  ASSERT_EQ(statuses.size(), 2u) << wire;
  EXPECT_EQ(StatusOf(statuses[1]), 200) << wire;
}

// RFC 9112 §3.2.2: with an absolute-form target, the target's authority is the host and
// its path the path; a Host header naming another organization is ignored.
TEST_F(HttpHardeningTest, AbsoluteFormTargetsUseTheirPathAndAuthority) {
  auto owner = SignUp(client(), "Owner");
  std::string a = CreateOrganization(client(), owner.token, "A", UniqueSlug("abs-a"))["slug"];
  std::string b = CreateOrganization(client(), owner.token, "B", UniqueSlug("abs-b"))["slug"];
  std::string port = std::to_string(server().port());
  std::string wire =
      Exchange(server().port(), "GET http://" + a + ".localhost:" + port +
                                    "/api/v1/organizations/" + a + " HTTP/1.1\r\nHost: " + b +
                                    ".localhost:" + port + "\r\nAuthorization: Bearer " +
                                    owner.token + "\r\nConnection: close\r\n\r\n");
  auto statuses = StatusLines(wire);
  ASSERT_EQ(statuses.size(), 1u) << wire;
  EXPECT_EQ(StatusOf(statuses[0]), 200) << wire;
  EXPECT_NE(wire.find("\"slug\":\"" + a + "\""), std::string::npos) << wire;
  // The authority alone, with the path naming nothing else, routes by subdomain too.
  wire = Exchange(server().port(),
                  "GET HTTP://" + b + ".localhost:" + port + "/api/v1/organizations/" + b +
                      "?x=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + owner.token +
                      "\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(StatusOf(StatusLines(wire).at(0)), 200) << wire;
}

// Connections are capped per client address and in all: past a cap a new connection gets a
// short 503 too_many_connections and is closed, while other addresses are still served.
TEST(HttpConnectionCaps, PerClientAndTotalCapsRefuseWith503AndServeOthers) {
  ServerProcess server({"--max-connections", "50", "--max-connections-per-client", "20"});
  auto client = server.client();
  ASSERT_EQ(client.Request("GET", "/healthz").status, 200);

  auto refused = [&](const std::vector<int>& fds, int* retry_after) {
    int count = 0;
    for (int fd : fds) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;  // accepted and idle: nothing to read
      std::string wire = ReadUntilClosed(fd, std::chrono::milliseconds(1000));
      auto statuses = StatusLines(wire);
      if (statuses.size() == 1 && StatusOf(statuses[0]) == 503 &&
          wire.find("\"too_many_connections\"") != std::string::npos) {
        ++count;
        if (wire.find("Retry-After: ") != std::string::npos) ++*retry_after;
      }
    }
    return count;
  };
  std::vector<int> flood;
  for (int i = 0; i < 30; ++i) flood.push_back(Connect(server.port(), "127.0.0.2"));
  ASSERT_TRUE(std::none_of(flood.begin(), flood.end(), [](int fd) { return fd < 0; }));
  int retry_after = 0;
  EXPECT_EQ(refused(flood, &retry_after), 10);  // the 21st to the 30th
  EXPECT_EQ(retry_after, 10);
  // Another address is still served while 127.0.0.2 holds its 20.
  EXPECT_EQ(client.Request("GET", "/healthz").status, 200);

  // Past 50 in all, whoever asks.
  std::vector<int> more;
  for (const char* source : {"127.0.0.3", "127.0.0.4"}) {
    for (int i = 0; i < 20; ++i) more.push_back(Connect(server.port(), source));
  }
  retry_after = 0;
  int past_total = refused(more, &retry_after);
  EXPECT_GE(past_total, 10);  // 20 + 40 > 50
  EXPECT_LE(past_total, 11);  // (the healthz connection above may not have ended yet)
  for (int fd : flood) ::close(fd);
  for (int fd : more) ::close(fd);
  // Once they close, everyone is served again.
  bool served = false;
  for (int i = 0; i < 50 && !served; ++i) {
    served = client.Request("GET", "/healthz").status == 200;
    if (!served) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(served);
  EXPECT_NE(server.Output().find("\"max_connections\":50"), std::string::npos);
}

// Out of file descriptors, the accept loop backs off instead of spinning the cores, and
// serves again once connections close. (The server raises its soft limit to the hard one at
// start, which the connection cap stays below; here the limit is lowered afterwards, as when
// database files or another process's share take the descriptors the cap assumed.)
TEST(HttpConnectionCaps, OutOfDescriptorsAcceptBacksOffAndServesAfterwards) {
  if (kSanitized) GTEST_SKIP() << "the sanitizer runtime needs descriptors of its own";
  ServerProcess server;
  ASSERT_EQ(server.client().Request("GET", "/healthz").status, 200);
  std::size_t open = 0;
  for ([[maybe_unused]] const auto& fd :
       std::filesystem::directory_iterator("/proc/" + std::to_string(server.pid()) + "/fd")) {
    ++open;
  }
  rlimit low{};
  low.rlim_cur = low.rlim_max = open + 40;
  ASSERT_EQ(::prlimit(server.pid(), RLIMIT_NOFILE, &low, nullptr), 0) << std::strerror(errno);

  std::vector<int> flood;
  for (int i = 0; i < 200; ++i) {
    int fd = Connect(server.port(), "127.0.0.2");
    if (fd >= 0) flood.push_back(fd);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  long before = CpuTicks(server.pid());
  std::this_thread::sleep_for(std::chrono::seconds(2));
  long used = CpuTicks(server.pid()) - before;
  long ticks_per_second = ::sysconf(_SC_CLK_TCK);
  std::printf("server CPU ticks in 2 s out of descriptors: %ld (%ld a second)\n", used,
              ticks_per_second);
  // Spinning on accept uses about one core: 2 s of ticks. Backing off, nearly none.
  EXPECT_LT(used, ticks_per_second / 2) << "CPU ticks in 2 s while out of descriptors";
  for (int fd : flood) ::close(fd);
  bool served = false;
  for (int i = 0; i < 100 && !served; ++i) {
    served = server.client().Request("GET", "/healthz").status == 200;
    if (!served) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(served);
  EXPECT_TRUE(server.running());
}

// Clients that send the headers of a large body and then only part of it cannot grow the
// server's memory without bound: past the buffered-body budget they get 503 server_busy,
// while a neighbour's small writes are served as usual.
TEST(HttpBodyBudget, UnfinishedLargeBodiesAreBoundedAndNeighboursStillWrite) {
  if (kSanitized) GTEST_SKIP() << "AddressSanitizer's allocator and quarantine set the RSS here";
  ServerProcess server({"--max-buffered-body-bytes", std::to_string(8 << 20)});
  auto client = server.client();
  auto owner = SignUp(client, "Neighbour");
  std::string slug = CreateOrganization(client, owner.token, "N", UniqueSlug("budget"))["slug"];
  std::string org = "/api/v1/organizations/" + slug;
  long rss_before = ProcStatusKb(server.pid(), "VmRSS");
  ASSERT_GT(rss_before, 0);

  const std::string head =
      "POST /api/v1/organizations/x/workspaces HTTP/1.1\r\nHost: " + Host(server.port()) +
      "\r\nContent-Type: application/json\r\nContent-Length: 1048000\r\n\r\n";
  const std::string part(900'000, 'x');
  std::vector<int> holders;
  for (int i = 0; i < 200; ++i) {
    int fd = Connect(server.port(), "127.0.0.2");
    if (fd < 0) continue;
    SendAll(fd, head);
    SendAll(fd, part);
    holders.push_back(fd);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  long rss_during = ProcStatusKb(server.pid(), "VmRSS");
  // Unbounded, 200 bodies of 900 kB would add about 180 MB.
  EXPECT_LT(rss_during - rss_before, 64 * 1024) << rss_before << " kB -> " << rss_during << " kB";
  // The neighbour keeps writing.
  for (int i = 0; i < 5; ++i) {
    auto r = client.Request("POST", org + "/workspaces", Json{{"name", "w" + std::to_string(i)}},
                            Bearer(owner.token));
    EXPECT_EQ(r.status, 201) << r.body;
  }
  int busy = 0, with_retry_after = 0;
  for (int fd : holders) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;  // within the budget, still waiting for its body
    std::string wire = ReadUntilClosed(fd, std::chrono::milliseconds(500));
    if (StatusLines(wire).size() == 1 && StatusOf(StatusLines(wire)[0]) == 503 &&
        wire.find("\"server_busy\"") != std::string::npos) {
      ++busy;
      if (wire.find("Retry-After: ") != std::string::npos) ++with_retry_after;
    }
  }
  EXPECT_GE(busy, 190) << "an 8 MiB budget holds at most 8 bodies of 1048000 bytes";
  EXPECT_EQ(with_retry_after, busy);
  for (int fd : holders) ::close(fd);
  EXPECT_TRUE(server.running());
}

// A flood of failing logins (random emails, so no per-email throttle applies) runs on the
// hashing lane: another organization's writes keep working without errors, and logins past
// the lane's queue are refused at once with 503 and Retry-After instead of waiting.
TEST(HttpLanes, ALoginFloodNeitherStallsNorFailsAnotherOrganizationsWrites) {
  ServerProcess server({"--hash-queue", "8"});
  auto client = server.client();
  auto owner = SignUp(client, "Neighbour");
  std::string slug = CreateOrganization(client, owner.token, "N", UniqueSlug("lanes"))["slug"];
  std::string org = "/api/v1/organizations/" + slug;
  auto ws =
      client.Request("POST", org + "/workspaces", Json{{"name", "main"}}, Bearer(owner.token));
  ASSERT_EQ(ws.status, 201) << ws.body;
  std::string resources = org + "/workspaces/" + ws.json.value("id", "") + "/resources";
  std::atomic<int> sequence = 0;
  auto write = [&](std::vector<double>& latencies, int& errors) {
    auto started = Clock::now();
    auto r = client.Request("POST", resources,
                            Json{{"kind", "monitor"}, {"name", "r" + std::to_string(sequence++)}},
                            Bearer(owner.token));
    latencies.push_back(std::chrono::duration<double, std::milli>(Clock::now() - started).count());
    if (r.status != 201) ++errors;
  };
  std::vector<double> quiet;
  int quiet_errors = 0;
  for (int i = 0; i < 40; ++i) write(quiet, quiet_errors);
  ASSERT_EQ(quiet_errors, 0);

  std::atomic<bool> flooding = true;
  std::atomic<int> refused = 0, refused_with_retry_after = 0, other = 0, unauthenticated = 0;
  std::vector<std::thread> flood;
  for (int t = 0; t < 64; ++t) {
    flood.emplace_back([&, t] {
      // The attackers' own CPU is not the server's in real life; here they share two cores
      // with the server and the neighbour's client, so they run at the lowest priority lest
      // the measurement be of this process's scheduling rather than of the server.
      ::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), 19);
      std::mt19937_64 random(static_cast<uint64_t>(t) * 7919 + 1);
      KeepAliveClient attacker(server.port(), "127.0.0.2");
      while (flooding) {
        Json login = {{"email", "nobody-" + std::to_string(random()) + "@example.com"},
                      {"password", "wrong password"}};
        auto [status, wire] = attacker.Post("/api/v1/auth/login", login.dump());
        if (status == 503 && wire.find("\"server_busy\"") != std::string::npos) {
          ++refused;
          if (wire.find("Retry-After: ") != std::string::npos) ++refused_with_retry_after;
        } else if (status == 401) {
          ++unauthenticated;
        } else {
          ++other;
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  std::vector<double> during;
  int during_errors = 0;
  auto flood_end = Clock::now() + std::chrono::seconds(4);
  while (Clock::now() < flood_end) write(during, during_errors);
  flooding = false;
  for (auto& t : flood) t.join();

  double quiet_p99 = Percentile(quiet, 0.99), during_p99 = Percentile(during, 0.99);
  std::printf(
      "neighbour writes: quiet p50 %.1f ms p99 %.1f ms; during the flood p50 %.1f ms "
      "p99 %.1f ms (%zu writes); logins: %d refused 503, %d 401, %d other\n",
      Percentile(quiet, 0.5), quiet_p99, Percentile(during, 0.5), during_p99, during.size(),
      refused.load(), unauthenticated.load(), other.load());
  EXPECT_EQ(during_errors, 0);
  // Sharing the worker pool with the hashes, the neighbour managed 2 writes in these 4 s
  // (p50 2.3 s). On its own lane, hundreds. The p99 still grows (about 60-120 ms against
  // 5 ms quiet on two shared cores), as much as under a flood of equally many cheap 405s:
  // that is the request rate's cost, not the hashing's, so it is reported, not asserted.
  EXPECT_GE(during.size(), 40u) << "neighbour writes completed during the flood";
  EXPECT_GT(unauthenticated.load(), 0);  // the lane did hash
  EXPECT_GT(refused.load(), 0);          // and refused what exceeded its queue
  EXPECT_EQ(refused_with_retry_after.load(), refused.load());
  EXPECT_EQ(other.load(), 0);
  EXPECT_TRUE(server.running());
}

// Domain verification looks up DNS (up to 3 s a lookup) on the outbound lane: when the DNS
// server stalls, verifications past the lane's queue get 503 server_busy at once, and the
// organization's other writes, on the worker lane, are not held up behind them.
TEST(HttpLanes, StalledDnsLookupsFillOnlyTheOutboundLane) {
  // A DNS server that never answers: a bound UDP socket nobody reads.
  int silent = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(silent, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  ::inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
  ASSERT_EQ(::bind(silent, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  socklen_t length = sizeof address;
  ASSERT_EQ(::getsockname(silent, reinterpret_cast<sockaddr*>(&address), &length), 0);
  std::string dns = "127.0.0.1:" + std::to_string(ntohs(address.sin_port));

  ServerProcess server({"--dns-server", dns, "--outbound-queue", "2"});
  auto client = server.client();
  auto owner = SignUp(client, "Owner");
  std::string slug = CreateOrganization(client, owner.token, "Shop", UniqueSlug("stall"))["slug"];
  std::string org = "/api/v1/organizations/" + slug;
  std::string host = UniqueSlug("stall") + ".example.com";
  auto added =
      client.Request("POST", org + "/domains", Json{{"hostname", host}}, Bearer(owner.token));
  ASSERT_EQ(added.status, 201) << added.body;

  std::atomic<int> busy = 0, busy_with_retry_after = 0, answered = 0;
  std::vector<std::thread> verifiers;
  for (int i = 0; i < 16; ++i) {
    verifiers.emplace_back([&] {
      auto r = client.Request("POST", org + "/domains/" + host + "/verify", std::nullopt,
                              Bearer(owner.token));
      if (r.status == 503 && r.Code() == "server_busy") {
        ++busy;
        if (!r.Header("retry-after").empty()) ++busy_with_retry_after;
      } else {
        ++answered;  // after the lookup timed out
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  // The lane holds 4 lookups and 2 waiting; the other 10 were refused at once.
  EXPECT_GE(busy.load(), 8);
  EXPECT_EQ(busy_with_retry_after.load(), busy.load());
  // Meanwhile the organization's writes are served at once.
  for (int i = 0; i < 5; ++i) {
    auto started = Clock::now();
    auto r = client.Request("POST", org + "/workspaces", Json{{"name", "w" + std::to_string(i)}},
                            Bearer(owner.token));
    EXPECT_EQ(r.status, 201) << r.body;
    EXPECT_LT(Clock::now() - started, std::chrono::seconds(2)) << "a write waited for DNS";
  }
  for (auto& t : verifiers) t.join();
  EXPECT_GE(answered.load(), 1);
  ::close(silent);
}

}  // namespace
}  // namespace bulkhead::testing
