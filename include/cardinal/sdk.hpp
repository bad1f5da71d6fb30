// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// The SDK's entry point: `CardinalSdk` and its APIs.
///
/// ```cpp
/// cardinal::SdkOptions options;
/// options.base_url = "http://127.0.0.1:16043";
/// options.username = "alice";
/// options.password = cardinal::SecretBytes::from_string(password);
/// options.key_store = cardinal::keys::EncryptedFileKeyStore::open("alice.keys", passphrase).value();
/// options.strategies = my_verifying_strategies;   // which public keys the app trusts
/// auto sdk = cardinal::CardinalSdk::initialize(std::move(options));
/// if (!sdk.ok()) { /* sdk.error().code(), sdk.error().message() */ }
/// auto he = (*sdk)->health_elements().create(cardinal::Json{{"descr", "Asthma"}},
///                                             {.share_with = {{"hcp-bob", cardinal::AccessLevel::kRead}}});
/// ```
///
/// Thread safety: a `CardinalSdk` and the APIs it returns may be used from any number of threads
/// at once. The APIs are owned by the `CardinalSdk` and valid as long as it lives. Callbacks
/// (strategies, tamper listener, log sink) are called from SDK threads.
///
/// Errors are values: every call returns `Result<T>` / `Status`. A tampered or undecryptable
/// record is an expected outcome (kTamperDetected, kDecryptionFailed, kKeyNotAvailable…), also
/// reported to `SdkOptions::on_tamper` when the SDK detected tampering.

#include <cardinal/content/manifest.hpp>
#include <cardinal/content/provenance.hpp>
#include <cardinal/export.hpp>
#include <cardinal/http/auth.hpp>
#include <cardinal/http/transport.hpp>
#include <cardinal/json.hpp>
#include <cardinal/keys/crypto_strategies.hpp>
#include <cardinal/keys/key_store.hpp>
#include <cardinal/result.hpp>
#include <cardinal/secret.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cardinal {

/// Something stored looked tampered with.
struct TamperReport {
  std::string record_kind;  ///< "ExchangeData", "HealthElement", "Patient", …
  std::string record_id;    ///< id of the record, when known
  Error error;  ///< what failed (never contains secret material)
};

/// Everything `CardinalSdk::initialize` needs. `base_url`, credentials (`username`/`password` or
/// `auth`), `key_store` and `strategies` are required.
struct SdkOptions {
  /// The backend, e.g. "https://api.icure.cloud" or a local cardinal-devserver.
  std::string base_url;
  /// Username/password login (or set `auth`).
  std::string username;
  SecretBytes password;  ///< password of `username` (wiped on release)
  /// Bring your own tokens instead of username/password.
  std::shared_ptr<AuthProvider> auth;
  /// Default: a CurlTransport with default options.
  std::shared_ptr<HttpTransport> transport;
  RetryOptions retry;  ///< when requests that are safe to repeat are retried
  /// Required: where this device keeps its private keys.
  std::shared_ptr<keys::KeyStore> key_store;
  /// Required: which public keys the application trusts (see crypto_strategies.hpp).
  std::shared_ptr<CryptoStrategies> strategies;
  /// Called for every tampering the SDK detects.
  std::function<void(const TamperReport&)> on_tamper;
  /// Decrypted exchange data kept in memory (one RSA decryption each).
  std::size_t exchange_data_cache_size = 500;
  /// Encrypted-fields manifests by entity type, overriding the platform defaults.
  std::map<std::string, EncryptedFieldsManifest> manifests;
  /// A recovery key (from `CryptoApi::create_recovery_key`): on a new device, the key pairs it
  /// unlocks are restored into `key_store` before anything else.
  SecretBytes recovery_key;
  /// Optional file (keep it next to the key store) where the SDK remembers, across sessions, what
  /// the server served: the highest revision of each record (an older one afterwards is reported
  /// as tampering), the OAEP hash each verified key was verified for (a key moved between the
  /// OAEP lists is reported and not used with the new hash) and the OAEP hash of the exchange
  /// data it created (exchange data its delegate cannot open is not reused). Empty: the same
  /// checks, for this session only. A damaged file fails `initialize` with kMalformedInput.
  std::filesystem::path trust_state_file;
  /// Records remembered per list of that state (least recently seen forgotten first).
  std::size_t trust_state_capacity = 10000;
};

/// Permission given by a share: read only, or read and write (the platform's READ / WRITE).
enum class AccessLevel { kRead, kWrite };

/// Options of `EntityApi::create` and `CryptoApi::encrypt_new`.
struct CreateOptions {
  /// The owning entity (e.g. the patient of a health element), stored encrypted.
  std::optional<std::string> owning_entity_id;
  /// Secret ids of the owning entity, stored in clear to link the new entity to it.
  std::vector<std::string> secret_foreign_keys;
  /// Shared right after creation.
  std::vector<std::pair<std::string, AccessLevel>> share_with;
};

/// What `EntityApi::share` did.
enum class ShareOutcome {
  kNewShare,       ///< the delegate had no access: a new delegation was added
  kUpgraded,       ///< the delegate could read only: a new WRITE delegation was added
  kExtended,       ///< the delegate's delegation got what it lacked (entity keys, secret ids)
  kAlreadyShared,  ///< nothing to do: the delegate already had this level (or higher) and everything; nothing was sent
};

/// An entity decrypted on this device.
struct DecryptedEntity {
  Json entity;                        ///< clear content (`encryptedSelf` kept, as the platform does)
  std::vector<std::string> warnings;  ///< integrity findings on this entity
  /// The entity's secret ids this user can open: only those of verified provenance when the user
  /// holds any (ids that came only through unverified exchange data next to them are dropped and
  /// reported in `warnings`).
  std::vector<std::string> secret_ids;
  bool can_write = false;               ///< whether this user has WRITE permission
  /// Where the key that opened the content came from. `kVerified`: through exchange data this user
  /// created. `kUnverified`: only through another data owner's exchange data (normal for data
  /// others shared with you; the format cannot prove its origin); `modify` then needs
  /// `EntityApi::accept_shared_key` first. Content that opens only with an unverified key while a
  /// verified one exists is refused with kTamperDetected, never returned.
  Provenance provenance = Provenance::kUnverified;
  /// Set by `EntityApi::share` (and only by it): what the share changed.
  std::optional<ShareOutcome> share_outcome;
};

/// What `EntityApi::modify` does when the entity changed on the server since the caller read it.
enum class ConflictPolicy {
  /// Write nothing and return kConflict with the current server version (the default: the
  /// platform's optimistic concurrency; never last-writer-wins).
  kFail,
  /// Field-level three-way merge of the caller's change onto the current version, the base being
  /// the version the caller read: fields changed on one side only are merged and stored; a field
  /// changed on both sides (to different values) returns kConflict naming it, writing nothing.
  kMerge,
};

/// Filled by `EntityApi::modify` when it returns kConflict.
struct ModifyConflict {
  /// The current version on the server, decrypted (empty `entity` if it could not be read).
  DecryptedEntity current;
  /// With ConflictPolicy::kMerge: the fields changed on both sides ("a.b" for nested objects).
  std::vector<std::string> fields;
};

/// Options of `EntityApi::modify`.
struct ModifyOptions {
  /// What to do when the caller's `rev` is not the current one (stale or made up).
  ConflictPolicy on_conflict = ConflictPolicy::kFail;
  /// kMerge only: the decrypted entity as the caller read it (the base of the merge). When null,
  /// the SDK uses its own copy of the revision the caller's `rev` names: the SDK keeps the last
  /// 256 entities it returned (by id and rev) in memory; without a base, kConflict.
  const Json* base = nullptr;
  /// When not null, filled with the current server version (and the conflicting fields) when
  /// `modify` returns kConflict.
  ModifyConflict* conflict = nullptr;
};

/// Create / read / modify / share / delete one kind of encryptable entity through the backend.
class CARDINAL_EXPORT EntityApi {
 public:
  virtual ~EntityApi() = default;
  /// Encrypts and stores a new entity (an `id` is generated when absent).
  virtual Result<DecryptedEntity> create(Json clear, const CreateOptions& options = {}) = 0;
  /// Fetches and decrypts an entity. Errors: kNotFound, kDecryptionFailed, kKeyNotAvailable,
  /// kTamperDetected, transport errors.
  virtual Result<DecryptedEntity> get(const std::string& id) = 0;
  /// Re-encrypts and stores an entity obtained from `get`/`create` (with its `rev`). Optimistic
  /// concurrency, as the platform: when the entity changed on the server since that `rev` (or the
  /// `rev` is not one the server gave), nothing is written and the result is kConflict; read the
  /// current version with `get`, or use the overload with `ModifyOptions` to receive it (or to
  /// merge). When the current version already has exactly this content (e.g. this write was
  /// applied, its answer lost and the request repeated), that version is returned: success.
  /// Errors: kInvalidArgument (no id or rev), kConflict, kPermissionDenied (no WRITE),
  /// kKeyNotAvailable, transport errors.
  /// The new content is encrypted only under an entity key of verified provenance (see
  /// `Provenance`): for an entity whose key reached this user only from another data owner,
  /// kNoVerifiedKey (call `accept_shared_key` first if the user trusts it).
  virtual Result<DecryptedEntity> modify(const Json& clear) = 0;
  /// `modify` with a conflict policy: see `ModifyOptions`. With ConflictPolicy::kMerge, a change
  /// that merges cleanly is stored on the current revision (the result has the merged content);
  /// otherwise kConflict names the fields changed on both sides. `options.conflict` receives the
  /// current server version on kConflict.
  virtual Result<DecryptedEntity> modify(const Json& clear, const ModifyOptions& options) = 0;
  /// Shares with a data owner: only with keys the strategies verified (kNoVerifiedKey otherwise).
  /// `share_outcome` in the result tells what changed: a new share, an upgrade from READ to WRITE
  /// (a second, WRITE delegation: the platform does not change the permission of an existing one),
  /// an extension, or nothing (kAlreadyShared, nothing sent; a lower level than the delegate has
  /// never downgrades it).
  virtual Result<DecryptedEntity> share(const std::string& id, const std::string& delegate_id, AccessLevel level) = 0;
  /// Deletes an entity on the backend.
  virtual Status remove(const std::string& id) = 0;
  /// Accepts as authentic the entity key this user received from another data owner (the entity's
  /// `provenance` is `kUnverified`): a delegation to the user itself, through its own exchange data,
  /// is added, so that `modify` may encrypt under that key from then on, and a later substitution of
  /// the key by the server is detected. Only call it when the user trusts where the entity came from
  /// (e.g. a colleague it shares with): a compromised server could have forged the sharing. Does
  /// nothing for an entity already of verified provenance. Errors: kTamperDetected when the entity
  /// carries several different keys (which is genuine cannot be told), share errors.
  virtual Result<DecryptedEntity> accept_shared_key(const std::string& id) = 0;
};

/// How `AttachmentApi::download` hands out the decrypted bytes.
enum class AttachmentDelivery {
  /// Default. Nothing is written to the output before the whole attachment arrived and passed its
  /// checks: the received ciphertext is held in memory up to `max_in_memory_bytes`, beyond that in
  /// an unlinked temporary file (mode 0600, ciphertext only) in `temp_directory`.
  kVerifiedOnly,
  /// Bytes are written as they are decrypted and the checks complete at the end. Contract: when
  /// the call returns an error, **discard everything it wrote** (it may be altered or truncated).
  kStreaming,
};

/// Options of `AttachmentApi::download`.
struct AttachmentDownloadOptions {
  AttachmentDelivery delivery = AttachmentDelivery::kVerifiedOnly;  ///< see `AttachmentDelivery`
  /// kVerifiedOnly: ciphertext held in memory up to this size, in a temporary file beyond.
  std::size_t max_in_memory_bytes = 16 * 1024 * 1024;
  /// kVerifiedOnly: where the temporary file goes; empty = the system's temporary directory.
  std::string temp_directory;
  /// Refuse (kVerificationFailed) attachments without this SDK's integrity record instead of
  /// returning them with a warning.
  bool require_integrity_record = false;
};

/// What `AttachmentApi::download` wrote.
struct AttachmentDownload {
  std::uint64_t size = 0;           ///< plaintext bytes written to the output
  /// Length and SHA-256 matched the document's integrity record, and the document's key is not
  /// in doubt (false when the document carries several entity keys of unverified provenance: the
  /// record could then be the server's; a warning says so).
  bool integrity_verified = false;
  /// E.g. that the attachment has no integrity record (written by another SDK), so that only the
  /// CBC padding could be checked.
  std::vector<std::string> warnings;
};

/// The main attachment of Documents, encrypted with the document's key in the platform format
/// (AES-256-CBC, IV prepended, no MAC) and streamed both ways.
///
/// Integrity: `upload` also stores the plaintext's length and SHA-256 in the document's encrypted
/// content (its `hash` field, see docs/interoperability.md) and `download` checks them, so that a
/// server that removes, reorders, flips, truncates or appends bytes is detected (kTamperDetected).
/// Attachments written by other SDKs have no such record: they download with a warning.
///
/// Size: a download is bounded by the transport's response limit (`CurlTransportOptions::
/// max_response_bytes`, 64 MiB by default): raise it for larger attachments.
class CARDINAL_EXPORT AttachmentApi {
 public:
  virtual ~AttachmentApi() = default;
  /// Encrypts everything `in` yields, stores it as the main attachment of the document, then
  /// saves the integrity record in the document (a second request, on the revision the upload
  /// produced). Returns the document as saved. Errors: transport and server errors; when the
  /// attachment was stored but the record could not be saved, the error says so (upload again).
  virtual Result<DecryptedEntity> upload(const std::string& document_id, std::istream& in) = 0;
  /// Writes the decrypted attachment to `out` (see `AttachmentDelivery`). Errors: kTamperDetected
  /// (does not match its integrity record, the record is malformed, or the document's encrypted
  /// content, which holds the record, does not open with its key), kDecryptionFailed (no
  /// record and the data does not decrypt), kVerificationFailed (no record and
  /// `require_integrity_record`), kMalformedResponse (larger than the transport accepts), kIo,
  /// transport errors.
  virtual Result<AttachmentDownload> download(const std::string& document_id, std::ostream& out,
                                              const AttachmentDownloadOptions& options = {}) = 0;
};

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
  /// HealthElement entities.
  EntityApi& health_elements();
  /// Patient entities.
  EntityApi& patients();
  /// Document entities.
  EntityApi& documents();
  /// Contact entities: the contact's fields with the Contact manifest, and every service in
  /// `services` encrypted on its own with the contact's key (the Service manifest plus `content`,
  /// or each compound sub-service), exactly as the official SDK does.
  EntityApi& contacts();
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

 private:
  struct Impl;
  explicit CardinalSdk(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace cardinal
