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
/// The AES, HMAC and SHA-2 one-shots do without it (two queue look-ups were a sixth of a small
/// operation): their OpenSSL calls push nothing when they succeed, and each failure path drains
/// the queue (openssl_error, AesOperation::fail) or aborts (fatal_openssl).
/// (ERR_clear_error walks every slot of the queue: it is only called when there is an error, which
/// halves the cost of a small AES operation.)
class ErrorQueueGuard {
 public:
  ErrorQueueGuard() noexcept { clear(); }
  ~ErrorQueueGuard() { clear(); }
  static void clear() noexcept {
    if (ERR_peek_error() != 0) ERR_clear_error();
  }
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
EVP_KDF* hkdf_kdf() noexcept;

/// Fills `data` from OpenSSL's CSPRNG (no allocation). Errors: kInternal.
Status fill_random(std::uint8_t* data, std::size_t size);

/// Fills `data` (at most 64 bytes) with a public random value: an IV or a nonce, never a key. Served
/// from a per-thread buffer refilled from OpenSSL's CSPRNG 1 KiB at a time (one RAND_bytes call
/// costs more than a small AES operation); served bytes are wiped from the buffer, and the buffer
/// is discarded in a forked child (pthread_atfork), so parent and child never share a value.
Status fill_nonce(std::uint8_t* data, std::size_t size);

/// Aborts with a message: only for OpenSSL failures that no input can cause (out of memory).
[[noreturn]] void fatal_openssl(const char* what) noexcept;

/// int ↔ size_t conversions OpenSSL needs, checked.
bool fits_int(std::size_t n) noexcept;

}  // namespace cardinal::crypto::internal
