// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once
// The opaque handle behind RsaPublicKey / RsaPrivateKey (internal).

#include <cardinal/crypto/rsa.hpp>

#include "crypto/openssl.hpp"

namespace cardinal::crypto::detail {

/// Owns an EVP_PKEY. Immutable after construction: may be read from several threads at once
/// (OpenSSL 3 allows concurrent use of a const EVP_PKEY with a context per operation).
struct RsaKeyHandle {
  explicit RsaKeyHandle(internal::PkeyPtr k) : pkey(std::move(k)) {}
  internal::PkeyPtr pkey;
};

}  // namespace cardinal::crypto::detail
