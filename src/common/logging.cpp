// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#include "common/log.hpp"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <mutex>
#include <regex>

namespace cardinal {

std::string redact(std::string_view text) {
  // Order matters: whole tokens first, then generic long encodings.
  static const std::regex bearer(R"((Bearer|Refresh-Token:?)\s+[^\s,;"]+)", std::regex::icase);
  static const std::regex jwt(R"(eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*)");
  static const std::regex long_hex(R"([0-9a-fA-F]{40,})");
  static const std::regex long_b64(R"([A-Za-z0-9+/]{40,}={0,2})");
  std::string s(text);
  s = std::regex_replace(s, bearer, "$1 [REDACTED]");
  s = std::regex_replace(s, jwt, "[REDACTED]");
  s = std::regex_replace(s, long_hex, "[REDACTED]");
  s = std::regex_replace(s, long_b64, "[REDACTED]");
  return s;
}

namespace {

LogLevel from_spdlog(spdlog::level::level_enum l) {
  switch (l) {
    case spdlog::level::trace:
      return LogLevel::kTrace;
    case spdlog::level::debug:
      return LogLevel::kDebug;
    case spdlog::level::info:
      return LogLevel::kInfo;
    case spdlog::level::warn:
      return LogLevel::kWarn;
    case spdlog::level::err:
    case spdlog::level::critical:
      return LogLevel::kError;
    default:
      return LogLevel::kOff;
  }
}

spdlog::level::level_enum to_spdlog(LogLevel l) {
  switch (l) {
    case LogLevel::kTrace:
      return spdlog::level::trace;
    case LogLevel::kDebug:
      return spdlog::level::debug;
    case LogLevel::kInfo:
      return spdlog::level::info;
    case LogLevel::kWarn:
      return spdlog::level::warn;
    case LogLevel::kError:
      return spdlog::level::err;
    case LogLevel::kOff:
      return spdlog::level::off;
  }
  return spdlog::level::info;
}

// Forwards redacted lines to the application's sink, or to stderr.
class RedactingSink : public spdlog::sinks::base_sink<std::mutex> {
 public:
  void set(std::shared_ptr<LogSink> app) {
    std::lock_guard lock(app_mutex_);
    app_ = std::move(app);
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    const std::string line = redact(std::string_view(msg.payload.data(), msg.payload.size()));
    std::shared_ptr<LogSink> app;
    {
      std::lock_guard lock(app_mutex_);
      app = app_;
    }
    if (app) {
      app->log(from_spdlog(msg.level), line);
    } else {
      std::fprintf(stderr, "[cardinal] %s\n", line.c_str());
    }
  }
  void flush_() override {}

 private:
  std::mutex app_mutex_;
  std::shared_ptr<LogSink> app_;
};

struct State {
  std::shared_ptr<RedactingSink> sink = std::make_shared<RedactingSink>();
  std::shared_ptr<spdlog::logger> logger = [this] {
    auto l = std::make_shared<spdlog::logger>("cardinal", sink);  // not registered globally
    l->set_level(spdlog::level::warn);
    return l;
  }();
};

State& state() {
  static State s;
  return s;
}

}  // namespace

void set_log_sink(std::shared_ptr<LogSink> sink, LogLevel level) {
  state().sink->set(std::move(sink));
  state().logger->set_level(to_spdlog(level));
}

namespace internal {
std::shared_ptr<spdlog::logger> logger() { return state().logger; }
}  // namespace internal

}  // namespace cardinal
