#pragma once
// A real SMTP server for tests, on 127.0.0.1 and a free port: it speaks enough of RFC 5321
// (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) for a real client to deliver to it, and keeps
// every message it accepts. Thread-safety: thread-safe.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace bulkhead::testing {

struct ReceivedMail {
  std::string from;                     // MAIL FROM:<...>
  std::vector<std::string> recipients;  // RCPT TO:<...>
  std::string data;                     // the message, dot-unstuffed
};

class SmtpSink {
 public:
  SmtpSink();
  ~SmtpSink();
  SmtpSink(const SmtpSink&) = delete;
  SmtpSink& operator=(const SmtpSink&) = delete;

  uint16_t port() const { return port_; }
  std::string url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }
  // Waits until at least `count` messages arrived (or the timeout); returns all of them.
  std::vector<ReceivedMail> WaitFor(std::size_t count, std::chrono::milliseconds timeout);

 private:
  void Serve();
  void Session(int fd);

  int listener_ = -1;
  uint16_t port_ = 0;
  std::mutex mu_;
  std::condition_variable arrived_;
  std::vector<ReceivedMail> mail_;  // GUARDED_BY(mu_)
  bool stopping_ = false;           // GUARDED_BY(mu_)
  std::thread thread_;
};

}  // namespace bulkhead::testing
