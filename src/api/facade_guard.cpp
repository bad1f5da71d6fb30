// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#include "api/facade_guard.hpp"

#include <exception>

namespace cardinal::api {

namespace {

constexpr std::size_t kMaxShownId = 128;

std::string about(const GuardedCall& call) {
  std::string out(call.operation);
  if (!call.type.empty()) out += " of " + std::string(call.type);
  if (!call.id.empty()) {
    out += " '" + std::string(call.id.substr(0, kMaxShownId)) + (call.id.size() > kMaxShownId ? "…'" : "'");
  }
  return out;
}

}  // namespace

Error error_of_current_exception(const GuardedCall& call) noexcept {
  try {
    const std::string what = about(call);
    try {
      throw;
    } catch (const nlohmann::json::exception& e) {
      // Not e.what(): it may quote the data it met.
      return Error{ErrorCode::kMalformedResponse,
                   what + ": a record it read (from the server, or the one given) has a member of an unexpected "
                          "type, or lacks one (JSON error " + std::to_string(e.id) +
                       "); nothing was returned. If the record came from the server, it is damaged or was tampered "
                       "with there"};
    } catch (const std::bad_alloc&) {
      return Error{ErrorCode::kInternal, what + ": out of memory (an answer too large to hold?); nothing was returned"};
    } catch (const std::exception&) {
      return Error{ErrorCode::kInternal, what + ": an unexpected failure inside the SDK (a bug: please report it)"};
    } catch (...) {
      return Error{ErrorCode::kInternal, what + ": an unexpected failure inside the SDK (a bug: please report it)"};
    }
  } catch (...) {
    // Building the message itself failed (out of memory).
    return Error{ErrorCode::kInternal, "out of memory"};
  }
}

}  // namespace cardinal::api
