#include "body_limits.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "context.hpp"

namespace devserver {

namespace {

// A refused body up to this size is read (and dropped) before the reply.
constexpr std::uint64_t kMaxDrainedBytes = 64u * 1024u * 1024u;
// Where a refused body is sent to be dropped (the request's own path is no longer needed).
constexpr const char* kDropJson = "/devserver/refused-body/json";
constexpr const char* kDropAttachment = "/devserver/refused-body/attachment";

struct Verdict {
  int status = 0;  // 0: accepted
  std::string message;
  std::optional<std::uint64_t> length;  // the Content-Length, when there is a valid one
};

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::string_view trim_blanks(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::optional<std::uint64_t> parse_length(std::string_view text) {
  text = trim_blanks(text);
  if (text.empty() || text.size() > 18) return std::nullopt;
  std::uint64_t n = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return n;
}

std::optional<std::uint64_t> content_length(const httplib::Request& req) {
  if (req.get_header_value_count("Content-Length") != 1) return std::nullopt;
  return parse_length(req.get_header_value("Content-Length"));
}

// The methods whose body cpp-httplib reads (a DELETE only with a Content-Length).
bool reads_body(const httplib::Request& req) {
  return req.method == "POST" || req.method == "PUT" || req.method == "PATCH" || req.method == "PRI" ||
         (req.method == "DELETE" && req.has_header("Content-Length"));
}

// The methods whose routes can be given a content reader (where a refused body can be dropped).
bool can_drop(const httplib::Request& req) {
  return req.method == "POST" || req.method == "PUT" || req.method == "PATCH" || req.method == "DELETE";
}

Verdict judge_body_headers(const httplib::Request& req, const Options& o) {
  if (!reads_body(req)) {
    // cpp-httplib does not read a body on these methods: framing bytes sent anyway would be parsed
    // as the next request on the connection (request smuggling), so the request is refused and
    // the connection closed.
    const bool framed = req.get_header_value_count("Transfer-Encoding") > 0 ||
                        (req.has_header("Content-Length") && content_length(req) != std::optional<std::uint64_t>{0});
    if (framed) return {400, "A " + req.method + " request carries no body: send it without Transfer-Encoding or Content-Length", {}};
    return {};
  }
  const bool attachment = is_attachment_upload(req);
  const std::size_t limit = attachment ? o.max_attachment_bytes : o.max_body_bytes;
  const char* flag = attachment ? "--max-attachment-bytes" : "--max-body-bytes";
  const std::string bound = " (at most " + std::to_string(limit) + " bytes, " + flag + ")";
  const std::size_t encodings = req.get_header_value_count("Transfer-Encoding");
  const std::size_t lengths = req.get_header_value_count("Content-Length");
  if (encodings > 0) {
    if (!attachment) {
      return {411, "Chunked request bodies are refused: send the JSON body with a Content-Length" + bound, {}};
    }
    if (encodings > 1 || lengths > 0 ||
        !equals_ignoring_case(trim_blanks(req.get_header_value("Transfer-Encoding")), "chunked")) {
      return {400, "Send the attachment with a Content-Length or with Transfer-Encoding: chunked alone", {}};
    }
    return {};
  }
  if (lengths == 0) {
    return {411,
            attachment ? "Send the attachment with a Content-Length or with Transfer-Encoding: chunked" + bound
                       : "The request body needs a Content-Length" + bound,
            {}};
  }
  const auto length = content_length(req);
  if (!length) return {400, "Invalid or repeated Content-Length", {}};
  if (*length > limit) return {413, too_large_message(limit, flag), length};
  return {};
}

// A reply sent before the body is read; the connection is closed after it.
void refuse(const httplib::Request& req, httplib::Response& res, int status, const std::string& message) {
  res.status = status;
  res.set_header("Connection", "close");
  res.set_content(error_body(message).dump(), "application/json");
  close_after_reply(req);
}

// Reads the body (Content-Length at most kMaxDrainedBytes) and drops it; false if it was not read whole.
bool drop_body(const httplib::Request& req, const httplib::ContentReader& reader) {
  const auto length = content_length(req);
  return length && *length <= kMaxDrainedBytes && reader([](const char*, std::size_t) { return true; });
}

// --- closing a connection after its reply

struct Peer {
  std::string addr;
  int port = -1;
  int local_port = -1;
};
thread_local std::optional<Peer> t_close_after_reply;

std::optional<std::pair<std::string, int>> socket_endpoint(const sockaddr_storage& ss) {
  char text[INET6_ADDRSTRLEN] = {};
  if (ss.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&ss);  // NOLINT
    if (inet_ntop(AF_INET, &in->sin_addr, text, sizeof text) == nullptr) return std::nullopt;
    return std::pair<std::string, int>{text, ntohs(in->sin_port)};
  }
  if (ss.ss_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&ss);  // NOLINT
    if (inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text) == nullptr) return std::nullopt;
    return std::pair<std::string, int>{text, ntohs(in6->sin6_port)};
  }
  return std::nullopt;
}

// This process's descriptor of the TCP connection with `peer`, or -1. The connection belongs to
// the calling thread (its request is being answered), so its descriptor cannot change meanwhile.
int connection_of(const Peer& peer) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd", ec)) {
    const std::string name = entry.path().filename().string();
    int fd = -1;
    if (std::from_chars(name.data(), name.data() + name.size(), fd).ec != std::errc()) continue;
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode)) continue;
    sockaddr_storage local{}, remote{};
    socklen_t local_len = sizeof local, remote_len = sizeof remote;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_len) != 0 ||    // NOLINT
        ::getpeername(fd, reinterpret_cast<sockaddr*>(&remote), &remote_len) != 0) {  // NOLINT
      continue;
    }
    const auto l = socket_endpoint(local);
    const auto r = socket_endpoint(remote);
    if (l && r && l->second == peer.local_port && r->second == peer.port && r->first == peer.addr) return fd;
  }
  return -1;
}

// Puts a socket at end of file in place of the connection's descriptor: the connection itself is
// closed now (the client sees the end, or a reset if it is still sending), and cpp-httplib's next
// read on the descriptor ends its loop over the connection (it then closes the descriptor).
void cut_connection(int fd) {
  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
    ::shutdown(fd, SHUT_RDWR);
    return;
  }
  ::close(pair[1]);
  if (::dup2(pair[0], fd) < 0) ::shutdown(fd, SHUT_RDWR);
  ::close(pair[0]);
}

}  // namespace

void close_after_reply(const httplib::Request& req) {
  t_close_after_reply = Peer{req.remote_addr, req.remote_port, req.local_port};
}

void end_of_reply(const httplib::Request& req) {
  const auto peer = std::exchange(t_close_after_reply, std::nullopt);
  if (!peer || peer->addr != req.remote_addr || peer->port != req.remote_port || peer->local_port != req.local_port) {
    return;
  }
  const int fd = connection_of(*peer);
  if (fd >= 0) cut_connection(fd);
}

bool is_attachment_upload(const httplib::Request& req) {
  static constexpr std::string_view kPrefix = "/rest/v2/document/";
  static constexpr std::string_view kSuffix = "/attachment";
  const std::string_view path = req.path;
  if (req.method != "PUT" || path.size() <= kPrefix.size() + kSuffix.size()) return false;
  if (path.substr(0, kPrefix.size()) != kPrefix || path.substr(path.size() - kSuffix.size()) != kSuffix) return false;
  const std::string_view id = path.substr(kPrefix.size(), path.size() - kPrefix.size() - kSuffix.size());
  return id.find('/') == std::string_view::npos;
}

void install_body_limits(httplib::Server& http, const Options& options) {
  http.set_pre_routing_handler([&options](const httplib::Request& req, httplib::Response& res) {
    t_close_after_reply.reset();  // a mark left by a reply that could not be written
    Verdict v = judge_body_headers(req, options);
    if (v.status == 0) return httplib::Server::HandlerResponse::Unhandled;
    if (v.status == 413 && v.length && *v.length <= kMaxDrainedBytes && can_drop(req)) {
      // Routed to a content reader that drops the body, then replies: the request object is the
      // server's own (not const), the path is the one thing routing looks at.
      const_cast<httplib::Request&>(req).path = is_attachment_upload(req) ? kDropAttachment : kDropJson;  // NOLINT
      return httplib::Server::HandlerResponse::Unhandled;
    }
    refuse(req, res, v.status, v.message);
    return httplib::Server::HandlerResponse::Handled;
  });
  for (const bool attachment : {false, true}) {
    const std::size_t limit = attachment ? options.max_attachment_bytes : options.max_body_bytes;
    const char* flag = attachment ? "--max-attachment-bytes" : "--max-body-bytes";
    const httplib::Server::HandlerWithContentReader drop = [limit, flag](const httplib::Request& req,
                                                                         httplib::Response& res,
                                                                         const httplib::ContentReader& reader) {
      // A body not read whole (cpp-httplib skips one over its payload limit) ends the connection,
      // and the reply says so: a keep-alive client would otherwise send its next request on it.
      if (!drop_body(req, reader)) {
        res.set_header("Connection", "close");
        close_after_reply(req);
      }
      const auto length = content_length(req);
      // Only the pre-routing handler sends bodies here; a client asking for this path gets 404.
      const bool refused = length && *length > limit;
      res.status = refused ? 413 : 404;
      res.set_content(error_body(refused ? too_large_message(limit, flag) : "Not found").dump(), "application/json");
    };
    const std::string path = attachment ? kDropAttachment : kDropJson;
    http.Post(path, drop);
    http.Put(path, drop);
    http.Patch(path, drop);
    http.Delete(path, drop);
  }
}

}  // namespace devserver
