// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once
// The opaque handle behind RsaPublicKey / RsaPrivateKey (internal).

#include <cardinal/crypto/rsa.hpp>

#include "crypto/ctx_pool.hpp"
#include "crypto/openssl.hpp"

#include <array>

namespace cardinal::crypto::detail {

/// Owns an EVP_PKEY. Immutable after construction: may be read from several threads at once
/// (OpenSSL 3 allows concurrent use of a const EVP_PKEY with a context per operation).
/// `oaep` keeps set-up OAEP contexts (no label) for reuse, one thread at a time each: index
/// `2 * decrypt + sha256`.
struct RsaKeyHandle {
  explicit RsaKeyHandle(internal::PkeyPtr k) : pkey(std::move(k)) {}
  internal::PkeyPtr pkey;
  mutable std::array<internal::CtxPool<EVP_PKEY_CTX, &EVP_PKEY_CTX_free>, 4> oaep;
};

}  // namespace cardinal::crypto::detail
