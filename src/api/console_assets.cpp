#include "api/console_assets.hpp"

#include <strings.h>

#include <cctype>
#include <fstream>
#include <iterator>
#include <system_error>

#include "crypto/token.hpp"
#include "http/problem.hpp"

namespace bulkhead::api {

using core::Error;
using core::ErrorCode;

namespace {

// A built console is a few dozen files of a few hundred kB; these bound what a wrong
// --console-dir (a home directory) could pull into memory.
constexpr std::size_t kMaxFiles = 4096;
constexpr std::size_t kMaxTotalBytes = std::size_t{256} << 20;
constexpr std::string_view kAssetsDir = "assets/";
constexpr std::string_view kImmutable = "public, max-age=31536000, immutable";
constexpr std::string_view kRevalidate = "no-cache";

void SetSecurityHeaders(http::Response& response) {
  response.SetHeader("Content-Security-Policy", std::string(kConsoleCsp));
  response.SetHeader("X-Content-Type-Options", "nosniff");
  response.SetHeader("Referrer-Policy", "no-referrer");
}

http::Response Problem(const Error& error, std::string_view request_id) {
  http::Response response = http::ProblemResponse(error, request_id);
  SetSecurityHeaders(response);
  return response;
}

std::string_view Extension(std::string_view name) {
  auto slash = name.rfind('/');
  std::string_view last = slash == std::string_view::npos ? name : name.substr(slash + 1);
  auto dot = last.rfind('.');
  return dot == std::string_view::npos ? std::string_view() : last.substr(dot + 1);
}

bool ReadFile(const std::filesystem::path& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return !in.bad();
}

std::string ETagOf(const std::string& body) {
  return "\"" + crypto::HashToken(body).substr(0, 32) + "\"";
}

// Whether an If-None-Match header value names `etag` (or is "*").
bool Matches(std::string_view if_none_match, std::string_view etag) {
  while (!if_none_match.empty()) {
    auto comma = if_none_match.find(',');
    std::string_view one = if_none_match.substr(0, comma);
    while (!one.empty() && one.front() == ' ') one.remove_prefix(1);
    while (!one.empty() && one.back() == ' ') one.remove_suffix(1);
    if (one.starts_with("W/")) one.remove_prefix(2);
    if (one == etag || one == "*") return true;
    if (comma == std::string_view::npos) break;
    if_none_match.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace

std::string ContentTypeOf(std::string_view name) {
  std::string ext(Extension(name));
  for (auto& ch : ext) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (ext == "html") return "text/html; charset=utf-8";
  if (ext == "js" || ext == "mjs") return "text/javascript; charset=utf-8";
  if (ext == "css") return "text/css; charset=utf-8";
  if (ext == "svg") return "image/svg+xml";
  if (ext == "png") return "image/png";
  if (ext == "ico") return "image/x-icon";
  if (ext == "jpg" || ext == "jpeg") return "image/jpeg";
  if (ext == "webp") return "image/webp";
  if (ext == "woff2") return "font/woff2";
  if (ext == "woff") return "font/woff";
  if (ext == "json" || ext == "map") return "application/json";
  if (ext == "webmanifest") return "application/manifest+json";
  if (ext == "txt") return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

bool AcceptsGzip(std::string_view header) {
  while (!header.empty()) {
    auto comma = header.find(',');
    std::string_view item = header.substr(0, comma);
    auto semicolon = item.find(';');
    std::string_view coding = item.substr(0, semicolon);
    while (!coding.empty() && coding.front() == ' ') coding.remove_prefix(1);
    while (!coding.empty() && coding.back() == ' ') coding.remove_suffix(1);
    bool named =
        (coding.size() == 4 && strncasecmp(coding.data(), "gzip", 4) == 0) || coding == "*";
    if (named) {
      bool refused = false;
      if (semicolon != std::string_view::npos) {
        std::string_view params = item.substr(semicolon + 1);
        while (!params.empty() && params.front() == ' ') params.remove_prefix(1);
        if (params.starts_with("q=") || params.starts_with("Q=")) {
          std::string_view q = params.substr(2);
          while (!q.empty() && q.back() == ' ') q.remove_suffix(1);
          refused = q == "0" || q == "0." || q == "0.0" || q == "0.00" || q == "0.000";
        }
      }
      if (!refused) return true;
    }
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  return false;
}

ConsoleAssets ConsoleAssets::Load(const std::filesystem::path& dir) {
  ConsoleAssets assets;
  assets.dir_ = dir;
  std::error_code ec;
  if (dir.empty() || !std::filesystem::is_directory(dir, ec)) return assets;
  std::unordered_map<std::string, std::string> gzipped;  // "x.js" -> the bytes of x.js.gz
  std::filesystem::recursive_directory_iterator it(
      dir, std::filesystem::directory_options::skip_permission_denied, ec);
  for (; !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    const auto& entry = *it;
    std::error_code status_ec;
    auto status = entry.symlink_status(status_ec);
    if (status_ec || !std::filesystem::is_regular_file(status)) continue;
    if (assets.files_.size() + gzipped.size() >= kMaxFiles) break;
    std::string relative = entry.path().lexically_relative(dir).generic_string();
    if (relative.empty() || relative.starts_with("..")) continue;
    std::string body;
    if (!ReadFile(entry.path(), body)) continue;
    if (assets.total_bytes_ + body.size() > kMaxTotalBytes) break;
    assets.total_bytes_ += body.size();
    if (relative.ends_with(".gz")) {
      gzipped.emplace(relative.substr(0, relative.size() - 3), std::move(body));
      continue;
    }
    File file;
    file.content_type = ContentTypeOf(relative);
    file.etag = ETagOf(body);
    file.body = std::move(body);
    assets.files_.emplace(std::move(relative), std::move(file));
  }
  for (auto& [name, bytes] : gzipped) {
    auto found = assets.files_.find(name);
    if (found != assets.files_.end()) {
      found->second.gzip = std::move(bytes);
    } else {  // a .gz of its own (no plain file beside it): served as what it is
      File file;
      file.content_type = "application/gzip";
      file.etag = ETagOf(bytes);
      file.body = std::move(bytes);
      assets.files_.emplace(name + ".gz", std::move(file));
    }
  }
  return assets;
}

http::Response ConsoleAssets::Send(const http::Request& request, const File& file,
                                   std::string_view cache_control) const {
  http::Response response;
  bool gzip = !file.gzip.empty() && AcceptsGzip(request.HeaderValue("Accept-Encoding"));
  std::string etag = file.etag;
  if (gzip) etag.insert(etag.size() - 1, "-gz");
  response.content_type = file.content_type;
  response.SetHeader("Cache-Control", std::string(cache_control));
  response.SetHeader("ETag", etag);
  if (!file.gzip.empty()) response.SetHeader("Vary", "Accept-Encoding");
  SetSecurityHeaders(response);
  if (auto inm = request.HeaderValue("If-None-Match"); !inm.empty() && Matches(inm, etag)) {
    response.status = 304;
    return response;
  }
  if (gzip) {
    response.SetHeader("Content-Encoding", "gzip");
    response.body = file.gzip;
  } else {
    response.body = file.body;
  }
  return response;
}

http::Response ConsoleAssets::Serve(const http::Request& request,
                                    std::string_view request_id) const {
  std::string_view path = request.Path();
  if (request.method != "GET" && request.method != "HEAD") {
    http::Response response =
        Problem(Error::Make(ErrorCode::kMethodNotAllowed, request.method + " is not allowed here"),
                request_id);
    response.SetHeader("Allow", "GET, HEAD");
    return response;
  }
  if (path == "/console") {
    http::Response response;
    response.status = 308;
    response.content_type = "text/plain; charset=utf-8";
    std::string query(request.Query());
    response.SetHeader("Location", "/console/" + (query.empty() ? "" : "?" + query));
    response.SetHeader("Cache-Control", "no-cache");
    SetSecurityHeaders(response);
    return response;
  }
  std::string_view relative = path.substr(prefix().size() + 1);  // after "/console/"
  if (!relative.empty()) {
    auto found = files_.find(std::string(relative));
    if (found != files_.end()) {
      bool hashed = relative.starts_with(kAssetsDir);
      return Send(request, found->second, hashed ? kImmutable : kRevalidate);
    }
    // A missing asset or file is not found; falling back to the page would answer a script
    // request with HTML.
    if (relative.starts_with(kAssetsDir) || !Extension(relative).empty()) {
      return Problem(Error::NotFound("file"), request_id);
    }
  }
  auto index = files_.find("index.html");
  if (index == files_.end()) {
    http::Response response = http::ProblemResponse(
        Error::Make(ErrorCode::kConsoleNotBuilt,
                    "the web console is not built: run `make` (it builds console/dist with "
                    "npm), or start the server with --console-dir naming a built console"),
        request_id);
    SetSecurityHeaders(response);
    return response;
  }
  return Send(request, index->second, kRevalidate);
}

}  // namespace bulkhead::api
