// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// Retry, authentication and error mapping above an in-memory transport.

#include <cardinal/crypto/encoding.hpp>
#include <cardinal/http/auth.hpp>
#include <cardinal/logging.hpp>

#include "api/rest_backend.hpp"
#include "memory_transport.hpp"
#include "test_util.hpp"
#include "transport/pipeline.hpp"

#include <atomic>
#include <chrono>
#include <thread>

namespace cardinal {
namespace {

using namespace std::chrono_literals;
using testing::MemoryTransport;

std::int64_t now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

struct Fixture {
  std::shared_ptr<MemoryTransport> http = std::make_shared<MemoryTransport>();
  std::vector<std::chrono::milliseconds> sleeps;
  std::atomic<int> logins{0}, refreshes{0};
  std::int64_t token_lifetime = 3600;

  Fixture() {
    http->route("POST /rest/v2/auth/login", [this](const HttpRequest& r) -> Result<HttpResponse> {
      auto body = parse_json(r.body).value();
      if (body["password"] != "s3cret") return HttpResponse{401, {}, "{}"};
      ++logins;
      return HttpResponse{200,
                          {},
                          Json{{"token", testing::fake_jwt(now_s() + token_lifetime, "login")},
                               {"refreshToken", testing::fake_jwt(now_s() + 86400, "refresh")}}
                              .dump()};
    });
    http->route("POST /rest/v2/auth/refresh", [this](const HttpRequest& r) -> Result<HttpResponse> {
      bool has = false;
      for (const auto& [k, v] : r.headers) has = has || (k == "Refresh-Token" && !v.empty());
      if (!has) return HttpResponse{401, {}, "{}"};
      ++refreshes;
      return HttpResponse{200, {}, Json{{"token", testing::fake_jwt(now_s() + token_lifetime, "refreshed")}}.dump()};
    });
  }
  std::shared_ptr<UsernamePasswordAuth> auth(const char* password = "s3cret") {
    return UsernamePasswordAuth::create(http, {"http://backend", "alice", SecretBytes::from_string(password), {}, 30s});
  }
  transport::Pipeline pipeline(RetryOptions retry = {}) {
    transport::Pipeline p(http, auth(), "http://backend", retry);
    p.set_sleep([this](std::chrono::milliseconds d) { sleeps.push_back(d); });
    return p;
  }
};

transport::ApiRequest get(const std::string& path) { return transport::ApiRequest{"GET", path, {}, "", true}; }
transport::ApiRequest post(const std::string& path) { return transport::ApiRequest{"POST", path, {}, "{}", false}; }

TEST(Pipeline, RetriesIdempotentRequestsOn503ThenSucceeds) {
  Fixture f;
  int calls = 0;
  f.http->route("GET /rest/v2/x", [&](const HttpRequest&) -> Result<HttpResponse> {
    return ++calls < 3 ? HttpResponse{503, {}, ""} : HttpResponse{200, {}, "{}"};
  });
  auto p = f.pipeline();
  auto r = p.call(get("/rest/v2/x"));
  ASSERT_OK(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(calls, 3);
  ASSERT_EQ(f.sleeps.size(), 2u);
  // Exponential from 200 ms, jitter in [0.5, 1].
  EXPECT_GE(f.sleeps[0], 100ms);
  EXPECT_LE(f.sleeps[0], 200ms);
  EXPECT_GE(f.sleeps[1], 200ms);
  EXPECT_LE(f.sleeps[1], 400ms);
}

TEST(Pipeline, NeverRepeatsNonIdempotentRequests) {
  Fixture f;
  int calls = 0;
  f.http->route("POST /rest/v2/x", [&](const HttpRequest&) -> Result<HttpResponse> {
    ++calls;
    return HttpResponse{503, {}, ""};
  });
  f.http->route("POST /rest/v2/reset", [&](const HttpRequest&) -> Result<HttpResponse> {
    ++calls;
    return Error{ErrorCode::kTransport, "connection reset"};
  });
  auto p = f.pipeline();
  auto r = p.call(post("/rest/v2/x"));
  ASSERT_OK(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_ERROR_CODE(p.call(post("/rest/v2/reset")), ErrorCode::kTransport);
  EXPECT_EQ(calls, 2);
  EXPECT_TRUE(f.sleeps.empty());
}

TEST(Pipeline, DoesNotRetry500AndHonoursRetryAfterAndBounds) {
  Fixture f;
  int calls500 = 0, calls429 = 0, calls_down = 0;
  f.http->route("GET /rest/v2/e500", [&](const HttpRequest&) -> Result<HttpResponse> {
    ++calls500;
    return HttpResponse{500, {}, ""};
  });
  f.http->route("GET /rest/v2/e429", [&](const HttpRequest&) -> Result<HttpResponse> {
    return ++calls429 == 1 ? HttpResponse{429, {{"Retry-After", "2"}}, ""} : HttpResponse{200, {}, "{}"};
  });
  f.http->route("GET /rest/v2/down", [&](const HttpRequest&) -> Result<HttpResponse> {
    ++calls_down;
    return Error{ErrorCode::kTimeout, "timed out"};
  });
  auto p = f.pipeline(RetryOptions{4, 100ms, 1000ms, 30000ms});
  EXPECT_EQ(p.call(get("/rest/v2/e500"))->status, 500);
  EXPECT_EQ(calls500, 1);
  EXPECT_EQ(p.call(get("/rest/v2/e429"))->status, 200);
  ASSERT_FALSE(f.sleeps.empty());
  EXPECT_EQ(f.sleeps.back(), 2000ms);
  EXPECT_ERROR_CODE(p.call(get("/rest/v2/down")), ErrorCode::kTimeout);
  EXPECT_EQ(calls_down, 4);  // bounded attempts
}

TEST(Pipeline, RefreshesOnceOn401) {
  Fixture f;
  int calls = 0;
  std::vector<std::string> tokens;
  f.http->route("GET /rest/v2/me", [&](const HttpRequest& r) -> Result<HttpResponse> {
    for (const auto& [k, v] : r.headers) {
      if (k == "Authorization") tokens.push_back(v);
    }
    return ++calls == 1 ? HttpResponse{401, {}, ""} : HttpResponse{200, {}, "{}"};
  });
  f.http->route("GET /rest/v2/never", [&](const HttpRequest&) -> Result<HttpResponse> {
    return HttpResponse{401, {}, ""};
  });
  auto p = f.pipeline();
  auto r = p.call(get("/rest/v2/me"));
  ASSERT_OK(r);
  EXPECT_EQ(r->status, 200);
  ASSERT_EQ(tokens.size(), 2u);
  EXPECT_NE(tokens[0], tokens[1]);
  EXPECT_EQ(f.refreshes.load(), 1);
  // Always 401: one refresh, then the 401 is returned (no storm).
  const int before = f.refreshes.load();
  auto never = p.call(get("/rest/v2/never"));
  ASSERT_OK(never);
  EXPECT_EQ(never->status, 401);
  EXPECT_EQ(f.refreshes.load(), before + 1);
}

TEST(Auth, RefreshesBeforeExpiryAndSharesOneRefreshBetweenThreads) {
  Fixture f;
  f.token_lifetime = 10;  // inside the 30 s margin: every use refreshes
  auto a = f.auth();
  ASSERT_OK(a->bearer_token(false));
  EXPECT_EQ(f.logins.load(), 1);
  ASSERT_OK(a->bearer_token(false));
  EXPECT_EQ(f.refreshes.load(), 1);

  Fixture g;  // long-lived tokens: 8 threads share one login
  auto b = g.auth();
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) threads.emplace_back([&] { EXPECT_TRUE(b->bearer_token(false).ok()); });
  for (auto& t : threads) t.join();
  EXPECT_EQ(g.logins.load(), 1);
  EXPECT_EQ(g.refreshes.load(), 0);
}

TEST(Auth, WrongPasswordIsUnauthenticatedAndNeverEchoed) {
  Fixture f;
  auto a = f.auth("hunter2-wrong");
  auto r = a->bearer_token(false);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kUnauthenticated);
  EXPECT_EQ(r.error().message().find("hunter2"), std::string::npos);
}

TEST(Auth, JwtExpiry) {
  EXPECT_EQ(jwt_expiry(testing::fake_jwt(1234567890)), 1234567890);
  EXPECT_FALSE(jwt_expiry("not-a-jwt").has_value());
  EXPECT_FALSE(jwt_expiry("a.b.c").has_value());
  EXPECT_FALSE(jwt_expiry("a.e30.c").has_value());  // {} has no exp
  // Hostile or odd `exp` values from the server: out of the 64-bit range is ignored (it was cast,
  // undefined behaviour), a fractional second is floored, a string is not a number.
  EXPECT_FALSE(jwt_expiry("a.eyJleHAiOjFlMzAwfQ.c").has_value());                      // 1e300
  EXPECT_FALSE(jwt_expiry("a.eyJleHAiOi0xZTMwMH0.c").has_value());                     // -1e300
  EXPECT_FALSE(jwt_expiry("a.eyJleHAiOjE4NDQ2NzQ0MDczNzA5NTUxNjE1fQ.c").has_value());  // 2^64 - 1
  EXPECT_EQ(jwt_expiry("a.eyJleHAiOjE1MDAwMDAwMDAuNzV9.c"), 1500000000);               // 1500000000.75
  EXPECT_FALSE(jwt_expiry("a.eyJleHAiOiIxNTAwMDAwMDAwIn0.c").has_value());             // "1500000000"
}

TEST(RestErrors, HttpStatusesMapToTypedErrors) {
  EXPECT_EQ(api::http_error(400, "x").code(), ErrorCode::kBadRequest);
  EXPECT_EQ(api::http_error(401, "x").code(), ErrorCode::kUnauthenticated);
  EXPECT_EQ(api::http_error(403, "x").code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(api::http_error(404, "x").code(), ErrorCode::kNotFound);
  EXPECT_EQ(api::http_error(409, "x").code(), ErrorCode::kConflict);
  EXPECT_EQ(api::http_error(503, "x").code(), ErrorCode::kServerError);
  EXPECT_EQ(api::http_error(302, "x").code(), ErrorCode::kMalformedResponse);
  // Through the backend: statuses and malformed bodies.
  int status = 200;
  std::string body = "not json";
  api::RestBackend backend([&](const transport::ApiRequest&) -> Result<transport::ApiResponse> {
    return transport::ApiResponse{status, body};
  });
  EXPECT_ERROR_CODE(backend.current_data_owner(), ErrorCode::kMalformedResponse);
  body = R"({"type":"hcp","dataOwner":{"id":42}})";
  EXPECT_ERROR_CODE(backend.current_data_owner(), ErrorCode::kMalformedResponse);
  status = 403;
  EXPECT_ERROR_CODE(backend.get_entity("HealthElement", "x", {}), ErrorCode::kPermissionDenied);
  status = 200;
  body = R"({"id":"other"})";
  EXPECT_ERROR_CODE(backend.get_entity("HealthElement", "x", {}), ErrorCode::kMalformedResponse);
}

TEST(AccessControlHeader, EncodesAtMost360KeysPerValue) {
  api::AccessKeys keys;
  for (int i = 0; i < 721; ++i) {
    auto k = SecretBytes::zeros(16);
    k.mutable_data()[0] = static_cast<std::uint8_t>(i);
    keys.push_back(std::move(k));
  }
  auto values = api::access_control_key_headers(keys);
  ASSERT_OK(values);
  ASSERT_EQ(values->size(), 3u);
  EXPECT_EQ(crypto::base64_decode((*values)[0])->size(), 360u * 16);
  EXPECT_EQ(crypto::base64_decode((*values)[2])->size(), 16u);
  EXPECT_EQ((*values)[0].find('='), std::string::npos);  // 5760 bytes: no padding
  keys.push_back(SecretBytes::zeros(15));
  EXPECT_ERROR_CODE(api::access_control_key_headers(keys), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(api::access_control_key_headers({})->empty());
}

TEST(Logging, RedactsTokensAndKeys) {
  const std::string jwt = testing::fake_jwt(1);
  EXPECT_EQ(redact("Authorization: Bearer " + jwt).find(jwt), std::string::npos);
  EXPECT_EQ(redact("token " + jwt).find("eyJ"), std::string::npos);
  const std::string hex(64, 'a');
  EXPECT_EQ(redact("key " + hex), "key [REDACTED]");
  EXPECT_EQ(redact("GET /rest/v2/helement/5dac85f6-8f6a-4ba1 -> 200"),
            "GET /rest/v2/helement/5dac85f6-8f6a-4ba1 -> 200");
}

}  // namespace
}  // namespace cardinal

namespace cardinal {
namespace {

TEST(Auth, GroupSwitchSendsTheRefreshTokenAndTakesTheNewTokens) {
  Fixture f;
  std::string seen_refresh, issued;
  f.http->route("POST /rest/v2/auth/switch/g2", [&](const HttpRequest& r) -> Result<HttpResponse> {
    for (const auto& [k, v] : r.headers) {
      if (k == "Refresh-Token") seen_refresh = v;
    }
    issued = testing::fake_jwt(now_s() + 3600, "g2");
    return HttpResponse{
        200, {}, Json{{"token", issued}, {"refreshToken", testing::fake_jwt(now_s() + 86400, "g2r")}}.dump()};
  });
  f.http->route("POST /rest/v2/auth/switch/nope", [](const HttpRequest&) -> Result<HttpResponse> {
    return HttpResponse{403, {}, "{}"};
  });
  auto a = f.auth();
  ASSERT_OK(a->bearer_token(false));
  ASSERT_OK(a->switch_group("g2"));
  EXPECT_NE(seen_refresh.find('.'), std::string::npos);
  auto token = a->bearer_token(false);
  ASSERT_OK(token);
  EXPECT_EQ(token->reveal_as_text(), issued);
  EXPECT_ERROR_CODE(a->switch_group("nope"), ErrorCode::kUnauthenticated);
}

}  // namespace
}  // namespace cardinal
