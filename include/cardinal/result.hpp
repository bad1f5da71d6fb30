// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// Errors as values. Every fallible call of the SDK returns a `Status` (no value) or a
/// `Result<T>` (a value or an error). No exception crosses the public API.
///
/// Both types are `[[nodiscard]]`: ignoring a result is a compiler warning (an error in CI).
/// Accessing the value of a failed `Result` terminates the program with the error's code: check
/// `ok()` first, or use `value_or()`.
///
/// Thread safety: `Error`, `Status` and `Result` are values, like `std::optional`: concurrent
/// reads are safe, a value one thread modifies is not read by another.
///
/// Ownership: a `Result` owns its value or its error; `value() &&` moves the value out.
/// `detail::` is not API.

#include <cardinal/export.hpp>

#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace cardinal {

/// What went wrong, as a stable, typed code. Messages may change between versions; codes do not.
enum class ErrorCode {
  kInvalidArgument,     ///< The caller passed a value that can never be valid (wrong size, empty id…).
  kMalformedInput,      ///< Data to decode (hex, base64, DER, PEM, JSON) is not well formed.
  kUnsupported,         ///< Well formed, but an algorithm, key size or format this SDK refuses.
  kDecryptionFailed,    ///< Ciphertext could not be decrypted (wrong key, tampered, truncated).
                        ///< Not for key store files: see kUnauthenticated.
  kVerificationFailed,  ///< A MAC or signature did not verify.
  kTamperDetected,      ///< Stored data is inconsistent in a way only tampering explains.
  kNoVerifiedKey,       ///< No public key of a party was verified: nothing may be shared to it.
  kKeyNotAvailable,     ///< No local private key can open the data.
  kNotFound,            ///< The server (or a store) has no such record.
  kPermissionDenied,    ///< The server refused access (HTTP 403).
  kUnauthenticated,     ///< Credentials or token refused (HTTP 401), or a key store passphrase that
                        ///< does not open the file (wrong passphrase or corrupted file: AES-GCM
                        ///< cannot tell them apart).
  kConflict,            ///< Stale revision (HTTP 409).
  kBadRequest,          ///< The server rejected the request as malformed (HTTP 400).
  kServerError,         ///< The server failed (HTTP 5xx).
  kMalformedResponse,   ///< The server's answer could not be understood.
  kTransport,           ///< Connection failed, reset or refused.
  kTimeout,             ///< A deadline passed.
  kCancelled,           ///< The operation was cancelled by the caller.
  kIo,                  ///< Local file system error.
  kInternal,            ///< A bug or an unexpected library failure (e.g. OpenSSL out of memory).
};

/// A stable, human-readable name of an error code, e.g. "DecryptionFailed".
CARDINAL_EXPORT std::string_view to_string(ErrorCode code) noexcept;

/// The HTTP exchange behind an error the server answered, for logs and support: what a developer
/// needs to find the request, kept out of the message a user reads.
struct HttpErrorDetail {
  std::string method;  ///< "GET", "PUT", …
  std::string path;    ///< the request path under the base URL, without the query string
  int status = 0;      ///< the HTTP status the server answered
};

/// An error: a typed code and a message for humans. Messages never contain secret material.
///
/// The message says in words what the error is about (the entity, the data owner, the field) and,
/// where there is one, what to do next; it names no URL. When the error is the server's answer to a
/// request, `http()` holds the method, path and status for logs.
class CARDINAL_EXPORT Error {
 public:
  /// An error with a code and a message for humans (no secrets in it).
  Error(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}
  /// An error the server answered: a message in words plus the HTTP exchange for logs.
  Error(ErrorCode code, std::string message, HttpErrorDetail http)
      : code_(code), message_(std::move(message)), http_(std::move(http)) {}

  [[nodiscard]] ErrorCode code() const noexcept { return code_; }  ///< the typed code
  [[nodiscard]] const std::string& message() const noexcept { return message_; }  ///< the message
  /// The HTTP method, path and status behind the error, when the server answered it with an
  /// error status; empty otherwise (local failures, transport failures, checks of the answer).
  [[nodiscard]] const std::optional<HttpErrorDetail>& http() const noexcept { return http_; }
  /// "Code: message" (what to show; the HTTP detail is not in it).
  [[nodiscard]] std::string to_string() const;
  /// "Code: message [METHOD path -> HTTP status]": `to_string()` plus the HTTP detail, for logs.
  [[nodiscard]] std::string to_log_string() const;

 private:
  ErrorCode code_;
  std::string message_;
  std::optional<HttpErrorDetail> http_;
};

/// Not API: what the inline code of `Result` calls (exported because it is inline).
namespace detail {
[[noreturn]] CARDINAL_EXPORT void die_on_bad_access(const Error& error) noexcept;
}  // namespace detail

/// The outcome of an operation that returns nothing: success, or an `Error`.
class [[nodiscard]] Status {
 public:
  /// Success.
  Status() = default;
  /// Failure. Implicit so that `return Error{...};` reads naturally.
  Status(Error error) : error_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  /// Whether this is a success.
  [[nodiscard]] bool ok() const noexcept { return !error_.has_value(); }
  /// Same as `ok()`.
  explicit operator bool() const noexcept { return ok(); }
  /// The error. Terminates when called on success.
  [[nodiscard]] const Error& error() const& {
    if (!error_) std::abort();
    return *error_;
  }

 private:
  std::optional<Error> error_;
};

/// A value of type `T`, or an `Error`.
template <typename T>
class [[nodiscard]] Result {
  static_assert(!std::is_same_v<std::decay_t<T>, Error>, "Result<Error> is not allowed");
  static_assert(!std::is_reference_v<T>, "Result<T&> is not allowed");

 public:
  /// A value (implicit, so that `return value;` reads naturally).
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}      // NOLINT
  /// An error (implicit, so that `return Error{...};` reads naturally).
  Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  /// Whether a value is held.
  [[nodiscard]] bool ok() const noexcept { return state_.index() == 0; }
  /// Same as `ok()`.
  explicit operator bool() const noexcept { return ok(); }

  /// The value. Terminates (with the error printed to stderr) when the result holds an error.
  [[nodiscard]] T& value() & {
    check();
    return std::get<0>(state_);
  }
  /// The value (const). Terminates when the result holds an error.
  [[nodiscard]] const T& value() const& {
    check();
    return std::get<0>(state_);
  }
  /// On an rvalue the value is moved out and returned by value, so that
  /// `for (auto& x : f().value())` never refers to a destroyed temporary.
  [[nodiscard]] T value() && {
    check();
    return std::get<0>(std::move(state_));
  }
  /// Member access to the value (terminates on an error, like `value()`).
  T* operator->() { return &value(); }
  /// Member access to the value (const).
  const T* operator->() const { return &value(); }
  /// The value (terminates on an error, like `value()`).
  T& operator*() & { return value(); }
  /// The value (const).
  const T& operator*() const& { return value(); }

  /// The value, or `fallback` converted to `T` when the result holds an error.
  template <typename U>
  [[nodiscard]] T value_or(U&& fallback) const& {
    return ok() ? std::get<0>(state_) : static_cast<T>(std::forward<U>(fallback));
  }

  /// The error. Terminates when called on success.
  [[nodiscard]] const Error& error() const& {
    if (ok()) std::abort();
    return std::get<1>(state_);
  }
  /// The error as a `Status` (success when the result holds a value).
  [[nodiscard]] Status status() const { return ok() ? Status{} : Status{std::get<1>(state_)}; }

 private:
  void check() const {
    if (!ok()) detail::die_on_bad_access(std::get<1>(state_));
  }
  std::variant<T, Error> state_;
};

}  // namespace cardinal

/// Convenience for functions that return a `Status` or `Result` (the SDK's and the application's):
/// evaluates `expr` (a Status or Result) and returns its error on failure. Prefixed so that it
/// cannot clash with an application's own macros.
#define CARDINAL_RETURN_IF_ERROR(expr)                           \
  do {                                                           \
    auto&& cardinal_status_ = (expr);                            \
    if (!cardinal_status_.ok()) return cardinal_status_.error(); \
  } while (false)

// Not API: helpers of CARDINAL_ASSIGN_OR_RETURN (macros have no namespace; the trailing
// underscore marks them).
#define CARDINAL_CONCAT_INNER_(a, b) a##b
#define CARDINAL_CONCAT_(a, b) CARDINAL_CONCAT_INNER_(a, b)
/// Convenience, as `CARDINAL_RETURN_IF_ERROR`: `CARDINAL_ASSIGN_OR_RETURN(auto x, expr);` assigns
/// the value of `expr` (a Result) to `x`, or returns its error.
#define CARDINAL_ASSIGN_OR_RETURN(lhs, expr) \
  CARDINAL_ASSIGN_OR_RETURN_IMPL_(CARDINAL_CONCAT_(cardinal_result_, __LINE__), lhs, expr)
#define CARDINAL_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                    \
  if (!tmp.ok()) return tmp.error();                    \
  lhs = std::move(tmp).value()
