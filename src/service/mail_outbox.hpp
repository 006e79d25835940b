#pragma once
// Outgoing mail (invitations) through a durable outbox: each message is first written as an
// RFC 5322 `.eml` file under DATA/outbox/ (so nothing is lost when delivery fails or the
// process dies). With an SMTP server configured, a background thread delivers queued files
// (libcurl) and moves them to DATA/outbox/sent/; a failed delivery is retried with backoff.
// Without one, the files stay for an operator or another system to pick up.
// Thread-safety: Queue is thread-safe; Start/Stop from one thread.

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "core/result.hpp"

namespace bulkhead::service {

struct MailMessage {
  std::string to;       // an address
  std::string subject;  // UTF-8
  std::string body;     // plain text, UTF-8
};

struct MailConfig {
  std::filesystem::path outbox;         // DATA/outbox
  std::optional<std::string> smtp_url;  // smtp://host:port
  std::string from = "Bulkhead <bulkhead@localhost>";
};

class MailOutbox {
 public:
  explicit MailOutbox(MailConfig config);
  ~MailOutbox();
  MailOutbox(const MailOutbox&) = delete;
  MailOutbox& operator=(const MailOutbox&) = delete;

  // Writes the message to the outbox (durably) and wakes the sender.
  core::Status Queue(const MailMessage& message);
  void Start();  // the sender thread, when an SMTP server is configured
  void Stop();

  // The RFC 5322 text of a message (exposed for tests).
  std::string Format(const MailMessage& message, const std::string& message_id) const;

 private:
  void Loop();
  bool SendFile(const std::filesystem::path& file);

  MailConfig config_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;  // GUARDED_BY(mu_)
  bool pending_ = false;   // GUARDED_BY(mu_)
  std::thread thread_;
};

}  // namespace bulkhead::service
