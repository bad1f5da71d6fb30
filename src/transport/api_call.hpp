// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once
// One REST call as the layers above the HTTP transport see it: a method and a path under the base
// URL (the pipeline adds the base URL, authentication, retries and logging). Plain values.

#include <cardinal/http/transport.hpp>

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace cardinal::transport {

struct ApiRequest {
  std::string method;
  std::string path;  ///< under the base URL, e.g. "/rest/v2/helement/abc"
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  /// Safe to repeat (retry policies may only repeat such requests).
  bool idempotent = false;
  /// Streamed body / streamed 2xx response (attachments); see HttpRequest.
  BodySource body_source;
  BodySink response_sink;
};

struct ApiResponse {
  int status = 0;
  std::string body;
};

/// Sends one request (authentication, retries and logging are the caller's pipeline).
using ApiCall = std::function<Result<ApiResponse>(const ApiRequest&)>;

}  // namespace cardinal::transport
