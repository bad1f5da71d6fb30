// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once
// RSA-2048 OAEP-SHA-256 key pairs generated once per test process (generation is slow).

#include <cardinal/crypto/rsa.hpp>

#include <vector>

namespace cardinal::testing {

inline const crypto::RsaPrivateKey& test_key(int i) {
  static const std::vector<crypto::RsaPrivateKey> keys = [] {
    std::vector<crypto::RsaPrivateKey> v;
    for (int n = 0; n < 4; ++n) v.push_back(crypto::RsaPrivateKey::generate(2048, crypto::RsaOaepHash::kSha256).value());
    return v;
  }();
  return keys.at(static_cast<std::size_t>(i));
}

}  // namespace cardinal::testing
