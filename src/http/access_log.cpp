#include "http/access_log.hpp"

#include <chrono>
#include <stdexcept>
#include <system_error>

namespace bulkhead::http {

StreamSink::StreamSink(std::FILE* out) : out_(out) {
  std::setvbuf(out_, nullptr, _IOFBF, 1 << 20);  // before any output; flushed per batch
}

void StreamSink::Append(const std::vector<std::string>& lines) {
  for (const auto& line : lines) {
    std::fwrite(line.data(), 1, line.size(), out_);
    std::fputc('\n', out_);
  }
  std::fflush(out_);
}

RotatingFileSink::RotatingFileSink(std::filesystem::path path, std::uintmax_t max_bytes, int keep)
    : path_(std::move(path)), max_bytes_(max_bytes), keep_(keep < 1 ? 1 : keep) {
  std::error_code ec;
  if (path_.has_parent_path()) std::filesystem::create_directories(path_.parent_path(), ec);
  Open();
  if (!file_) throw std::runtime_error("cannot open log file " + path_.string());
}

RotatingFileSink::~RotatingFileSink() {
  if (file_) std::fclose(file_);
}

void RotatingFileSink::Open() {
  file_ = std::fopen(path_.c_str(), "ae");
  // Lines arrive in batches; a large buffer turns each batch into a few write(2) calls.
  if (file_) std::setvbuf(file_, nullptr, _IOFBF, 1 << 20);
  std::error_code ec;
  auto size = std::filesystem::file_size(path_, ec);
  size_ = ec ? 0 : size;
}

void RotatingFileSink::Rotate() {
  if (file_) std::fclose(file_);
  file_ = nullptr;
  std::error_code ec;
  auto numbered = [&](int n) {
    return std::filesystem::path(path_.string() + "." + std::to_string(n));
  };
  std::filesystem::remove(numbered(keep_), ec);
  for (int n = keep_ - 1; n >= 1; --n) std::filesystem::rename(numbered(n), numbered(n + 1), ec);
  std::filesystem::rename(path_, numbered(1), ec);
  Open();
}

void RotatingFileSink::Append(const std::vector<std::string>& lines) {
  for (const auto& line : lines) {
    if (size_ > 0 && size_ + line.size() + 1 > max_bytes_) Rotate();
    if (!file_) Open();
    if (!file_) return;  // the disk went away: the lines are lost, the server keeps serving
    std::fwrite(line.data(), 1, line.size(), file_);
    std::fputc('\n', file_);
    size_ += line.size() + 1;
  }
  if (file_) std::fflush(file_);
}

LineWriter::LineWriter(std::FILE* out) : LineWriter(std::make_unique<StreamSink>(out)) {}

LineWriter::LineWriter(std::unique_ptr<LineSink> sink)
    : sink_(std::move(sink)), thread_([this] { Loop(); }) {}

LineWriter::~LineWriter() {
  Stop();
}

void LineWriter::Write(std::string line) {
  std::lock_guard lock(mu_);
  queue_.push_back(std::move(line));
}

void LineWriter::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void LineWriter::Loop() {
  std::vector<std::string> batch;
  while (true) {
    bool last;
    {
      std::unique_lock lock(mu_);
      wake_.wait_for(lock, std::chrono::milliseconds(100), [this] { return stopping_; });
      batch.swap(queue_);
      last = stopping_;
    }
    if (!batch.empty()) sink_->Append(batch);
    batch.clear();
    if (last) return;
  }
}

}  // namespace bulkhead::http
