// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// Every Project Wycheproof vector in ../shared/vectors/wycheproof against the primitives layer.
// A valid case must produce exactly the expected output; an invalid case must be rejected.
// "acceptable" cases may go either way but must not crash. Cases outside the SDK's policy
// (GCM nonces other than 12 bytes) must be refused with kInvalidArgument, and are counted apart.

#include <cardinal/crypto/aes.hpp>
#include <cardinal/crypto/hash.hpp>
#include <cardinal/crypto/rsa.hpp>

#include "test_util.hpp"

#include <nlohmann/json.hpp>

#include <iostream>

namespace cardinal::crypto {
namespace {

using cardinal::testing::unhex;
using nlohmann::json;

json load(const std::string& name) {
  const std::string text = cardinal::testing::read_file(cardinal::testing::shared_path("vectors/wycheproof/" + name));
  if (text.empty()) {
    ADD_FAILURE() << "missing vector file " << name << " (is ../shared present?)";
    return json::object();
  }
  return json::parse(text);
}

struct Tally {
  std::string file;
  int ran = 0, passed = 0, policy_rejected = 0, acceptable = 0;
  ~Tally() {
    std::cout << "[wycheproof] " << file << ": " << ran << " cases ran, " << passed << " passed";
    if (policy_rejected > 0) std::cout << " (" << policy_rejected << " of them refused by SDK policy)";
    if (acceptable > 0) std::cout << " (" << acceptable << " 'acceptable')";
    std::cout << "\n";
  }
};

std::string id(const json& t) {
  return "tcId " + std::to_string(t["tcId"].get<int>()) + " " + t["comment"].get<std::string>();
}

AesKey aes_key(const json& t) { return AesKey::create(SecretBytes(unhex(t["key"].get<std::string>()))).value(); }

TEST(Wycheproof, AesCbcPkcs5) {
  const json doc = load("aes_cbc_pkcs5_test.json");
  Tally tally{"aes_cbc_pkcs5_test.json"};
  for (const auto& group : doc["testGroups"]) {
    for (const auto& t : group["tests"]) {
      ++tally.ran;
      const AesKey key = aes_key(t);
      const Bytes iv = unhex(t["iv"].get<std::string>());
      const Bytes msg = unhex(t["msg"].get<std::string>());
      const Bytes ct = unhex(t["ct"].get<std::string>());
      Bytes iv_ct = iv;
      iv_ct.insert(iv_ct.end(), ct.begin(), ct.end());
      const std::string result = t["result"];
      auto dec = aes_cbc::decrypt(key, iv_ct);
      if (result == "valid") {
        auto enc = aes_cbc::encrypt_with_iv(key, iv, msg);
        ASSERT_OK(enc);
        EXPECT_EQ(*enc, iv_ct) << id(t);
        ASSERT_TRUE(dec.ok()) << id(t);
        EXPECT_TRUE(constant_time_equals(dec->reveal(), msg)) << id(t);
        if (dec.ok() && enc.ok() && *enc == iv_ct) ++tally.passed;
      } else if (result == "invalid") {
        EXPECT_FALSE(dec.ok()) << id(t);
        if (!dec.ok()) {
          EXPECT_EQ(dec.error().code(), ErrorCode::kDecryptionFailed);
          ++tally.passed;
        }
      } else {
        ++tally.acceptable;
        ++tally.passed;
      }
    }
  }
  EXPECT_EQ(tally.ran, doc["numberOfTests"].get<int>());
  EXPECT_EQ(tally.passed, tally.ran);
}

TEST(Wycheproof, AesGcm) {
  const json doc = load("aes_gcm_test.json");
  Tally tally{"aes_gcm_test.json"};
  for (const auto& group : doc["testGroups"]) {
    for (const auto& t : group["tests"]) {
      ++tally.ran;
      const AesKey key = aes_key(t);
      const Bytes iv = unhex(t["iv"].get<std::string>());
      const Bytes aad = unhex(t["aad"].get<std::string>());
      const Bytes msg = unhex(t["msg"].get<std::string>());
      Bytes ct_tag = unhex(t["ct"].get<std::string>());
      const Bytes tag = unhex(t["tag"].get<std::string>());
      ct_tag.insert(ct_tag.end(), tag.begin(), tag.end());
      const std::string result = t["result"];
      const bool in_policy = iv.size() == aes_gcm::kNonceSize && tag.size() == aes_gcm::kTagSize;
      auto dec = aes_gcm::decrypt(key, iv, ct_tag, aad);
      if (!in_policy) {
        // Outside the SDK's policy: both directions must refuse, whatever the vector's verdict.
        EXPECT_FALSE(dec.ok()) << id(t);
        if (iv.size() != aes_gcm::kNonceSize) {
          EXPECT_ERROR_CODE(aes_gcm::encrypt(key, iv, msg, aad), ErrorCode::kInvalidArgument);
        }
        if (!dec.ok()) {
          ++tally.passed;
          ++tally.policy_rejected;
        }
        continue;
      }
      if (result == "valid") {
        auto enc = aes_gcm::encrypt(key, iv, msg, aad);
        ASSERT_OK(enc);
        EXPECT_EQ(*enc, ct_tag) << id(t);
        ASSERT_TRUE(dec.ok()) << id(t);
        EXPECT_TRUE(constant_time_equals(dec->reveal(), msg)) << id(t);
        if (*enc == ct_tag && constant_time_equals(dec->reveal(), msg)) ++tally.passed;
      } else if (result == "invalid") {
        EXPECT_FALSE(dec.ok()) << id(t);
        if (!dec.ok()) ++tally.passed;
      } else {
        ++tally.acceptable;
        ++tally.passed;
      }
    }
  }
  EXPECT_EQ(tally.ran, doc["numberOfTests"].get<int>());
  EXPECT_EQ(tally.passed, tally.ran);
}

TEST(Wycheproof, HkdfSha256) {
  const json doc = load("hkdf_sha256_test.json");
  Tally tally{"hkdf_sha256_test.json"};
  for (const auto& group : doc["testGroups"]) {
    for (const auto& t : group["tests"]) {
      ++tally.ran;
      const SecretBytes ikm(unhex(t["ikm"].get<std::string>()));
      const Bytes salt = unhex(t["salt"].get<std::string>());
      const Bytes info = unhex(t["info"].get<std::string>());
      const auto size = t["size"].get<std::size_t>();
      auto okm = hkdf_sha256(ikm, salt, info, size);
      const std::string result = t["result"];
      if (result == "valid") {
        ASSERT_TRUE(okm.ok()) << id(t) << " " << okm.error().to_string();
        EXPECT_EQ(hex_encode(okm->reveal()), t["okm"].get<std::string>()) << id(t);
        if (hex_encode(okm->reveal()) == t["okm"].get<std::string>()) ++tally.passed;
      } else if (result == "invalid") {
        EXPECT_FALSE(okm.ok()) << id(t);
        if (!okm.ok()) ++tally.passed;
      } else {
        ++tally.acceptable;
        ++tally.passed;
      }
    }
  }
  EXPECT_EQ(tally.ran, doc["numberOfTests"].get<int>());
  EXPECT_EQ(tally.passed, tally.ran);
}

void run_hmac(const std::string& file, HmacHash hash) {
  const json doc = load(file);
  Tally tally{file};
  for (const auto& group : doc["testGroups"]) {
    const auto tag_bytes = group["tagSize"].get<std::size_t>() / 8;
    for (const auto& t : group["tests"]) {
      ++tally.ran;
      auto key = HmacKey::create(hash, SecretBytes(unhex(t["key"].get<std::string>())));
      ASSERT_OK(key);
      const Bytes msg = unhex(t["msg"].get<std::string>());
      const Bytes tag = unhex(t["tag"].get<std::string>());
      const Bytes full = key->sign(msg);
      // Truncated tags: compare the prefix of the full tag in constant time; the SDK's own
      // verify() accepts full-length tags only.
      const bool matches = tag.size() == tag_bytes && tag_bytes <= full.size() &&
                           constant_time_equals(ByteView(full).first(tag_bytes), tag);
      const bool full_verify = key->verify(msg, tag).ok();
      if (tag.size() != full.size()) {
        EXPECT_FALSE(full_verify) << id(t);
      }
      const std::string result = t["result"];
      if (result == "valid") {
        EXPECT_TRUE(matches) << id(t);
        if (tag.size() == full.size()) {
          EXPECT_TRUE(full_verify) << id(t);
        }
        if (matches) ++tally.passed;
      } else if (result == "invalid") {
        EXPECT_FALSE(matches) << id(t);
        EXPECT_FALSE(full_verify) << id(t);
        if (!matches && !full_verify) ++tally.passed;
      } else {
        ++tally.acceptable;
        ++tally.passed;
      }
    }
  }
  EXPECT_EQ(tally.ran, doc["numberOfTests"].get<int>());
  EXPECT_EQ(tally.passed, tally.ran);
}

TEST(Wycheproof, HmacSha256) { run_hmac("hmac_sha256_test.json", HmacHash::kSha256); }
TEST(Wycheproof, HmacSha512) { run_hmac("hmac_sha512_test.json", HmacHash::kSha512); }

void run_oaep(const std::string& file, RsaOaepHash hash) {
  const json doc = load(file);
  Tally tally{file};
  for (const auto& group : doc["testGroups"]) {
    auto key = RsaPrivateKey::from_pkcs8_hex(group["privateKeyPkcs8"].get<std::string>(), hash);
    ASSERT_OK(key);
    // The same key from its PEM form must be the same key.
    auto pem_key = RsaPrivateKey::from_pem(group["privateKeyPem"].get<std::string>(), hash);
    ASSERT_OK(pem_key);
    EXPECT_TRUE(pem_key->public_key() == key->public_key());
    for (const auto& t : group["tests"]) {
      ++tally.ran;
      const Bytes msg = unhex(t["msg"].get<std::string>());
      const Bytes ct = unhex(t["ct"].get<std::string>());
      const Bytes label = unhex(t["label"].get<std::string>());
      auto dec = key->decrypt(ct, label);
      const std::string result = t["result"];
      if (result == "valid") {
        ASSERT_TRUE(dec.ok()) << id(t);
        EXPECT_TRUE(constant_time_equals(dec->reveal(), msg)) << id(t);
        // And our encryption round-trips the same message with the same label.
        auto enc = key->public_key().encrypt(msg, label);
        ASSERT_OK(enc);
        auto again = key->decrypt(*enc, label);
        ASSERT_OK(again);
        if (constant_time_equals(dec->reveal(), msg) && constant_time_equals(again->reveal(), msg)) ++tally.passed;
      } else if (result == "invalid") {
        EXPECT_FALSE(dec.ok()) << id(t);
        if (!dec.ok()) {
          EXPECT_EQ(dec.error().code(), ErrorCode::kDecryptionFailed);
          ++tally.passed;
        }
      } else {
        ++tally.acceptable;
        ++tally.passed;
      }
    }
  }
  EXPECT_EQ(tally.ran, doc["numberOfTests"].get<int>());
  EXPECT_EQ(tally.passed, tally.ran);
}

TEST(Wycheproof, RsaOaep2048Sha1) { run_oaep("rsa_oaep_2048_sha1_mgf1sha1_test.json", RsaOaepHash::kSha1); }
TEST(Wycheproof, RsaOaep2048Sha256) { run_oaep("rsa_oaep_2048_sha256_mgf1sha256_test.json", RsaOaepHash::kSha256); }

}  // namespace
}  // namespace cardinal::crypto
