// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// The transport seam: how the SDK reaches the backend. Applications may provide their own
/// `HttpTransport` (their HTTP stack, a proxy, a test double); the default is `CurlTransport`.
///
/// Thread safety: the SDK calls `send` from several threads at once; implementations must allow
/// that. Authentication, retries and logging happen above the transport, in the SDK.
/// `CancellationToken::cancel` may be called from any thread.
///
/// Ownership: the SDK shares a transport (`std::shared_ptr`) with the application. Requests and
/// responses are plain values: a transport borrows the request for the duration of `send` (its
/// `body_source` and `response_sink` are called only during that `send`) and returns a response
/// the caller owns. Copies of a `CancellationToken` share one flag.

#include <cardinal/export.hpp>
#include <cardinal/result.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cardinal {

/// Header lists keep order and allow repeats (`Icure-Access-Control-Keys` may repeat).
using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

/// Produces the next bytes of a streamed request body into `buffer`; returns how many (0 = end).
using BodySource = std::function<Result<std::size_t>(std::span<std::uint8_t> buffer)>;
/// Receives the bytes of a streamed (2xx) response body as they arrive.
using BodySink = std::function<Status(std::span<const std::uint8_t> chunk)>;

/// One HTTP request, as given to an `HttpTransport`. A custom transport sees everything in it,
/// credentials included (`Authorization`, login bodies): treat it as part of the trusted code.
struct HttpRequest {
  std::string method;  ///< "GET", "POST", "PUT", "DELETE"
  std::string url;     ///< absolute URL
  HttpHeaders headers;  ///< request headers, in order
  std::string body;     ///< request body (empty: none)
  /// Safe to send twice (GET, PUT of a revision, DELETE…). Only such requests are retried.
  bool idempotent = false;
  /// When set, the body is streamed from it instead of `body` (large uploads; never retried).
  BodySource body_source;
  /// When set, a 2xx response body is streamed to it instead of being kept in memory.
  BodySink response_sink;
};

/// One HTTP response.
struct HttpResponse {
  int status = 0;       ///< HTTP status code
  HttpHeaders headers;  ///< response headers, in order
  std::string body;     ///< response body
  /// First header with this name (case-insensitive).
  [[nodiscard]] CARDINAL_EXPORT std::optional<std::string> header(std::string_view name) const;
};

/// Cancels requests in flight that were given this token. Copies share the flag.
class CancellationToken {
 public:
  CancellationToken() : flag_(std::make_shared<std::atomic<bool>>(false)) {}
  /// Requests cancellation (thread-safe).
  void cancel() const noexcept { flag_->store(true); }
  /// Whether `cancel` was called on this token or a copy.
  [[nodiscard]] bool cancelled() const noexcept { return flag_->load(); }

 private:
  std::shared_ptr<std::atomic<bool>> flag_;
};

/// When the SDK repeats a request: connection failures, timeouts, 502/503/504 and 429 (honouring
/// `Retry-After`), with exponential backoff and jitter, for requests that are safe to repeat only.
struct RetryOptions {
  int max_attempts = 4;  ///< 1 = never retry
  std::chrono::milliseconds initial_backoff{200};  ///< delay before the first retry
  std::chrono::milliseconds max_backoff{5'000};    ///< upper bound of one delay
  std::chrono::milliseconds max_total{30'000};  ///< no new attempt starts after this
};

/// The HTTP seam: the SDK sends every request through one (`CurlTransport` by default).
/// Implementations must be thread-safe.
class CARDINAL_EXPORT HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  /// Sends one request. An HTTP error status is a response, not an error; errors are transport
  /// failures: kTransport (connection refused/reset), kTimeout, kCancelled, kMalformedResponse
  /// (e.g. larger than allowed).
  virtual Result<HttpResponse> send(const HttpRequest& request, const CancellationToken& cancel) = 0;
};

}  // namespace cardinal
