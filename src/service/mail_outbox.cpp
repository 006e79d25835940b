#include "service/mail_outbox.hpp"

#include <curl/curl.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <fstream>
#include <sstream>
#include <vector>

#include "core/uuid.hpp"

namespace bulkhead::service {
namespace {

constexpr auto kRetryMin = std::chrono::seconds(1);
constexpr auto kRetryMax = std::chrono::seconds(60);
constexpr long kSmtpTimeoutSeconds = 20;

// "Name <addr@host>" -> "<addr@host>"; a bare address gets the brackets.
std::string EnvelopeAddress(const std::string& address) {
  auto open = address.find('<');
  auto close = address.find('>', open == std::string::npos ? 0 : open);
  if (open != std::string::npos && close != std::string::npos) {
    return address.substr(open, close - open + 1);
  }
  return "<" + address + ">";
}

std::string RecipientOf(const std::string& eml) {
  std::istringstream in(eml);
  for (std::string line; std::getline(in, line) && line != "\r" && !line.empty();) {
    if (line.rfind("To: ", 0) == 0) {
      std::string to = line.substr(4);
      if (!to.empty() && to.back() == '\r') to.pop_back();
      return to;
    }
  }
  return "";
}

// Header values are plain ASCII or RFC 2047 encoded (base64) when they are not.
std::string EncodeHeader(const std::string& value) {
  bool ascii = std::all_of(value.begin(), value.end(), [](char c) {
    return static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7F;
  });
  if (ascii) return value;
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < value.size(); i += 3) {
    unsigned n = (static_cast<unsigned char>(value[i]) << 16) |
                 (static_cast<unsigned char>(value[i + 1]) << 8) |
                 static_cast<unsigned char>(value[i + 2]);
    for (int k = 18; k >= 0; k -= 6) out += kAlphabet[(n >> k) & 63];
  }
  if (i < value.size()) {
    unsigned n = static_cast<unsigned char>(value[i]) << 16;
    if (i + 1 < value.size()) n |= static_cast<unsigned char>(value[i + 1]) << 8;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < value.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return "=?UTF-8?B?" + out + "?=";
}

// Lines end in CRLF; a line starting with '.' is doubled on the wire by libcurl, not here.
std::string ToCrlf(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\n')
      out += "\r\n";
    else if (c != '\r')
      out += c;
  }
  return out;
}

struct Upload {
  const std::string* data;
  std::size_t offset = 0;
};

std::size_t ReadUpload(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* upload = static_cast<Upload*>(user);
  std::size_t n = std::min(size * count, upload->data->size() - upload->offset);
  std::copy_n(upload->data->data() + upload->offset, n, buffer);
  upload->offset += n;
  return n;
}

bool WriteDurably(const std::filesystem::path& path, const std::string& text) {
  auto temporary = path;
  temporary += ".tmp";
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
            ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) return false;
  std::error_code ec;
  std::filesystem::rename(temporary, path, ec);
  return !ec;
}

}  // namespace

MailOutbox::MailOutbox(MailConfig config) : config_(std::move(config)) {
  static std::once_flag curl_once;
  std::call_once(curl_once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

MailOutbox::~MailOutbox() {
  Stop();
}

std::string MailOutbox::Format(const MailMessage& m, const std::string& message_id) const {
  char date[64];
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  std::string text;
  text += "From: " + config_.from + "\r\n";
  text += "To: " + m.to + "\r\n";
  text += "Subject: " + EncodeHeader(m.subject) + "\r\n";
  text += std::string("Date: ") + date + "\r\n";
  text += "Message-ID: <" + message_id + "@bulkhead>\r\n";
  text += "MIME-Version: 1.0\r\n";
  text += "Content-Type: text/plain; charset=utf-8\r\n";
  text += "Content-Transfer-Encoding: 8bit\r\n\r\n";
  text += ToCrlf(m.body);
  if (text.size() < 2 || text.compare(text.size() - 2, 2, "\r\n") != 0) text += "\r\n";
  return text;
}

core::Status MailOutbox::Queue(const MailMessage& message) {
  std::error_code ec;
  std::filesystem::create_directories(config_.outbox, ec);
  std::string id = core::NewUuidV7();
  if (!WriteDurably(config_.outbox / (id + ".eml"), Format(message, id))) {
    return core::Error::Internal("cannot write to the mail outbox " + config_.outbox.string());
  }
  {
    std::lock_guard lock(mu_);
    pending_ = true;
  }
  wake_.notify_one();
  return core::Ok();
}

void MailOutbox::Start() {
  if (!config_.smtp_url || thread_.joinable()) return;
  {
    std::lock_guard lock(mu_);
    pending_ = true;  // deliver what an earlier run left queued
  }
  thread_ = std::thread([this] { Loop(); });
}

void MailOutbox::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool MailOutbox::SendFile(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::string eml((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string to = RecipientOf(eml);
  if (to.empty()) return false;
  CURL* curl = curl_easy_init();
  if (!curl) return false;
  Upload upload{&eml};
  curl_slist* recipients = curl_slist_append(nullptr, EnvelopeAddress(to).c_str());
  std::string from = EnvelopeAddress(config_.from);
  curl_easy_setopt(curl, CURLOPT_URL, config_.smtp_url->c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, recipients);
  curl_easy_setopt(curl, CURLOPT_READFUNCTION, ReadUpload);
  curl_easy_setopt(curl, CURLOPT_READDATA, &upload);
  curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, kSmtpTimeoutSeconds);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  CURLcode rc = curl_easy_perform(curl);
  curl_slist_free_all(recipients);
  curl_easy_cleanup(curl);
  return rc == CURLE_OK;
}

void MailOutbox::Loop() {
  auto backoff = kRetryMin;
  while (true) {
    {
      std::unique_lock lock(mu_);
      // New mail wakes the sender; otherwise the queue is looked at again after `backoff`.
      wake_.wait_for(lock, backoff, [this] { return stopping_ || pending_; });
      if (stopping_) return;
      pending_ = false;
    }
    std::vector<std::filesystem::path> files;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(config_.outbox, ec)) {
      if (entry.path().extension() == ".eml") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());  // UUIDv7 names: oldest first
    bool failed = false;
    for (const auto& file : files) {
      {
        std::lock_guard lock(mu_);
        if (stopping_) return;
      }
      if (!SendFile(file)) {
        failed = true;
        break;  // the server is unreachable or refusing: try again later, in order
      }
      std::filesystem::create_directories(config_.outbox / "sent", ec);
      std::filesystem::rename(file, config_.outbox / "sent" / file.filename(), ec);
    }
    backoff =
        failed ? std::min(backoff * 2, std::chrono::duration_cast<std::chrono::seconds>(kRetryMax))
               : kRetryMin;
  }
}

}  // namespace bulkhead::service
