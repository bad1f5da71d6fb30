// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// The UTF-8 check shared by the JSON parser and writer (src/common/utf8.hpp) against a decoder
// written from RFC 3629's definition, on every lead byte and every second and third byte (the
// fourth on its boundary values), and on every truncation of the valid sequences.

#include "common/utf8.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace cardinal {
namespace {

// RFC 3629: a lead byte, then continuation bytes (10xxxxxx), the shortest form of a code point
// that is not a surrogate and at most U+10FFFF. 0 when `s` (4 bytes, all available) is not one.
std::size_t rfc3629_length(const std::array<unsigned char, 4>& s) {
  std::size_t len = 0;
  std::uint32_t cp = 0;
  if ((s[0] & 0xE0) == 0xC0) {
    len = 2, cp = s[0] & 0x1Fu;
  } else if ((s[0] & 0xF0) == 0xE0) {
    len = 3, cp = s[0] & 0x0Fu;
  } else if ((s[0] & 0xF8) == 0xF0) {
    len = 4, cp = s[0] & 0x07u;
  } else {
    return 0;  // ASCII or a continuation byte: not the start of a multi-byte sequence
  }
  for (std::size_t i = 1; i < len; ++i) {
    if ((s[i] & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (s[i] & 0x3Fu);
  }
  const std::uint32_t shortest[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < shortest[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

TEST(Utf8, SequenceLengthFollowsRfc3629) {
  const std::array<unsigned char, 6> fourth = {0x00, 0x7F, 0x80, 0xBF, 0xC0, 0xFF};
  std::size_t valid = 0;
  for (unsigned b0 = 0x80; b0 <= 0xFF; ++b0) {
    for (unsigned b1 = 0; b1 <= 0xFF; ++b1) {
      for (unsigned b2 = 0; b2 <= 0xFF; ++b2) {
        for (const unsigned char b3 : fourth) {
          const std::array<unsigned char, 4> s = {static_cast<unsigned char>(b0), static_cast<unsigned char>(b1),
                                                  static_cast<unsigned char>(b2), b3};
          const std::size_t expected = rfc3629_length(s);
          const std::size_t got = detail::utf8_sequence_length(s.data(), s.size());
          if (got != expected) {
            ADD_FAILURE() << std::hex << "bytes " << b0 << ' ' << b1 << ' ' << b2 << ' ' << unsigned{b3} << ": " << got
                          << " instead of " << expected;
            return;
          }
          if (expected != 0) {
            ++valid;
            for (std::size_t n = 1; n < expected; ++n) {  // cut short (a buffer of n bytes: ASan sees overreads)
              const std::vector<unsigned char> cut(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(n));
              ASSERT_EQ(detail::utf8_sequence_length(cut.data(), n), 0u) << std::hex << b0 << ' ' << b1 << " n=" << n;
            }
          }
          if (b0 < 0xF0) break;  // the fourth byte does not matter
        }
      }
    }
  }
  // Every 2- and 3-byte sequence once; 4-byte ones with the two valid boundary fourth bytes.
  EXPECT_EQ(valid, (0x800u - 0x80u) * 256 + (0x10000u - 0x800u - 0x800u) + (0x110000u - 0x10000u) / 64 * 2);
}

}  // namespace
}  // namespace cardinal
