// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#include <cardinal/keys/crypto_strategies.hpp>
#include <cardinal/model/crypto_model.hpp>

#include <set>

namespace cardinal {

namespace {

// Whether the data owner record lists any public key (either OAEP list). A record that does not
// parse is treated as publishing keys: never a reason to create one silently.
bool publishes_keys(const DataOwnerInfo& owner) {
  auto type = model::parse_data_owner_type(owner.type);
  if (!type.ok()) return true;
  auto parsed = model::DataOwner::from_json(*type, owner.record);
  if (!parsed.ok()) return true;
  return !parsed->public_keys_oaep_sha256.empty() || !parsed->oaep_sha1_keys().empty();
}

}  // namespace

std::vector<PublishedKey> CryptoStrategies::verify_delegate_published_keys(const DataOwnerInfo& delegate,
                                                                           const std::vector<PublishedKey>& keys) {
  std::vector<std::string> spkis;
  spkis.reserve(keys.size());
  for (const auto& k : keys) spkis.push_back(k.spki_hex);
  const auto accepted = verify_delegate_public_keys(delegate, spkis);
  const std::set<std::string> accepted_set(accepted.begin(), accepted.end());
  std::vector<PublishedKey> out;
  for (const auto& k : keys) {
    if (accepted_set.count(k.spki_hex) != 0) out.push_back(k);
  }
  return out;
}

Result<std::map<std::string, RecoveredKeys>> BasicCryptoStrategies::recover_and_verify_self_hierarchy_keys(
    const std::vector<SelfKeysStatus>& /*keys*/) {
  return std::map<std::string, RecoveredKeys>{};
}

KeyGenerationDecision BasicCryptoStrategies::generate_new_key_for_data_owner(const DataOwnerInfo& self) {
  if (policy_ == NewKeyPolicy::kFirstKeyOnly && publishes_keys(self)) {
    return KeyGenerationDecision{KeyGenerationDecision::Kind::kDeny, std::nullopt};
  }
  return KeyGenerationDecision{KeyGenerationDecision::Kind::kAllow, std::nullopt};
}

std::vector<std::string> BasicCryptoStrategies::verify_delegate_public_keys(const DataOwnerInfo& /*delegate*/,
                                                                            const std::vector<std::string>& keys) {
  return keys;
}

}  // namespace cardinal
