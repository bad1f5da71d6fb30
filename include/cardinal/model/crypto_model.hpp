// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// Typed views of the platform records that carry encryption metadata (see
/// `shared/spec/wire-format.md`): data owners, exchange data, exchange data maps, secure
/// delegations. Each view is parsed from and written back to JSON **losslessly**: fields the SDK
/// does not model are kept in `json` and written back unchanged.
///
/// Parsing validates types and sizes and never throws; bad input gives `kMalformedInput` (local
/// data) — the REST layer turns it into `kMalformedResponse`.
///
/// Thread safety: plain values with no internal synchronisation: concurrent reads are safe, a
/// value one thread modifies is not read by another. The functions are thread-safe.
///
/// Ownership: each view owns its fields and a copy of the record JSON; copy them freely.

#include <cardinal/access_level.hpp>
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
  static constexpr std::size_t kMaxKeysPerDataOwner = 64;  ///< published public keys per data owner
  static constexpr std::size_t kMaxMapEntries = 256;          ///< entries of an exchange-data RSA map
  static constexpr std::size_t kMaxEncodedValue = 16 * 1024;  ///< one base64 / hex value
  static constexpr std::size_t kMaxDelegations = 4096;        ///< secure delegations per entity
  static constexpr std::size_t kMaxDelegationValues = 256;    ///< values in one delegation set
};

/// The kind of data owner.
enum class DataOwnerType { kHcp, kPatient, kDevice };
/// "hcp", "patient" or "device".
CARDINAL_EXPORT std::string_view to_string(DataOwnerType type) noexcept;
/// Parses "hcp", "patient" or "device". Errors: kMalformedInput.
CARDINAL_EXPORT Result<DataOwnerType> parse_data_owner_type(std::string_view text);

/// The crypto-relevant view of a data owner (`DataOwnerWithType` or a `CryptoActorStubWithType`).
struct CARDINAL_EXPORT DataOwner {
  DataOwnerType type = DataOwnerType::kHcp;  ///< hcp, patient or device
  std::string id;                            ///< data owner id
  std::optional<std::string> rev;            ///< revision
  std::optional<std::string> parent_id;      ///< parent in the HCP hierarchy (`parentId`)
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
  std::string id;                  ///< record id
  std::optional<std::string> rev;  ///< revision
  std::string delegator;           ///< data owner id of the creator
  std::string delegate;            ///< data owner id of the other party
  /// fingerprint v2 → base64(RSA-OAEP(raw value)), one map per secret.
  std::map<std::string, std::string> exchange_key;
  std::map<std::string, std::string> access_control_secret;  ///< same form, 16-byte secret
  std::map<std::string, std::string> shared_signature_key;   ///< same form, HMAC-SHA512 key
  /// fingerprint v2 → base64(signature).
  std::map<std::string, std::string> delegator_signature;
  std::string shared_signature;  ///< base64(HMAC-SHA512) over the platform's signature text
  Json json;  ///< the record as received; unknown fields are kept

  /// Parses a record. Errors: kMalformedInput (also when a limit is exceeded).
  static Result<ExchangeData> from_json(const Json& object);
  /// The record, unknown fields of `json` kept.
  [[nodiscard]] Json to_json() const;
};

/// An exchange data map: secure delegation key → encrypted exchange data ids.
struct CARDINAL_EXPORT ExchangeDataMap {
  std::string id;  ///< the secure delegation key
  std::optional<std::string> rev;  ///< revision
  std::map<std::string, std::string> encrypted_exchange_data_ids;  ///< fp2 → base64(RSA(id))
  Json json;  ///< the record as received

  /// Parses a record. Errors: kMalformedInput.
  static Result<ExchangeDataMap> from_json(const Json& object);
};

/// A secure delegation of an entity's `securityMetadata.secureDelegations`.
struct CARDINAL_EXPORT SecureDelegation {
  std::optional<std::string> delegator;  ///< absent for an anonymous delegator
  std::optional<std::string> delegate;   ///< absent for an anonymous delegate
  std::set<std::string> secret_ids;         ///< base64(AES-CBC(exchange key, "Cure" + id))
  std::set<std::string> encryption_keys;    ///< base64(AES-CBC(exchange key, "Cure" ‖ raw key))
  std::set<std::string> owning_entity_ids;  ///< base64(AES-CBC(exchange key, "Cure" + id))
  std::set<std::string> parent_delegations;     ///< secure delegation keys of parent delegations
  std::optional<std::string> exchange_data_id;  ///< absent in anonymous delegations
  AccessLevel permissions = AccessLevel::kRead;  ///< READ or WRITE
  Json json;                                    ///< the delegation as received

  /// Parses a delegation. Errors: kMalformedInput.
  static Result<SecureDelegation> from_json(const Json& object);
  /// The delegation, unknown fields of `json` kept.
  [[nodiscard]] Json to_json() const;
};

/// Parses `entity.securityMetadata.secureDelegations` (absent → empty map).
CARDINAL_EXPORT Result<std::map<std::string, SecureDelegation>> secure_delegations_of(const Json& entity);

}  // namespace cardinal::model
