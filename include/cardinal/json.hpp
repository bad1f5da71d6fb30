// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// The JSON type of the SDK's API: nlohmann's `ordered_json`, which keeps the order of object
/// keys. Entities are passed through unchanged except for the fields the SDK owns, so fields it
/// does not model survive a read → modify → write cycle (lossless JSON).

#include <nlohmann/json.hpp>

#include <cardinal/export.hpp>
#include <cardinal/result.hpp>

#include <string_view>

namespace cardinal {

/// JSON values as the SDK exchanges them (key order preserved).
using Json = nlohmann::ordered_json;

/// Parses JSON text; errors are values. Errors: `kMalformedInput` (the message names the byte
/// offset, never the content).
CARDINAL_EXPORT Result<Json> parse_json(std::string_view text);

}  // namespace cardinal
