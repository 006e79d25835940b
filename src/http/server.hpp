#pragma once
// The HTTP/1.1 server on Boost.Beast/Asio. It owns sockets, bytes, limits, timeouts and
// keep-alive only; every complete request goes to a Handler. I/O runs on `threads` threads;
// requests the Handler marks blocking run on a separate worker pool so that password hashing
// and durable writes never stall the I/O threads.
// Thread-safety: Run() blocks the calling thread; Stop() may be called from any thread.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "http/message.hpp"

namespace bulkhead::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;             // 0: any free port (see Server::port())
  int io_threads = 2;
  int worker_threads = 4;
  std::size_t body_limit = 1 << 20;       // 1 MiB; larger bodies get 413 without being read
  std::size_t header_limit = 16 * 1024;   // bytes of the request line and headers
  std::size_t max_header_count = 100;
  int read_timeout_seconds = 30;          // to receive one whole request once it started
  int idle_timeout_seconds = 60;          // keep-alive wait for the next request
  int shutdown_grace_seconds = 10;        // in-flight requests get this long on SIGTERM
  // PEM files; when set, the port serves HTTPS only (TLS 1.2 and 1.3).
  std::string tls_cert_file;
  std::string tls_key_file;
};

class Server {
 public:
  Server(ServerOptions options, Handler& handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens; after it returns, port() is the bound port. Throws on bind failure.
  void Listen();
  uint16_t port() const;
  // Serves until Stop() or SIGINT/SIGTERM; then stops accepting, lets in-flight requests
  // finish (up to the grace period), closes idle connections and returns.
  void Run();
  void Stop();

  class Impl;  // public only so that the connection type in server.cpp can name it

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace bulkhead::http
