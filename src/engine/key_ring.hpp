// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once
// The private keys the current user holds (own and hierarchy keys), indexed by fingerprint v2,
// each with its verification status. Unverified keys may decrypt; only verified keys are used to
// create exchange data, sign, or encrypt anything new.

#include <cardinal/crypto/rsa.hpp>

#include <map>
#include <string>
#include <vector>

namespace cardinal::engine {

struct OwnKey {
  std::string data_owner_id;
  crypto::RsaPrivateKey key;
  bool verified = false;
};

class KeyRing {
 public:
  void add(std::string data_owner_id, crypto::RsaPrivateKey key, bool verified) {
    std::string fp = key.public_key().fingerprint_v2();
    keys_.insert_or_assign(std::move(fp), OwnKey{std::move(data_owner_id), std::move(key), verified});
  }
  /// The key whose public half has fingerprint v2 `fp2`, or null.
  [[nodiscard]] const OwnKey* find(const std::string& fp2) const {
    auto it = keys_.find(fp2);
    return it == keys_.end() ? nullptr : &it->second;
  }
  /// Verified keys of one data owner.
  [[nodiscard]] std::vector<const OwnKey*> verified_keys_of(const std::string& data_owner_id) const {
    std::vector<const OwnKey*> out;
    for (const auto& [fp, k] : keys_) {
      if (k.verified && k.data_owner_id == data_owner_id) out.push_back(&k);
    }
    return out;
  }
  [[nodiscard]] const std::map<std::string, OwnKey>& all() const noexcept { return keys_; }
  [[nodiscard]] bool empty() const noexcept { return keys_.empty(); }

 private:
  std::map<std::string, OwnKey> keys_;
};

}  // namespace cardinal::engine
