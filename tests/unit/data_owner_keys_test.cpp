// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#include "engine/data_owner_keys.hpp"

#include <cardinal/crypto/encoding.hpp>

#include "test_keys.hpp"
#include "test_util.hpp"

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
