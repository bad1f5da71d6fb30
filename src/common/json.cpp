// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#include <cardinal/json.hpp>

#include "common/json_parser.hpp"

#include <string>

namespace cardinal {

Result<Json> parse_json(std::string_view text) { return parse_json(text, JsonLimits{}); }

Result<Json> parse_json(std::string_view text, const JsonLimits& limits) {
  if (text.size() > limits.max_bytes) {
    return Error{ErrorCode::kMalformedInput, "JSON text of " + std::to_string(text.size()) +
                                                 " bytes refused: the limit is " + std::to_string(limits.max_bytes) +
                                                 " bytes"};
  }
  // One pass without recursion: the depth is bounded while the tree is built (nlohmann later
  // copies, compares and serialises it recursively), and no exception escapes.
  try {
    return detail::parse_json_text(text, limits.max_depth);
  } catch (const Json::exception&) {
    return Error{ErrorCode::kMalformedInput, "malformed JSON"};
  }
}

}  // namespace cardinal
