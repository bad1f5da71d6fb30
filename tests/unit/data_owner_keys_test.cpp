// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#include "engine/data_owner_keys.hpp"

#include <cardinal/crypto/encoding.hpp>

#include "test_keys.hpp"
#include "test_util.hpp"

#include <cctype>

namespace cardinal::engine {
namespace {

using cardinal::testing::test_key;

model::DataOwner owner(std::vector<std::string> sha256_keys, std::optional<std::string> legacy = std::nullopt) {
  Json j = Json{{"id", "hcp-bob"}, {"publicKeysForOaepWithSha256", sha256_keys}};
  if (legacy) j["publicKey"] = *legacy;
  return model::DataOwner::from_json(model::DataOwnerType::kHcp, j).value();
}

// A key whose SPKI differs from `spki_hex` in the middle of the modulus: the fingerprints (which
// only cover the last bytes) are the same. Such keys are cheap for an attacker to build.
std::string colliding(const std::string& spki_hex) {
  std::string out = spki_hex;
  out[200] = out[200] == 'a' ? 'b' : 'a';
  return out;
}

class ScriptedStrategies : public BasicCryptoStrategies {
 public:
  std::vector<std::string> accept;
  std::vector<std::vector<std::string>> asked;
  std::vector<std::string> verify_delegate_public_keys(const DataOwnerInfo& /*delegate*/,
                                                       const std::vector<std::string>& keys) override {
    asked.push_back(keys);
    return accept;
  }
};

TEST(DataOwnerKeys, ParsesBothKindsAndSkipsGarbage) {
  const auto a = test_key(0).public_key().spki_hex();
  auto keys = published_keys(owner({a, "zz", "3082"}, test_key(1).public_key().spki_hex()));
  ASSERT_OK(keys);
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_EQ((*keys)[0].key.hash(), crypto::RsaOaepHash::kSha256);
  EXPECT_EQ((*keys)[1].key.hash(), crypto::RsaOaepHash::kSha1);
}

// Parsed keys are kept for the process (published_keys is on every create and share with
// delegates): a second read gives the same keys, the same text in the other OAEP list is parsed
// for its own hash, and a text that does not parse keeps being skipped.
TEST(DataOwnerKeys, ASecondReadGivesTheSameKeysEachWithItsOwnHash) {
  const auto a = test_key(2).public_key().spki_hex();
  for (int round = 0; round < 2; ++round) {
    auto keys = published_keys(owner({a, "3082"}));
    ASSERT_OK(keys);
    ASSERT_EQ(keys->size(), 1u) << "the text that does not parse is skipped";
    EXPECT_EQ((*keys)[0].key.hash(), crypto::RsaOaepHash::kSha256);
    EXPECT_EQ((*keys)[0].published.spki_hex, a);
    auto legacy = published_keys(owner({}, a));
    ASSERT_OK(legacy);
    ASSERT_EQ(legacy->size(), 1u);
    EXPECT_EQ((*legacy)[0].key.hash(), crypto::RsaOaepHash::kSha1) << "round " << round;
    EXPECT_EQ((*legacy)[0].key, crypto::RsaPublicKey::from_spki_hex(a, crypto::RsaOaepHash::kSha1).value());
  }
  // Upper-case hex is another text: parsed on its own, published under its canonical (lower-case) form.
  std::string upper = a;
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  auto keys = published_keys(owner({upper}));
  ASSERT_OK(keys);
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ((*keys)[0].published.spki_hex, a);
}

TEST(DataOwnerKeys, FingerprintCollisionRefusesTheDataOwner) {
  const auto a = test_key(0).public_key().spki_hex();
  const auto evil = colliding(a);
  ASSERT_OK(crypto::RsaPublicKey::from_spki_hex(evil, crypto::RsaOaepHash::kSha256));  // it does parse
  ASSERT_EQ(crypto::fingerprint_v2(evil), crypto::fingerprint_v2(a));
  EXPECT_ERROR_CODE(published_keys(owner({a, evil})), ErrorCode::kTamperDetected);
  ScriptedStrategies hooks;
  hooks.accept = {a};
  EXPECT_ERROR_CODE(verified_delegate_keys(owner({a, evil}), hooks), ErrorCode::kTamperDetected);
}

TEST(DataOwnerKeys, OnlyKeysTheHookAcceptsAndTheOwnerPublishes) {
  const auto real = test_key(0).public_key().spki_hex();
  const auto attacker = test_key(1).public_key().spki_hex();
  const auto outsider = test_key(2).public_key().spki_hex();
  ScriptedStrategies hooks;
  hooks.accept = {real, outsider};  // a hook cannot add a key the delegate does not publish
  auto keys = verified_delegate_keys(owner({real, attacker}), hooks);
  ASSERT_OK(keys);
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ((*keys)[0].spki_hex(), real);
  ASSERT_EQ(hooks.asked.size(), 1u);
  EXPECT_EQ(hooks.asked[0], (std::vector<std::string>{real, attacker}));  // the hook sees the unknown key

  hooks.accept = {};
  EXPECT_ERROR_CODE(verified_delegate_keys(owner({real, attacker}), hooks), ErrorCode::kNoVerifiedKey);
  EXPECT_ERROR_CODE(verified_delegate_keys(owner({}), hooks), ErrorCode::kNoVerifiedKey);
}

}  // namespace
}  // namespace cardinal::engine
