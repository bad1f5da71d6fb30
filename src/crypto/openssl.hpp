// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal OpenSSL helpers: RAII handles, error-queue hygiene, algorithms fetched once.

#include <cardinal/result.hpp>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>

#include <memory>
#include <string>
#include <string_view>

namespace cardinal::crypto::internal {

struct EvpCipherCtxFree {
  void operator()(EVP_CIPHER_CTX* p) const noexcept { EVP_CIPHER_CTX_free(p); }
};
struct EvpPkeyFree {
  void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
};
struct EvpPkeyCtxFree {
  void operator()(EVP_PKEY_CTX* p) const noexcept { EVP_PKEY_CTX_free(p); }
};
struct EvpMdCtxFree {
  void operator()(EVP_MD_CTX* p) const noexcept { EVP_MD_CTX_free(p); }
};
struct EvpMacCtxFree {
  void operator()(EVP_MAC_CTX* p) const noexcept { EVP_MAC_CTX_free(p); }
};
struct EvpKdfCtxFree {
  void operator()(EVP_KDF_CTX* p) const noexcept { EVP_KDF_CTX_free(p); }
};
struct BioFree {
  void operator()(BIO* p) const noexcept { BIO_free(p); }
};

using CipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, EvpCipherCtxFree>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyFree>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, EvpPkeyCtxFree>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, EvpMdCtxFree>;
using MacCtxPtr = std::unique_ptr<EVP_MAC_CTX, EvpMacCtxFree>;
using KdfCtxPtr = std::unique_ptr<EVP_KDF_CTX, EvpKdfCtxFree>;
using BioPtr = std::unique_ptr<BIO, BioFree>;

/// Clears this thread's OpenSSL error queue on construction and destruction, so the library never
/// leaves errors behind for the host application (or picks up the host's).
class ErrorQueueGuard {
 public:
  ErrorQueueGuard() noexcept { ERR_clear_error(); }
  ~ErrorQueueGuard() { ERR_clear_error(); }
  ErrorQueueGuard(const ErrorQueueGuard&) = delete;
  ErrorQueueGuard& operator=(const ErrorQueueGuard&) = delete;
};

/// An error whose message is `what` plus the last OpenSSL reason (never data), queue drained.
Error openssl_error(ErrorCode code, std::string_view what);

/// Algorithms fetched once from the default library context and reused (thread-safe reads).
const EVP_CIPHER* aes_cbc_cipher(std::size_t key_size) noexcept;
const EVP_CIPHER* aes_gcm_cipher(std::size_t key_size) noexcept;
const EVP_MD* sha1_md() noexcept;
const EVP_MD* sha256_md() noexcept;
const EVP_MD* sha512_md() noexcept;
EVP_MAC* hmac_mac() noexcept;

/// Aborts with a message: only for OpenSSL failures that no input can cause (out of memory).
[[noreturn]] void fatal_openssl(const char* what) noexcept;

/// int ↔ size_t conversions OpenSSL needs, checked.
bool fits_int(std::size_t n) noexcept;

}  // namespace cardinal::crypto::internal
