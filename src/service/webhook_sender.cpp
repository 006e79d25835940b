#include "service/webhook_sender.hpp"

#include <curl/curl.h>
#include <sys/socket.h>

#include <chrono>
#include <mutex>

#include "core/webhook_url.hpp"

namespace bulkhead::service {
namespace {

constexpr long kMaxCachedConnections = 16;
constexpr const char* kUserAgent = "Bulkhead-Webhooks/1";

struct Transfer {
  bool allow_private = false;
  bool blocked = false;        // a connection to a blocked address was refused
  std::size_t body_bytes = 0;  // of the response, read so far
  bool body_too_large = false;
};

// Called for every socket libcurl opens (each address it tries, after DNS): refuses internal
// addresses unless allowed, so DNS rebinding gains nothing.
curl_socket_t OpenSocket(void* user, curlsocktype purpose, curl_sockaddr* address) {
  auto* transfer = static_cast<Transfer*>(user);
  if (!transfer->allow_private &&
      core::IsBlockedAddress(reinterpret_cast<const sockaddr*>(&address->addr))) {
    transfer->blocked = true;
    return CURL_SOCKET_BAD;
  }
  return ::socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

std::size_t DiscardBody(char*, std::size_t size, std::size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  transfer->body_bytes += size * count;
  if (transfer->body_bytes > WebhookSender::kMaxResponseBytes) {
    transfer->body_too_large = true;
    return 0;  // stops the transfer: we have the status line, the rest is not ours to read
  }
  return size * count;
}

}  // namespace

struct WebhookSender::Handle {
  CURL* curl = nullptr;
  ~Handle() {
    if (curl) curl_easy_cleanup(curl);
  }
};

WebhookSender::WebhookSender(WebhookSenderOptions options)
    : options_(options), handle_(std::make_unique<Handle>()) {
  static std::once_flag curl_once;
  std::call_once(curl_once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  handle_->curl = curl_easy_init();
}

WebhookSender::~WebhookSender() = default;

WebhookResponse WebhookSender::Post(const WebhookRequest& request) {
  WebhookResponse response;
  CURL* curl = handle_->curl;
  if (!curl) {
    response.error = "cannot create an HTTP client";
    return response;
  }
  // Reset keeps the connection cache: the next POST to the same receiver reuses its connection.
  curl_easy_reset(curl);
  Transfer transfer{.allow_private = options_.allow_private};
  char error_buffer[CURL_ERROR_SIZE] = {0};
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, "content-type: application/json");
  headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip on big bodies
  for (const auto& [name, value] : request.headers) {
    headers = curl_slist_append(headers, (name + ": " + value).c_str());
  }
  const char* protocols = options_.allow_private ? "http,https" : "https";
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, protocols);
  curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, protocols);
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_PROXY, "");
  curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, kUserAgent);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout_ms));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_MAXCONNECTS, kMaxCachedConnections);
  curl_easy_setopt(curl, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, OpenSocket);
  curl_easy_setopt(curl, CURLOPT_OPENSOCKETDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, DiscardBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);

  auto start = std::chrono::steady_clock::now();
  CURLcode rc = curl_easy_perform(curl);
  response.latency_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now() - start)
                            .count();
  curl_slist_free_all(headers);

  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  if (rc == CURLE_OK || (rc == CURLE_WRITE_ERROR && transfer.body_too_large && status > 0)) {
    response.status_code = static_cast<int>(status);
    return response;
  }
  if (transfer.blocked) {
    response.error = "refused: the endpoint's address is private, loopback or link-local";
  } else if (rc == CURLE_UNSUPPORTED_PROTOCOL) {
    response.error = options_.allow_private ? "only http:// and https:// URLs can be delivered to"
                                            : "only https:// URLs can be delivered to";
  } else if (rc == CURLE_OPERATION_TIMEDOUT) {
    response.error = "timed out after " + std::to_string(options_.timeout_ms) + " ms";
  } else {
    response.error = error_buffer[0] ? std::string(error_buffer) : curl_easy_strerror(rc);
  }
  return response;
}

}  // namespace bulkhead::service
