// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#include <cardinal/crypto/aes.hpp>

#include "test_util.hpp"

namespace cardinal::crypto {
namespace {

using cardinal::testing::unhex;

AesKey key_of(std::string_view hex) {
  auto k = AesKey::create(SecretBytes(unhex(hex)));
  EXPECT_TRUE(k.ok());
  return std::move(k).value();
}

TEST(AesKey, SizesAndGeneration) {
  EXPECT_ERROR_CODE(AesKey::create(SecretBytes::zeros(31)), ErrorCode::kInvalidArgument);
  EXPECT_ERROR_CODE(AesKey::create(SecretBytes{}), ErrorCode::kInvalidArgument);
  auto a = AesKey::generate();
  auto b = AesKey::generate();
  ASSERT_OK(a);
  ASSERT_OK(b);
  EXPECT_EQ(a->size(), 32u);
  EXPECT_FALSE(*a == *b);
}

// NIST SP 800-38A F.2.5 (CBC-AES256.Encrypt), first block; PKCS#7 adds a full padding block.
TEST(AesCbc, KnownAnswer) {
  const auto key = key_of("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4");
  const Bytes iv = unhex("000102030405060708090a0b0c0d0e0f");
  const Bytes pt = unhex("6bc1bee22e409f96e93d7e117393172a");
  auto ct = aes_cbc::encrypt_with_iv(key, iv, pt);
  ASSERT_OK(ct);
  ASSERT_EQ(ct->size(), 16u + 32u);
  EXPECT_EQ(hex_encode(ByteView(*ct).subspan(16, 16)), "f58c4c04d6e5f1ba779eabfb5f7bfbd6");
  EXPECT_TRUE(std::equal(iv.begin(), iv.end(), ct->begin()));
}

TEST(AesCbc, RoundTripAllLengths) {
  auto key = AesKey::generate();
  ASSERT_OK(key);
  Bytes pt;
  for (int n = 0; n < 70; ++n) {
    auto ct = aes_cbc::encrypt(*key, pt);
    ASSERT_OK(ct);
    EXPECT_EQ(ct->size(), 16 + (pt.size() / 16 + 1) * 16);
    auto back = aes_cbc::decrypt(*key, *ct);
    ASSERT_OK(back);
    EXPECT_TRUE(constant_time_equals(back->reveal(), pt));
    pt.push_back(static_cast<std::uint8_t>(n));
  }
}

TEST(AesCbc, FreshIvEachTime) {
  auto key = AesKey::generate();
  ASSERT_OK(key);
  const Bytes pt(40, 7);
  auto a = aes_cbc::encrypt(*key, pt);
  auto b = aes_cbc::encrypt(*key, pt);
  ASSERT_OK(a);
  ASSERT_OK(b);
  EXPECT_NE(*a, *b);
}

TEST(AesCbc, FailuresAreOneGenericError) {
  auto key = AesKey::generate();
  auto other = AesKey::generate();
  ASSERT_OK(key);
  ASSERT_OK(other);
  const Bytes pt = unhex("00112233445566778899aabbccddeeff0011");
  auto ct = aes_cbc::encrypt(*key, pt);
  ASSERT_OK(ct);

  // Truncated, empty, not whole blocks, IV only.
  EXPECT_ERROR_CODE(aes_cbc::decrypt(*key, {}), ErrorCode::kDecryptionFailed);
  EXPECT_ERROR_CODE(aes_cbc::decrypt(*key, ByteView(*ct).first(16)), ErrorCode::kDecryptionFailed);
  EXPECT_ERROR_CODE(aes_cbc::decrypt(*key, ByteView(*ct).first(ct->size() - 1)), ErrorCode::kDecryptionFailed);
  // Flipped last byte breaks the padding (with overwhelming probability).
  Bytes flipped = *ct;
  flipped.back() ^= 0x01;
  auto r = aes_cbc::decrypt(*key, flipped);
  if (r.ok()) {
    EXPECT_FALSE(constant_time_equals(r->reveal(), pt));
  } else {
    EXPECT_EQ(r.error().code(), ErrorCode::kDecryptionFailed);
    EXPECT_EQ(r.error().message(), "decryption failed");
  }
  // Wrong key: padding check fails or garbage comes out, never the plaintext.
  auto w = aes_cbc::decrypt(*other, *ct);
  if (w.ok()) {
    EXPECT_FALSE(constant_time_equals(w->reveal(), pt));
  }
  EXPECT_ERROR_CODE(aes_cbc::encrypt_with_iv(*key, Bytes(12), pt), ErrorCode::kInvalidArgument);
}

TEST(AesGcm, SealOpenWithAad) {
  auto key = AesKey::generate();
  ASSERT_OK(key);
  const Bytes pt = unhex("48656c6c6f");
  const Bytes aad = unhex("01020304");
  auto sealed = aes_gcm::seal(*key, pt, aad);
  ASSERT_OK(sealed);
  EXPECT_EQ(sealed->size(), 12 + pt.size() + 16);
  auto back = aes_gcm::open(*key, *sealed, aad);
  ASSERT_OK(back);
  EXPECT_TRUE(constant_time_equals(back->reveal(), pt));

  EXPECT_ERROR_CODE(aes_gcm::open(*key, *sealed, unhex("01020305")), ErrorCode::kDecryptionFailed);
  for (std::size_t i = 0; i < sealed->size(); ++i) {
    Bytes t = *sealed;
    t[i] ^= 0x80;
    EXPECT_ERROR_CODE(aes_gcm::open(*key, t, aad), ErrorCode::kDecryptionFailed);
  }
  EXPECT_ERROR_CODE(aes_gcm::open(*key, ByteView(*sealed).first(27), aad), ErrorCode::kDecryptionFailed);
  auto other = AesKey::generate();
  ASSERT_OK(other);
  EXPECT_ERROR_CODE(aes_gcm::open(*other, *sealed, aad), ErrorCode::kDecryptionFailed);
}

TEST(AesGcm, EmptyPlaintextAndPolicy) {
  auto key = AesKey::generate();
  ASSERT_OK(key);
  auto sealed = aes_gcm::seal(*key, {}, {});
  ASSERT_OK(sealed);
  auto back = aes_gcm::open(*key, *sealed, {});
  ASSERT_OK(back);
  EXPECT_TRUE(back->empty());
  EXPECT_ERROR_CODE(aes_gcm::encrypt(*key, Bytes(16), {}, {}), ErrorCode::kInvalidArgument);
  EXPECT_ERROR_CODE(aes_gcm::decrypt(*key, Bytes(8), Bytes(16), {}), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace cardinal::crypto

namespace cardinal::crypto {
namespace {

TEST(AesCbcStream, MatchesOneShotFormatForAnyChunking) {
  auto key = AesKey::generate();
  ASSERT_OK(key);
  Bytes data(100000);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i * 31 + 7);
  for (std::size_t chunk : {std::size_t{1}, std::size_t{15}, std::size_t{16}, std::size_t{1000}, std::size_t{65536}}) {
    auto enc = aes_cbc::StreamEncryptor::create(*key);
    ASSERT_OK(enc);
    Bytes ct;
    for (std::size_t off = 0; off < data.size(); off += chunk) {
      auto part = enc->update(ByteView(data).subspan(off, std::min(chunk, data.size() - off)));
      ASSERT_OK(part);
      ct.insert(ct.end(), part->begin(), part->end());
    }
    auto last = enc->finish();
    ASSERT_OK(last);
    ct.insert(ct.end(), last->begin(), last->end());
    EXPECT_ERROR_CODE(enc->finish(), ErrorCode::kInvalidArgument);
    // The one-shot decryptor reads the stream's output…
    auto one_shot = aes_cbc::decrypt(*key, ct);
    ASSERT_OK(one_shot);
    EXPECT_TRUE(constant_time_equals(one_shot->reveal(), data));
    // …and the stream decryptor reads it in other chunk sizes.
    auto dec = aes_cbc::StreamDecryptor::create(*key);
    ASSERT_OK(dec);
    Bytes back;
    const std::size_t dchunk = chunk == 1 ? 7 : chunk / 2 + 3;
    for (std::size_t off = 0; off < ct.size(); off += dchunk) {
      auto part = dec->update(ByteView(ct).subspan(off, std::min(dchunk, ct.size() - off)));
      ASSERT_OK(part);
      back.insert(back.end(), part->reveal().begin(), part->reveal().end());
    }
    auto tail = dec->finish();
    ASSERT_OK(tail);
    back.insert(back.end(), tail->reveal().begin(), tail->reveal().end());
    EXPECT_EQ(back, data) << chunk;
  }
}

TEST(AesCbcStream, TruncatedOrTamperedStreamFailsAtFinish) {
  auto key = AesKey::generate();
  ASSERT_OK(key);
  // Zero bytes: a plaintext block ending in 0x00 is never valid padding, so every cut is detectable.
  auto ct = aes_cbc::encrypt(*key, Bytes(64, 0));
  ASSERT_OK(ct);
  for (std::size_t cut : {std::size_t{0}, std::size_t{10}, std::size_t{16}, ct->size() - 1, ct->size() - 16}) {
    auto dec = aes_cbc::StreamDecryptor::create(*key);
    ASSERT_OK(dec);
    ASSERT_OK(dec->update(ByteView(*ct).first(cut)));
    EXPECT_ERROR_CODE(dec->finish(), ErrorCode::kDecryptionFailed);
  }
}

}  // namespace
}  // namespace cardinal::crypto
