#pragma once
// The web console's files (console/dist, built by Vite), served under /console/ by the binary
// itself. Every file is read into memory once, at start: a request can only ever reach a file
// that was indexed then, by its exact relative path (no file system access, no `..`).
//   /console                 -> 308 to /console/
//   /console/assets/<name>   -> the hashed file, cached for a year (immutable); 404 if unknown
//   /console/<file.ext>      -> the file (no-cache); 404 if unknown
//   /console/<anything else> -> index.html (no-cache): the console routes on the client
// A file with a precompressed `<file>.gz` beside it is sent gzipped to clients that accept it
// (Vary: Accept-Encoding). Every answer carries the console's Content-Security-Policy. Without
// an index.html (the console was never built) the pages answer 503 console_not_built.
// Thread-safety: immutable after Load; Serve is thread-safe.

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>

#include "http/message.hpp"
#include "http/pipeline.hpp"

namespace bulkhead::api {

inline constexpr std::string_view kConsoleCsp =
    "default-src 'self'; img-src 'self' https: data:; style-src 'self' 'unsafe-inline'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

class ConsoleAssets final : public http::Mount {
 public:
  ConsoleAssets() = default;  // nothing built
  // Reads the regular files under `dir` (symbolic links are skipped). A missing directory is
  // a console that was not built, not an error.
  static ConsoleAssets Load(const std::filesystem::path& dir);

  bool built() const { return files_.contains("index.html"); }
  std::size_t file_count() const { return files_.size(); }
  std::size_t total_bytes() const { return total_bytes_; }
  const std::filesystem::path& dir() const { return dir_; }

  std::string_view prefix() const override { return "/console"; }
  http::Response Serve(const http::Request& request, std::string_view request_id) const override;

 private:
  struct File {
    std::string body;
    std::string gzip;  // the precompressed variant; empty: none
    std::string content_type;
    std::string etag;  // of `body`; the gzip variant's is `etag` with "-gz" before the quote
  };
  http::Response Send(const http::Request& request, const File& file,
                      std::string_view cache_control) const;

  std::filesystem::path dir_;
  std::unordered_map<std::string, File> files_;  // by path relative to dir_, '/'-separated
  std::size_t total_bytes_ = 0;
};

// The Content-Type for a file name, by its extension.
std::string ContentTypeOf(std::string_view name);
// Whether an Accept-Encoding header value accepts gzip (RFC 9110 12.5.3: "gzip" or "*",
// without q=0).
bool AcceptsGzip(std::string_view accept_encoding);

}  // namespace bulkhead::api
