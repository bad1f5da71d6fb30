// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// Where a device keeps its private keys. The server never sees them.
///
/// Thread safety: implementations are safe to use from several threads; `EncryptedFileKeyStore`
/// is also safe against other processes using the same file (advisory lock).
///
/// Ownership: an SDK instance shares its key store (`std::shared_ptr`, `SdkOptions::key_store`).
/// `keys_of` returns copies (key objects share their immutable key, see crypto/rsa.hpp);
/// `EncryptedFileKeyStore` owns its passphrase (`SecretBytes`, wiped on release) and re-reads the
/// file on every call.

#include <cardinal/crypto/rsa.hpp>
#include <cardinal/export.hpp>
#include <cardinal/result.hpp>
#include <cardinal/secret.hpp>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace cardinal::keys {

/// A private key held by a key store.
struct StoredKey {
  crypto::RsaPrivateKey key;  ///< the key pair (with its OAEP hash)
  /// Authenticity known: generated or imported on a device the user controls, or confirmed by
  /// the application. Only verified keys are used to encrypt anything new.
  bool verified = false;
  std::int64_t created_at = 0;  ///< seconds since the epoch
};

/// Storage of a device's private keys, by data owner id. Implementations must be thread-safe.
class CARDINAL_EXPORT KeyStore {
 public:
  virtual ~KeyStore() = default;
  /// The keys held for a data owner (empty when none).
  virtual Result<std::vector<StoredKey>> keys_of(const std::string& data_owner_id) = 0;
  /// Adds a key, or updates the verified flag of the same key (same SPKI).
  virtual Status put(const std::string& data_owner_id, const crypto::RsaPrivateKey& key, bool verified) = 0;
  /// Data owners with keys in this store.
  virtual Result<std::vector<std::string>> data_owners() = 0;
  /// Forgets every key of a data owner.
  virtual Status remove_all(const std::string& data_owner_id) = 0;
};

/// Keys in memory only (lost when the process ends). For tests and short-lived tools.
class CARDINAL_EXPORT InMemoryKeyStore : public KeyStore {
 public:
  Result<std::vector<StoredKey>> keys_of(const std::string& data_owner_id) override;
  Status put(const std::string& data_owner_id, const crypto::RsaPrivateKey& key, bool verified) override;
  Result<std::vector<std::string>> data_owners() override;
  Status remove_all(const std::string& data_owner_id) override;

 private:
  std::mutex mutex_;
  std::map<std::string, std::vector<StoredKey>> keys_;
};

/// scrypt cost parameters of the passphrase key derivation.
struct ScryptParams {
  std::uint8_t log2_n = 15;  ///< N = 2^log2_n (accepted on read: 10..20)
  std::uint32_t r = 8;       ///< 1..32
  std::uint32_t p = 1;       ///< 1..16
};

/// Keys in one file, encrypted with AES-256-GCM under a key derived from a passphrase by scrypt.
///
/// File format v1 (all integers big-endian):
/// `"CKS1"` ‖ version (1 byte, = 1) ‖ log2 N (1) ‖ r (4) ‖ p (4) ‖ salt (16) ‖ nonce (12) ‖
/// AES-256-GCM ciphertext ‖ tag (16). The header (everything before the ciphertext) is the AAD.
/// The plaintext is JSON: `{"keys":[{"owner","pkcs8" (base64),"hash" ("sha1"|"sha256"),"verified","created"}]}`.
///
/// Every write re-encrypts the whole file with a fresh salt-keyed nonce and replaces it atomically
/// (temporary file in the same directory, fsync, rename); the file is created with mode 0600.
/// A wrong passphrase and a corrupted or tampered file are indistinguishable (GCM): both give
/// kUnauthenticated ("wrong passphrase, or the file is corrupted") and leave the file untouched;
/// no call ever replaces an unreadable file by a new one.
class CARDINAL_EXPORT EncryptedFileKeyStore : public KeyStore {
 public:
  /// Opens `path`, creating an empty store if the file does not exist. Errors: kUnauthenticated
  /// (wrong passphrase, or a corrupted or tampered file), kMalformedInput (not a key store /
  /// unsupported version or parameters), kIo. Every later call re-reads the file and fails the
  /// same way if it was corrupted since.
  static Result<std::shared_ptr<EncryptedFileKeyStore>> open(std::filesystem::path path, SecretBytes passphrase,
                                                             ScryptParams params = {});

  Result<std::vector<StoredKey>> keys_of(const std::string& data_owner_id) override;
  Status put(const std::string& data_owner_id, const crypto::RsaPrivateKey& key, bool verified) override;
  Result<std::vector<std::string>> data_owners() override;
  Status remove_all(const std::string& data_owner_id) override;

  /// Parses and decrypts key store bytes (no file access). For tools and fuzzing.
  static Result<std::vector<std::pair<std::string, StoredKey>>> decode(ByteView file, const SecretBytes& passphrase);

 private:
  EncryptedFileKeyStore(std::filesystem::path path, SecretBytes passphrase, ScryptParams params);
  std::filesystem::path path_;
  SecretBytes passphrase_;
  ScryptParams params_;
  std::mutex mutex_;
};

}  // namespace cardinal::keys
