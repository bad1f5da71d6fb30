// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once
#include "api/sdk_core.hpp"

#include <map>
#include <mutex>

namespace cardinal::testing {

/// LocalKeyStore in memory (one device), thread-safe.
class MemoryLocalKeys : public api::LocalKeyStore {
 public:
  Result<std::vector<api::LocalKey>> keys_of(const std::string& owner) override {
    std::lock_guard lock(mutex_);
    return keys_[owner];
  }
  Status put(const std::string& owner, const crypto::RsaPrivateKey& key, bool verified) override {
    std::lock_guard lock(mutex_);
    auto& list = keys_[owner];
    for (auto& k : list) {
      if (k.key.public_key().spki_hex() == key.public_key().spki_hex()) {
        k.verified = verified;
        return {};
      }
    }
    list.push_back(api::LocalKey{key, verified});
    return {};
  }
  void clear() {
    std::lock_guard lock(mutex_);
    keys_.clear();
  }

 private:
  std::mutex mutex_;
  std::map<std::string, std::vector<api::LocalKey>> keys_;
};

}  // namespace cardinal::testing
