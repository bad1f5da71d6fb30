// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once
// Hostile JSON for the nesting-depth tests: documents nested 10^3 … 10^6 levels deep.

#include <cstddef>
#include <string>
#include <vector>

namespace cardinal::testing {

/// The depths every parse path is tested at.
inline const std::vector<std::size_t>& hostile_depths() {
  static const std::vector<std::size_t> depths = {1'000, 10'000, 100'000, 1'000'000};
  return depths;
}

/// `depth` nested arrays ("[[[…]]]"), or alternating objects and arrays ({"a":[{"a":[…]}]}).
inline std::string deep_json(std::size_t depth, bool objects = false) {
  std::string out;
  if (!objects) {
    out.append(depth, '[');
    out.append(depth, ']');
    return out;
  }
  out.reserve(depth * 7);
  for (std::size_t i = 0; i < depth; ++i) out += (i % 2 == 0) ? "{\"a\":" : "[";
  for (std::size_t i = depth; i-- > 0;) out += (i % 2 == 0) ? "}" : "]";
  return out;
}

/// An object that looks like an entity `id`, with a deeply nested member followed by more members
/// (the shape that overflowed nlohmann's parser in issue 13).
inline std::string deep_entity(const std::string& id, std::size_t depth) {
  return R"({"id":")" + id + R"(","rev":"1-a","deep":)" + deep_json(depth) + R"(,"after":1})";
}

}  // namespace cardinal::testing
