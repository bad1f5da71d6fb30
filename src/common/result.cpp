// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#include <cardinal/result.hpp>

#include <cstdio>
#include <cstdlib>

namespace cardinal {

std::string_view to_string(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return "InvalidArgument";
    case ErrorCode::kMalformedInput:
      return "MalformedInput";
    case ErrorCode::kUnsupported:
      return "Unsupported";
    case ErrorCode::kDecryptionFailed:
      return "DecryptionFailed";
    case ErrorCode::kVerificationFailed:
      return "VerificationFailed";
    case ErrorCode::kTamperDetected:
      return "TamperDetected";
    case ErrorCode::kNoVerifiedKey:
      return "NoVerifiedKey";
    case ErrorCode::kKeyNotAvailable:
      return "KeyNotAvailable";
    case ErrorCode::kNotFound:
      return "NotFound";
    case ErrorCode::kPermissionDenied:
      return "PermissionDenied";
    case ErrorCode::kUnauthenticated:
      return "Unauthenticated";
    case ErrorCode::kConflict:
      return "Conflict";
    case ErrorCode::kBadRequest:
      return "BadRequest";
    case ErrorCode::kServerError:
      return "ServerError";
    case ErrorCode::kMalformedResponse:
      return "MalformedResponse";
    case ErrorCode::kTransport:
      return "Transport";
    case ErrorCode::kTimeout:
      return "Timeout";
    case ErrorCode::kCancelled:
      return "Cancelled";
    case ErrorCode::kIo:
      return "Io";
    case ErrorCode::kInternal:
      return "Internal";
  }
  return "Unknown";
}

std::string Error::to_string() const {
  std::string out(cardinal::to_string(code_));
  out += ": ";
  out += message_;
  return out;
}

std::string Error::to_log_string() const {
  std::string out = to_string();
  if (http_) out += " [" + http_->method + " " + http_->path + " -> HTTP " + std::to_string(http_->status) + "]";
  return out;
}

namespace detail {
void die_on_bad_access(const Error& error) noexcept {
  std::fprintf(stderr, "cardinal: value() called on a failed Result: %s\n", error.to_string().c_str());
  std::abort();
}
}  // namespace detail

}  // namespace cardinal
