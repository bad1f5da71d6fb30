// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#include <cardinal/http/auth.hpp>
#include <cardinal/crypto/encoding.hpp>
#include <cardinal/json.hpp>

#include "common/log.hpp"

#include <cmath>
#include <limits>
#include <mutex>

namespace cardinal {

namespace {

std::string base64url_to_base64(std::string_view in) {
  std::string s(in);
  for (char& c : s) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  while (s.size() % 4 != 0) s += '=';
  return s;
}

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

Error auth_failed(int status, const std::string& path) {
  HttpErrorDetail http{"POST", path.substr(0, path.find('?')), status};
  if (status == 401 || status == 403) {
    return Error{ErrorCode::kUnauthenticated,
                 "authentication refused by the server: check the user name and password (or sign in again)",
                 std::move(http)};
  }
  return Error{ErrorCode::kServerError, "the server could not sign the user in: try again later", std::move(http)};
}

}  // namespace

std::optional<std::int64_t> jwt_expiry(std::string_view token) {
  const auto first = token.find('.');
  if (first == std::string_view::npos) return std::nullopt;
  const auto second = token.find('.', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  auto payload = crypto::base64_decode(base64url_to_base64(token.substr(first + 1, second - first - 1)));
  if (!payload.ok()) return std::nullopt;
  auto j = parse_json(std::string_view(reinterpret_cast<const char*>(payload->data()), payload->size()));  // NOLINT
  if (!j.ok() || !j->is_object() || !j->contains("exp")) return std::nullopt;
  const Json& exp = (*j)["exp"];
  // The token comes from the server: a number outside the 64-bit range (1e300, 2^64 - 1) or not
  // finite is no expiry we can use (casting it would be undefined behaviour), so it is ignored.
  if (exp.is_number_unsigned()) {
    const auto v = exp.get<std::uint64_t>();
    if (v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return std::nullopt;
    return static_cast<std::int64_t>(v);
  }
  if (exp.is_number_integer()) return exp.get<std::int64_t>();
  if (exp.is_number_float()) {
    const double v = exp.get<double>();
    constexpr double kLimit = 9.0e18;  // below 2^63, exactly representable bounds are not needed
    if (!std::isfinite(v) || v < -kLimit || v > kLimit) return std::nullopt;
    return static_cast<std::int64_t>(std::floor(v));
  }
  return std::nullopt;
}

Result<SecretBytes> StaticTokenAuth::bearer_token(bool force_refresh) {
  if (force_refresh) return Error{ErrorCode::kUnauthenticated, "the application-provided token was refused"};
  return token_;
}

struct UsernamePasswordAuth::Impl {
  std::shared_ptr<HttpTransport> transport;
  Options options;
  std::mutex mutex;
  SecretBytes token;
  SecretBytes refresh_token;
  std::int64_t expiry = 0;

  Result<Json> post(const std::string& path, const std::string& body, const HttpHeaders& extra) {
    HttpRequest req{"POST",
                    options.base_url + path,
                    {{"Content-Type", "application/json"}, {"Accept", "application/json"}},
                    body,
                    false};
    req.headers.insert(req.headers.end(), extra.begin(), extra.end());
    CARDINAL_ASSIGN_OR_RETURN(HttpResponse resp, transport->send(req, CancellationToken{}));
    if (resp.status != 200) return auth_failed(resp.status, path);
    auto j = parse_json(resp.body);
    if (!j.ok() || !j->is_object() || !j->contains("token") || !(*j)["token"].is_string()) {
      return Error{ErrorCode::kMalformedResponse, "authentication answer without a token"};
    }
    return j;
  }

  Status store(Json& answer) {
    std::string t = answer["token"].get<std::string>();
    expiry = jwt_expiry(t).value_or(now_seconds() + 300);
    token = SecretBytes::from_string(t);
    detail::secure_wipe(t.data(), t.size());
    if (answer.contains("refreshToken") && answer["refreshToken"].is_string()) {
      std::string r = answer["refreshToken"].get<std::string>();
      refresh_token = SecretBytes::from_string(r);
      detail::secure_wipe(r.data(), r.size());
    }
    answer.clear();
    return {};
  }

  Status login() {
    Json body = Json{{"username", options.username}, {"password", std::string(options.password.reveal_as_text())}};
    std::string text = body.dump();
    body.clear();
    std::string path = "/rest/v2/auth/login";
    if (options.group_id) path += "?groupId=" + *options.group_id;
    auto answer = post(path, text, {});
    detail::secure_wipe(text.data(), text.size());
    if (!answer.ok()) return answer.error();
    internal::logger()->debug("logged in as {}", options.username);
    return store(*answer);
  }

  Status refresh() {
    if (refresh_token.empty()) return Error{ErrorCode::kUnauthenticated, "no refresh token"};
    auto answer = post("/rest/v2/auth/refresh", "", {{"Refresh-Token", std::string(refresh_token.reveal_as_text())}});
    if (!answer.ok()) return answer.error();
    internal::logger()->debug("token refreshed");
    return store(*answer);
  }
};

UsernamePasswordAuth::UsernamePasswordAuth(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
UsernamePasswordAuth::~UsernamePasswordAuth() = default;

std::shared_ptr<UsernamePasswordAuth> UsernamePasswordAuth::create(std::shared_ptr<HttpTransport> transport,
                                                                   Options options) {
  auto impl = std::make_unique<Impl>();
  impl->transport = std::move(transport);
  impl->options = std::move(options);
  while (!impl->options.base_url.empty() && impl->options.base_url.back() == '/') impl->options.base_url.pop_back();
  return std::shared_ptr<UsernamePasswordAuth>(new UsernamePasswordAuth(std::move(impl)));
}

Result<SecretBytes> UsernamePasswordAuth::bearer_token(bool force_refresh) {
  std::lock_guard lock(impl_->mutex);
  const bool fresh = !impl_->token.empty() && now_seconds() + impl_->options.refresh_margin.count() < impl_->expiry;
  if (fresh && !force_refresh) return impl_->token;
  if (!impl_->token.empty()) {
    auto refreshed = impl_->refresh();
    if (refreshed.ok()) return impl_->token;
    if (refreshed.error().code() != ErrorCode::kUnauthenticated) return refreshed.error();
  }
  CARDINAL_RETURN_IF_ERROR(impl_->login());
  return impl_->token;
}

Status UsernamePasswordAuth::switch_group(const std::string& group_id) {
  std::lock_guard lock(impl_->mutex);
  if (impl_->refresh_token.empty()) CARDINAL_RETURN_IF_ERROR(impl_->login());
  auto answer = impl_->post("/rest/v2/auth/switch/" + group_id, "",
                            {{"Refresh-Token", std::string(impl_->refresh_token.reveal_as_text())}});
  if (!answer.ok()) return answer.error();
  impl_->options.group_id = group_id;
  return impl_->store(*answer);
}

}  // namespace cardinal
