#include "support/dnsmasq.hpp"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netinet/in.h>
#include <resolv.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <stdexcept>
#include <thread>

namespace bulkhead::testing {
namespace {

constexpr const char* kDnsmasq = "/usr/sbin/dnsmasq";
constexpr const char* kProbeName = "bulkhead-probe.test";

// A loopback port free for both UDP and TCP (dnsmasq binds both), chosen by the kernel.
uint16_t FreePort() {
  for (int attempt = 0; attempt < 20; ++attempt) {
    int udp = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(addr);
    bool ok = udp >= 0 && ::bind(udp, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
              ::getsockname(udp, reinterpret_cast<sockaddr*>(&addr), &length) == 0;
    int tcp = ok ? ::socket(AF_INET, SOCK_STREAM, 0) : -1;
    ok = ok && tcp >= 0 && ::bind(tcp, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    if (udp >= 0) ::close(udp);
    if (tcp >= 0) ::close(tcp);
    if (ok) return ntohs(addr.sin_port);
  }
  throw std::runtime_error("no free loopback port for dnsmasq");
}

// Whether the server on `port` answers a TXT query for the probe record.
bool Answers(uint16_t port) {
  struct __res_state state;
  std::memset(&state, 0, sizeof(state));
  if (::res_ninit(&state) != 0) return false;
  sockaddr_in server{};
  server.sin_family = AF_INET;
  server.sin_port = htons(port);
  server.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  state.nsaddr_list[0] = server;
  state.nscount = 1;
  state.retrans = 1;
  state.retry = 1;
  unsigned char answer[512];
  int n = ::res_nquery(&state, kProbeName, ns_c_in, ns_t_txt, answer, sizeof(answer));
  ::res_nclose(&state);
  return n > 0;
}

}  // namespace

Dnsmasq::Dnsmasq() {
  // The port is free when chosen but may be taken before dnsmasq binds it: try another.
  for (int attempt = 1;; ++attempt) {
    port_ = FreePort();
    try {
      Restart();
      return;
    } catch (const std::runtime_error&) {
      if (attempt == 5) throw;
    }
  }
}

Dnsmasq::~Dnsmasq() { Kill(); }

void Dnsmasq::SetTxt(const std::string& name, std::vector<std::string> values) {
  records_[name] = std::move(values);
  Restart();
}

void Dnsmasq::RemoveTxt(const std::string& name) {
  records_.erase(name);
  Restart();
}

void Dnsmasq::Kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

void Dnsmasq::Restart() {
  // A restart keeps its port (the server under test was told it). Something may grab the
  // port in the instant between two runs: try again a few times.
  for (int attempt = 1;; ++attempt) {
    try {
      Start();
      return;
    } catch (const std::runtime_error&) {
      if (attempt == 5) throw;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
}

void Dnsmasq::Start() {
  Kill();
  std::vector<std::string> args = {kDnsmasq,
                                   "--keep-in-foreground",
                                   "--conf-file=/dev/null",
                                   "--no-resolv",
                                   "--no-hosts",
                                   "--no-poll",
                                   "--local=/#/",  // answer NXDOMAIN for unknown names
                                   "--listen-address=127.0.0.1",
                                   "--bind-interfaces",
                                   "--port=" + std::to_string(port_),
                                   "--pid-file=",
                                   "--log-facility=/dev/null",
                                   std::string("--txt-record=") + kProbeName + ",ready"};
  if (::geteuid() == 0) args.push_back("--user=root");  // stay root rather than become nobody
  for (const auto& [name, values] : records_) {
    // dnsmasq puts several values of one option into one record; one option per value gives
    // one record per value, as a DNS provider does.
    for (const auto& value : values) args.push_back("--txt-record=" + name + "," + value);
  }
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::freopen("/dev/null", "w", stdout);
    ::freopen("/dev/null", "w", stderr);
    ::execv(kDnsmasq, argv.data());
    ::_exit(127);
  }
  pid_ = pid;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("dnsmasq exited at start (is dnsmasq-base installed?)");
    }
    if (Answers(port_)) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  Kill();
  throw std::runtime_error("dnsmasq did not answer on port " + std::to_string(port_));
}

}  // namespace bulkhead::testing
