// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#include "transport/pipeline.hpp"

#include <cardinal/crypto/random.hpp>

#include "common/log.hpp"

#include <thread>

namespace cardinal::transport {

namespace {

bool retryable_status(int status) { return status == 429 || status == 502 || status == 503 || status == 504; }
bool retryable_error(ErrorCode code) { return code == ErrorCode::kTransport || code == ErrorCode::kTimeout; }

std::string path_only(const std::string& path) { return path.substr(0, path.find('?')); }

double jitter() {
  auto b = crypto::random_bytes(2);
  if (!b.ok()) return 0.75;
  return 0.5 + static_cast<double>(((*b)[0] << 8) | (*b)[1]) / 65535.0 * 0.5;  // [0.5, 1.0]
}

}  // namespace

std::optional<std::chrono::milliseconds> parse_retry_after(const std::string& value) {
  if (value.empty() || value.size() > 6 || value.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  return std::chrono::milliseconds(std::stoll(value) * 1000);
}

Pipeline::Pipeline(std::shared_ptr<HttpTransport> transport, std::shared_ptr<AuthProvider> auth, std::string base_url,
                   RetryOptions retry, CancellationToken cancel)
    : transport_(std::move(transport)),
      auth_(std::move(auth)),
      base_url_(std::move(base_url)),
      retry_(retry),
      cancel_(std::move(cancel)),
      sleep_([](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); }) {
  while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
}

Result<HttpResponse> Pipeline::send_authenticated(HttpRequest request) {
  const std::size_t auth_index = request.headers.size();
  for (int round = 0; round < 2; ++round) {
    if (auth_) {
      CARDINAL_ASSIGN_OR_RETURN(SecretBytes token, auth_->bearer_token(round > 0));
      std::string value = "Bearer " + std::string(token.reveal_as_text());
      request.headers.resize(auth_index);
      request.headers.emplace_back("Authorization", std::move(value));
    }
    auto resp = transport_->send(request, cancel_);
    // A 401 rejected the request without effect: refresh once and send again (not for a
    // streamed body, which the first attempt consumed).
    if (resp.ok() && resp->status == 401 && auth_ && round == 0 && !request.body_source) continue;
    if (auth_ && auth_index < request.headers.size()) {
      auto& v = request.headers[auth_index].second;
      detail::secure_wipe(v.data(), v.size());
    }
    return resp;
  }
  return Error{ErrorCode::kUnauthenticated, "the server refused the refreshed credentials"};
}

Result<ApiResponse> Pipeline::call(const ApiRequest& request) {
  HttpRequest http;
  http.method = request.method;
  http.url = base_url_ + request.path;
  http.headers = request.headers;
  http.body = request.body;
  // A streamed body is consumed by the first attempt: never repeated.
  http.idempotent = request.idempotent && !request.body_source;
  http.body_source = request.body_source;
  http.response_sink = request.response_sink;
  const auto start = std::chrono::steady_clock::now();
  std::chrono::milliseconds backoff = retry_.initial_backoff;
  for (int attempt = 1;; ++attempt) {
    if (cancel_.cancelled()) return Error{ErrorCode::kCancelled, "request cancelled"};
    auto resp = send_authenticated(http);
    const bool can_retry = http.idempotent && !http.response_sink && attempt < retry_.max_attempts;
    std::optional<std::chrono::milliseconds> wait;
    if (resp.ok()) {
      internal::logger()->debug("{} {} -> {} (attempt {})", request.method, path_only(request.path), resp->status,
                                attempt);
      if (!can_retry || !retryable_status(resp->status)) return ApiResponse{resp->status, std::move(resp->body)};
      if (auto ra = resp->header("Retry-After")) wait = parse_retry_after(*ra);
    } else {
      internal::logger()->debug("{} {} failed: {} (attempt {})", request.method, path_only(request.path),
                                to_string(resp.error().code()), attempt);
      if (!can_retry || !retryable_error(resp.error().code())) return resp.error();
    }
    const auto delay = wait.value_or(
        std::chrono::milliseconds(static_cast<long long>(static_cast<double>(backoff.count()) * jitter())));
    const auto elapsed =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
    if (elapsed + delay > retry_.max_total) {
      if (resp.ok()) return ApiResponse{resp->status, std::move(resp->body)};
      return resp.error();
    }
    internal::logger()->info("retrying {} {} in {} ms", request.method, path_only(request.path), delay.count());
    sleep_(delay);
    backoff = std::min(retry_.max_backoff, backoff * 2);
  }
}

}  // namespace cardinal::transport
