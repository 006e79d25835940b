#pragma once
// JSON lines (access log, server events) written by a background thread, so that a request
// never waits for the terminal or a pipe. Lines are flushed at least every 100 ms and at Stop().
// Thread-safety: Write is thread-safe.

#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace bulkhead::http {

class LineWriter {
 public:
  explicit LineWriter(std::FILE* out);
  ~LineWriter();
  LineWriter(const LineWriter&) = delete;
  LineWriter& operator=(const LineWriter&) = delete;

  void Write(std::string line);  // without the trailing newline
  void Stop();                   // writes what is queued, then ends the thread

 private:
  void Loop();

  std::FILE* out_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::vector<std::string> queue_;  // GUARDED_BY(mu_)
  bool stopping_ = false;           // GUARDED_BY(mu_)
  std::thread thread_;
};

}  // namespace bulkhead::http
