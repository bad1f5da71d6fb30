// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#include "crypto/openssl.hpp"

#include <openssl/core_names.h>

#include <climits>
#include <cstdio>
#include <cstdlib>

namespace cardinal::crypto::internal {

Error openssl_error(ErrorCode code, std::string_view what) {
  std::string message(what);
  unsigned long last = 0;
  unsigned long e = 0;
  while ((e = ERR_get_error()) != 0) last = e;
  if (last != 0) {
    const char* reason = ERR_reason_error_string(last);
    if (reason != nullptr) {
      message += " (";
      message += reason;
      message += ")";
    }
  }
  return Error{code, std::move(message)};
}

// Algorithms are fetched once (function-local statics initialise thread-safely) and never freed:
// they live as long as the process, like OpenSSL's own implicit fetches.
namespace {
// The three key sizes of one AES mode, fetched on first use.
struct AesCiphers {
  EVP_CIPHER* c128;
  EVP_CIPHER* c192;
  EVP_CIPHER* c256;
  explicit AesCiphers(const char* mode)
      : c128(EVP_CIPHER_fetch(nullptr, (std::string("AES-128-") + mode).c_str(), nullptr)),
        c192(EVP_CIPHER_fetch(nullptr, (std::string("AES-192-") + mode).c_str(), nullptr)),
        c256(EVP_CIPHER_fetch(nullptr, (std::string("AES-256-") + mode).c_str(), nullptr)) {}
  [[nodiscard]] const EVP_CIPHER* of_size(std::size_t key_size) const noexcept {
    return key_size == 16 ? c128 : key_size == 24 ? c192 : key_size == 32 ? c256 : nullptr;
  }
};
}  // namespace

const EVP_CIPHER* aes_cbc_cipher(std::size_t key_size) noexcept {
  static const AesCiphers ciphers("CBC");
  return ciphers.of_size(key_size);
}

const EVP_CIPHER* aes_gcm_cipher(std::size_t key_size) noexcept {
  static const AesCiphers ciphers("GCM");
  return ciphers.of_size(key_size);
}

const EVP_MD* sha1_md() noexcept {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA1", nullptr);
  return md;
}
const EVP_MD* sha256_md() noexcept {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}
const EVP_MD* sha512_md() noexcept {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA512", nullptr);
  return md;
}
EVP_MAC* hmac_mac() noexcept {
  static EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  return mac;
}

EVP_KDF* hkdf_kdf() noexcept {
  static EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
  return kdf;
}

void fatal_openssl(const char* what) noexcept {
  std::fprintf(stderr, "cardinal: fatal OpenSSL failure in %s\n", what);
  std::abort();
}

bool fits_int(std::size_t n) noexcept { return n <= static_cast<std::size_t>(INT_MAX); }

}  // namespace cardinal::crypto::internal
