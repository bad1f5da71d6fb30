// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// RSA-OAEP keys of data owners.
///
/// The platform has two kinds of RSA key, told apart by where a data owner lists them: OAEP with
/// SHA-1 (MGF1-SHA-1; legacy `publicKey` / `aesExchangeKeys`) and OAEP with SHA-256 (MGF1-SHA-256;
/// `publicKeysForOaepWithSha256`, all new keys). The OAEP hash is part of the key's type here: a key
/// is created with its hash and never silently changes algorithm.
///
/// Accepted keys: RSA, public exponent 65537, 2048 or 4096 bits (what the platform accepts).
///
/// Thread safety: key objects are immutable and may be shared between threads; all functions
/// are thread-safe.
///
/// Ownership: key objects are cheap to copy: copies share one immutable OpenSSL key (reference
/// counted), released with the last copy. Exported private key bytes (`pkcs8_der`, `pkcs8_pem`)
/// and decrypted messages are `SecretBytes` the caller owns. `detail::` and `handle()` are not
/// API: an opaque handle for the SDK's own modules.

#include <cardinal/bytes.hpp>
#include <cardinal/export.hpp>
#include <cardinal/result.hpp>
#include <cardinal/secret.hpp>

#include <memory>
#include <string>
#include <string_view>

namespace cardinal::crypto {

/// The OAEP (and MGF1) digest of a key.
enum class RsaOaepHash { kSha1, kSha256 };

/// "OAEP-SHA1" or "OAEP-SHA256".
CARDINAL_EXPORT std::string_view to_string(RsaOaepHash hash) noexcept;

/// Not API: implementation details of the key classes (defined inside the library).
namespace detail {
struct RsaKeyHandle;   // wraps an EVP_PKEY; opaque to users
struct RsaKeyFactory;  // builds key objects inside the library
}  // namespace detail

/// An RSA public key with its OAEP hash.
class CARDINAL_EXPORT RsaPublicKey {
 public:
  /// From SPKI DER. Errors: `kMalformedInput`, `kUnsupported` (not RSA, wrong size or exponent).
  static Result<RsaPublicKey> from_spki_der(ByteView der, RsaOaepHash hash);
  /// From the platform's SPKI hex string.
  static Result<RsaPublicKey> from_spki_hex(std::string_view hex, RsaOaepHash hash);
  /// From PEM (`-----BEGIN PUBLIC KEY-----`).
  static Result<RsaPublicKey> from_pem(std::string_view pem, RsaOaepHash hash);

  /// The OAEP hash this key is used with.
  [[nodiscard]] RsaOaepHash hash() const noexcept { return hash_; }
  /// Modulus size in bits.
  [[nodiscard]] int bits() const noexcept;
  /// SPKI DER.
  [[nodiscard]] const Bytes& spki_der() const noexcept { return spki_der_; }
  /// Lowercase hex of the SPKI DER (the platform's `SpkiHexString`).
  [[nodiscard]] std::string spki_hex() const;
  /// PEM (`-----BEGIN PUBLIC KEY-----`).
  [[nodiscard]] std::string pem() const;

  /// Platform fingerprint v1: the last 32 hex chars of the SPKI hex.
  [[nodiscard]] std::string fingerprint_v1() const;
  /// Platform fingerprint v2: the SPKI hex without its last 10 chars, then its last 22 chars.
  [[nodiscard]] std::string fingerprint_v2() const;

  /// RSA-OAEP encryption with this key's hash (empty label unless given).
  /// Errors: `kInvalidArgument` when the message is too long for the key.
  [[nodiscard]] Result<Bytes> encrypt(ByteView message, ByteView label = {}) const;

  /// Same key bytes and same hash.
  friend bool operator==(const RsaPublicKey& a, const RsaPublicKey& b) noexcept {
    return a.hash_ == b.hash_ && a.spki_der_ == b.spki_der_;
  }

  /// Not API: the opaque key handle, for the SDK's own modules.
  [[nodiscard]] const detail::RsaKeyHandle& handle() const noexcept { return *key_; }

 private:
  friend struct detail::RsaKeyFactory;
  RsaPublicKey(std::shared_ptr<const detail::RsaKeyHandle> key, Bytes der, RsaOaepHash hash);
  std::shared_ptr<const detail::RsaKeyHandle> key_;
  Bytes spki_der_;
  RsaOaepHash hash_;
};

/// An RSA private key with its OAEP hash; holds its public key.
class CARDINAL_EXPORT RsaPrivateKey {
 public:
  /// A fresh key pair of 2048 or 4096 bits, exponent 65537.
  /// Errors: `kInvalidArgument` for another size.
  static Result<RsaPrivateKey> generate(int bits, RsaOaepHash hash);
  /// From PKCS#8 DER. Errors: `kMalformedInput`, `kUnsupported`.
  static Result<RsaPrivateKey> from_pkcs8_der(ByteView der, RsaOaepHash hash);
  /// From PKCS#8 DER in hex. Errors: `kMalformedInput`, `kUnsupported`.
  static Result<RsaPrivateKey> from_pkcs8_hex(std::string_view hex, RsaOaepHash hash);
  /// From PEM (`-----BEGIN PRIVATE KEY-----`, unencrypted PKCS#8, or `RSA PRIVATE KEY`).
  static Result<RsaPrivateKey> from_pem(std::string_view pem, RsaOaepHash hash);

  /// The OAEP hash this key is used with.
  [[nodiscard]] RsaOaepHash hash() const noexcept { return public_key_.hash(); }
  /// The public half.
  [[nodiscard]] const RsaPublicKey& public_key() const noexcept { return public_key_; }

  /// PKCS#8 DER of the private key.
  [[nodiscard]] Result<SecretBytes> pkcs8_der() const;
  /// PKCS#8 PEM of the private key.
  [[nodiscard]] Result<SecretBytes> pkcs8_pem() const;

  /// RSA-OAEP decryption with this key's hash. Errors: `kDecryptionFailed` (one error for all
  /// failures: wrong key, wrong OAEP hash, tampered or malformed ciphertext).
  [[nodiscard]] Result<SecretBytes> decrypt(ByteView ciphertext, ByteView label = {}) const;

  /// Not API: the opaque key handle, for the SDK's own modules.
  [[nodiscard]] const detail::RsaKeyHandle& handle() const noexcept { return *key_; }

 private:
  friend struct detail::RsaKeyFactory;
  RsaPrivateKey(std::shared_ptr<const detail::RsaKeyHandle> key, RsaPublicKey pub);
  std::shared_ptr<const detail::RsaKeyHandle> key_;
  RsaPublicKey public_key_;
};

/// Platform fingerprint v1 of an SPKI hex string (last 32 chars); empty if shorter.
CARDINAL_EXPORT std::string fingerprint_v1(std::string_view spki_hex);
/// Platform fingerprint v2 of an SPKI hex string; empty if shorter than 32 chars.
CARDINAL_EXPORT std::string fingerprint_v2(std::string_view spki_hex);

}  // namespace cardinal::crypto
