// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#include <cardinal/json.hpp>

#include <string>

namespace cardinal {

namespace {

// Linear scan of brackets outside strings (escapes honoured): nlohmann builds the tree and
// later copies, compares and serialises it recursively, so the depth must be bounded before.
Status check_limits(std::string_view text, const JsonLimits& limits) {
  if (text.size() > limits.max_bytes) {
    return Error{ErrorCode::kMalformedInput, "JSON text of " + std::to_string(text.size()) +
                                                 " bytes refused: the limit is " + std::to_string(limits.max_bytes) +
                                                 " bytes"};
  }
  std::size_t depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > limits.max_depth) {
        return Error{ErrorCode::kMalformedInput, "JSON nested deeper than " + std::to_string(limits.max_depth) +
                                                     " levels refused (at byte offset " + std::to_string(i) + ")"};
      }
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;  // unbalanced closers are the parser's to report
    }
  }
  return {};
}

}  // namespace

Result<Json> parse_json(std::string_view text) { return parse_json(text, JsonLimits{}); }

Result<Json> parse_json(std::string_view text, const JsonLimits& limits) {
  CARDINAL_RETURN_IF_ERROR(check_limits(text, limits));
  // No exceptions escape: a parse error is reported with its byte offset, never the content.
  try {
    return Json::parse(text.begin(), text.end());
  } catch (const Json::parse_error& e) {
    return Error{ErrorCode::kMalformedInput, "malformed JSON at byte offset " + std::to_string(e.byte)};
  } catch (const Json::exception&) {
    return Error{ErrorCode::kMalformedInput, "malformed JSON"};
  }
}

}  // namespace cardinal
