#include "http/access_log.hpp"

#include <chrono>

namespace bulkhead::http {

LineWriter::LineWriter(std::FILE* out) : out_(out), thread_([this] { Loop(); }) {}

LineWriter::~LineWriter() { Stop(); }

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
    for (const auto& line : batch) {
      std::fwrite(line.data(), 1, line.size(), out_);
      std::fputc('\n', out_);
    }
    if (!batch.empty()) std::fflush(out_);
    batch.clear();
    if (last) return;
  }
}

}  // namespace bulkhead::http
