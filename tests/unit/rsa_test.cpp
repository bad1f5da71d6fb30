// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#include <cardinal/crypto/rsa.hpp>

#include "test_util.hpp"

#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

namespace cardinal::crypto {
namespace {

// Key generation is slow: one key pair per hash for the whole suite.
const RsaPrivateKey& shared_key(RsaOaepHash hash) {
  static const RsaPrivateKey k1 = RsaPrivateKey::generate(2048, RsaOaepHash::kSha1).value();
  static const RsaPrivateKey k256 = RsaPrivateKey::generate(2048, RsaOaepHash::kSha256).value();
  return hash == RsaOaepHash::kSha1 ? k1 : k256;
}

// SPKI DER of a key OpenSSL makes directly (for shapes the SDK must refuse).
Bytes foreign_spki(const char* algorithm, int rsa_bits = 0, unsigned rsa_e = 65537) {
  EVP_PKEY* pkey = nullptr;
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, algorithm, nullptr);
  EXPECT_EQ(EVP_PKEY_keygen_init(ctx), 1);
  if (rsa_bits != 0) {
    EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, rsa_bits);
    BIGNUM* e = BN_new();
    BN_set_word(e, rsa_e);
    EVP_PKEY_CTX_set1_rsa_keygen_pubexp(ctx, e);
    BN_free(e);
  } else {
    EVP_PKEY_CTX_set_group_name(ctx, "P-256");
  }
  EXPECT_EQ(EVP_PKEY_generate(ctx, &pkey), 1);
  EVP_PKEY_CTX_free(ctx);
  const int len = i2d_PUBKEY(pkey, nullptr);
  Bytes der(static_cast<std::size_t>(len));
  unsigned char* p = der.data();
  i2d_PUBKEY(pkey, &p);
  EVP_PKEY_free(pkey);
  return der;
}

class RsaTest : public ::testing::TestWithParam<RsaOaepHash> {};

TEST_P(RsaTest, EncryptDecryptRoundTrip) {
  const auto& key = shared_key(GetParam());
  EXPECT_EQ(key.hash(), GetParam());
  EXPECT_EQ(key.public_key().bits(), 2048);
  const Bytes msg(32, 0x5a);
  auto ct = key.public_key().encrypt(msg);
  ASSERT_OK(ct);
  EXPECT_EQ(ct->size(), 256u);
  auto back = key.decrypt(*ct);
  ASSERT_OK(back);
  EXPECT_TRUE(constant_time_equals(back->reveal(), msg));
  // OAEP is randomized.
  auto ct2 = key.public_key().encrypt(msg);
  ASSERT_OK(ct2);
  EXPECT_NE(*ct, *ct2);
}

TEST_P(RsaTest, MessageLengthLimit) {
  const auto& key = shared_key(GetParam());
  const std::size_t h = GetParam() == RsaOaepHash::kSha1 ? 20 : 32;
  ASSERT_OK(key.public_key().encrypt(Bytes(256 - 2 * h - 2, 1)));
  EXPECT_ERROR_CODE(key.public_key().encrypt(Bytes(256 - 2 * h - 1, 1)), ErrorCode::kInvalidArgument);
}

TEST_P(RsaTest, TamperedCiphertextIsOneGenericError) {
  const auto& key = shared_key(GetParam());
  auto ct = key.public_key().encrypt(as_bytes("secret"));
  ASSERT_OK(ct);
  for (std::size_t i : {std::size_t{0}, std::size_t{1}, std::size_t{128}, std::size_t{255}}) {
    Bytes t = *ct;
    t[i] ^= 0x01;
    EXPECT_ERROR_CODE(key.decrypt(t), ErrorCode::kDecryptionFailed);
  }
  EXPECT_ERROR_CODE(key.decrypt(ByteView(*ct).first(255)), ErrorCode::kDecryptionFailed);
  EXPECT_ERROR_CODE(key.decrypt({}), ErrorCode::kDecryptionFailed);
  EXPECT_ERROR_CODE(key.decrypt(*ct, as_bytes("label")), ErrorCode::kDecryptionFailed);
}

TEST_P(RsaTest, SerializationRoundTrips) {
  const auto& key = shared_key(GetParam());
  const auto& pub = key.public_key();
  auto from_hex = RsaPublicKey::from_spki_hex(pub.spki_hex(), GetParam());
  ASSERT_OK(from_hex);
  EXPECT_TRUE(*from_hex == pub);
  auto from_pem = RsaPublicKey::from_pem(pub.pem(), GetParam());
  ASSERT_OK(from_pem);
  EXPECT_TRUE(*from_pem == pub);
  EXPECT_TRUE(pub.spki_hex().ends_with("0203010001"));
  EXPECT_GE(pub.spki_hex().size(), 522u);

  auto der = key.pkcs8_der();
  ASSERT_OK(der);
  auto again = RsaPrivateKey::from_pkcs8_der(der->reveal(), GetParam());
  ASSERT_OK(again);
  EXPECT_TRUE(again->public_key() == pub);
  auto again_hex = RsaPrivateKey::from_pkcs8_hex(hex_encode(der->reveal()), GetParam());
  ASSERT_OK(again_hex);
  auto pem = key.pkcs8_pem();
  ASSERT_OK(pem);
  EXPECT_TRUE(pem->reveal_as_text().starts_with("-----BEGIN PRIVATE KEY-----"));
  auto from_priv_pem = RsaPrivateKey::from_pem(pem->reveal_as_text(), GetParam());
  ASSERT_OK(from_priv_pem);
  EXPECT_TRUE(from_priv_pem->public_key() == pub);

  // A key re-imported under the other hash is a different key kind.
  const auto other = GetParam() == RsaOaepHash::kSha1 ? RsaOaepHash::kSha256 : RsaOaepHash::kSha1;
  auto as_other = RsaPublicKey::from_spki_der(pub.spki_der(), other);
  ASSERT_OK(as_other);
  EXPECT_FALSE(*as_other == pub);
}

TEST_P(RsaTest, WrongOaepVariantFails) {
  const auto& key = shared_key(GetParam());
  const auto other = GetParam() == RsaOaepHash::kSha1 ? RsaOaepHash::kSha256 : RsaOaepHash::kSha1;
  auto der = key.pkcs8_der();
  ASSERT_OK(der);
  auto as_other = RsaPrivateKey::from_pkcs8_der(der->reveal(), other);
  ASSERT_OK(as_other);
  auto ct = key.public_key().encrypt(as_bytes("abc"));
  ASSERT_OK(ct);
  EXPECT_ERROR_CODE(as_other->decrypt(*ct), ErrorCode::kDecryptionFailed);
}

INSTANTIATE_TEST_SUITE_P(BothHashes, RsaTest, ::testing::Values(RsaOaepHash::kSha1, RsaOaepHash::kSha256),
                         [](const auto& p) { return p.param == RsaOaepHash::kSha1 ? "Sha1" : "Sha256"; });

TEST(RsaKeys, WrongKeyCannotDecrypt) {
  auto ct = shared_key(RsaOaepHash::kSha1).public_key().encrypt(as_bytes("abc"));
  ASSERT_OK(ct);
  auto other = RsaPrivateKey::generate(2048, RsaOaepHash::kSha1);
  ASSERT_OK(other);
  EXPECT_ERROR_CODE(other->decrypt(*ct), ErrorCode::kDecryptionFailed);
}

TEST(RsaKeys, Fingerprints) {
  const std::string spki = shared_key(RsaOaepHash::kSha256).public_key().spki_hex();
  const auto& pub = shared_key(RsaOaepHash::kSha256).public_key();
  EXPECT_EQ(pub.fingerprint_v1(), spki.substr(spki.size() - 32));
  EXPECT_TRUE(pub.fingerprint_v1().ends_with("0203010001"));
  EXPECT_EQ(pub.fingerprint_v2(), spki.substr(spki.size() - 32, 22));
  EXPECT_EQ(pub.fingerprint_v2().size(), 22u);
  EXPECT_EQ(fingerprint_v2("abc"), "");
  EXPECT_EQ(fingerprint_v1("0123456789abcdef0123456789abcdef"), "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(fingerprint_v2("0123456789abcdef0123456789abcdef"), "0123456789abcdef012345");
}

TEST(RsaKeys, GenerateRejectsOtherSizes) {
  EXPECT_ERROR_CODE(RsaPrivateKey::generate(1024, RsaOaepHash::kSha256), ErrorCode::kInvalidArgument);
  EXPECT_ERROR_CODE(RsaPrivateKey::generate(3072, RsaOaepHash::kSha256), ErrorCode::kInvalidArgument);
}

TEST(RsaKeys, MalformedInputsAreTypedErrors) {
  const auto h = RsaOaepHash::kSha256;
  const Bytes spki = shared_key(h).public_key().spki_der();
  EXPECT_ERROR_CODE(RsaPublicKey::from_spki_der({}, h), ErrorCode::kMalformedInput);
  EXPECT_ERROR_CODE(RsaPublicKey::from_spki_der(ByteView(spki).first(100), h), ErrorCode::kMalformedInput);
  Bytes trailing = spki;
  trailing.push_back(0);
  EXPECT_ERROR_CODE(RsaPublicKey::from_spki_der(trailing, h), ErrorCode::kMalformedInput);
  Bytes garbage(300, 0x30);
  EXPECT_ERROR_CODE(RsaPublicKey::from_spki_der(garbage, h), ErrorCode::kMalformedInput);
  EXPECT_ERROR_CODE(RsaPublicKey::from_spki_hex("30820122zz", h), ErrorCode::kMalformedInput);
  EXPECT_ERROR_CODE(RsaPublicKey::from_pem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", h),
                    ErrorCode::kMalformedInput);
  EXPECT_ERROR_CODE(RsaPublicKey::from_pem("not pem", h), ErrorCode::kMalformedInput);
  EXPECT_ERROR_CODE(RsaPrivateKey::from_pkcs8_der({}, h), ErrorCode::kMalformedInput);
  EXPECT_ERROR_CODE(RsaPrivateKey::from_pkcs8_der(spki, h), ErrorCode::kMalformedInput);
  EXPECT_ERROR_CODE(RsaPrivateKey::from_pkcs8_hex("00", h), ErrorCode::kMalformedInput);
  EXPECT_ERROR_CODE(RsaPrivateKey::from_pkcs8_hex("0", h), ErrorCode::kMalformedInput);
  EXPECT_ERROR_CODE(RsaPrivateKey::from_pem("-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----\n", h),
                    ErrorCode::kMalformedInput);
  auto der = shared_key(h).pkcs8_der();
  ASSERT_OK(der);
  Bytes flipped(der->reveal().begin(), der->reveal().end());
  flipped[flipped.size() / 2] ^= 0x10;  // inside a CRT parameter: the pair check fails
  auto r = RsaPrivateKey::from_pkcs8_der(flipped, h);
  EXPECT_FALSE(r.ok());
}

TEST(RsaKeys, UnsupportedKeyShapes) {
  const auto h = RsaOaepHash::kSha256;
  EXPECT_ERROR_CODE(RsaPublicKey::from_spki_der(foreign_spki("EC"), h), ErrorCode::kUnsupported);
  EXPECT_ERROR_CODE(RsaPublicKey::from_spki_der(foreign_spki("RSA", 1024), h), ErrorCode::kUnsupported);
  EXPECT_ERROR_CODE(RsaPublicKey::from_spki_der(foreign_spki("RSA", 2048, 3), h), ErrorCode::kUnsupported);
}

}  // namespace
}  // namespace cardinal::crypto
