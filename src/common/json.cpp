// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#include <cardinal/json.hpp>

namespace cardinal {

Result<Json> parse_json(std::string_view text) {
  // No exceptions escape: parse with allow_exceptions = false and report the failure generically.
  Json value = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) return Error{ErrorCode::kMalformedInput, "malformed JSON"};
  return value;
}

}  // namespace cardinal
