// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// The default transport, on libcurl. TLS peer and host verification are on; connections are
/// reused through a pool of handles (one handle per request in flight, never shared between
/// threads).
///
/// Thread safety: `CurlTransport` is thread-safe: `send` may run on several threads at once.
///
/// Ownership: `create` returns a `std::shared_ptr`, shared by the SDK and the auth providers that
/// use the transport; the transport owns its libcurl handles and releases them with the last
/// reference. A request is borrowed for the duration of `send` only (see transport.hpp).

#include <cardinal/http/transport.hpp>

#include <chrono>
#include <memory>
#include <string>

namespace cardinal {

/// Settings of the libcurl transport.
struct CurlTransportOptions {
  /// CA bundle file; empty = the system default.
  std::string ca_bundle;
  /// DANGER: turns TLS certificate and host name checks off, which lets anyone on the network
  /// read and change every request. Only for local test servers.
  bool insecure_disable_tls_verification = false;
  /// Connect timeout: TCP + TLS connection set-up (a server that does not accept). Default 10 s.
  std::chrono::milliseconds connect_timeout{10'000};
  /// Read (stall) timeout: the request fails with kTimeout when, during this long, less than
  /// `min_speed_bytes_per_second` moved on average in either direction (a server that accepts the
  /// connection and never answers, or stops in the middle). libcurl counts whole seconds: rounded
  /// up, at least 1 s. Default 30 s.
  std::chrono::milliseconds read_timeout{30'000};
  /// The average speed under which `read_timeout` runs. Default 1 byte per second: only a stalled
  /// transfer. Raise it to also cut servers that answer a byte at a time.
  std::size_t min_speed_bytes_per_second = 1;
  /// Total timeout: the whole request, body transfers included (a server that answers a byte a
  /// second is cut here). Default 60 s; streamed attachments of hundreds of MiB may need more.
  std::chrono::milliseconds total_timeout{60'000};
  /// e.g. "http://proxy:3128"; empty = none (curl's environment variables are ignored).
  std::string proxy;
  /// Responses larger than this are refused (kMalformedResponse) without being kept, streamed
  /// ones (`HttpRequest::response_sink`, e.g. attachment downloads) included.
  std::size_t max_response_bytes = 64 * 1024 * 1024;
  std::string user_agent = "cardinal-cpp/0.1";  ///< `User-Agent` header
  /// Set when the host application already called curl_global_init.
  bool skip_curl_global_init = false;
};

/// The default `HttpTransport`, on libcurl (TLS verified unless the options say otherwise).
class CARDINAL_EXPORT CurlTransport : public HttpTransport {
 public:
  /// A transport with these options. Errors: kInvalidArgument (a timeout or the minimum speed is
  /// not positive). Timeouts are kTimeout errors whose message says which one expired.
  static Result<std::shared_ptr<CurlTransport>> create(CurlTransportOptions options = {});
  ~CurlTransport() override;
  Result<HttpResponse> send(const HttpRequest& request, const CancellationToken& cancel) override;

 private:
  struct Impl;
  explicit CurlTransport(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace cardinal
