// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// One-shot AES-CBC runs each message as the continuation of a kept context's CBC stream, its first
// block corrected for the message's IV, and checks PKCS#7 padding itself (src/crypto/aes_cbc.cpp).
// These tests hold it to plain OpenSSL CBC (a fresh context per message, OpenSSL's own padding)
// over many messages on the same key, in both directions, and to every padding shape.

#include <cardinal/crypto/aes.hpp>
#include <cardinal/crypto/random.hpp>

#include "test_util.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>

#include <memory>

namespace cardinal::crypto {
namespace {

struct CbcTestCtxFree {
  void operator()(EVP_CIPHER_CTX* c) const noexcept { EVP_CIPHER_CTX_free(c); }
};

// AES-256-CBC of `in` by OpenSSL alone (fresh context); `pad` false: whole blocks, no padding.
Bytes openssl_cbc(const AesKey& key, ByteView iv, ByteView in, bool encrypt, bool pad = true) {
  std::unique_ptr<EVP_CIPHER_CTX, CbcTestCtxFree> ctx(EVP_CIPHER_CTX_new());
  Bytes out(in.size() + 32);
  int len = 0;
  int fin = 0;
  EXPECT_EQ(EVP_CipherInit_ex2(ctx.get(), EVP_aes_256_cbc(), key.secret().reveal().data(), iv.data(), encrypt ? 1 : 0,
                               nullptr),
            1);
  EVP_CIPHER_CTX_set_padding(ctx.get(), pad ? 1 : 0);
  EXPECT_EQ(EVP_CipherUpdate(ctx.get(), out.data(), &len, in.data(), static_cast<int>(in.size())), 1);
  EXPECT_EQ(EVP_CipherFinal_ex(ctx.get(), out.data() + len, &fin), 1);
  out.resize(static_cast<std::size_t>(len + fin));
  return out;
}

Bytes joined(ByteView a, ByteView b) {
  Bytes out(a.begin(), a.end());
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

Bytes plain_bytes(ByteView v) { return Bytes(v.begin(), v.end()); }

TEST(CbcChain, EveryMessageOnOneKeyIsPlainCbc) {
  const auto key = AesKey::generate().value();
  for (int i = 0; i < 300; ++i) {
    const std::size_t n = static_cast<std::size_t>(i % 7 == 0 ? 3000 + i : (i * 37) % 97);
    const Bytes pt = random_bytes(n).value();
    const Bytes iv = random_bytes(16).value();
    // Encryptions, with a chosen and with a drawn IV, are OpenSSL's CBC with that IV.
    const Bytes chosen = aes_cbc::encrypt_with_iv(key, iv, pt).value();
    ASSERT_EQ(chosen, joined(iv, openssl_cbc(key, iv, pt, true))) << "message " << i;
    const Bytes drawn = aes_cbc::encrypt(key, pt).value();
    const ByteView drawn_iv = ByteView(drawn).first(16);
    ASSERT_EQ(plain_bytes(ByteView(drawn).subspan(16)), openssl_cbc(key, drawn_iv, pt, true)) << "message " << i;
    // Decryptions of OpenSSL's ciphertexts give the plaintext back.
    const Bytes theirs = joined(iv, openssl_cbc(key, iv, pt, true));
    ASSERT_EQ(plain_bytes(aes_cbc::decrypt(key, theirs).value().reveal()), pt) << "message " << i;
    ASSERT_EQ(plain_bytes(aes_cbc::decrypt(key, drawn).value().reveal()), pt) << "message " << i;
  }
}

// Last blocks of every padding shape, encrypted raw: exactly the valid PKCS#7 paddings open, to
// the right length, and every other one is the generic error; a refusal spoils nothing after it.
TEST(CbcChain, PaddingIsCheckedLikeOpenSsl) {
  const auto key = AesKey::generate().value();
  const Bytes iv(16, 7);
  const Bytes good = aes_cbc::encrypt(key, as_bytes("still fine")).value();
  for (int last = 0; last < 256; ++last) {
    for (int variant = 0; variant < 3; ++variant) {
      Bytes plain(32, 0x41);
      const auto pad = static_cast<std::uint8_t>(last);
      for (std::size_t k = 0; k < 16 && k < pad; ++k) plain[31 - k] = pad;
      plain[31] = pad;
      if (variant == 1 && pad >= 2 && pad <= 16) plain[32 - pad] ^= 1;  // one wrong padding byte
      if (variant == 2 && pad >= 1 && pad <= 16) plain[31 - pad] = pad;  // a padding byte too many: still valid
      const Bytes ct = joined(iv, openssl_cbc(key, iv, plain, true, false));
      auto mine = aes_cbc::decrypt(key, ct);
      const bool valid = pad >= 1 && pad <= 16 && !(variant == 1 && pad >= 2);
      ASSERT_EQ(mine.ok(), valid) << "last byte " << last << " variant " << variant;
      if (valid) {
        EXPECT_EQ(plain_bytes(mine->reveal()), Bytes(plain.begin(), plain.end() - pad));
      } else {
        EXPECT_EQ(mine.error().code(), ErrorCode::kDecryptionFailed);
      }
      ASSERT_EQ(aes_cbc::decrypt(key, good).value().reveal_as_text(), "still fine");
    }
  }
}

// The AES paths do not clear the error queue on success (that was most of a small operation's
// cost): they must leave nothing on it after a failure either.
TEST(CbcChain, FailuresLeaveTheErrorQueueEmpty) {
  const auto key = AesKey::generate().value();
  ERR_clear_error();
  Bytes cbc = aes_cbc::encrypt(key, as_bytes("x")).value();
  cbc.back() ^= 0x5a;
  Bytes gcm = aes_gcm::seal(key, as_bytes("x"), {}).value();
  gcm.back() ^= 1;
  for (int i = 0; i < 3; ++i) {
    EXPECT_ERROR_CODE(aes_cbc::decrypt(key, cbc), ErrorCode::kDecryptionFailed);
    EXPECT_ERROR_CODE(aes_gcm::open(key, gcm, {}), ErrorCode::kDecryptionFailed);
    EXPECT_ERROR_CODE(aes_cbc::decrypt(key, Bytes(33, 1)), ErrorCode::kDecryptionFailed);
    EXPECT_EQ(ERR_peek_error(), 0u);
  }
}

}  // namespace
}  // namespace cardinal::crypto
