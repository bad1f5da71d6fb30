// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// `CardinalSdk`: one signed-in user on this device, and the entry point to the APIs.
///
/// Thread safety: a `CardinalSdk` and the APIs it returns may be used from any number of threads
/// at once. Ownership: `initialize` returns the only owner (`std::unique_ptr`); the APIs it
/// returns (`crypto()`, `health_elements()`, `entities(…)`…) are owned by it and valid as long as
/// it lives. Destroy it only when no other thread uses it or its APIs.

#include <cardinal/access_level.hpp>
#include <cardinal/export.hpp>
#include <cardinal/result.hpp>
#include <cardinal/sdk/attachment_api.hpp>
#include <cardinal/sdk/contact_api.hpp>
#include <cardinal/sdk/crypto_api.hpp>
#include <cardinal/sdk/entity_api.hpp>
#include <cardinal/sdk/options.hpp>
#include <cardinal/sdk/sharing.hpp>
#include <cardinal/sdk/typed_entity_api.hpp>
#include <cardinal/sdk/types.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cardinal {

/// One signed-in user on this device: the entry point of the SDK (see the file documentation).
class CARDINAL_EXPORT CardinalSdk {
 public:
  /// Logs in, loads or creates the user's keys (asking the strategies), and prepares the APIs.
  /// Errors: kInvalidArgument (options), kUnauthenticated, kKeyNotAvailable, kTamperDetected,
  /// transport errors.
  static Result<std::unique_ptr<CardinalSdk>> initialize(SdkOptions options);
  ~CardinalSdk();
  CardinalSdk(const CardinalSdk&) = delete;
  CardinalSdk& operator=(const CardinalSdk&) = delete;

  /// Encryption without storage, access control keys, recovery keys, key rotation.
  CryptoApi& crypto();
  /// HealthElement entities, with queries by `HealthElementFilters` (docs/queries.md).
  HealthElementApi& health_elements();
  /// Patient entities, with queries by `PatientFilters`.
  PatientApi& patients();
  /// Document entities, with queries by `DocumentFilters`.
  DocumentApi& documents();
  /// Contact entities: the contact's fields with the Contact manifest, and every service in
  /// `services` encrypted on its own with the contact's key (the Service manifest plus `content`,
  /// or each compound sub-service), exactly as the official SDK does. Queries by `ContactFilters`;
  /// services on their own by `ServiceFilters` (`match_services`, `filter_services`).
  ContactApi& contacts();
  /// Main attachments of Document entities, streamed and encrypted.
  AttachmentApi& attachments();
  /// Any encryptable entity type the backend serves ("Contact", "Message", …). Errors:
  /// kInvalidArgument for a type that is not an encryptable entity, or that has no known
  /// encrypted-fields manifest (e.g. "Article") unless `SdkOptions::manifests` gives one: its
  /// content would otherwise be stored in clear (docs/entity-fields.md lists every type).
  Result<EntityApi*> entities(std::string_view entity_type);

  /// For a patient user: makes its own Patient record usable by the patient (the official SDK's
  /// `ensureEncryptionMetadataForSelfIsInitialized`). A record without security metadata (a
  /// patient who signed up alone, or seeded) gets an entity key, a secret id and a root delegation
  /// for the patient, and its content is encrypted; a record that already has some is left as it
  /// is. Then the record is shared with `share_with` (e.g. the patient's doctor), and returned
  /// decrypted. A record created by a healthcare party needs no initialisation: that party shares
  /// it with the patient (after the patient signed in once, so that it has a key).
  /// Errors: kInvalidArgument (the user is not a patient), kKeyNotAvailable (the record was
  /// created by someone else and not shared with this patient yet: the message says so),
  /// kConflict (the record changed meanwhile: call again), kNoVerifiedKey (a delegate), transport
  /// errors.
  Result<DecryptedEntity> initialize_own_patient_record(
      const std::vector<std::pair<std::string, AccessLevel>>& share_with = {});

  /// Shares a patient and the data of it this user finds with `delegates`, each with its options
  /// (the official `PatientApi.shareAllDataOfPatient`): the Patient, then its HealthElements,
  /// Contacts and Documents, found with the "by patients for self" filters (the patient's secret
  /// ids this user reads; docs/queries.md), fetched and shared by batches of 100 (one `byIds` and
  /// one bulk share request each; the delegates' keys are looked up once). Per entity, what was
  /// shared with each delegate or why not; `PatientShareResult::status()` is success only when
  /// everything was. An entity the server matched whose patient, as this user decrypts it, is not
  /// this one is not shared (kTamperDetected when it names another patient, kKeyNotAvailable when
  /// it names none): the match runs on clear fields the server controls. When this user holds an
  /// entity only from another data owner (unverified), its patient is read only in the delegation
  /// that brings the key opening its content (ids of other delegations may be forged); naming two
  /// patients there is kTamperDetected. See docs/sharing.md for
  /// how it differs from the official SDK. `share_secret_ids` of an option must be
  /// `all_available()` or `none()` (each entity has its own secret ids). Errors (the whole call):
  /// kInvalidArgument (also for the current data owner as a delegate), the patient's (kNotFound, kPermissionDenied…), the delegates' stub lookup
  /// (transport errors).
  Result<PatientShareResult> share_all_data_of_patient(const std::string& patient_id, const ShareDelegates& delegates);

 private:
  struct Impl;
  explicit CardinalSdk(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace cardinal
