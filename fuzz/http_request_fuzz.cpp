// The HTTP/1.1 request reader: bytes from the socket through Beast's request_parser with the
// limits src/http/server.cpp sets (16 KiB of header, 1 MiB of body, at most 100 fields), then
// into an http::Request as the server converts it (ToRequest). Invariants: the limits hold on
// what is accepted, and Path()/Query() split the target without losing a byte.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http.hpp>

#include "check.hpp"
#include "http/message.hpp"
#include "http/query.hpp"
#include "http/server.hpp"

namespace bhttp = boost::beast::http;

namespace {

bulkhead::http::Request ToRequest(bhttp::request_parser<bhttp::string_body>& parser,
                                  bool with_body) {
  auto& message = parser.get();
  bulkhead::http::Request request;
  request.method = std::string(message.method_string());
  request.target = std::string(message.target());
  for (const auto& field : message) {
    request.headers.push_back({std::string(field.name_string()), std::string(field.value())});
  }
  if (with_body) request.body = std::move(message.body());
  return request;
}

void CheckRequest(const bulkhead::http::Request& request, std::size_t body_limit) {
  FUZZ_CHECK(request.body.size() <= body_limit);
  const std::string_view path = request.Path();
  const std::string_view query = request.Query();
  FUZZ_CHECK(path.find('?') == std::string_view::npos);
  std::string joined(path);
  if (request.target.find('?') != std::string::npos) joined += "?" + std::string(query);
  FUZZ_CHECK(joined == request.target);
  (void)bulkhead::http::ParseQuery(query);
  for (const auto& h : request.headers) FUZZ_CHECK(request.HasHeader(h.name));
  (void)request.HeaderValue("host");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const bulkhead::http::ServerOptions options;  // the server's defaults
  // The first byte picks the size of the reads, so that the parser also sees requests split
  // at every point (the server reads 4 KiB first, then whatever the socket has).
  if (size == 0) return 0;
  const std::size_t chunk = 1 + data[0] % 64 * 97;
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);

  // Several requests on one connection, as keep-alive and pipelining give.
  std::string buffer;
  for (int requests = 0; requests < 8; ++requests) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(options.header_limit));
    parser.body_limit(options.body_limit);
    boost::beast::error_code ec;
    bool eof = false;
    bool need_more = buffer.empty();
    bool header_checked = false;
    while (!parser.is_done()) {
      if (need_more) {
        if (rest.empty()) {
          eof = true;
          break;
        }
        const std::size_t n = std::min(chunk, rest.size());
        buffer.append(rest.substr(0, n));
        rest.remove_prefix(n);
      }
      ec = {};
      const std::size_t used = parser.put(boost::asio::buffer(buffer.data(), buffer.size()), ec);
      buffer.erase(0, used);
      need_more = ec == bhttp::error::need_more || (!ec && used == 0);
      if (ec && ec != bhttp::error::need_more) break;
      if (parser.is_header_done() && !header_checked) {
        header_checked = true;
        // As OnHeader: too many fields or a declared length over the limit end the request.
        const auto& header = parser.get();
        if (static_cast<std::size_t>(std::distance(header.begin(), header.end())) >
            options.max_header_count) {
          return 0;
        }
        if (auto length = parser.content_length(); length && *length > options.body_limit) {
          return 0;
        }
      }
    }
    if (eof && !parser.is_done()) {
      ec = {};
      parser.put_eof(ec);
    }
    if (!parser.is_done()) {
      // Refused: the server builds a partial request (headers, no body) for its 4xx.
      if (parser.is_header_done()) CheckRequest(ToRequest(parser, false), options.body_limit);
      return 0;
    }
    const bool keep_alive = parser.get().keep_alive();
    CheckRequest(ToRequest(parser, true), options.body_limit);
    if (!keep_alive) return 0;
  }
  return 0;
}
