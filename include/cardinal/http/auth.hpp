// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// Authentication: where the bearer token of every call comes from. Passwords and tokens are
/// held in `SecretBytes`, never logged and never put in error messages.
///
/// Thread safety: providers are called from several SDK threads; concurrent callers needing a
/// refresh share one refresh.
///
/// Ownership: providers are shared (`std::shared_ptr`) between the application and the SDK
/// instances that use them; `UsernamePasswordAuth` keeps a shared reference to its transport and
/// owns its password. Each `bearer_token` result is a `SecretBytes` copy the caller owns.

#include <cardinal/export.hpp>
#include <cardinal/http/transport.hpp>
#include <cardinal/secret.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace cardinal {

/// Source of the bearer token sent with every request.
class CARDINAL_EXPORT AuthProvider {
 public:
  virtual ~AuthProvider() = default;
  /// The bearer token to send. `force_refresh` is set after the server answered 401.
  /// Errors: kUnauthenticated, transport errors.
  virtual Result<SecretBytes> bearer_token(bool force_refresh) = 0;
};

/// A token the application obtained itself (no refresh possible).
class CARDINAL_EXPORT StaticTokenAuth : public AuthProvider {
 public:
  /// Returns `token`; a forced refresh (after a 401) fails with kUnauthenticated.
  explicit StaticTokenAuth(SecretBytes token) : token_(std::move(token)) {}
  Result<SecretBytes> bearer_token(bool force_refresh) override;

 private:
  SecretBytes token_;
};

/// Username/password login (`POST /rest/v2/auth/login`), refresh before expiry
/// (`POST /rest/v2/auth/refresh` with the refresh token) and once after a 401, a new login when
/// the refresh fails, and group switch.
class CARDINAL_EXPORT UsernamePasswordAuth : public AuthProvider {
 public:
  /// Login settings.
  struct Options {
    std::string base_url;                 ///< the backend
    std::string username;                 ///< login
    SecretBytes password;                 ///< password (never logged)
    std::optional<std::string> group_id;  ///< group to log in to (`?groupId=`), if any
    /// Refresh this long before the token's `exp`.
    std::chrono::seconds refresh_margin{30};
  };
  /// A provider that logs in on first use, through `transport`.
  static std::shared_ptr<UsernamePasswordAuth> create(std::shared_ptr<HttpTransport> transport, Options options);
  ~UsernamePasswordAuth() override;

  Result<SecretBytes> bearer_token(bool force_refresh) override;
  /// Switches to another group of the same login (`POST /rest/v2/auth/switch/{groupId}`).
  Status switch_group(const std::string& group_id);

 private:
  struct Impl;
  explicit UsernamePasswordAuth(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// The `exp` claim (seconds since the epoch) of a JWT, read without checking its signature.
CARDINAL_EXPORT std::optional<std::int64_t> jwt_expiry(std::string_view token);

}  // namespace cardinal
