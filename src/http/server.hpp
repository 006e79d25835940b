#pragma once
// The HTTP/1.1 server on Boost.Beast/Asio. It owns sockets, bytes, limits, timeouts and
// keep-alive only; every complete request goes to the Pipeline. I/O runs on `threads` threads;
// each request runs on the lane the Pipeline names (message.hpp's Lane): inline, or on one of
// three pools with bounded queues (writes, password hashing, outbound calls), so that neither
// a login flood nor slow DNS can take the threads a neighbour's writes need.
// What one client can hold is bounded too: connections (in all and per address) and buffered
// request-body bytes; past a bound the server answers 503 with Retry-After, never waits
// without end, and backs off when the process is out of file descriptors.
// Thread-safety: Run() blocks the calling thread; Stop() may be called from any thread.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "http/message.hpp"
#include "http/pipeline.hpp"

namespace bulkhead::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0: any free port (see Server::port())
  int io_threads = 2;
  int worker_threads = 4;
  std::size_t worker_queue = 1024;  // writes waiting for a worker; past it: 503 server_busy
  int hash_threads = 1;             // argon2id hashing (sign-up, login); run at nice 10
  std::size_t hash_queue = 64;      // hashes waiting for a thread; past it: 503 server_busy
  int outbound_threads = 4;         // DNS lookups of domain verification
  std::size_t outbound_queue = 32;
  // Open connections in all (clamped below RLIMIT_NOFILE minus a reserve for database files
  // and logs) and per client address; past either, a new connection gets 503 and is closed.
  std::size_t max_connections = 4096;
  std::size_t max_connections_per_client = 256;
  // Request bodies larger than `small_body_bytes` reserve their length from this budget
  // before they are read; when it is spent, 503 server_busy (RSS stays bounded).
  std::size_t max_buffered_body_bytes = 64 << 20;
  std::size_t small_body_bytes = 16 * 1024;
  std::size_t body_limit = 1 << 20;      // 1 MiB; larger bodies get 413 without being read
  std::size_t header_limit = 16 * 1024;  // bytes of the request line and headers
  std::size_t max_header_count = 100;
  int read_timeout_seconds = 30;    // to receive one whole request once it started
  int idle_timeout_seconds = 60;    // keep-alive wait for the next request
  int shutdown_grace_seconds = 10;  // in-flight requests get this long on SIGTERM
  // PEM files; when set, the port serves HTTPS only (TLS 1.2 and 1.3).
  std::string tls_cert_file;
  std::string tls_key_file;
};

class Server {
 public:
  Server(ServerOptions options, Pipeline& pipeline);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens; after it returns, port() is the bound port. Throws on bind failure.
  void Listen();
  uint16_t port() const;
  // The connection cap in force: max_connections, clamped below the descriptor limit.
  std::size_t max_connections() const;
  // Serves until Stop() or SIGINT/SIGTERM; then stops accepting, lets in-flight requests
  // finish (up to the grace period), closes idle connections and returns.
  void Run();
  void Stop();

  class Impl;  // public only so that the connection type in server.cpp can name it

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace bulkhead::http
