// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// Logging. The SDK logs through spdlog (kept private to the library) into a sink the
/// application may replace. The SDK never logs keys, plaintext, passwords or tokens, and every
/// message passes a redaction filter first (bearer tokens, JWTs, long hex and base64 runs are
/// replaced by "[REDACTED]") as a second line of defence.
///
/// Thread safety: the sink may be called from several SDK threads at once; `set_log_sink` and
/// `redact` may be called at any time, from any thread.
///
/// Ownership: the library keeps a shared reference to the sink until another one is set;
/// `message` is borrowed for the duration of `LogSink::log` only (copy it to keep it).

#include <cardinal/export.hpp>

#include <memory>
#include <string>
#include <string_view>

namespace cardinal {

/// Severity of a log line.
enum class LogLevel { kTrace, kDebug, kInfo, kWarn, kError, kOff };

/// Receives the SDK's log lines (see `set_log_sink`).
class CARDINAL_EXPORT LogSink {
 public:
  virtual ~LogSink() = default;
  /// `message` is already redacted.
  virtual void log(LogLevel level, std::string_view message) = 0;
};

/// Routes the SDK's log lines to `sink` (null: back to stderr) at `level` and above.
CARDINAL_EXPORT void set_log_sink(std::shared_ptr<LogSink> sink, LogLevel level = LogLevel::kInfo);

/// The redaction filter applied to every log line (exposed for tests and for applications that
/// want the same rules).
CARDINAL_EXPORT std::string redact(std::string_view text);

}  // namespace cardinal
