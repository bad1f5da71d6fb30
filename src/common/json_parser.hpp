// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once
// Not API: the parser behind cardinal::parse_json (json_parser.cpp says how it differs from
// nlohmann's: not in what it accepts or returns, only in speed).

#include <cardinal/json.hpp>

#include <cstddef>
#include <string_view>

namespace cardinal::detail {

/// Parses `text` (no size check: the caller's) with at most `max_depth` nested arrays and
/// objects, without recursion. Errors: kMalformedInput naming the byte offset (never the content),
/// and saying "nested deeper than" when the depth is what was refused.
Result<Json> parse_json_text(std::string_view text, std::size_t max_depth);

}  // namespace cardinal::detail
