// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#include <cardinal/crypto/hash.hpp>

#include "test_util.hpp"

namespace cardinal::crypto {
namespace {

using cardinal::testing::unhex;

TEST(Sha, KnownAnswers) {
  EXPECT_EQ(hex_encode(sha256(as_bytes("abc"))), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(hex_encode(sha512(as_bytes("abc"))),
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd"
            "454d4423643ce80e2a9ac94fa54ca49f");
  EXPECT_EQ(hex_encode(sha256({})), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

// RFC 4231 test case 2.
TEST(Hmac, Rfc4231) {
  const auto key = SecretBytes::from_string("Jefe");
  const auto data = as_bytes("what do ya want for nothing?");
  auto k256 = HmacKey::create(HmacHash::kSha256, key);
  auto k512 = HmacKey::create(HmacHash::kSha512, key);
  ASSERT_OK(k256);
  ASSERT_OK(k512);
  EXPECT_EQ(hex_encode(k256->sign(data)), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(hex_encode(k512->sign(data)),
            "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fd"
            "caeab1a34d4a6b4b636e070a38bce737");
  EXPECT_TRUE(k256->verify(data, k256->sign(data)).ok());
}

TEST(Hmac, VerifyRejectsTamperingAndTruncation) {
  auto key = HmacKey::generate(HmacHash::kSha512);
  ASSERT_OK(key);
  EXPECT_EQ(key->secret().size(), 128u);
  const auto data = as_bytes("payload");
  Bytes tag = key->sign(data);
  ASSERT_EQ(tag.size(), 64u);
  EXPECT_ERROR_CODE(key->verify(as_bytes("payloaD"), tag), ErrorCode::kVerificationFailed);
  EXPECT_ERROR_CODE(key->verify(data, ByteView(tag).first(32)), ErrorCode::kVerificationFailed);
  EXPECT_ERROR_CODE(key->verify(data, {}), ErrorCode::kVerificationFailed);
  tag[10] ^= 1;
  EXPECT_ERROR_CODE(key->verify(data, tag), ErrorCode::kVerificationFailed);
  EXPECT_ERROR_CODE(HmacKey::create(HmacHash::kSha256, SecretBytes{}), ErrorCode::kInvalidArgument);
}

// RFC 5869 test case 1 and 3 (empty salt and info).
TEST(Hkdf, Rfc5869) {
  const SecretBytes ikm(unhex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"));
  auto okm = hkdf_sha256(ikm, unhex("000102030405060708090a0b0c"), unhex("f0f1f2f3f4f5f6f7f8f9"), 42);
  ASSERT_OK(okm);
  EXPECT_EQ(hex_encode(okm->reveal()),
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
  auto okm3 = hkdf_sha256(ikm, {}, {}, 42);
  ASSERT_OK(okm3);
  EXPECT_EQ(hex_encode(okm3->reveal()),
            "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
  EXPECT_ERROR_CODE(hkdf_sha256(ikm, {}, {}, 0), ErrorCode::kInvalidArgument);
  EXPECT_ERROR_CODE(hkdf_sha256(ikm, {}, {}, 255 * 32 + 1), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace cardinal::crypto
