// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// Typed views of the platform records that carry encryption metadata (see
/// `shared/spec/wire-format.md`): data owners, exchange data, exchange data maps, secure
/// delegations. Each view is parsed from and written back to JSON **losslessly**: fields the SDK
/// does not model are kept in `json` and written back unchanged.
///
/// Parsing validates types and sizes and never throws; bad input gives `kMalformedInput` (local
/// data) — the REST layer turns it into `kMalformedResponse`. These are plain values: copy them
/// freely; no internal synchronisation.

#include <cardinal/export.hpp>
#include <cardinal/json.hpp>
#include <cardinal/result.hpp>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace cardinal::model {

/// Limits that bound what a hostile server can make the SDK allocate or compute.
struct Limits {
  static constexpr std::size_t kMaxKeysPerDataOwner = 64;
  static constexpr std::size_t kMaxMapEntries = 256;          ///< entries of an exchange-data RSA map
  static constexpr std::size_t kMaxEncodedValue = 16 * 1024;  ///< one base64 / hex value
  static constexpr std::size_t kMaxDelegations = 4096;        ///< secure delegations per entity
  static constexpr std::size_t kMaxDelegationValues = 256;    ///< values in one delegation set
};

/// The kind of data owner.
enum class DataOwnerType { kHcp, kPatient, kDevice };
CARDINAL_EXPORT std::string_view to_string(DataOwnerType type) noexcept;
CARDINAL_EXPORT Result<DataOwnerType> parse_data_owner_type(std::string_view text);

/// The crypto-relevant view of a data owner (`DataOwnerWithType` or a `CryptoActorStubWithType`).
struct CARDINAL_EXPORT DataOwner {
  DataOwnerType type = DataOwnerType::kHcp;
  std::string id;
  std::optional<std::string> rev;
  std::optional<std::string> parent_id;
  /// Legacy key (OAEP-SHA-1), SPKI hex.
  std::optional<std::string> legacy_public_key;
  /// Keys of `aesExchangeKeys` (OAEP-SHA-1), SPKI hex.
  std::vector<std::string> legacy_exchange_key_owners;
  /// `publicKeysForOaepWithSha256`, SPKI hex.
  std::vector<std::string> public_keys_oaep_sha256;
  /// The whole record as received (`dataOwner` / `stub` object), for lossless write-back.
  Json json;

  /// Parses `{"type": ..., "dataOwner": {...}}` or `{"type": ..., "stub": {...}}`.
  static Result<DataOwner> from_with_type(const Json& with_type);
  /// Parses a bare data owner or stub object of a known type.
  static Result<DataOwner> from_json(DataOwnerType type, const Json& object);
  /// All OAEP-SHA-1 public keys (legacy `publicKey` + `aesExchangeKeys` owners), de-duplicated.
  [[nodiscard]] std::vector<std::string> oaep_sha1_keys() const;
  /// The record with the key lists written back into `json`.
  [[nodiscard]] Json to_json() const;
  /// `{"type": "...", "stub": {...}}` with only the stub fields (for `PUT /dataowner/stub`).
  [[nodiscard]] Json to_stub_with_type() const;
};

/// An exchange data record.
struct CARDINAL_EXPORT ExchangeData {
  std::string id;
  std::optional<std::string> rev;
  std::string delegator;
  std::string delegate;
  /// fingerprint v2 → base64(RSA-OAEP(raw value)), one map per secret.
  std::map<std::string, std::string> exchange_key;
  std::map<std::string, std::string> access_control_secret;
  std::map<std::string, std::string> shared_signature_key;
  /// fingerprint v2 → base64(signature).
  std::map<std::string, std::string> delegator_signature;
  std::string shared_signature;
  Json json;  ///< the record as received; unknown fields are kept

  static Result<ExchangeData> from_json(const Json& object);
  [[nodiscard]] Json to_json() const;
};

/// An exchange data map: secure delegation key → encrypted exchange data ids.
struct CARDINAL_EXPORT ExchangeDataMap {
  std::string id;  ///< the secure delegation key
  std::optional<std::string> rev;
  std::map<std::string, std::string> encrypted_exchange_data_ids;  ///< fp2 → base64(RSA(id))
  Json json;

  static Result<ExchangeDataMap> from_json(const Json& object);
};

/// Access level of a secure delegation.
enum class Permission { kRead, kWrite };

/// A secure delegation of an entity's `securityMetadata.secureDelegations`.
struct CARDINAL_EXPORT SecureDelegation {
  std::optional<std::string> delegator;
  std::optional<std::string> delegate;
  std::set<std::string> secret_ids;         ///< base64(AES-CBC(exchange key, "Cure" + id))
  std::set<std::string> encryption_keys;    ///< base64(AES-CBC(exchange key, "Cure" ‖ raw key))
  std::set<std::string> owning_entity_ids;  ///< base64(AES-CBC(exchange key, "Cure" + id))
  std::set<std::string> parent_delegations;
  std::optional<std::string> exchange_data_id;
  Permission permissions = Permission::kRead;
  Json json;

  static Result<SecureDelegation> from_json(const Json& object);
  [[nodiscard]] Json to_json() const;
};

/// Parses `entity.securityMetadata.secureDelegations` (absent → empty map).
CARDINAL_EXPORT Result<std::map<std::string, SecureDelegation>> secure_delegations_of(const Json& entity);

}  // namespace cardinal::model
