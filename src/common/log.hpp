// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once
// The library's logger (spdlog, private). Log only ids, sizes, statuses: never secrets.

#include <cardinal/logging.hpp>

#include <spdlog/spdlog.h>

namespace cardinal::internal {
std::shared_ptr<spdlog::logger> logger();
}  // namespace cardinal::internal
