// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once
// A minimal ApiCall for engine-level integration tests: cpp-httplib client, username/password
// login, bearer token. (The SDK's own transport stack is tested separately.)

#include <httplib.h>

#include "api/rest_backend.hpp"  // callers build an api::RestBackend over the call
#include "transport/api_call.hpp"

#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

namespace cardinal::testing {

inline transport::ApiCall httplib_api_call(const std::string& host, int port, const std::string& login,
                                     const std::string& password) {
  struct State {
    std::mutex mutex;
    std::string token;
  };
  auto state = std::make_shared<State>();
  return [=](const transport::ApiRequest& req) -> Result<transport::ApiResponse> {
    httplib::Client client(host, port);
    client.set_read_timeout(30, 0);
    std::string token;
    {
      std::lock_guard lock(state->mutex);
      if (state->token.empty()) {
        Json body = Json{{"username", login}, {"password", password}};
        auto r = client.Post("/rest/v2/auth/login", body.dump(), "application/json");
        if (!r) return Error{ErrorCode::kTransport, "login: no answer"};
        if (r->status != 200) return Error{ErrorCode::kUnauthenticated, "login failed"};
        auto j = parse_json(r->body);
        if (!j.ok() || !j->contains("token")) return Error{ErrorCode::kMalformedResponse, "login answer"};
        state->token = (*j)["token"].get<std::string>();
      }
      token = state->token;
    }
    httplib::Headers headers{{"Authorization", "Bearer " + token}};
    for (const auto& [k, v] : req.headers) {
      if (k != "Content-Type") headers.emplace(k, v);
    }
    // Streamed bodies (attachments) are collected, then sent in one piece.
    std::string body = req.body;
    std::string content_type = "application/json";
    if (req.body_source) {
      content_type = "application/octet-stream";
      std::vector<std::uint8_t> buf(64 * 1024);
      for (;;) {
        auto n = req.body_source(std::span<std::uint8_t>(buf));
        if (!n.ok()) return n.error();
        if (*n == 0) break;
        body.append(reinterpret_cast<const char*>(buf.data()), *n);  // NOLINT
      }
    }
    auto send = [&]() -> httplib::Result {
      if (req.method == "POST") return client.Post(req.path, headers, body, content_type);
      if (req.method == "PUT") return client.Put(req.path, headers, body, content_type);
      if (req.method == "DELETE") return client.Delete(req.path, headers);
      return client.Get(req.path, headers);
    };
    auto r = send();
    if (!r) return Error{ErrorCode::kTransport, "no answer for " + req.path};
    if (req.response_sink && r->status >= 200 && r->status < 300) {
      CARDINAL_RETURN_IF_ERROR(req.response_sink(
          std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(r->body.data()), r->body.size())));  // NOLINT
      return transport::ApiResponse{r->status, ""};
    }
    return transport::ApiResponse{r->status, r->body};
  };
}

}  // namespace cardinal::testing
