#pragma once
// JSON lines (access log, routing log, server events) written by a background thread, so that
// a request never waits for a disk, a terminal or a pipe. Lines are flushed at least every
// 100 ms and at Stop(). A LineSink says where they go: a stream, or a file rotated by size.
// Thread-safety: LineWriter::Write is thread-safe; a sink is used by the writer thread only.

#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace bulkhead::http {

class LineSink {
 public:
  virtual ~LineSink() = default;
  virtual void Append(const std::vector<std::string>& lines) = 0;
};

// An already open stream (stdout); not closed.
class StreamSink final : public LineSink {
 public:
  explicit StreamSink(std::FILE* out);
  void Append(const std::vector<std::string>& lines) override;

 private:
  std::FILE* out_;
};

// A vector the caller owns, appended to (in-process uses: the pipeline's and gate's tests read
// what was logged once the writer has flushed).
class VectorSink final : public LineSink {
 public:
  explicit VectorSink(std::vector<std::string>& out) : out_(out) {}
  void Append(const std::vector<std::string>& lines) override {
    out_.insert(out_.end(), lines.begin(), lines.end());
  }

 private:
  std::vector<std::string>& out_;
};

// `path`, appended to; when it would grow past `max_bytes` it becomes `path.1` (the older
// ones shift to `.2` ... `.keep`, the oldest is dropped) and a new file starts.
class RotatingFileSink final : public LineSink {
 public:
  // Creates the parent directory; throws std::runtime_error when the file cannot be opened.
  RotatingFileSink(std::filesystem::path path, std::uintmax_t max_bytes, int keep);
  ~RotatingFileSink() override;
  void Append(const std::vector<std::string>& lines) override;

 private:
  void Open();
  void Rotate();

  std::filesystem::path path_;
  std::uintmax_t max_bytes_;
  int keep_;
  std::FILE* file_ = nullptr;
  std::uintmax_t size_ = 0;
};

class LineWriter {
 public:
  explicit LineWriter(std::FILE* out);
  explicit LineWriter(std::unique_ptr<LineSink> sink);
  ~LineWriter();
  LineWriter(const LineWriter&) = delete;
  LineWriter& operator=(const LineWriter&) = delete;

  void Write(std::string line);  // without the trailing newline
  void Stop();                   // writes what is queued, then ends the thread

 private:
  void Loop();

  std::unique_ptr<LineSink> sink_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::vector<std::string> queue_;  // GUARDED_BY(mu_)
  bool stopping_ = false;           // GUARDED_BY(mu_)
  std::thread thread_;
};

}  // namespace bulkhead::http
