// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once
// Not API: the compact serialiser behind engine::compact_json (json_writer.cpp says how it
// differs from nlohmann's dump: not in its output, only in speed, in how it grows its buffer and
// in reporting invalid UTF-8 as a value).

#include <cardinal/json.hpp>

#include <cstddef>
#include <string>

namespace cardinal::detail {

/// The compact text of `value`, byte for byte what
/// `value.dump(-1, ' ', false, Json::error_handler_t::strict)` gives (key order kept, UTF-8 raw,
/// control characters escaped, doubles in nlohmann's shortest round-trip form, non-finite doubles
/// as `null`), written in one pass without recursion into one buffer of at least `size_hint`
/// bytes. When the buffer grows, the bytes it held are wiped before it is freed (the text is
/// usually clear content about to be encrypted). Errors: kInvalidArgument when a key or string
/// is not valid UTF-8 (the message names where, never the content); nothing is thrown.
Result<std::string> write_compact_json(const Json& value, std::size_t size_hint = 1024);

}  // namespace cardinal::detail
