// Webhook delivery over real HTTP: the server under test posts events to a receiver written
// here (a loopback HTTP/1.1 server with keep-alive that answers as each test tells it to).
// The rules checked: one attempt at a time per endpoint, in sequence order, the same
// webhook-id on every retry; retries after a 500 and after a refused connection on
// --webhook-retry-schedule; 410 disables the endpoint; an endpoint slower than
// --webhook-timeout in one organization does not delay another organization's deliveries; the
// deliveries list records every attempt. Signatures are verified by an independent Standard
// Webhooks library in the Node suite (tests/webhooks); here only their form is looked at.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "integration/harness.hpp"

namespace bulkhead::testing {
namespace {

using std::chrono::milliseconds;

// One request the receiver got.
struct Received {
  std::string path;
  std::string webhook_id;
  std::string webhook_timestamp;
  std::string webhook_signature;
  std::string content_type;
  Json body;
  int answered = 0;  // the status it was answered with
};

struct Answer {
  int status = 200;
  milliseconds delay{0};  // before answering
};

// Answers the nth request (0-based) to a path.
using AnswerPolicy = std::function<Answer(const std::string& path, int nth)>;

class WebhookReceiver {
 public:
  // On 127.0.0.1:`port` (0: a free one).
  explicit WebhookReceiver(AnswerPolicy policy, uint16_t port = 0) : policy_(std::move(policy)) {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port);
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(listener_, 64) != 0) {
      ::close(listener_);
      throw std::runtime_error("the webhook receiver cannot listen");
    }
    socklen_t length = sizeof address;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    acceptor_ = std::thread([this] { Accept(); });
  }
  ~WebhookReceiver() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
      for (int fd : connections_) ::shutdown(fd, SHUT_RDWR);
    }
    changed_.notify_all();
    acceptor_.join();
    for (auto& t : sessions_) t.join();
    ::close(listener_);
  }
  WebhookReceiver(const WebhookReceiver&) = delete;
  WebhookReceiver& operator=(const WebhookReceiver&) = delete;

  uint16_t port() const { return port_; }
  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  // What arrived at `path` so far (every path when empty), in arrival order.
  std::vector<Received> At(const std::string& path = "") const {
    std::lock_guard lock(mu_);
    std::vector<Received> out;
    for (const auto& r : received_) {
      if (path.empty() || r.path == path) out.push_back(r);
    }
    return out;
  }
  // Waits until `count` requests to `path` were answered with 2xx.
  bool WaitForDelivered(const std::string& path, std::size_t count, milliseconds timeout) {
    std::unique_lock lock(mu_);
    return changed_.wait_for(lock, timeout, [&] {
      std::size_t n = 0;
      for (const auto& r : received_) n += r.path == path && r.answered / 100 == 2;
      return n >= count;
    });
  }
  bool WaitForRequests(const std::string& path, std::size_t count, milliseconds timeout) {
    std::unique_lock lock(mu_);
    return changed_.wait_for(lock, timeout, [&] {
      std::size_t n = 0;
      for (const auto& r : received_) n += r.path == path;
      return n >= count;
    });
  }

 private:
  void Accept() {
    while (true) {
      {
        std::lock_guard lock(mu_);
        if (stopping_) return;
      }
      pollfd p{listener_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      int fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      std::lock_guard lock(mu_);
      if (stopping_) {
        ::close(fd);
        return;
      }
      connections_.insert(fd);
      sessions_.emplace_back([this, fd] { Session(fd); });
    }
  }

  // HTTP/1.1 with keep-alive: requests with a Content-Length body, one after another.
  void Session(int fd) {
    std::string pending;
    while (true) {
      auto end = pending.find("\r\n\r\n");
      while (end == std::string::npos) {
        if (!ReadMore(fd, pending)) return Close(fd);
        end = pending.find("\r\n\r\n");
      }
      std::string head = pending.substr(0, end);
      pending.erase(0, end + 4);
      std::map<std::string, std::string> headers;
      std::string request_line = head.substr(0, head.find("\r\n"));
      std::size_t at = head.find("\r\n");
      while (at != std::string::npos) {
        std::size_t next = head.find("\r\n", at + 2);
        std::string line = head.substr(at + 2, next == std::string::npos ? next : next - at - 2);
        auto colon = line.find(':');
        if (colon != std::string::npos) {
          std::string name = line.substr(0, colon);
          for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          std::string value = line.substr(colon + 1);
          while (!value.empty() && value.front() == ' ') value.erase(0, 1);
          headers[name] = value;
        }
        at = next;
      }
      std::size_t length =
          headers.count("content-length") ? std::stoul(headers["content-length"]) : 0;
      while (pending.size() < length) {
        if (!ReadMore(fd, pending)) return Close(fd);
      }
      std::string body = pending.substr(0, length);
      pending.erase(0, length);
      auto first_space = request_line.find(' ');
      std::string path = request_line.substr(
          first_space + 1, request_line.find(' ', first_space + 1) - first_space - 1);
      Answer answer;
      {
        std::unique_lock lock(mu_);
        answer = policy_(path, nth_[path]++);
        received_.push_back({path, headers["webhook-id"], headers["webhook-timestamp"],
                             headers["webhook-signature"], headers["content-type"],
                             Json::parse(body, nullptr, false), answer.status});
        changed_.notify_all();
        if (answer.delay.count() > 0) {
          changed_.wait_for(lock, answer.delay, [this] { return stopping_; });
        }
      }
      std::string response = "HTTP/1.1 " + std::to_string(answer.status) +
                             " X\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok";
      if (::send(fd, response.data(), response.size(), MSG_NOSIGNAL) < 0) return Close(fd);
    }
  }

  bool ReadMore(int fd, std::string& pending) {
    char buffer[16384];
    ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) return false;
    pending.append(buffer, static_cast<std::size_t>(n));
    return true;
  }
  void Close(int fd) {
    std::lock_guard lock(mu_);
    connections_.erase(fd);
    ::close(fd);
  }

  AnswerPolicy policy_;
  int listener_ = -1;
  uint16_t port_ = 0;
  mutable std::mutex mu_;
  std::condition_variable changed_;
  bool stopping_ = false;
  std::set<int> connections_;
  std::map<std::string, int> nth_;
  std::vector<Received> received_;
  std::thread acceptor_;
  std::vector<std::thread> sessions_;
};

AnswerPolicy AlwaysAnswer(int status, milliseconds delay = milliseconds(0)) {
  return [status, delay](const std::string&, int) { return Answer{status, delay}; };
}

// A loopback port that nothing listens on (until a receiver is started on it).
uint16_t RefusingPort() {
  WebhookReceiver probe(AlwaysAnswer(200));
  return probe.port();
}

// Waits for `check` to hold, polling; the last value when it did not.
template <typename F>
bool Eventually(F check, milliseconds timeout = milliseconds(15000)) {
  auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    if (check()) return true;
    std::this_thread::sleep_for(milliseconds(50));
  }
  return check();
}

constexpr const char* kRetrySchedule = "0s,1s,1s,1s,1s,1s";

class WebhookDeliveryTest : public ::testing::Test {
 protected:
  void StartServer(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--allow-private-webhooks", "--webhook-retry-schedule",
                                     kRetrySchedule};
    args.insert(args.end(), extra.begin(), extra.end());
    server_ = std::make_unique<ServerProcess>(args);
    owner_ = SignUp(client(), "Owner");
  }
  HttpClient client() const { return server_->client(); }
  std::string NewOrganization(const std::string& name) {
    return CreateOrganization(client(), owner_.token, name, UniqueSlug("hooks"))["id"];
  }
  HttpResponse Call(const std::string& method, const std::string& org, const std::string& path,
                    const std::optional<Json>& body = std::nullopt) const {
    return client().Request(method, "/api/v1/organizations/" + org + path, body,
                            Bearer(owner_.token));
  }
  // An endpoint for workspace.created only: the organization's other events stay out of the
  // way of what a test counts.
  std::string CreateEndpoint(const std::string& org, const std::string& url) {
    auto r = Call("POST", org, "/webhooks",
                  Json{{"url", url}, {"event_types", Json::array({"workspace.created"})}});
    EXPECT_EQ(r.status, 201) << r.body;
    EXPECT_TRUE(r.json.value("secret", "").starts_with("whsec_")) << r.body;
    return r.json.value("id", "");
  }
  void CreateWorkspace(const std::string& org, const std::string& name) {
    auto r = Call("POST", org, "/workspaces", Json{{"name", name}});
    ASSERT_EQ(r.status, 201) << r.body;
  }
  // Every recorded attempt, oldest first.
  Json Attempts(const std::string& org, const std::string& endpoint) const {
    auto r = Call("GET", org, "/webhooks/" + endpoint + "/deliveries?limit=100");
    if (r.status != 200) return Json::array();
    Json rows = r.json["data"];
    std::reverse(rows.begin(), rows.end());
    return rows;
  }

  std::unique_ptr<ServerProcess> server_;
  Account owner_;
};

TEST_F(WebhookDeliveryTest, RetriesAfterServerErrorsAndDeliversInOrder) {
  // The first two requests fail: the first event is retried (same id) before the next goes.
  WebhookReceiver receiver([](const std::string&, int nth) { return Answer{nth < 2 ? 500 : 200}; });
  StartServer();
  std::string org = NewOrganization("Retries");
  std::string endpoint = CreateEndpoint(org, receiver.Url("/hook"));
  for (const char* name : {"First", "Second", "Third"}) CreateWorkspace(org, name);

  ASSERT_TRUE(receiver.WaitForDelivered("/hook", 3, milliseconds(20000)));
  auto got = receiver.At("/hook");
  ASSERT_EQ(got.size(), 5u);
  std::vector<int> statuses;
  for (const auto& r : got) statuses.push_back(r.answered);
  EXPECT_EQ(statuses, (std::vector<int>{500, 500, 200, 200, 200}));
  EXPECT_EQ(got[0].webhook_id, got[1].webhook_id);
  EXPECT_EQ(got[1].webhook_id, got[2].webhook_id);
  std::vector<std::string> names;
  int64_t previous_sequence = 0;
  for (std::size_t i = 2; i < got.size(); ++i) {
    const auto& r = got[i];
    EXPECT_EQ(r.body.value("id", ""), r.webhook_id);
    EXPECT_EQ(r.body.value("type", ""), "workspace.created");
    EXPECT_EQ(r.body.value("organization_id", ""), org);
    EXPECT_GT(r.body.value("sequence", int64_t{0}), previous_sequence);
    previous_sequence = r.body.value("sequence", int64_t{0});
    names.push_back(r.body["data"].value("name", ""));
    EXPECT_EQ(r.content_type, "application/json");
    EXPECT_TRUE(r.webhook_signature.starts_with("v1,")) << r.webhook_signature;
    EXPECT_NE(r.webhook_signature.find('='), std::string::npos);  // base64 of 32 bytes
    EXPECT_FALSE(r.webhook_timestamp.empty());
  }
  EXPECT_EQ(names, (std::vector<std::string>{"First", "Second", "Third"}));

  // Every attempt is in the deliveries list, with its outcome.
  Json attempts;
  ASSERT_TRUE(Eventually([&] {
    attempts = Attempts(org, endpoint);
    return attempts.size() == 5;
  })) << attempts.dump();
  std::vector<int64_t> numbers;
  for (const auto& a : attempts) numbers.push_back(a.value("attempt", int64_t{0}));
  EXPECT_EQ(numbers, (std::vector<int64_t>{1, 2, 3, 1, 1}));
  EXPECT_EQ(attempts[0]["status_code"], 500);
  EXPECT_FALSE(attempts[0]["succeeded"].get<bool>());
  EXPECT_TRUE(attempts[0]["error"].is_string());
  EXPECT_EQ(attempts[2]["status_code"], 200);
  EXPECT_TRUE(attempts[2]["succeeded"].get<bool>());
  EXPECT_TRUE(attempts[2]["error"].is_null());
  EXPECT_EQ(attempts[0]["event_id"], got[0].webhook_id);
  EXPECT_EQ(attempts[0]["event_type"], "workspace.created");
}

TEST_F(WebhookDeliveryTest, RetriesAfterARefusedConnection) {
  uint16_t port = RefusingPort();
  StartServer();
  std::string org = NewOrganization("Refused");
  std::string endpoint = CreateEndpoint(org, "http://127.0.0.1:" + std::to_string(port) + "/late");
  CreateWorkspace(org, "Early");
  CreateWorkspace(org, "Later");

  Json attempts;
  ASSERT_TRUE(Eventually([&] {
    attempts = Attempts(org, endpoint);
    return !attempts.empty();
  })) << "no attempt recorded";
  EXPECT_TRUE(attempts[0]["status_code"].is_null()) << attempts.dump();
  EXPECT_FALSE(attempts[0]["succeeded"].get<bool>());
  EXPECT_FALSE(attempts[0].value("error", "").empty());

  // The receiver comes up: the same event is retried, then the next one.
  WebhookReceiver receiver(AlwaysAnswer(200), port);
  ASSERT_TRUE(receiver.WaitForDelivered("/late", 2, milliseconds(20000)));
  auto got = receiver.At("/late");
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].body["data"].value("name", ""), "Early");
  EXPECT_EQ(got[1].body["data"].value("name", ""), "Later");
  EXPECT_EQ(got[0].webhook_id, attempts[0].value("event_id", ""));
  ASSERT_TRUE(Eventually([&] {
    attempts = Attempts(org, endpoint);
    return attempts.size() >= 3 && attempts.back()["succeeded"].get<bool>();
  })) << attempts.dump();
  for (std::size_t i = 0; i + 2 < attempts.size(); ++i) {
    EXPECT_EQ(attempts[i]["event_id"], got[0].webhook_id);
    EXPECT_EQ(attempts[i].value("attempt", int64_t{0}), static_cast<int64_t>(i + 1));
  }
}

TEST_F(WebhookDeliveryTest, GoneDisablesTheEndpoint) {
  WebhookReceiver receiver(AlwaysAnswer(410));
  StartServer();
  std::string org = NewOrganization("Gone");
  std::string endpoint = CreateEndpoint(org, receiver.Url("/gone"));
  CreateWorkspace(org, "One");

  Json state;
  ASSERT_TRUE(Eventually([&] {
    state = Call("GET", org, "/webhooks/" + endpoint).json;
    return state.value("status", "") == "disabled";
  })) << state.dump();
  EXPECT_EQ(state["disabled_reason"], "gone");
  CreateWorkspace(org, "Two");
  std::this_thread::sleep_for(milliseconds(1500));  // a sweep and more
  EXPECT_EQ(receiver.At("/gone").size(), 1u) << "a disabled endpoint was sent to";
  auto attempts = Attempts(org, endpoint);
  ASSERT_EQ(attempts.size(), 1u);
  EXPECT_EQ(attempts[0]["status_code"], 410);
}

TEST_F(WebhookDeliveryTest, ASlowEndpointDoesNotDelayAnotherOrganization) {
  // Three workers: the slow organization may hold two of them, never the third.
  WebhookReceiver slow(AlwaysAnswer(200, milliseconds(10000)));
  WebhookReceiver fast(AlwaysAnswer(200));
  StartServer({"--webhook-workers", "3", "--webhook-timeout", "2s"});
  std::string stuck = NewOrganization("Stuck");
  std::string other = NewOrganization("Other");
  std::vector<std::string> slow_endpoints;
  for (const char* path : {"/s1", "/s2", "/s3"}) {
    slow_endpoints.push_back(CreateEndpoint(stuck, slow.Url(path)));
  }
  std::string fast_endpoint = CreateEndpoint(other, fast.Url("/fast"));
  CreateWorkspace(stuck, "Slow");
  ASSERT_TRUE(Eventually([&] { return slow.At().size() >= 2; }));
  // At most two of the organization's endpoints at once.
  EXPECT_EQ(slow.At().size(), 2u);

  auto start = std::chrono::steady_clock::now();
  CreateWorkspace(other, "Quick");
  ASSERT_TRUE(fast.WaitForDelivered("/fast", 1, milliseconds(10000)));
  auto waited = std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - start);
  EXPECT_LT(waited.count(), 1500) << "the other organization waited for the slow one";

  // The slow attempts time out and are recorded as such.
  Json attempts;
  ASSERT_TRUE(Eventually([&] {
    attempts = Attempts(stuck, slow_endpoints[0]);
    if (attempts.empty()) attempts = Attempts(stuck, slow_endpoints[1]);
    return !attempts.empty();
  })) << "no attempt recorded";
  EXPECT_TRUE(attempts[0]["status_code"].is_null()) << attempts.dump();
  EXPECT_NE(attempts[0].value("error", "").find("timed out"), std::string::npos) << attempts.dump();
}

TEST_F(WebhookDeliveryTest, ATestEventAndAReplayAreSentInOrder) {
  WebhookReceiver receiver(AlwaysAnswer(200));
  StartServer();
  std::string org = NewOrganization("Replays");
  std::string endpoint = CreateEndpoint(org, receiver.Url("/replay"));
  for (const char* name : {"One", "Two", "Three"}) CreateWorkspace(org, name);
  ASSERT_TRUE(receiver.WaitForDelivered("/replay", 3, milliseconds(20000)));
  auto first = receiver.At("/replay");

  auto test = Call("POST", org, "/webhooks/" + endpoint + "/test");
  ASSERT_EQ(test.status, 202) << test.body;
  ASSERT_TRUE(receiver.WaitForDelivered("/replay", 4, milliseconds(20000)));
  auto got = receiver.At("/replay");
  EXPECT_EQ(got[3].webhook_id, test.json.value("event_id", ""));
  EXPECT_EQ(got[3].body.value("type", ""), "webhook.test");
  EXPECT_EQ(got[3].body.value("sequence", int64_t{-1}), 0);

  int64_t from = first[0].body.value("sequence", int64_t{0});
  int64_t to = first[1].body.value("sequence", int64_t{0});
  auto replay = Call("POST", org, "/webhooks/" + endpoint + "/replay",
                     Json{{"from_sequence", from}, {"to_sequence", to}});
  ASSERT_EQ(replay.status, 202) << replay.body;
  ASSERT_TRUE(receiver.WaitForDelivered("/replay", 6, milliseconds(20000)));
  got = receiver.At("/replay");
  EXPECT_EQ(got[4].webhook_id, first[0].webhook_id);
  EXPECT_EQ(got[5].webhook_id, first[1].webhook_id);
  CreateWorkspace(org, "Four");  // new events go on after the replay
  ASSERT_TRUE(receiver.WaitForDelivered("/replay", 7, milliseconds(20000)));
  got = receiver.At("/replay");
  EXPECT_EQ(got.size(), 7u);
  EXPECT_EQ(got[6].body["data"].value("name", ""), "Four");
  Json attempts;
  ASSERT_TRUE(Eventually([&] {
    attempts = Attempts(org, endpoint);
    return attempts.size() == 7;
  })) << attempts.dump();
  EXPECT_EQ(attempts[3].value("sequence", int64_t{-1}), 0);
  EXPECT_EQ(attempts[3]["event_type"], "webhook.test");
}

TEST_F(WebhookDeliveryTest, ADeletedOrganizationsLastEventIsDeliveredAfterItsStoreIsGone) {
  WebhookReceiver receiver([](const std::string&, int nth) { return Answer{nth < 1 ? 503 : 200}; });
  StartServer();
  auto org = CreateOrganization(client(), owner_.token, "Leaving", UniqueSlug("leaving"));
  std::string id = org["id"];
  auto r = Call("POST", id, "/webhooks",
                Json{{"url", receiver.Url("/final")},
                     {"event_types", Json::array({"organization.deleted"})}});
  ASSERT_EQ(r.status, 201) << r.body;
  auto events = Call("GET", id, "/events?limit=200");
  ASSERT_EQ(events.status, 200) << events.body;
  int64_t head = events.json["data"].empty() ? 0 : events.json["data"].back().value("sequence", 0);
  auto deleted = client().Request("DELETE", "/api/v1/organizations/" + id,
                                  Json{{"confirm", org["slug"]}}, Bearer(owner_.token));
  ASSERT_EQ(deleted.status, 204) << deleted.body;

  // Retried after the 503 like any other event, from the catalog: the store is gone.
  ASSERT_TRUE(receiver.WaitForDelivered("/final", 1, milliseconds(20000)));
  auto got = receiver.At("/final");
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].webhook_id, got[1].webhook_id);
  EXPECT_EQ(got[1].body.value("type", ""), "organization.deleted");
  EXPECT_EQ(got[1].body.value("organization_id", ""), id);
  EXPECT_EQ(got[1].body.value("sequence", int64_t{0}), head + 1);
  EXPECT_EQ(got[1].body["data"].value("slug", ""), org["slug"]);
  EXPECT_TRUE(got[1].webhook_signature.starts_with("v1,"));
  EXPECT_TRUE(Eventually([&] {
    return QuerySql(*server_, "", "SELECT COUNT(*) FROM webhook_final_deliveries")[0][0] == "0";
  })) << "the delivered row stays queued";
}

TEST_F(WebhookDeliveryTest, TwoInstancesOnOneStorageDeliverEachEventOnce) {
  WebhookReceiver receiver(AlwaysAnswer(200));
  StartServer();
  ServerProcess second(ServerProcess::SameStorageAs{*server_},
                       {"--allow-private-webhooks", "--webhook-retry-schedule", kRetrySchedule});
  std::vector<std::string> orgs;
  for (const char* name : {"Shared A", "Shared B"}) {
    orgs.push_back(NewOrganization(name));
    CreateEndpoint(orgs.back(), receiver.Url("/" + orgs.back()));
  }
  // Writes through both instances, so both are woken for both organizations.
  constexpr int kPerOrganization = 15;
  for (int i = 0; i < kPerOrganization; ++i) {
    for (const auto& org : orgs) {
      auto& via = i % 2 ? *server_ : second;
      auto r = via.client().Request("POST", "/api/v1/organizations/" + org + "/workspaces",
                                    Json{{"name", "W" + std::to_string(i)}}, Bearer(owner_.token));
      ASSERT_EQ(r.status, 201) << r.body;
    }
  }
  for (const auto& org : orgs) {
    ASSERT_TRUE(receiver.WaitForDelivered("/" + org, kPerOrganization, milliseconds(20000)));
  }
  std::this_thread::sleep_for(milliseconds(1500));  // a duplicate would arrive by now
  for (const auto& org : orgs) {
    auto got = receiver.At("/" + org);
    EXPECT_EQ(got.size(), static_cast<std::size_t>(kPerOrganization)) << org;
    int64_t previous = 0;
    for (const auto& r : got) {
      EXPECT_GT(r.body.value("sequence", int64_t{0}), previous) << "out of order or twice";
      previous = r.body.value("sequence", int64_t{0});
    }
  }
}

TEST(WebhookDeliveryFlags, AnUnusableValueNamesItsFlag) {
  auto data = std::filesystem::temp_directory_path() / ("bulkhead-flags-" + UniqueSlug("d"));
  struct Case {
    std::vector<std::string> flag;
    std::string expected;
  };
  for (const auto& c :
       std::vector<Case>{{{"--webhook-retry-schedule", "0s,5x"}, "--webhook-retry-schedule: '5x'"},
                         {{"--webhook-retry-schedule", "5s,"}, "--webhook-retry-schedule"},
                         {{"--webhook-timeout", "0s"}, "--webhook-timeout"},
                         {{"--webhook-timeout", "ten"}, "--webhook-timeout"},
                         {{"--event-retention", "30"}, "--event-retention"}}) {
    std::vector<std::string> args = {"serve", "--data", data.string(), "--listen", "127.0.0.1:0"};
    args.insert(args.end(), c.flag.begin(), c.flag.end());
    auto r = RunCli(args);
    EXPECT_EQ(r.exit_code, 2) << c.flag[0] << " " << c.flag[1];
    EXPECT_NE(r.err.find(c.expected), std::string::npos) << r.err;
  }
  std::filesystem::remove_all(data);
}

}  // namespace
}  // namespace bulkhead::testing
