// The devserver: HTTP set-up (limits, errors, logging, listening) and the resources' routes
// (routes.hpp) over one store (Context::db).
#include "server.hpp"

#include <algorithm>
#include <iostream>
#include <regex>
#include <stdexcept>
#include <utility>

#include <httplib.h>

#include "context.hpp"
#include "routes.hpp"
#include "util.hpp"

namespace devserver {

namespace {

// The attachment upload route: its body is raw bytes, bounded by max_attachment_bytes (streamed
// through a content reader); every other body is JSON, bounded by max_body_bytes.
bool is_attachment_upload(const httplib::Request& req) {
  static const std::regex kAttachment(R"(^/rest/v2/document/[^/]+/attachment$)");
  return req.method == "PUT" && std::regex_match(req.path, kAttachment);
}

// cpp-httplib applies no limit to chunked bodies: JSON routes refuse them before reading
// (clients send JSON with a Content-Length); the attachment route streams them with a bound.
void refuse_chunked_json(httplib::Server& http, std::size_t max_body_bytes) {
  http.set_pre_routing_handler([max_body_bytes](const httplib::Request& req, httplib::Response& res) {
    if (is_attachment_upload(req)) return httplib::Server::HandlerResponse::Unhandled;
    const bool chunked = req.get_header_value("Transfer-Encoding").find("chunked") != std::string::npos;
    if (!chunked) return httplib::Server::HandlerResponse::Unhandled;
    res.status = 411;
    res.set_header("Connection", "close");
    res.set_content(error_body("Chunked request bodies are refused: send the JSON body with a Content-Length "
                               "(at most " + std::to_string(max_body_bytes) + " bytes, --max-body-bytes)")
                        .dump(),
                    "application/json");
    return httplib::Server::HandlerResponse::Handled;
  });
}

void set_error_replies(httplib::Server& http, const Options& options) {
  http.set_error_handler([&options](const httplib::Request&, httplib::Response& res) {
    if (res.body.empty()) {
      std::string msg = res.status == 413 ? "Request body too large: the limits are " +
                                                std::to_string(options.max_body_bytes) +
                                                " bytes for JSON (--max-body-bytes) and " +
                                                std::to_string(options.max_attachment_bytes) +
                                                " bytes for attachments (--max-attachment-bytes)"
                        : res.status == 404 ? "Not found"
                                            : "Request failed";
      res.set_content(error_body(msg).dump(), "application/json");
    }
  });
  http.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
    res.status = 500;
    res.set_content(error_body("Internal server error").dump(), "application/json");
  });
}

void set_request_log(httplib::Server& http) {
  http.set_logger([](const httplib::Request& req, const httplib::Response& res) {
    // One write per line so that concurrent requests do not interleave.
    const std::string line = req.method + ' ' + req.path + ' ' + std::to_string(res.status) + '\n';
    std::cerr.write(line.data(), static_cast<std::streamsize>(line.size()));
    std::cerr.flush();
  });
}

}  // namespace

struct Server::Impl {
  explicit Impl(Options o) : ctx(std::move(o)) {}

  Context ctx;
  socket_t listen_socket = INVALID_SOCKET;

  void init() {
    ctx.db.transaction([&] {
      auto secret = ctx.db.meta("jwt_secret");
      if (!secret) {
        secret = random_hex(32);
        ctx.db.set_meta("jwt_secret", *secret);
      }
      ctx.jwt_secret = *secret;
    });
    if (!ctx.options.seed_path.empty()) load_seed(ctx);
    configure_http();
    register_auth_routes(ctx);
    register_data_owner_routes(ctx);
    register_exchange_data_routes(ctx);
    register_recovery_routes(ctx);
    register_service_routes(ctx);
    register_entity_routes(ctx);
    register_attachment_routes(ctx);
    register_admin_routes(ctx);
  }

  void configure_http() {
    auto& http = ctx.http;
    // cpp-httplib checks Content-Length against this before reading; the per-route limits apply
    // the smaller JSON limit (Context::check_body_size).
    http.set_payload_max_length(std::max(ctx.options.max_body_bytes, ctx.options.max_attachment_bytes));
    refuse_chunked_json(http, ctx.options.max_body_bytes);
    http.new_task_queue = [] { return new httplib::ThreadPool(64); };
    http.set_keep_alive_max_count(1000);
    // Idle keep-alive connections hold a worker until this timeout, and stop() waits for them:
    // keep it short so SIGTERM ends the server promptly.
    http.set_keep_alive_timeout(2);
    http.set_tcp_nodelay(true);
    // Remember the listening socket: cpp-httplib listens with a backlog of 5, too small for a burst of
    // concurrent connects (dropped handshakes then stall past the keep-alive timeout); bind() raises it.
    http.set_socket_options([this](socket_t sock) {
      int yes = 1;
      setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
      listen_socket = sock;
    });
    set_error_replies(http, ctx.options);
    if (ctx.options.log_requests) set_request_log(http);
  }
};

Server::Server(Options options) : impl_(std::make_unique<Impl>(std::move(options))) { impl_->init(); }
Server::~Server() = default;

int Server::bind() {
  auto& http = impl_->ctx.http;
  int port = impl_->ctx.options.port;
  if (port == 0) {
    port = http.bind_to_any_port("127.0.0.1");
    if (port <= 0) throw std::runtime_error("cannot bind 127.0.0.1");
  } else if (!http.bind_to_port("127.0.0.1", port)) {
    throw std::runtime_error("cannot bind 127.0.0.1:" + std::to_string(port));
  }
  // Linux lets listen() be called again on a listening socket to change its backlog.
  if (impl_->listen_socket != INVALID_SOCKET) ::listen(impl_->listen_socket, 512);
  return port;
}

void Server::run() { impl_->ctx.http.listen_after_bind(); }
bool Server::stop() {
  if (!impl_->ctx.http.is_running()) return false;
  impl_->ctx.http.stop();
  return true;
}

}  // namespace devserver
