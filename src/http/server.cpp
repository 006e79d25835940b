#include "http/server.hpp"

#include <sys/resource.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <type_traits>
#include <vector>

#include "http/worker_lane.hpp"

namespace bulkhead::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using core::ErrorCode;

namespace {
// After refusing a request whose body we will not read, keep discarding what the client still
// sends for a moment, so that closing does not reset the connection before it reads the answer.
constexpr auto kDrainTime = std::chrono::seconds(2);
constexpr std::size_t kDrainBytes = 4 << 20;
// Small: every refused connection drains into a buffer of its own, and floods are refused.
constexpr std::size_t kDrainBufferBytes = 4096;
constexpr std::size_t kFirstReadBytes =
    4096;  // the first read of a request; the parser asks for more
// Out of descriptors or buffers, accepting again at once would only fail again (and spin the
// cores): wait this long first. Connections that close meanwhile free what was missing.
constexpr auto kAcceptBackoff = std::chrono::milliseconds(100);
// How long a client refused for load should wait before trying again.
constexpr std::string_view kRetryAfterSeconds = "1";

std::size_t CountFields(const bhttp::request_parser<bhttp::string_body>::value_type& header,
                        bhttp::field field) {
  auto [first, last] = header.equal_range(field);
  return static_cast<std::size_t>(std::distance(first, last));
}

bool IsAbsoluteForm(std::string_view target) {
  auto starts = [target](std::string_view scheme) {
    return target.size() > scheme.size() && beast::iequals(target.substr(0, scheme.size()), scheme);
  };
  return starts("http://") || starts("https://");
}

// An absolute-form target ("http://acme.example/api/v1/org?x=1") as its authority and its
// origin-form path and query (RFC 9112 §3.2.2).
std::pair<std::string_view, std::string> SplitAbsoluteForm(std::string_view target) {
  auto rest = target.substr(target.find("://") + 3);
  auto end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, end);
  std::string path(end == std::string_view::npos ? std::string_view{} : rest.substr(end));
  if (path.empty() || path[0] != '/') path.insert(0, "/");
  return {authority, std::move(path)};
}

// Why the request's framing or routing headers are ambiguous, or empty when they are not.
// Anything that two parsers could read differently is refused and the connection closed:
// a body framed other than by exactly one Content-Length or `Transfer-Encoding: chunked`
// could be served as the next request (smuggling, RFC 9112 §6.1, §6.3), and more than one
// Host or X-Organization could name two organizations (RFC 9112 §3.2).
std::string_view AmbiguousFraming(
    const bhttp::request_parser<bhttp::string_body>::value_type& header) {
  std::size_t encodings = CountFields(header, bhttp::field::transfer_encoding);
  if (encodings > 0) {
    if (encodings > 1 || !beast::iequals(header[bhttp::field::transfer_encoding], "chunked")) {
      return "the only Transfer-Encoding accepted is 'chunked'";
    }
    if (CountFields(header, bhttp::field::content_length) > 0) {
      return "Transfer-Encoding and Content-Length together";
    }
  }
  std::size_t hosts = CountFields(header, bhttp::field::host);
  if (hosts > 1) return "more than one Host header";
  if (hosts == 0 && header.version() >= 11) return "an HTTP/1.1 request needs a Host header";
  std::string_view host = header[bhttp::field::host];
  if (host.find_first_of(", \t@") != std::string_view::npos) return "Host must be one host[:port]";
  auto [first, last] = header.equal_range("X-Organization");
  if (std::distance(first, last) > 1) return "more than one X-Organization header";
  if (IsAbsoluteForm(header.target())) {
    auto authority = SplitAbsoluteForm(header.target()).first;
    if (authority.empty() || authority.find('@') != std::string_view::npos) {
      return "the request target's authority must be host[:port]";
    }
  }
  return {};
}

// A response as bytes, for the few written without a session (refused connections).
std::string Serialize(Response response) {
  bhttp::response<bhttp::string_body> message;
  message.version(11);
  message.result(static_cast<unsigned>(response.status));
  message.set(bhttp::field::server, "bulkhead");
  message.set(bhttp::field::content_type, response.content_type);
  for (auto& h : response.headers) message.insert(h.name, h.value);
  message.body() = std::move(response.body);
  message.keep_alive(false);
  message.prepare_payload();
  std::ostringstream out;
  out << message;
  return out.str();
}

// Errors of accept(2) that say the process or system is out of a resource (descriptors,
// buffers, memory), as opposed to one connection's trouble.
bool OutOfResources(const beast::error_code& ec) {
  if (ec.category() != asio::error::get_system_category()) return false;
  int e = ec.value();
  return e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM;
}
}  // namespace

// What the server keeps of a connection, whatever its transport.
class Connection {
 public:
  virtual ~Connection() = default;
  // Graceful shutdown: an idle connection closes now; a busy one after its response.
  virtual void Shutdown() = 0;
};

class Server::Impl {
 public:
  Impl(ServerOptions options, Pipeline& handler)
      : options_(std::move(options)),
        handler_(handler),
        ioc_(std::max(1, options_.io_threads)),
        acceptor_(ioc_),
        accept_backoff_(ioc_),
        workers_({.name = "worker",
                  .threads = options_.worker_threads,
                  .queue_limit = options_.worker_queue}),
        hashing_({.name = "hash",
                  .threads = options_.hash_threads,
                  .queue_limit = options_.hash_queue,
                  .nice = 10}),
        outbound_({.name = "outbound",
                   .threads = options_.outbound_threads,
                   .queue_limit = options_.outbound_queue}),
        signals_(ioc_, SIGINT, SIGTERM),
        max_connections_(options_.max_connections) {}

  // TLS 1.2 and 1.3 with forward-secret AEAD suites only (Mozilla's "intermediate" profile).
  void LoadTls();

  void Listen();
  void Run();
  void Stop();
  void Accept();

  // Counts a new connection from `address` in, or returns why it may not be served.
  std::string_view Admit(const std::string& address);
  // Answers a connection past a cap with a short 503 and closes it.
  void RefuseConnection(tcp::socket socket, const std::string& address, std::string_view why);
  void Register(const std::shared_ptr<Connection>& session);
  void SessionEnded(const std::string& address) {
    std::lock_guard lock(mu_);
    --live_sessions_;
    if (auto it = per_client_.find(address); it != per_client_.end() && --it->second <= 0) {
      per_client_.erase(it);
    }
    changed_.notify_all();
  }
  bool stopping() const { return stopping_.load(std::memory_order_acquire); }
  WorkerLane& LaneFor(Lane lane) {
    switch (lane) {
      case Lane::kHashing: return hashing_;
      case Lane::kOutbound: return outbound_;
      default: return workers_;
    }
  }
  // Reserves `bytes` of the buffered-body budget; false when it is spent.
  bool ReserveBody(std::size_t bytes) {
    std::size_t used = buffered_body_bytes_.load(std::memory_order_relaxed);
    do {
      if (used + bytes > options_.max_buffered_body_bytes) return false;
    } while (
        !buffered_body_bytes_.compare_exchange_weak(used, used + bytes, std::memory_order_relaxed));
    return true;
  }
  void ReleaseBody(std::size_t bytes) {
    buffered_body_bytes_.fetch_sub(bytes, std::memory_order_relaxed);
  }

  // Declared before the io_context: handlers destroyed with it end sessions, which use these.
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::condition_variable changed_;
  bool stop_requested_ = false;                         // GUARDED_BY(mu_)
  int live_sessions_ = 0;                               // GUARDED_BY(mu_)
  std::map<std::string, int, std::less<>> per_client_;  // GUARDED_BY(mu_): connections by address
  std::vector<std::weak_ptr<Connection>> sessions_;     // GUARDED_BY(mu_)
  std::atomic<std::size_t> buffered_body_bytes_{0};     // reserved by requests with large bodies

  ServerOptions options_;
  Pipeline& handler_;
  asio::io_context ioc_;
  tcp::acceptor acceptor_;
  asio::steady_timer accept_backoff_;
  WorkerLane workers_;
  WorkerLane hashing_;
  WorkerLane outbound_;
  asio::signal_set signals_;
  std::optional<asio::ssl::context> tls_;  // set when serving HTTPS
  uint16_t port_ = 0;
  std::size_t max_connections_;  // options_.max_connections clamped by Listen()
};

// One connection: bytes, limits, timeouts and keep-alive, over plain TCP
// (beast::tcp_stream) or TLS (beast::ssl_stream). Every handler runs on the connection's strand.
template <typename Stream>
class Session : public Connection, public std::enable_shared_from_this<Session<Stream>> {
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

 public:
  template <typename... TlsContext>
  Session(tcp::socket socket, std::string remote, Server::Impl& server, TlsContext&... tls)
      : stream_(std::move(socket), tls...),
        server_(server),
        options_(server.options_),
        remote_(std::move(remote)) {
    beast::error_code ec;
    Socket().set_option(tcp::no_delay(true), ec);
  }
  ~Session() override {
    ReleaseBody();
    server_.SessionEnded(remote_);
  }

  void Start() {
    asio::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
      if constexpr (kTls) {
        // Bytes that are not a TLS handshake (plain HTTP on this port) end the connection.
        self->Lowest().expires_after(std::chrono::seconds(self->options_.read_timeout_seconds));
        self->stream_.async_handshake(asio::ssl::stream_base::server, [self](beast::error_code ec) {
          if (ec) return self->Close();
          self->ReadHeader();
        });
      } else {
        self->ReadHeader();
      }
    });
  }

  void Shutdown() override {
    asio::post(stream_.get_executor(), [self = this->shared_from_this()] {
      if (!self->busy_) self->Close();
    });
  }

 private:
  beast::tcp_stream& Lowest() { return beast::get_lowest_layer(stream_); }
  tcp::socket& Socket() { return Lowest().socket(); }

  // Waits idle for the first bytes of the next request (idle timeout), then reads the rest
  // of its header (read timeout). From its first byte a request counts as in flight, so a
  // graceful shutdown lets it finish instead of cutting it off.
  void ReadHeader() {
    if (server_.stopping()) return Close();
    head_ = false;
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(options_.header_limit));
    parser_->body_limit(options_.body_limit);
    if (buffer_.size() > 0) return ReadRestOfHeader();  // a pipelined request is waiting
    Lowest().expires_after(std::chrono::seconds(options_.idle_timeout_seconds));
    stream_.async_read_some(buffer_.prepare(kFirstReadBytes),
                            [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->buffer_.commit(n);
                              if (ec) return self->Close();  // closed, idle timeout or shutdown
                              self->ReadRestOfHeader();
                            });
  }

  void ReadRestOfHeader() {
    busy_ = true;
    Lowest().expires_after(std::chrono::seconds(options_.read_timeout_seconds));
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                               self->OnHeader(ec);
                             });
  }

  void OnHeader(beast::error_code ec) {
    if (ec == bhttp::error::header_limit) {
      busy_ = true;
      return Refuse(ErrorCode::kHeadersTooLarge, "request headers exceed 16 KiB");
    }
    if (ec == bhttp::error::body_limit) {
      busy_ = true;
      return Refuse(ErrorCode::kBodyTooLarge, "request body exceeds 1 MiB");
    }
    if (ec) {
      // A closed or idle connection ends quietly; bytes that are not HTTP get a 400.
      if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout ||
          ec == asio::error::operation_aborted || ec == asio::error::eof ||
          ec == asio::error::connection_reset || buffer_.size() == 0) {
        return Close();
      }
      busy_ = true;
      return Refuse(ErrorCode::kMalformedRequest, "the request is not valid HTTP/1.1");
    }
    busy_ = true;
    const auto& header = parser_->get();
    head_ = header.method() == bhttp::verb::head;
    std::size_t fields = std::distance(header.begin(), header.end());
    if (fields > options_.max_header_count) {
      return Refuse(ErrorCode::kHeadersTooLarge, "too many header fields");
    }
    if (auto why = AmbiguousFraming(header); !why.empty()) {
      return Refuse(ErrorCode::kMalformedRequest, std::string(why));
    }
    if (auto length = parser_->content_length(); length && *length > options_.body_limit) {
      return Refuse(ErrorCode::kBodyTooLarge, "request body exceeds 1 MiB");
    }
    if (parser_->is_done()) return OnRequest();
    // A large body is buffered whole before the request runs: it first reserves its length
    // (a chunked one, the body limit) from the process's budget, so that clients holding
    // unfinished bodies cannot grow memory without bound. Small bodies, the usual writes,
    // need no reservation and are never refused for it.
    std::size_t length = parser_->content_length().value_or(options_.body_limit);
    if (length > options_.small_body_bytes) {
      if (!server_.ReserveBody(length)) {
        return Refuse(ErrorCode::kServerBusy,
                      "too many large request bodies in flight; retry later");
      }
      reserved_body_ = length;
    }
    if (beast::iequals(header[bhttp::field::expect], "100-continue")) {
      auto cont =
          std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_, 11);
      Lowest().expires_after(std::chrono::seconds(options_.read_timeout_seconds));
      return bhttp::async_write(
          stream_, *cont,
          [self = this->shared_from_this(), cont](beast::error_code ec, std::size_t) {
            if (ec) return self->Close();
            self->ReadBody();
          });
    }
    ReadBody();
  }

  void ReadBody() {
    Lowest().expires_after(std::chrono::seconds(options_.read_timeout_seconds));
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                        if (ec == bhttp::error::body_limit) {
                          return self->Refuse(ErrorCode::kBodyTooLarge,
                                              "request body exceeds 1 MiB");
                        }
                        if (ec == beast::error::timeout || ec == bhttp::error::end_of_stream ||
                            ec == asio::error::eof || ec == asio::error::connection_reset ||
                            ec == asio::error::operation_aborted) {
                          return self->Close();
                        }
                        if (ec) {
                          return self->Refuse(ErrorCode::kMalformedRequest,
                                              "the request body is not valid HTTP/1.1");
                        }
                        self->OnRequest();
                      });
  }

  Request ToRequest(bool with_body) {
    auto& message = parser_->get();
    Request request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    request.headers.reserve(16);
    std::string authority;
    if (IsAbsoluteForm(request.target)) {
      // The target's authority is the host, whatever Host says (RFC 9112 §3.2.2).
      auto [host, path] = SplitAbsoluteForm(message.target());
      authority = std::string(host);
      request.target = std::move(path);
      request.headers.push_back({"Host", authority});
    }
    for (const auto& field : message) {
      if (!authority.empty() && field.name() == bhttp::field::host) continue;
      request.headers.push_back({std::string(field.name_string()), std::string(field.value())});
    }
    if (with_body) request.body = std::move(message.body());
    request.remote_address = remote_;
    request.secure = kTls;
    return request;
  }

  void OnRequest() {
    bool keep_alive = parser_->get().keep_alive();
    auto request = std::make_shared<Request>(ToRequest(true));
    Lane lane = server_.handler_.LaneOf(*request);
    if (lane == Lane::kInline) return Write(SafeHandle(*request), keep_alive, false);
    bool queued =
        server_.LaneFor(lane).TryPost([self = this->shared_from_this(), request, keep_alive] {
          Response response = self->SafeHandle(*request);
          asio::post(self->stream_.get_executor(),
                     [self, response = std::move(response), keep_alive]() mutable {
                       self->Write(std::move(response), keep_alive, false);
                     });
        });
    if (!queued) {
      // The lane's queue is full: answer now rather than let waits grow without bound. The
      // request was read whole, so the connection stays usable: closing it would only add a
      // reconnection (and a TIME_WAIT) to every refused retry.
      Response busy = server_.handler_.Refuse(
          *request, core::Error::Make(ErrorCode::kServerBusy, "the server is busy; retry later"));
      busy.SetHeader("Retry-After", std::string(kRetryAfterSeconds));
      busy.close = false;
      Write(std::move(busy), keep_alive, false);
    }
  }

  Response SafeHandle(Request& request) {
    try {
      return server_.handler_.Handle(request);
    } catch (const std::exception&) {
      return server_.handler_.Refuse(request, core::Error::Internal("internal error"));
    }
  }

  // Answers a request that will not be read to its end, then closes the connection.
  void Refuse(ErrorCode code, std::string detail) {
    Request partial;
    if (parser_ && parser_->is_header_done()) partial = ToRequest(false);
    partial.remote_address = remote_;
    partial.secure = kTls;
    Response response =
        server_.handler_.Refuse(partial, core::Error::Make(code, std::move(detail)));
    // A full budget passes; a malformed or oversized request would only be refused again.
    if (code == ErrorCode::kServerBusy) {
      response.SetHeader("Retry-After", std::string(kRetryAfterSeconds));
    }
    Write(std::move(response), false, true);
  }

  void Write(Response response, bool keep_alive, bool drain) {
    auto message = std::make_shared<bhttp::response<bhttp::string_body>>();
    message->version(11);
    message->result(static_cast<unsigned>(response.status));
    message->set(bhttp::field::server, "bulkhead");
    if (!response.content_type.empty()) {
      message->set(bhttp::field::content_type, response.content_type);
    }
    for (auto& h : response.headers) message->insert(h.name, h.value);
    bool keep = keep_alive && !response.close && !server_.stopping();
    message->keep_alive(keep);
    if (head_) {
      // HEAD: the headers GET would send, Content-Length included, without the body.
      message->content_length(response.body.size());
    } else {
      message->body() = std::move(response.body);
      message->prepare_payload();
    }
    Lowest().expires_after(std::chrono::seconds(options_.read_timeout_seconds));
    bhttp::async_write(
        stream_, *message,
        [self = this->shared_from_this(), message, keep, drain](beast::error_code ec, std::size_t) {
          self->busy_ = false;
          self->ReleaseBody();
          if (ec) return self->Close();
          if (drain) return self->Drain();
          if (!keep) return self->Close();
          self->ReadHeader();
        });
  }

  void Drain() {
    beast::error_code ignored;
    Socket().shutdown(tcp::socket::shutdown_send, ignored);
    drain_buffer_.resize(kDrainBufferBytes);
    Lowest().expires_after(kDrainTime);
    DrainSome();
  }

  void DrainSome() {
    stream_.async_read_some(asio::buffer(drain_buffer_),
                            [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->drained_ += n;
                              if (ec || self->drained_ > kDrainBytes) return self->Close();
                              self->DrainSome();
                            });
  }

  void ReleaseBody() {
    if (reserved_body_ > 0) server_.ReleaseBody(reserved_body_);
    reserved_body_ = 0;
  }

  void Close() {
    beast::error_code ignored;
    Socket().shutdown(tcp::socket::shutdown_both, ignored);
    Socket().close(ignored);
  }

  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  Server::Impl& server_;
  const ServerOptions& options_;
  std::string remote_;
  bool busy_ = false;              // a request is being read, handled or answered
  bool head_ = false;              // the request is HEAD: its response goes without a body
  std::size_t reserved_body_ = 0;  // of the server's buffered-body budget, for this request
  std::vector<char> drain_buffer_;
  std::size_t drained_ = 0;
};

std::string_view Server::Impl::Admit(const std::string& address) {
  std::lock_guard lock(mu_);
  if (static_cast<std::size_t>(live_sessions_) >= max_connections_) {
    return "the server has as many connections as it serves at once; retry later";
  }
  auto& from_client = per_client_[address];
  if (static_cast<std::size_t>(from_client) >= options_.max_connections_per_client) {
    if (from_client == 0) per_client_.erase(address);
    return "this address has as many connections as one client may open; retry later";
  }
  ++from_client;
  ++live_sessions_;
  return {};
}

void Server::Impl::RefuseConnection(tcp::socket socket, const std::string& address,
                                    std::string_view why) {
  beast::error_code ignored;
  if (!tls_) {
    // A short answer into the fresh socket's empty send buffer: it never blocks.
    Request partial;
    partial.remote_address = address;
    Response response = handler_.Refuse(
        partial, core::Error::Make(ErrorCode::kTooManyConnections, std::string(why)));
    response.SetHeader("Retry-After", std::string(kRetryAfterSeconds));
    std::string bytes = Serialize(std::move(response));
    socket.non_blocking(true, ignored);
    socket.write_some(asio::buffer(bytes), ignored);
  }
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
}

void Server::Impl::Register(const std::shared_ptr<Connection>& session) {
  std::lock_guard lock(mu_);
  // Sweep ended sessions once they are half the list, so that a sweep costs O(1) amortized.
  if (sessions_.size() > 1024 && sessions_.size() > 2 * static_cast<std::size_t>(live_sessions_)) {
    std::erase_if(sessions_, [](const auto& w) { return w.expired(); });
  }
  sessions_.push_back(session);
}

void Server::Impl::LoadTls() {
  namespace ssl = asio::ssl;
  tls_.emplace(ssl::context::tls_server);
  tls_->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                    ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                    ssl::context::single_dh_use | SSL_OP_NO_RENEGOTIATION |
                    SSL_OP_CIPHER_SERVER_PREFERENCE);
  SSL_CTX_set_min_proto_version(tls_->native_handle(), TLS1_2_VERSION);
  SSL_CTX_set_cipher_list(tls_->native_handle(),
                          "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
                          "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
                          "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305");
  beast::error_code ec;
  tls_->use_certificate_chain_file(options_.tls_cert_file, ec);
  if (ec) throw std::runtime_error("--tls-cert " + options_.tls_cert_file + ": " + ec.message());
  tls_->use_private_key_file(options_.tls_key_file, ssl::context::pem, ec);
  if (ec) throw std::runtime_error("--tls-key " + options_.tls_key_file + ": " + ec.message());
  if (SSL_CTX_check_private_key(tls_->native_handle()) != 1) {
    throw std::runtime_error("--tls-key does not match the certificate in --tls-cert");
  }
}

void Server::Impl::Listen() {
  if (!options_.tls_cert_file.empty()) LoadTls();
  beast::error_code ec;
  auto address = asio::ip::make_address(options_.host, ec);
  if (ec) throw std::runtime_error("invalid listen address '" + options_.host + "'");
  tcp::endpoint endpoint(address, options_.port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    throw std::runtime_error("cannot listen on " + options_.host + ":" +
                             std::to_string(options_.port) + ": " + ec.message());
  }
  port_ = acceptor_.local_endpoint().port();
  // Every connection is a descriptor; leave a reserve for database files, logs and the
  // outbound lane's sockets so that a connection flood cannot starve them.
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
    auto descriptors = static_cast<std::size_t>(limit.rlim_cur);
    std::size_t reserve = std::clamp<std::size_t>(descriptors / 8, 32, 1024);
    std::size_t usable = descriptors > reserve + 1 ? descriptors - reserve : 1;
    max_connections_ = std::max<std::size_t>(1, std::min(max_connections_, usable));
  }
}

void Server::Impl::Accept() {
  acceptor_.async_accept(asio::make_strand(ioc_), [this](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (!acceptor_.is_open()) return;          // closed by Stop()
      if (!OutOfResources(ec)) return Accept();  // that one connection's trouble
      // Out of descriptors (or buffers): back off instead of spinning on accept.
      accept_backoff_.expires_after(kAcceptBackoff);
      return accept_backoff_.async_wait([this](beast::error_code wait_ec) {
        if (!wait_ec && acceptor_.is_open()) Accept();
      });
    }
    beast::error_code endpoint_ec;
    auto endpoint = socket.remote_endpoint(endpoint_ec);
    if (endpoint_ec) return Accept();  // already gone
    std::string address = endpoint.address().to_string();
    if (auto why = Admit(address); !why.empty()) {
      RefuseConnection(std::move(socket), address, why);
      return Accept();
    }
    if (tls_) {
      auto session = std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(
          std::move(socket), std::move(address), *this, *tls_);
      Register(session);
      session->Start();
    } else {
      auto session = std::make_shared<Session<beast::tcp_stream>>(std::move(socket),
                                                                  std::move(address), *this);
      Register(session);
      session->Start();
    }
    Accept();
  });
}

void Server::Impl::Stop() {
  std::lock_guard lock(mu_);
  stop_requested_ = true;
  changed_.notify_all();
}

void Server::Impl::Run() {
  signals_.async_wait([this](beast::error_code ec, int) {
    if (!ec) Stop();
  });
  Accept();
  // While a request runs on the worker pool its connection has nothing pending on the
  // io_context; without this guard the I/O threads would return before writing its response.
  auto keep_running = asio::make_work_guard(ioc_);
  std::vector<std::thread> threads;
  for (int i = 0; i < std::max(1, options_.io_threads); ++i) {
    threads.emplace_back([this] { ioc_.run(); });
  }
  {
    std::unique_lock lock(mu_);
    changed_.wait(lock, [this] { return stop_requested_; });
  }
  // Stop accepting, close idle connections, let busy ones finish their request.
  stopping_.store(true, std::memory_order_release);
  asio::post(ioc_, [this] {
    beast::error_code ignored;
    acceptor_.close(ignored);
    accept_backoff_.cancel();
    signals_.cancel(ignored);
    std::vector<std::shared_ptr<Connection>> live;
    {
      std::lock_guard lock(mu_);
      for (auto& w : sessions_) {
        if (auto s = w.lock()) live.push_back(std::move(s));
      }
    }
    for (auto& s : live) s->Shutdown();
  });
  {
    std::unique_lock lock(mu_);
    changed_.wait_for(lock, std::chrono::seconds(options_.shutdown_grace_seconds),
                      [this] { return live_sessions_ == 0; });
  }
  ioc_.stop();
  for (auto& t : threads) t.join();
  workers_.Join();
  hashing_.Join();
  outbound_.Join();
}

Server::Server(ServerOptions options, Pipeline& handler)
    : impl_(std::make_unique<Impl>(std::move(options), handler)) {}
Server::~Server() = default;
void Server::Listen() {
  impl_->Listen();
}
uint16_t Server::port() const {
  return impl_->port_;
}
std::size_t Server::max_connections() const {
  return impl_->max_connections_;
}
void Server::Run() {
  impl_->Run();
}
void Server::Stop() {
  impl_->Stop();
}

}  // namespace bulkhead::http
