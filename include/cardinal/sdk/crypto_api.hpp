// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// `CryptoApi`: encryption without storage, access control keys, recovery keys, key rotation.
///
/// Thread safety: a `CryptoApi` may be used from any number of threads at once; `rotate_key`
/// makes the other calls of the same SDK wait while it runs. Ownership: owned by the
/// `CardinalSdk` that returned it and valid as long as that lives; what it returns is the caller's.

#include <cardinal/export.hpp>
#include <cardinal/json.hpp>
#include <cardinal/result.hpp>
#include <cardinal/sdk/types.hpp>
#include <cardinal/secret.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cardinal {

/// Encryption without storage: for entities the application stores itself, and tools.
class CARDINAL_EXPORT CryptoApi {
 public:
  virtual ~CryptoApi() = default;
  /// A new entity with its security metadata and `encryptedSelf` (not stored).
  virtual Result<Json> encrypt_new(std::string_view entity_type, Json clear, const CreateOptions& options = {}) = 0;
  /// Re-encrypts an existing entity's clear content (keeps its security metadata).
  virtual Result<Json> encrypt(std::string_view entity_type, const Json& clear) = 0;
  /// Decrypts an entity obtained elsewhere (same checks as `EntityApi::get`).
  virtual Result<DecryptedEntity> decrypt(std::string_view entity_type, const Json& encrypted) = 0;
  /// The access control keys of this user for an entity type (16 bytes each).
  virtual std::vector<SecretBytes> access_control_keys(std::string_view entity_type) = 0;
  /// Reloads every exchange data this user participates in (anonymous users see new shares).
  virtual Status reload() = 0;
  /// Backs up the user's verified key pairs on the server, encrypted under a new recovery key,
  /// and returns that key (text). Show it to the user once; it alone restores the keys
  /// (`SdkOptions::recovery_key`). Optional lifetime after which the server deletes the backup.
  virtual Result<SecretBytes> create_recovery_key(std::optional<std::int64_t> lifetime_seconds = std::nullopt) = 0;
  /// Key rotation: creates and publishes a new key pair and extends every exchange data the user
  /// can open to it, so that everything shared before stays readable with the new key alone.
  /// Returns the new public key (SPKI hex). Other calls wait while it runs.
  virtual Result<std::string> rotate_key() = 0;
  /// The current data owner's id.
  virtual const std::string& data_owner_id() const = 0;
  /// The current data owner's verified public keys (SPKI hex).
  virtual std::vector<std::string> verified_public_keys() const = 0;
};

}  // namespace cardinal
