// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#include <cardinal/crypto_strategies.hpp>

namespace cardinal {

Result<std::map<std::string, RecoveredKeys>> BasicCryptoStrategies::recover_and_verify_self_hierarchy_keys(
    const std::vector<SelfKeysStatus>& /*keys*/) {
  return std::map<std::string, RecoveredKeys>{};
}

KeyGenerationDecision BasicCryptoStrategies::generate_new_key_for_data_owner(const DataOwnerInfo& /*self*/) {
  return KeyGenerationDecision{KeyGenerationDecision::Kind::kAllow, std::nullopt};
}

std::vector<std::string> BasicCryptoStrategies::verify_delegate_public_keys(const DataOwnerInfo& /*delegate*/,
                                                                            const std::vector<std::string>& keys) {
  return keys;
}

}  // namespace cardinal
