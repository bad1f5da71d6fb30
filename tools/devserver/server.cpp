// The devserver: HTTP set-up (limits, errors, logging, listening) and the resources' routes
// (routes.hpp) over one store (Context::db).
#include "server.hpp"

#include <algorithm>
#include <iostream>
#include <stdexcept>
#include <utility>

#include <httplib.h>

#include "body_limits.hpp"
#include "context.hpp"
#include "routes.hpp"
#include "util.hpp"

namespace devserver {

namespace {

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

// cpp-httplib calls the logger once a reply is written: the request line is logged (with
// --log-requests), and a connection marked by close_after_reply() is closed.
void set_logger(httplib::Server& http, bool log_requests) {
  http.set_logger([log_requests](const httplib::Request& req, const httplib::Response& res) {
    if (log_requests) {
      // One write per line so that concurrent requests do not interleave. The path as sent (a
      // refused body's request is routed elsewhere, body_limits.cpp), without the query.
      const std::string line =
          req.method + ' ' + req.target.substr(0, req.target.find('?')) + ' ' + std::to_string(res.status) + '\n';
      std::cerr.write(line.data(), static_cast<std::streamsize>(line.size()));
      std::cerr.flush();
    }
    end_of_reply(req);
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
    // Bodies are judged from their headers before they are read (body_limits.hpp); cpp-httplib's
    // own Content-Length check stays as a backstop.
    http.set_payload_max_length(std::max(ctx.options.max_body_bytes, ctx.options.max_attachment_bytes));
    install_body_limits(http, ctx.options);
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
    set_logger(http, ctx.options.log_requests);
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
