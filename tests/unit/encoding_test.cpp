// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#include <cardinal/crypto/encoding.hpp>

#include "test_util.hpp"

#include <optional>

namespace cardinal::crypto {
namespace {

TEST(Hex, RoundTrip) {
  const Bytes data = {0x00, 0x01, 0xab, 0xff};
  EXPECT_EQ(hex_encode(data), "0001abff");
  auto back = hex_decode("0001ABff");
  ASSERT_OK(back);
  EXPECT_EQ(*back, data);
  EXPECT_EQ(hex_encode({}), "");
  ASSERT_OK(hex_decode(""));
}

TEST(Hex, RejectsMalformed) {
  EXPECT_ERROR_CODE(hex_decode("abc"), ErrorCode::kMalformedInput);
  EXPECT_ERROR_CODE(hex_decode("zz"), ErrorCode::kMalformedInput);
  EXPECT_ERROR_CODE(hex_decode("0g"), ErrorCode::kMalformedInput);
  EXPECT_ERROR_CODE(hex_decode(" 00"), ErrorCode::kMalformedInput);
  EXPECT_ERROR_CODE(hex_decode("0x00"), ErrorCode::kMalformedInput);
  EXPECT_ERROR_CODE(hex_decode_secret("0"), ErrorCode::kMalformedInput);
  auto secret = hex_decode_secret("cafe");
  ASSERT_OK(secret);
  EXPECT_EQ(secret->size(), 2u);
}

TEST(Base64, Rfc4648Vectors) {
  const std::pair<const char*, const char*> vectors[] = {{"", ""},
                                                         {"f", "Zg=="},
                                                         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},
                                                         {"foob", "Zm9vYg=="},
                                                         {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, b64] : vectors) {
    EXPECT_EQ(base64_encode(as_bytes(plain)), b64);
    auto back = base64_decode(b64);
    ASSERT_OK(back);
    EXPECT_EQ(std::string(back->begin(), back->end()), plain);
  }
  const Bytes binary = {0xfb, 0xff, 0xfe};
  EXPECT_EQ(base64_encode(binary), "+//+");
}

TEST(Base64, RejectsMalformed) {
  for (const char* bad : {"Zg", "Zg=", "Z===", "Zg==Zg==", "Zm9v\n", "Zm-v", "Zm_v", "=Zm9", "Zm=v",
                          "Zh==", "Zm9=", "Zm8 ", "\xff\xff\xff\xff"}) {
    EXPECT_ERROR_CODE(base64_decode(bad), ErrorCode::kMalformedInput);
    EXPECT_ERROR_CODE(base64_decode_secret(bad), ErrorCode::kMalformedInput);
  }
}

// The decoder as first written (one character at a time), the reference for the faster one.
std::optional<Bytes> reference_base64_decode(std::string_view b64) {
  static const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  if (b64.size() % 4 != 0) return std::nullopt;
  Bytes out;
  for (std::size_t i = 0; i < b64.size(); i += 4) {
    std::uint32_t n = 0;
    int pad = 0;
    for (std::size_t j = 0; j < 4; ++j) {
      const char c = b64[i + j];
      n <<= 6;
      if (c == '=') {
        if (i + 4 != b64.size() || j < 2 || (j == 2 && b64[i + 3] != '=')) return std::nullopt;
        ++pad;
        continue;
      }
      const auto d = alphabet.find(c);
      if (d == std::string::npos || c == '\0') return std::nullopt;
      n |= static_cast<std::uint32_t>(d);
    }
    if ((pad == 1 && (n & 0xFFu) != 0) || (pad == 2 && (n & 0xFFFFu) != 0)) return std::nullopt;
    out.push_back(static_cast<std::uint8_t>(n >> 16));
    if (pad < 2) out.push_back(static_cast<std::uint8_t>(n >> 8));
    if (pad < 1) out.push_back(static_cast<std::uint8_t>(n));
  }
  return out;
}

TEST(Base64, DecoderAgreesWithTheReferenceOnDamageAtEveryOffset) {
  const std::string good = base64_encode(as_bytes("a sentence of twenty-six b"));  // 36 characters, "==" at the end
  const std::string replacements("=A/+-_ \n\0\x80\xff", 11);
  int refused = 0;
  for (std::size_t at = 0; at < good.size(); ++at) {
    for (const char r : replacements) {
      std::string bad = good;
      bad[at] = r;
      const auto expected = reference_base64_decode(bad);
      auto got = base64_decode(bad);
      ASSERT_EQ(got.ok(), expected.has_value()) << bad;
      if (got.ok()) {
        EXPECT_EQ(*got, *expected) << bad;
        continue;
      }
      ++refused;
      // Before the last quantum, the message names the damaged offset.
      const std::string& m = got.error().message();
      if (at < good.size() - 4) {
        EXPECT_NE(m.find("offset " + std::to_string(at)), std::string::npos) << bad << ": " << m;
      }
      EXPECT_EQ(base64_decode_secret(bad).ok(), false);
    }
  }
  EXPECT_GT(refused, 200);
}

TEST(Base64, RandomRoundTrips) {
  Bytes data;
  for (int n = 0; n < 300; ++n) {
    auto enc = base64_encode(data);
    auto dec = base64_decode(enc);
    ASSERT_OK(dec);
    ASSERT_EQ(*dec, data);
    auto sec = base64_decode_secret(enc);
    ASSERT_OK(sec);
    ASSERT_TRUE(constant_time_equals(sec->reveal(), data));
    data.push_back(static_cast<std::uint8_t>(n * 37 + 11));
  }
}

}  // namespace
}  // namespace cardinal::crypto
