#pragma once
// One webhook POST at a time over libcurl, for one dispatcher worker. The easy handle (and with
// it the connections it opened) is kept from one request to the next, so deliveries to the same
// receiver reuse a keep-alive connection instead of a TCP (and TLS) handshake each.
// What it refuses: redirects (a 3xx is an answer, not a hop), proxies, any scheme but https
// (http too with allow_private), and, unless allow_private, a connection to any address
// core::IsBlockedAddress names: checked on the socket being opened, after DNS, so a hostname
// that resolves (or re-resolves) to an internal address is refused too.
// Thread-safety: one WebhookSender per thread.

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace bulkhead::service {

struct WebhookSenderOptions {
  int64_t timeout_ms = 10'000;  // the whole attempt: connect, send, response
  bool allow_private = false;   // http:// and internal addresses (tests, private deployments)
};

struct WebhookRequest {
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;  // besides content-type
  std::string body;
};

struct WebhookResponse {
  int status_code = 0;  // 0: no HTTP response
  std::string error;    // why there was no response; "" when there was one
  int64_t latency_ms = 0;
  bool succeeded() const { return status_code >= 200 && status_code < 300; }
};

class WebhookSender {
 public:
  explicit WebhookSender(WebhookSenderOptions options);
  ~WebhookSender();
  WebhookSender(const WebhookSender&) = delete;
  WebhookSender& operator=(const WebhookSender&) = delete;

  WebhookResponse Post(const WebhookRequest& request);

  // Response bodies are read up to this many bytes, then the connection is dropped.
  static constexpr std::size_t kMaxResponseBytes = 64 * 1024;

 private:
  struct Handle;
  WebhookSenderOptions options_;
  std::unique_ptr<Handle> handle_;
};

}  // namespace bulkhead::service
