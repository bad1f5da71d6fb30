// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once
// The policy pipeline above the transport: bearer authentication (refresh once on 401), bounded
// retries with backoff for idempotent requests, redacted request logging. Thread-safe.

#include <cardinal/http/auth.hpp>
#include <cardinal/http/transport.hpp>

#include "transport/api_call.hpp"

#include <functional>

namespace cardinal::transport {

class Pipeline {
 public:
  Pipeline(std::shared_ptr<HttpTransport> transport, std::shared_ptr<AuthProvider> auth, std::string base_url,
           RetryOptions retry, CancellationToken cancel = {});
  Result<ApiResponse> call(const ApiRequest& request);
  /// For tests: how the pipeline sleeps between attempts.
  void set_sleep(std::function<void(std::chrono::milliseconds)> sleep) { sleep_ = std::move(sleep); }

 private:
  Result<HttpResponse> send_authenticated(HttpRequest request);
  std::shared_ptr<HttpTransport> transport_;
  std::shared_ptr<AuthProvider> auth_;
  std::string base_url_;
  RetryOptions retry_;
  CancellationToken cancel_;
  std::function<void(std::chrono::milliseconds)> sleep_;
};

/// Parses a `Retry-After` header (delay in seconds); nullopt for anything else.
std::optional<std::chrono::milliseconds> parse_retry_after(const std::string& value);

}  // namespace cardinal::transport
