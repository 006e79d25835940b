#include "http/server.hpp"

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <type_traits>
#include <vector>

namespace bulkhead::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {
// After refusing a request whose body we will not read, keep discarding what the client still
// sends for a moment, so that closing does not reset the connection before it reads the answer.
constexpr auto kDrainTime = std::chrono::seconds(2);
constexpr std::size_t kDrainBytes = 4 << 20;
constexpr std::size_t kFirstReadBytes = 4096;  // the first read of a request; the parser asks for more
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
  Impl(ServerOptions options, Handler& handler)
      : options_(std::move(options)),
        handler_(handler),
        ioc_(std::max(1, options_.io_threads)),
        acceptor_(ioc_),
        workers_(static_cast<std::size_t>(std::max(1, options_.worker_threads))),
        signals_(ioc_, SIGINT, SIGTERM) {}

  // TLS 1.2 and 1.3 with forward-secret AEAD suites only (Mozilla's "intermediate" profile).
  void LoadTls();

  void Listen();
  void Run();
  void Stop();
  void Accept();

  void Register(const std::shared_ptr<Connection>& session);
  void SessionEnded() {
    std::lock_guard lock(mu_);
    --live_sessions_;
    changed_.notify_all();
  }
  bool stopping() const { return stopping_.load(std::memory_order_acquire); }

  // Declared before the io_context: handlers destroyed with it end sessions, which use these.
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::condition_variable changed_;
  bool stop_requested_ = false;                  // GUARDED_BY(mu_)
  int live_sessions_ = 0;                        // GUARDED_BY(mu_)
  std::vector<std::weak_ptr<Connection>> sessions_;  // GUARDED_BY(mu_)

  ServerOptions options_;
  Handler& handler_;
  asio::io_context ioc_;
  tcp::acceptor acceptor_;
  asio::thread_pool workers_;
  asio::signal_set signals_;
  std::optional<asio::ssl::context> tls_;  // set when serving HTTPS
  uint16_t port_ = 0;
};

// One connection: bytes, limits, timeouts and keep-alive, over plain TCP
// (beast::tcp_stream) or TLS (beast::ssl_stream). Every handler runs on the connection's strand.
template <typename Stream>
class Session : public Connection, public std::enable_shared_from_this<Session<Stream>> {
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

 public:
  template <typename... TlsContext>
  Session(tcp::socket socket, Server::Impl& server, TlsContext&... tls)
      : stream_(std::move(socket), tls...), server_(server), options_(server.options_) {
    beast::error_code ec;
    auto endpoint = Socket().remote_endpoint(ec);
    if (!ec) remote_ = endpoint.address().to_string();
    Socket().set_option(tcp::no_delay(true), ec);
  }
  ~Session() override { server_.SessionEnded(); }

  void Start() {
    asio::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
      if constexpr (kTls) {
        // Bytes that are not a TLS handshake (plain HTTP on this port) end the connection.
        self->Lowest().expires_after(std::chrono::seconds(self->options_.read_timeout_seconds));
        self->stream_.async_handshake(asio::ssl::stream_base::server,
                                      [self](beast::error_code ec) {
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
      return Refuse(431, "headers_too_large", "request headers exceed 16 KiB");
    }
    if (ec == bhttp::error::body_limit) {
      busy_ = true;
      return Refuse(413, "body_too_large", "request body exceeds 1 MiB");
    }
    if (ec) {
      // A closed or idle connection ends quietly; bytes that are not HTTP get a 400.
      if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout ||
          ec == asio::error::operation_aborted || ec == asio::error::eof ||
          ec == asio::error::connection_reset || buffer_.size() == 0) {
        return Close();
      }
      busy_ = true;
      return Refuse(400, "malformed_request", "the request is not valid HTTP/1.1");
    }
    busy_ = true;
    const auto& header = parser_->get();
    std::size_t fields = std::distance(header.begin(), header.end());
    if (fields > options_.max_header_count) {
      return Refuse(431, "headers_too_large", "too many header fields");
    }
    if (auto length = parser_->content_length(); length && *length > options_.body_limit) {
      return Refuse(413, "body_too_large", "request body exceeds 1 MiB");
    }
    if (parser_->is_done()) return OnRequest();
    if (beast::iequals(header[bhttp::field::expect], "100-continue")) {
      auto cont = std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_, 11);
      Lowest().expires_after(std::chrono::seconds(options_.read_timeout_seconds));
      return bhttp::async_write(stream_, *cont,
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
                          return self->Refuse(413, "body_too_large", "request body exceeds 1 MiB");
                        }
                        if (ec == beast::error::timeout || ec == bhttp::error::end_of_stream ||
                            ec == asio::error::eof || ec == asio::error::connection_reset ||
                            ec == asio::error::operation_aborted) {
                          return self->Close();
                        }
                        if (ec) {
                          return self->Refuse(400, "malformed_request",
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
    for (const auto& field : message) {
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
    if (server_.handler_.IsBlocking(*request)) {
      asio::post(server_.workers_, [self = this->shared_from_this(), request, keep_alive] {
        Response response = self->SafeHandle(*request);
        asio::post(self->stream_.get_executor(),
                   [self, response = std::move(response), keep_alive]() mutable {
                     self->Write(std::move(response), keep_alive, false);
                   });
      });
      return;
    }
    Write(SafeHandle(*request), keep_alive, false);
  }

  Response SafeHandle(Request& request) {
    try {
      return server_.handler_.Handle(request);
    } catch (const std::exception&) {
      return server_.handler_.Refuse(request, 500, "internal", "internal error");
    }
  }

  // Answers a request that will not be read to its end, then closes the connection.
  void Refuse(int status, std::string_view code, std::string_view detail) {
    Request partial;
    if (parser_ && parser_->is_header_done()) partial = ToRequest(false);
    partial.remote_address = remote_;
    partial.secure = kTls;
    Write(server_.handler_.Refuse(partial, status, code, detail), false, true);
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
    message->body() = std::move(response.body);
    bool keep = keep_alive && !response.close && !server_.stopping();
    message->keep_alive(keep);
    message->prepare_payload();
    Lowest().expires_after(std::chrono::seconds(options_.read_timeout_seconds));
    bhttp::async_write(stream_, *message,
                       [self = this->shared_from_this(), message, keep, drain](beast::error_code ec,
                                                                         std::size_t) {
                         self->busy_ = false;
                         if (ec) return self->Close();
                         if (drain) return self->Drain();
                         if (!keep) return self->Close();
                         self->ReadHeader();
                       });
  }

  void Drain() {
    beast::error_code ignored;
    Socket().shutdown(tcp::socket::shutdown_send, ignored);
    drain_buffer_.resize(64 * 1024);
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
  bool busy_ = false;  // a request is being read, handled or answered
  std::vector<char> drain_buffer_;
  std::size_t drained_ = 0;
};

void Server::Impl::Register(const std::shared_ptr<Connection>& session) {
  std::lock_guard lock(mu_);
  ++live_sessions_;
  if (sessions_.size() > 1024) {
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
}

void Server::Impl::Accept() {
  acceptor_.async_accept(asio::make_strand(ioc_), [this](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (!acceptor_.is_open()) return;  // closed by Stop()
      return Accept();                    // e.g. too many open files: keep serving the others
    }
    if (tls_) {
      auto session = std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(
          std::move(socket), *this, *tls_);
      Register(session);
      session->Start();
    } else {
      auto session = std::make_shared<Session<beast::tcp_stream>>(std::move(socket), *this);
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
  workers_.join();
}

Server::Server(ServerOptions options, Handler& handler)
    : impl_(std::make_unique<Impl>(std::move(options), handler)) {}
Server::~Server() = default;
void Server::Listen() { impl_->Listen(); }
uint16_t Server::port() const { return impl_->port_; }
void Server::Run() { impl_->Run(); }
void Server::Stop() { impl_->Stop(); }

}  // namespace bulkhead::http
