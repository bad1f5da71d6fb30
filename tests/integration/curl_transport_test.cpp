// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// CurlTransport and the pipeline against a misbehaving loopback server (cpp-httplib, in process).

#include <cardinal/http/curl_transport.hpp>

#include <httplib.h>

#include "api/rest_backend.hpp"
#include "test_util.hpp"
#include "transport/pipeline.hpp"

#include <sys/socket.h>
#include <atomic>
#include <thread>
#include <vector>

namespace cardinal {
namespace {

using namespace std::chrono_literals;

class FaultyServer {
 public:
  FaultyServer() {
    server_.Get("/ok", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(R"({"ok":true})", "application/json");
    });
    server_.Get("/slow", [](const httplib::Request&, httplib::Response& res) {
      std::this_thread::sleep_for(3s);
      res.set_content("{}", "application/json");
    });
    server_.Get("/flaky", [this](const httplib::Request&, httplib::Response& res) {
      if (++flaky_calls_ < 3) {
        res.status = 503;
        return;
      }
      res.set_content(R"({"finally":1})", "application/json");
    });
    server_.Post("/boom", [this](const httplib::Request&, httplib::Response& res) {
      ++boom_calls_;
      res.status = 500;
    });
    server_.Get("/huge", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(std::string(2 * 1024 * 1024, 'x'), "application/octet-stream");
    });
    server_.Get("/garbage", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("{\"type\":\"hcp\",", "application/json");
    });
    server_.Get("/echo-headers", [](const httplib::Request& req, httplib::Response& res) {
      res.set_content(std::to_string(req.get_header_value_count("X-Repeat")), "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ~FaultyServer() {
    server_.stop();
    thread_.join();
  }
  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }
  int port() const { return port_; }
  std::atomic<int> flaky_calls_{0}, boom_calls_{0};

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
};

// A socket that accepts connections and closes them immediately (connection reset / empty reply).
class ResettingServer {
 public:
  ResettingServer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);  // NOLINT
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);  // NOLINT
    port_ = ntohs(addr.sin_port);
    ::listen(fd_, 16);
    thread_ = std::thread([this] {
      while (!stop_) {
        const int c = ::accept(fd_, nullptr, nullptr);
        if (c < 0) break;
        linger l{1, 0};
        ::setsockopt(c, SOL_SOCKET, SO_LINGER, &l, sizeof l);  // RST on close
        ::close(c);
      }
    });
  }
  ~ResettingServer() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// A raw socket server on 127.0.0.1 that accepts connections and then, per connection, either
// never answers (holds the socket open) or answers one byte a second. Bounded: each connection
// ends after `max_seconds`, or when the server is destroyed.
class StallingServer {
 public:
  enum class Mode { kSilent, kOneBytePerSecond };
  explicit StallingServer(Mode mode, int max_seconds = 30) : mode_(mode), max_seconds_(max_seconds) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);  // NOLINT
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);  // NOLINT
    port_ = ntohs(addr.sin_port);
    ::listen(fd_, 16);
    thread_ = std::thread([this] {
      while (!stop_) {
        const int c = ::accept(fd_, nullptr, nullptr);
        if (c < 0) break;
        ++accepted_;
        serve(c);
        ::close(c);
      }
    });
  }
  ~StallingServer() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/x"; }
  int accepted() const { return accepted_.load(); }

 private:
  void serve(int c) {
    const std::string answer = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 64\r\n\r\n" +
                               std::string(64, ' ');
    for (int tick = 0; tick < max_seconds_ * 10 && !stop_; ++tick) {
      std::this_thread::sleep_for(100ms);
      if (mode_ == Mode::kOneBytePerSecond && tick % 10 == 9) {
        const std::size_t i = static_cast<std::size_t>(tick / 10);
        if (i >= answer.size()) return;
        if (::send(c, answer.data() + i, 1, MSG_NOSIGNAL) != 1) return;  // the client gave up
      }
    }
  }
  Mode mode_;
  int max_seconds_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0};
  std::thread thread_;
};

std::shared_ptr<CurlTransport> curl(CurlTransportOptions o = {}) { return CurlTransport::create(o).value(); }
HttpRequest get(const std::string& url) { return HttpRequest{"GET", url, {}, "", true}; }

TEST(CurlTransport, PlainRequestAndRepeatedHeaders) {
  FaultyServer s;
  auto t = curl();
  auto r = t->send(get(s.url("/ok")), {});
  ASSERT_OK(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, R"({"ok":true})");
  EXPECT_EQ(r->header("content-type").value_or(""), "application/json");
  HttpRequest rep = get(s.url("/echo-headers"));
  rep.headers = {{"X-Repeat", "a"}, {"X-Repeat", "b"}};
  EXPECT_EQ(t->send(rep, {})->body, "2");
  // Connection reuse: many sequential requests through the pool work.
  for (int i = 0; i < 20; ++i) ASSERT_OK(t->send(get(s.url("/ok")), {}));
}

TEST(CurlTransport, SlowResponseTimesOut) {
  FaultyServer s;
  CurlTransportOptions o;
  o.total_timeout = 500ms;
  EXPECT_ERROR_CODE(curl(o)->send(get(s.url("/slow")), {}), ErrorCode::kTimeout);
}

TEST(CurlTransport, TimeoutDefaultsAreDocumentedValues) {
  const CurlTransportOptions o;
  EXPECT_EQ(o.connect_timeout, 10'000ms);
  EXPECT_EQ(o.read_timeout, 30'000ms);
  EXPECT_EQ(o.min_speed_bytes_per_second, 1u);
  EXPECT_EQ(o.total_timeout, 60'000ms);
  CurlTransportOptions bad;
  bad.read_timeout = 0ms;
  EXPECT_ERROR_CODE(CurlTransport::create(bad), ErrorCode::kInvalidArgument);
  bad = {};
  bad.min_speed_bytes_per_second = 0;
  EXPECT_ERROR_CODE(CurlTransport::create(bad), ErrorCode::kInvalidArgument);
}

TEST(CurlTransport, ServerThatAcceptsAndNeverAnswersHitsTheReadTimeout) {
  StallingServer s(StallingServer::Mode::kSilent);
  CurlTransportOptions o;
  o.read_timeout = 1000ms;  // the total timeout (60 s) is not what stops it
  auto r = curl(o)->send(get(s.url()), {});
  EXPECT_ERROR_CODE(r, ErrorCode::kTimeout);
  if (!r.ok()) {
    EXPECT_NE(r.error().message().find("stalled"), std::string::npos) << r.error().message();
  }
  EXPECT_EQ(s.accepted(), 1);
}

TEST(CurlTransport, ServerThatAnswersOneByteASecondHitsTheTotalTimeout) {
  StallingServer s(StallingServer::Mode::kOneBytePerSecond);
  CurlTransportOptions o;
  o.total_timeout = 2500ms;  // the answer would take 130 s
  auto r = curl(o)->send(get(s.url()), {});
  EXPECT_ERROR_CODE(r, ErrorCode::kTimeout);
  if (!r.ok()) {
    EXPECT_NE(r.error().message().find("total timeout"), std::string::npos) << r.error().message();
  }
}

TEST(CurlTransport, ServerThatAnswersOneByteASecondIsCutBelowTheMinimumSpeed) {
  StallingServer s(StallingServer::Mode::kOneBytePerSecond);
  CurlTransportOptions o;
  o.read_timeout = 2000ms;
  o.min_speed_bytes_per_second = 100;  // 1 B/s is a stall at this speed
  auto r = curl(o)->send(get(s.url()), {});
  EXPECT_ERROR_CODE(r, ErrorCode::kTimeout);
  if (!r.ok()) {
    EXPECT_NE(r.error().message().find("stalled"), std::string::npos) << r.error().message();
  }
}

TEST(CurlTransport, ServerThatDoesNotAcceptHitsTheConnectTimeout) {
  // A listening socket whose accept queue is full and never drained: further SYNs are dropped, so
  // the TCP handshake never completes (Linux, tcp_abort_on_overflow = 0).
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);  // NOLINT
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);  // NOLINT
  ASSERT_EQ(::listen(fd, 0), 0);
  std::vector<int> fillers;
  for (int i = 0; i < 4; ++i) {
    const int c = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    ::connect(c, reinterpret_cast<sockaddr*>(&addr), sizeof addr);  // NOLINT
    fillers.push_back(c);
  }
  std::this_thread::sleep_for(200ms);  // let the handshakes of the fillers settle
  CurlTransportOptions o;
  o.connect_timeout = 700ms;
  auto r = curl(o)->send(get("http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/x"), {});
  EXPECT_ERROR_CODE(r, ErrorCode::kTimeout);
  if (!r.ok()) {
    EXPECT_NE(r.error().message().find("connect timeout"), std::string::npos) << r.error().message();
  }
  for (int c : fillers) ::close(c);
  ::close(fd);
}

TEST(CurlTransport, ConnectionResetAndRefusedAreTransportErrors) {
  ResettingServer reset;
  EXPECT_ERROR_CODE(curl()->send(get("http://127.0.0.1:" + std::to_string(reset.port()) + "/x"), {}),
                    ErrorCode::kTransport);
  // Nothing listens on this port any more.
  int closed_port = 0;
  {
    ResettingServer gone;
    closed_port = gone.port();
  }
  EXPECT_ERROR_CODE(curl()->send(get("http://127.0.0.1:" + std::to_string(closed_port) + "/x"), {}),
                    ErrorCode::kTransport);
}

TEST(CurlTransport, OversizedBodyIsRefused) {
  FaultyServer s;
  CurlTransportOptions o;
  o.max_response_bytes = 1024 * 1024;
  EXPECT_ERROR_CODE(curl(o)->send(get(s.url("/huge")), {}), ErrorCode::kMalformedResponse);
}

TEST(CurlTransport, CancellationStopsARequest) {
  FaultyServer s;
  CancellationToken token;
  std::thread canceller([token] {
    std::this_thread::sleep_for(200ms);
    token.cancel();
  });
  const auto start = std::chrono::steady_clock::now();
  EXPECT_ERROR_CODE(curl()->send(get(s.url("/slow")), token), ErrorCode::kCancelled);
  canceller.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2500ms);
}

TEST(CurlTransport, OnlyHttpAndHttps) { EXPECT_FALSE(curl()->send(get("file:///etc/passwd"), {}).ok()); }

TEST(Pipeline, OverCurl503ThenSuccessIsRetried500OnPostIsNot) {
  FaultyServer s;
  transport::Pipeline p(curl(), nullptr, "http://127.0.0.1:" + std::to_string(s.port()),
                        RetryOptions{4, 10ms, 50ms, 5000ms});
  auto r = p.call(transport::ApiRequest{"GET", "/flaky", {}, "", true});
  ASSERT_OK(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(s.flaky_calls_.load(), 3);
  auto b = p.call(transport::ApiRequest{"POST", "/boom", {}, "{}", false});
  ASSERT_OK(b);
  EXPECT_EQ(b->status, 500);
  EXPECT_EQ(s.boom_calls_.load(), 1);
}

TEST(RestBackend, InvalidJsonIsATypedError) {
  FaultyServer s;
  auto p = std::make_shared<transport::Pipeline>(curl(), nullptr, "http://127.0.0.1:" + std::to_string(s.port()),
                                                 RetryOptions{});
  api::RestBackend backend([p](const transport::ApiRequest& r) {
    transport::ApiRequest moved = r;
    moved.path = "/garbage";
    return p->call(moved);
  });
  EXPECT_ERROR_CODE(backend.current_data_owner(), ErrorCode::kMalformedResponse);
}

}  // namespace
}  // namespace cardinal
