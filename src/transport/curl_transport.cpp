// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#include <cardinal/http/curl_transport.hpp>

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <mutex>
#include <vector>

namespace cardinal {

std::optional<std::string> HttpResponse::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k.size() == name.size() && std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
        })) {
      return v;
    }
  }
  return std::nullopt;
}

namespace {

void global_init_once() {
  static const bool done = [] { return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK; }();
  (void)done;
}

struct Transfer {
  std::string body;
  HttpHeaders headers;
  std::size_t limit = 0;
  std::size_t streamed = 0;  // bytes given to `sink`
  bool too_large = false;
  const CancellationToken* cancel = nullptr;
  CURL* handle = nullptr;
  const BodySink* sink = nullptr;
  const BodySource* source = nullptr;
  std::optional<Error> stream_error;
};

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::size_t n = size * count;
  if (t->sink != nullptr && *t->sink) {
    long status = 0;
    curl_easy_getinfo(t->handle, CURLINFO_RESPONSE_CODE, &status);
    if (status >= 200 && status < 300) {
      // The size limit holds for streamed bodies too (attachments).
      t->streamed += n;
      if (t->streamed > t->limit) {
        t->too_large = true;
        return 0;  // aborts the transfer
      }
      auto st = (*t->sink)(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(data), n));  // NOLINT
      if (!st.ok()) {
        t->stream_error = st.error();
        return 0;
      }
      return n;
    }
  }
  if (t->body.size() + n > t->limit) {
    t->too_large = true;
    return 0;  // aborts the transfer
  }
  t->body.append(data, n);
  return n;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::size_t n = size * count;
  std::string line(data, n);
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.pop_back();
  if (line.rfind("HTTP/", 0) == 0) {
    t->headers.clear();  // a new response (after 100-continue, …)
  } else if (auto colon = line.find(':'); colon != std::string::npos) {
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    t->headers.emplace_back(line.substr(0, colon), value);
  }
  return n;
}

std::size_t on_read(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  auto r = (*t->source)(std::span<std::uint8_t>(reinterpret_cast<std::uint8_t*>(buffer), size * count));  // NOLINT
  if (!r.ok()) {
    t->stream_error = r.error();
    return CURL_READFUNC_ABORT;
  }
  return *r;
}

int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* t = static_cast<Transfer*>(user);
  return t->cancel != nullptr && t->cancel->cancelled() ? 1 : 0;
}

}  // namespace

struct CurlTransport::Impl {
  CurlTransportOptions options;
  std::mutex mutex;
  std::vector<CURL*> idle;  // handles keep their connections alive between requests

  ~Impl() {
    for (CURL* h : idle) curl_easy_cleanup(h);
  }
  CURL* take() {
    {
      std::lock_guard lock(mutex);
      if (!idle.empty()) {
        CURL* h = idle.back();
        idle.pop_back();
        return h;
      }
    }
    return curl_easy_init();
  }
  void give_back(CURL* h) {
    curl_easy_reset(h);  // keeps the connection cache
    std::lock_guard lock(mutex);
    if (idle.size() < 16) {
      idle.push_back(h);
      return;
    }
    curl_easy_cleanup(h);
  }
};

CurlTransport::CurlTransport(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CurlTransport::~CurlTransport() = default;

Result<std::shared_ptr<CurlTransport>> CurlTransport::create(CurlTransportOptions options) {
  if (!options.skip_curl_global_init) global_init_once();
  if (options.total_timeout.count() <= 0 || options.connect_timeout.count() <= 0 ||
      options.read_timeout.count() <= 0) {
    return Error{ErrorCode::kInvalidArgument, "timeouts must be positive"};
  }
  if (options.min_speed_bytes_per_second == 0) {
    return Error{ErrorCode::kInvalidArgument, "min_speed_bytes_per_second must be positive"};
  }
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  return std::shared_ptr<CurlTransport>(new CurlTransport(std::move(impl)));
}

Result<HttpResponse> CurlTransport::send(const HttpRequest& request, const CancellationToken& cancel) {
  if (cancel.cancelled()) return Error{ErrorCode::kCancelled, "request cancelled"};
  const auto& o = impl_->options;
  CURL* h = impl_->take();
  if (h == nullptr) return Error{ErrorCode::kInternal, "curl handle allocation failed"};
  Transfer t;
  t.limit = o.max_response_bytes;
  t.cancel = &cancel;
  t.handle = h;
  t.sink = &request.response_sink;
  t.source = &request.body_source;
  curl_slist* headers = nullptr;
  for (const auto& [k, v] : request.headers) headers = curl_slist_append(headers, (k + ": " + v).c_str());
  headers = curl_slist_append(headers, "Expect:");

  curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  if (request.body_source) {
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);  // streamed body, chunked transfer encoding
    curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
    curl_easy_setopt(h, CURLOPT_READDATA, &t);
  } else if (request.method == "GET") {
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
  } else if (!request.body.empty() || request.method == "POST" || request.method == "PUT") {
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  }
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(h, CURLOPT_XFERINFODATA, &t);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(o.connect_timeout.count()));
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(o.total_timeout.count()));
  // Stall detection: libcurl aborts when the average speed stays below the limit this many seconds.
  const long read_seconds = static_cast<long>((o.read_timeout.count() + 999) / 1000);
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, static_cast<long>(std::min(o.min_speed_bytes_per_second, std::size_t{1} << 30)));
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, std::max(1L, read_seconds));
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, o.insecure_disable_tls_verification ? 0L : 1L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, o.insecure_disable_tls_verification ? 0L : 2L);
  if (!o.ca_bundle.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, o.ca_bundle.c_str());
  curl_easy_setopt(h, CURLOPT_PROXY, o.proxy.c_str());  // "" = no proxy, environment ignored
  curl_easy_setopt(h, CURLOPT_USERAGENT, o.user_agent.c_str());

  const auto started = std::chrono::steady_clock::now();
  const CURLcode rc = curl_easy_perform(h);
  const auto elapsed = std::chrono::steady_clock::now() - started;
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  curl_off_t connected_us = 0;
  curl_easy_getinfo(h, CURLINFO_CONNECT_TIME_T, &connected_us);
  curl_slist_free_all(headers);
  impl_->give_back(h);

  if (rc != CURLE_OK) {
    if (t.stream_error) return *t.stream_error;
    if (t.too_large) {
      return Error{ErrorCode::kMalformedResponse,
                   "response larger than " + std::to_string(o.max_response_bytes) + " bytes refused"};
    }
    switch (rc) {
      case CURLE_OPERATION_TIMEDOUT:
        // Which of the three: not connected yet, the whole request, or a stalled transfer.
        if (connected_us == 0 && elapsed < o.total_timeout) {
          return Error{ErrorCode::kTimeout, "the server did not accept the connection within the connect timeout (" +
                                                std::to_string(o.connect_timeout.count()) + " ms)"};
        }
        // curl reports all three with one code: a stall needs at least the (whole-second) read
        // timeout to have passed, and the total timeout may fire a few ms early by curl's clock.
        if (elapsed + std::chrono::milliseconds(100) >= o.total_timeout ||
            elapsed + std::chrono::milliseconds(100) < std::chrono::seconds(std::max(1L, read_seconds))) {
          return Error{ErrorCode::kTimeout, "the server did not complete its answer within the total timeout (" +
                                                std::to_string(o.total_timeout.count()) + " ms)"};
        }
        return Error{ErrorCode::kTimeout, "the transfer stalled: less than " +
                                              std::to_string(o.min_speed_bytes_per_second) +
                                              " byte(s) per second during the read timeout (" +
                                              std::to_string(read_seconds) + " s)"};
      case CURLE_ABORTED_BY_CALLBACK:
        return Error{ErrorCode::kCancelled, "request cancelled"};
      default:
        return Error{ErrorCode::kTransport, std::string("transport failure: ") + curl_easy_strerror(rc)};
    }
  }
  return HttpResponse{static_cast<int>(status), std::move(t.headers), std::move(t.body)};
}

}  // namespace cardinal
