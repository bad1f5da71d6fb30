// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once
// The server as the attacker, for tests of the public API: the real devserver behind a
// CurlTransport, whose answers to chosen requests are replaced.

#include <cardinal/http/curl_transport.hpp>
#include <cardinal/http/transport.hpp>

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace cardinal::testing {

class HostileTransport : public HttpTransport {
 public:
  /// Given a request and the real answer's body, returns a replacement body (status 200), or
  /// nothing to pass the answer through.
  using Rewrite = std::function<std::optional<std::string>(const HttpRequest&, const std::string& real)>;
  HostileTransport() : inner_(CurlTransport::create().value()) {}
  void rewrite(Rewrite r) {
    std::lock_guard lock(mutex_);
    rewrite_ = std::move(r);
  }
  Result<HttpResponse> send(const HttpRequest& request, const CancellationToken& cancel) override {
    Rewrite r;
    {
      std::lock_guard lock(mutex_);
      r = rewrite_;
    }
    auto resp = inner_->send(request, cancel);
    if (!resp.ok() || !r) return resp;
    if (auto body = r(request, resp->body)) {
      resp->status = 200;
      resp->body = std::move(*body);
    }
    return resp;
  }

 private:
  std::shared_ptr<HttpTransport> inner_;
  std::mutex mutex_;
  Rewrite rewrite_;
};

}  // namespace cardinal::testing
