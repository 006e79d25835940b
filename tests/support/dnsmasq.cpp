#include "support/dnsmasq.hpp"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <resolv.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string_view>
#include <thread>

namespace bulkhead::testing {
namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kDnsmasq = "/usr/sbin/dnsmasq";
constexpr const char* kProbeName = "bulkhead-probe.test";
constexpr auto kStartTimeout = std::chrono::seconds(5);
constexpr auto kStopTimeout = std::chrono::seconds(2);

sockaddr_in Loopback(uint16_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

// Binds a socket of `type` to 127.0.0.1:`port` (0: any) and returns the port, or 0.
uint16_t BindAndRelease(int type, uint16_t port) {
  int fd = ::socket(AF_INET, type | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  sockaddr_in address = Loopback(port);
  socklen_t length = sizeof(address);
  bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
            ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
  ::close(fd);
  return ok ? ntohs(address.sin_port) : 0;
}

// A port the kernel just gave out for UDP and that is free for TCP too (dnsmasq binds both).
uint16_t FreePort() {
  for (int attempt = 0; attempt < 20; ++attempt) {
    uint16_t port = BindAndRelease(SOCK_DGRAM, 0);
    if (port != 0 && BindAndRelease(SOCK_STREAM, port) == port) return port;
  }
  throw std::runtime_error("Dnsmasq: found no free loopback port");
}

std::string ProbeValue(unsigned generation) {
  return "start-" + std::to_string(::getpid()) + "-" + std::to_string(generation);
}

}  // namespace

Dnsmasq::Dnsmasq() {
  if (::access(kDnsmasq, X_OK) != 0) {
    throw std::runtime_error(std::string("Dnsmasq: ") + kDnsmasq +
                             " is missing (install the dnsmasq-base package)");
  }
  // The port is free when chosen but something may take it before dnsmasq binds it.
  for (int attempt = 1;; ++attempt) {
    port_ = FreePort();
    log_path_ = (std::filesystem::temp_directory_path() /
                 ("bulkhead-dnsmasq-" + std::to_string(port_) + ".log"))
                    .string();
    try {
      Start();
      return;
    } catch (const std::runtime_error&) {
      std::remove(log_path_.c_str());
      if (attempt == 3) throw;
    }
  }
}

Dnsmasq::~Dnsmasq() {
  Stop();
  std::remove(log_path_.c_str());
}

void Dnsmasq::SetTxt(const std::string& name, std::vector<std::string> values) {
  records_[name] = std::move(values);
  Restart();
}

void Dnsmasq::RemoveTxt(const std::string& name) {
  records_.erase(name);
  Restart();
}

void Dnsmasq::Restart() {
  // The port must stay (the code under test was told it), but it is an ephemeral port that a
  // client socket may hold for a moment between two runs: retry briefly.
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
  Stop();
  ++generation_;
  // --no-daemon (unlike --keep-in-foreground alone) also keeps dnsmasq's uid, so it does not
  // switch to "nobody" when run as root, and it answers TCP in-process instead of forking.
  // --local=/#/ makes unknown names NXDOMAIN: without upstream servers dnsmasq REFUSES them,
  // which glibc reports as a timeout.
  std::vector<std::string> args = {
      kDnsmasq,
      "--no-daemon",
      "--keep-in-foreground",
      "--conf-file=/dev/null",
      "--no-resolv",
      "--no-hosts",
      "--no-poll",
      "--local=/#/",
      "--listen-address=127.0.0.1",
      "--bind-interfaces",
      "--port=" + std::to_string(port_),
      "--pid-file=",
      "--log-facility=-",
      std::string("--txt-record=") + kProbeName + "," + ProbeValue(generation_)};
  for (const auto& [name, values] : records_) {
    // One option per value: several values in one option would make one record.
    for (const auto& value : values) args.push_back("--txt-record=" + name + "," + value);
  }
  // Everything the child needs is prepared here: after fork() in a threaded process only
  // async-signal-safe calls are allowed.
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  const pid_t parent = ::getpid();

  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("Dnsmasq: fork failed");
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(126);  // the parent died before prctl
    int null = ::open("/dev/null", O_RDONLY);
    int log = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (null < 0 || log < 0) ::_exit(126);
    ::dup2(null, STDIN_FILENO);
    ::dup2(log, STDOUT_FILENO);
    ::dup2(log, STDERR_FILENO);
    ::close_range(3, ~0U, 0);  // no test sockets or files leak into dnsmasq
    sigset_t none;
    ::sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execv(kDnsmasq, argv.data());
    ::_exit(127);
  }
  pid_ = pid;

  auto deadline = Clock::now() + kStartTimeout;
  while (Clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("Dnsmasq: dnsmasq exited at start on port " + std::to_string(port_) +
                               ": " + LogTail());
    }
    if (Answers()) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  Stop();
  throw std::runtime_error("Dnsmasq: dnsmasq did not answer on port " + std::to_string(port_) +
                           " within 5 s: " + LogTail());
}

void Dnsmasq::Stop() noexcept {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  auto deadline = Clock::now() + kStopTimeout;
  int status = 0;
  for (pid_t reaped = 0; reaped != pid_;) {
    reaped = ::waitpid(pid_, &status, WNOHANG);
    if (reaped < 0 && errno != EINTR) break;  // not our child any more: nothing to reap
    if (reaped == 0 && Clock::now() >= deadline) {
      ::kill(pid_, SIGKILL);
      deadline = Clock::time_point::max();
    }
    if (reaped != pid_) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  pid_ = -1;
}

// Whether this start's dnsmasq answers a real query: the probe value differs per start, so an
// answer from anything else on the port does not count.
bool Dnsmasq::Answers() const {
  struct __res_state state {};
  if (::res_ninit(&state) != 0) return false;
  // resolv.conf's IPv6 servers: res_nclose would free only those below the new nscount.
  for (auto*& address : state._u._ext.nsaddrs) {
    std::free(address);
    address = nullptr;
  }
  state.nsaddr_list[0] = Loopback(port_);
  state.nscount = 1;
  state.retrans = 1;
  state.retry = 1;
  std::array<unsigned char, NS_PACKETSZ> answer{};
  int n = ::res_nquery(&state, kProbeName, ns_c_in, ns_t_txt, answer.data(),
                       static_cast<int>(answer.size()));
  ::res_nclose(&state);
  if (n <= 0) return false;
  std::string_view message(reinterpret_cast<const char*>(answer.data()),
                           std::min(static_cast<std::size_t>(n), answer.size()));
  return message.find(ProbeValue(generation_)) != std::string_view::npos;
}

std::string Dnsmasq::LogTail() const {
  std::ifstream in(log_path_);
  std::string log((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (log.size() > 2000) log.erase(0, log.size() - 2000);
  return log.empty() ? "(no output)" : log;
}

}  // namespace bulkhead::testing
