// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once
// The UTF-8 check of the JSON parser and writer (common/json_parser.cpp, common/json_writer.cpp):
// one multi-byte sequence, as nlohmann's decoder accepts it (RFC 3629).

#include <cstddef>

namespace cardinal::detail {

/// Length (2 to 4) of the well-formed multi-byte UTF-8 sequence at s[0..n), n ≥ 1; 0 when it is
/// not one: a lead byte that is ASCII, a continuation byte, C0/C1 or F5..FF, an overlong form, a
/// surrogate (U+D800..U+DFFF), a code point above U+10FFFF, or a sequence cut short by n.
inline std::size_t utf8_sequence_length(const unsigned char* s, std::size_t n) {
  const unsigned char b0 = s[0];
  std::size_t more = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // range of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    more = 1;
  } else if (b0 == 0xE0) {
    more = 2, lo = 0xA0;
  } else if ((b0 >= 0xE1 && b0 <= 0xEC) || b0 == 0xEE || b0 == 0xEF) {
    more = 2;
  } else if (b0 == 0xED) {
    more = 2, hi = 0x9F;
  } else if (b0 == 0xF0) {
    more = 3, lo = 0x90;
  } else if (b0 >= 0xF1 && b0 <= 0xF3) {
    more = 3;
  } else if (b0 == 0xF4) {
    more = 3, hi = 0x8F;
  } else {
    return 0;
  }
  if (n <= more) return 0;
  for (std::size_t i = 1; i <= more; ++i) {
    if (s[i] < (i == 1 ? lo : 0x80) || s[i] > (i == 1 ? hi : 0xBF)) return 0;
  }
  return more + 1;
}

}  // namespace cardinal::detail
