// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#include <cardinal/crypto/encoding.hpp>

#include "test_util.hpp"

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
