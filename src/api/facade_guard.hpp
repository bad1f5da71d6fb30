// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once
// The guard of the public API: every call of CardinalSdk, its entity, typed, crypto and attachment
// APIs and its query pages runs inside `guarded`, so that no exception crosses the facade. The
// code behind it checks what it reads and answers errors as values; the guard is the last line for
// what slipped through: a JSON value of an unexpected type walked with `get<>()` / `at()`
// (nlohmann::json::exception: from data a hostile server answered, hence kMalformedResponse),
// memory exhaustion (std::bad_alloc: an answer too large to hold) and any other exception
// (kInternal, a bug). Messages name the operation and the record, never the data: the text of a
// nlohmann exception may quote what it parsed, so only its id is kept.

#include <cardinal/json.hpp>
#include <cardinal/result.hpp>

#include <new>
#include <string>
#include <string_view>

namespace cardinal::api {

/// What a guarded call is about, for the error message: "get of HealthElement 'he-1'".
struct GuardedCall {
  std::string_view operation;  ///< e.g. "get", "filter page", "encrypt"
  std::string_view type;       ///< entity type, or empty
  std::string_view id;         ///< record id, or empty
};

/// The error for an exception caught at the facade (called inside a catch block only).
Error error_of_current_exception(const GuardedCall& call) noexcept;

/// Runs `f` (which returns a Result or Status); an exception it throws becomes an error value.
template <class F>
auto guarded(const GuardedCall& call, F&& f) noexcept -> decltype(f()) {
  try {
    return f();
  } catch (...) {
    return error_of_current_exception(call);
  }
}

}  // namespace cardinal::api
