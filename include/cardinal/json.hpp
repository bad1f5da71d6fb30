// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// The JSON type of the SDK's API: nlohmann's `ordered_json`, which keeps the order of object
/// keys. Entities are passed through unchanged except for the fields the SDK owns, so fields it
/// does not model survive a read → modify → write cycle (lossless JSON).
///
/// Every JSON text the SDK parses (server answers, decrypted content, key store and pin files,
/// the CLI's input) goes through `parse_json`, which checks `JsonLimits` while it builds the tree,
/// without recursion: a hostile text nested a million levels deep is an error value, never a
/// stack overflow. It accepts exactly what `nlohmann::ordered_json::parse` accepts and gives the
/// same values and number types.
///
/// Thread safety: `parse_json` and `string_member` are thread-safe; `Json` values follow
/// nlohmann's rules (concurrent reads are safe; a value one thread modifies is not read by another).
///
/// Ownership: a `Json` owns its content; the text given to `parse_json` is borrowed for the call.

#include <nlohmann/json.hpp>

#include <cardinal/export.hpp>
#include <cardinal/result.hpp>

#include <cstddef>
#include <string_view>

namespace cardinal {

/// JSON values as the SDK exchanges them (key order preserved).
using Json = nlohmann::ordered_json;

/// Bounds on a JSON text, checked by `parse_json` (the size first, the depth while parsing).
struct JsonLimits {
  /// Deepest nesting of arrays and objects accepted: `1` is `[1]`, `2` is `{"a":[1]}`. Records
  /// of the platform nest fewer than 20 levels; the default leaves room for free-form content.
  std::size_t max_depth = 128;
  /// Longest text accepted, in bytes. The default equals the default
  /// `CurlTransportOptions::max_response_bytes` (64 MiB), so a server answer the transport
  /// accepts is never refused for its size here.
  std::size_t max_bytes = 64u * 1024u * 1024u;
};

/// Parses JSON text within the default `JsonLimits`; errors are values. Errors:
/// `kMalformedInput` (not JSON, nested deeper than `max_depth` or longer than `max_bytes`; the
/// message names the byte offset, never the content).
CARDINAL_EXPORT Result<Json> parse_json(std::string_view text);

/// Parses JSON text within `limits`. Errors: as `parse_json(text)`.
CARDINAL_EXPORT Result<Json> parse_json(std::string_view text, const JsonLimits& limits);

/// The string value of `object[name]`, or `fallback` when `object` is not an object or the member
/// is absent or not a string. Never throws: use it instead of nlohmann's `value(name, "")`, which
/// throws on a member of another type (a number where an id was expected: hostile input).
inline std::string string_member(const Json& object, std::string_view name, std::string_view fallback = {}) {
  if (!object.is_object()) return std::string(fallback);
  auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string(fallback);
}

}  // namespace cardinal
