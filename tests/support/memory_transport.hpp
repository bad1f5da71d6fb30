// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once
// An in-memory HttpTransport for unit tests: routes "METHOD path" (path without the base URL and
// query) to handlers, records every request. Thread-safe.

#include <cardinal/http/transport.hpp>

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace cardinal::testing {

class MemoryTransport : public HttpTransport {
 public:
  using Handler = std::function<Result<HttpResponse>(const HttpRequest&)>;
  void route(const std::string& method_and_path, Handler h) {
    std::lock_guard lock(mutex_);
    routes_[method_and_path] = std::move(h);
  }
  Result<HttpResponse> send(const HttpRequest& request, const CancellationToken& cancel) override {
    if (cancel.cancelled()) return Error{ErrorCode::kCancelled, "cancelled"};
    Handler h;
    {
      std::lock_guard lock(mutex_);
      requests_.push_back(request);
      std::string path = request.url.substr(request.url.find('/', request.url.find("//") + 2));
      path = path.substr(0, path.find('?'));
      auto it = routes_.find(request.method + " " + path);
      if (it == routes_.end()) return HttpResponse{404, {}, R"({"message":"no route"})"};
      h = it->second;
    }
    return h(request);
  }
  std::vector<HttpRequest> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  std::size_t count(const std::string& method, const std::string& path_fragment) const {
    std::lock_guard lock(mutex_);
    std::size_t n = 0;
    for (const auto& r : requests_) n += r.method == method && r.url.find(path_fragment) != std::string::npos ? 1u : 0u;
    return n;
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, Handler> routes_;
  std::vector<HttpRequest> requests_;
};

/// A JWT-shaped token with the given `exp` (unsigned; the SDK does not check signatures).
inline std::string fake_jwt(std::int64_t exp, const std::string& tag = "t") {
  auto byte = [](char c) { return static_cast<unsigned>(static_cast<unsigned char>(c)); };
  auto b64url = [&byte](const std::string& s) {
    static const char* a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    std::size_t i = 0;
    for (; i + 2 < s.size(); i += 3) {
      const unsigned n = (byte(s[i]) << 16) | (byte(s[i + 1]) << 8) | byte(s[i + 2]);
      out += a[(n >> 18) & 63];
      out += a[(n >> 12) & 63];
      out += a[(n >> 6) & 63];
      out += a[n & 63];
    }
    if (s.size() - i == 1) {
      const unsigned n = byte(s[i]) << 16;
      out += a[(n >> 18) & 63];
      out += a[(n >> 12) & 63];
    } else if (s.size() - i == 2) {
      const unsigned n = (byte(s[i]) << 16) | (byte(s[i + 1]) << 8);
      out += a[(n >> 18) & 63];
      out += a[(n >> 12) & 63];
      out += a[(n >> 6) & 63];
    }
    return out;
  };
  return b64url(R"({"alg":"HS256"})") + "." +
         b64url(R"({"exp":)" + std::to_string(exp) + R"(,"tac":90,"tag":")" + tag + "\"}") + ".c2lnbmF0dXJl";
}

}  // namespace cardinal::testing
