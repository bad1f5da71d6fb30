// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// What the SDK reports when something stored looked tampered with (`SdkOptions::on_tamper`).
/// Ownership: a plain value that owns its strings; copy it freely. Thread safety: the listener
/// is called from SDK threads, possibly several at once: it must be thread-safe, and it must not
/// call back into the SDK.

#include <cardinal/result.hpp>

#include <functional>
#include <string>

namespace cardinal {

/// Something stored looked tampered with.
struct TamperReport {
  std::string record_kind;  ///< "ExchangeData", "HealthElement", "Patient", …
  std::string record_id;    ///< id of the record, when known
  Error error;  ///< what failed (never contains secret material)
};

/// Receives every `TamperReport` (see the file documentation for its threading contract).
using TamperListener = std::function<void(const TamperReport&)>;

}  // namespace cardinal
