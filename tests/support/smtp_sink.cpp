#include "support/smtp_sink.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace bulkhead::testing {
namespace {

bool SendLine(int fd, const std::string& line) {
  std::string out = line + "\r\n";
  return ::send(fd, out.data(), out.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(out.size());
}

// Reads one CRLF-terminated line (without it) from `fd`, buffering in `pending`.
bool ReadLine(int fd, std::string& pending, std::string& line) {
  while (true) {
    auto end = pending.find("\r\n");
    if (end != std::string::npos) {
      line = pending.substr(0, end);
      pending.erase(0, end + 2);
      return true;
    }
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 10000) <= 0) return false;
    char buffer[4096];
    ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) return false;
    pending.append(buffer, static_cast<std::size_t>(n));
  }
}

std::string Upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string Address(const std::string& argument) {
  auto open = argument.find('<');
  auto close = argument.find('>');
  if (open == std::string::npos || close == std::string::npos || close < open) return argument;
  return argument.substr(open + 1, close - open - 1);
}

}  // namespace

SmtpSink::SmtpSink() {
  listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (listener_ < 0) throw std::runtime_error("socket() failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof addr;
  if (::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listener_, 16) != 0 ||
      ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &length) != 0) {
    ::close(listener_);
    throw std::runtime_error("cannot listen on loopback for the SMTP sink");
  }
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] { Serve(); });
}

SmtpSink::~SmtpSink() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  ::shutdown(listener_, SHUT_RDWR);
  if (thread_.joinable()) thread_.join();
  ::close(listener_);
}

std::vector<ReceivedMail> SmtpSink::WaitFor(std::size_t count, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  arrived_.wait_for(lock, timeout, [&] { return mail_.size() >= count; });
  return mail_;
}

void SmtpSink::Serve() {
  while (true) {
    pollfd p{listener_, POLLIN, 0};
    int ready = ::poll(&p, 1, 100);
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
    }
    if (ready <= 0) continue;
    int fd = ::accept(listener_, nullptr, nullptr);
    if (fd < 0) continue;
    Session(fd);  // one client at a time is enough for tests
    ::close(fd);
  }
}

void SmtpSink::Session(int fd) {
  std::string pending, line;
  ReceivedMail current;
  if (!SendLine(fd, "220 sink.test ESMTP test sink")) return;
  while (ReadLine(fd, pending, line)) {
    std::string verb = Upper(line.substr(0, 4));
    if (verb == "EHLO") {
      SendLine(fd, "250-sink.test");
      SendLine(fd, "250 8BITMIME");
    } else if (verb == "HELO") {
      SendLine(fd, "250 sink.test");
    } else if (verb == "MAIL") {
      current = ReceivedMail{Address(line), {}, ""};
      SendLine(fd, "250 OK");
    } else if (verb == "RCPT") {
      current.recipients.push_back(Address(line));
      SendLine(fd, "250 OK");
    } else if (verb == "DATA") {
      SendLine(fd, "354 End data with <CR><LF>.<CR><LF>");
      std::string data;
      while (ReadLine(fd, pending, line) && line != ".") {
        if (!line.empty() && line[0] == '.') line.erase(0, 1);  // dot-unstuffing
        data += line + "\r\n";
      }
      current.data = std::move(data);
      {
        std::lock_guard lock(mu_);
        mail_.push_back(current);
      }
      arrived_.notify_all();
      SendLine(fd, "250 OK queued");
    } else if (verb == "RSET" || verb == "NOOP") {
      SendLine(fd, "250 OK");
    } else if (verb == "QUIT") {
      SendLine(fd, "221 Bye");
      return;
    } else {
      SendLine(fd, "502 Command not implemented");
    }
  }
}

}  // namespace bulkhead::testing
