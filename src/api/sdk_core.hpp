// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once
// The SDK's core: start-up key management for the current user, and the entity operations
// (create, get, modify, share, delete) composed from the engine and a Backend. The public
// CardinalSdk facade wraps it. Thread-safe after start().
//
// It takes and returns the public types of <cardinal/sdk.hpp> (CreateOptions, DecryptedEntity,
// ModifyOptions, AttachmentDownloadOptions…): one type per concept, no converters. Only
// CoreOptions is its own: it carries what the public SdkOptions must not expose (the Backend seam
// tests and tools replace, and knobs such as bind_entity_id or the merge retry count that exist
// for tests), and none of the transport/auth set-up the facade does before start().

#include <cardinal/content/manifest.hpp>
#include <cardinal/content/provenance.hpp>
#include <cardinal/keys/crypto_strategies.hpp>
#include <cardinal/keys/key_store.hpp>
#include <cardinal/sdk/sharing.hpp>
#include <cardinal/sdk/types.hpp>

#include "api/backend.hpp"
#include "api/trust_state.hpp"
#include "api/merge.hpp"
#include "api/filter_spec.hpp"
#include "api/query.hpp"
#include "engine/entity_crypto.hpp"

#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

namespace cardinal::api {

/// The entity type whose delegations and access control keys an entity of `type` uses: a Service
/// (read on its own, with its contact's security metadata) uses its Contact's; others their own.
constexpr std::string_view security_type_of(std::string_view type) noexcept {
  return type == "Service" ? std::string_view("Contact") : type;
}

struct CoreOptions {
  std::shared_ptr<Backend> backend;
  std::shared_ptr<keys::KeyStore> keys;
  std::shared_ptr<CryptoStrategies> strategies;
  TamperListener on_tamper;
  std::size_t exchange_data_cache_size = 500;
  std::map<std::string, EncryptedFieldsManifest> manifests;  ///< overrides of the platform defaults
  /// Also store the entity id inside the top-level encryptedSelf, and refuse to decrypt an entity
  /// whose encrypted id differs from its clear id (detects encryptedSelf swapped between entities;
  /// readers that do not know this see the same id and are unaffected).
  bool bind_entity_id = true;
  /// kMerge: how many times a clean merge is retried when the entity keeps changing meanwhile.
  int max_conflict_retries = 3;
  /// Decrypted versions remembered by (type, id, rev) as merge bases.
  std::size_t revision_cache_size = 256;
  /// A recovery key (text form): key pairs it unlocks are restored into the key store at start.
  std::optional<SecretBytes> recovery_key;
  /// Where what the SDK saw (highest revisions, OAEP hashes of verified keys and of the exchange
  /// data it created) is kept across sessions; unset: this session only (trust_state.hpp).
  std::optional<std::filesystem::path> trust_state_file;
  /// Records remembered per list of the trust state (LRU).
  std::size_t trust_state_capacity = 10000;
};

class SdkCore {
 public:
  static Result<std::unique_ptr<SdkCore>> start(CoreOptions options);

  [[nodiscard]] const model::DataOwner& self() const noexcept { return self_; }
  [[nodiscard]] bool self_anonymous() const noexcept { return self_anonymous_; }

  /// A new entity, encrypted, with its root delegation and a delegation to each of
  /// `options.share_with` (the platform's initial delegations; only keys the strategies verified),
  /// not stored. The exchange data maps those delegations need are stored (one request, skipped
  /// for maps this session already stored).
  Result<Json> encrypt_new(std::string_view type, Json clear, const CreateOptions& options);
  Result<DecryptedEntity> decrypt(std::string_view type, const Json& encrypted);
  /// The same on an entity the caller gives up (decrypted in place: no copy).
  Result<DecryptedEntity> decrypt(std::string_view type, Json&& encrypted);
  Result<Json> encrypt_existing(std::string_view type, const Json& clear);

  /// Encrypts (see encrypt_new) and stores a new entity: one request when the exchange data to the
  /// delegates exist (plus one for the delegates' stubs, and one for exchange data maps of
  /// half-anonymous delegations not stored before; new exchange data costs one request each).
  /// A delegate that cannot be shared with fails the call before anything is stored.
  Result<DecryptedEntity> create(std::string_view type, Json clear, const CreateOptions& options);
  Result<DecryptedEntity> get(std::string_view type, const std::string& id);
  /// Optimistic concurrency: a stale or unknown rev writes nothing and returns kConflict (with the
  /// current version in `options.conflict`), or with ConflictPolicy::kMerge a three-way merge onto it.
  Result<DecryptedEntity> modify(std::string_view type, const Json& clear, const ModifyOptions& options = {});
  /// share_many of the current version of the entity with one delegate at `level` (the other
  /// options at their defaults); that delegate's error if it failed.
  Result<DecryptedEntity> share(std::string_view type, const std::string& id, const std::string& delegate_id,
                          AccessLevel level);
  /// Sharing at scale (api/share.cpp): every entity with its own delegates in one bulk share
  /// request, one result per entity in the order given (see EntityApi::share_many). The current
  /// data owner as a delegate is kInvalidArgument for that entity (accept_shared_key is the only
  /// way to delegate to oneself). The outer error is for the whole call: e.g. a transport failure
  /// of the first bulk request (whether the server applied it is unknown).
  Result<BulkResult<EntityShareResult>> share_many(std::string_view type, const std::vector<EntityToShare>& entities);
  /// The patient and the HealthElements, Contacts and Documents this user finds for it, shared with
  /// `delegates` (api/share_patient.cpp; see CardinalSdk::share_all_data_of_patient).
  Result<PatientShareResult> share_all_data_of_patient(const std::string& patient_id, const ShareDelegates& delegates);
  Status remove(std::string_view type, const std::string& id);
  /// Bulk operations (one request each, see EntityApi): one result per entity, in the order given.
  Result<BulkResult<DecryptedEntity>> create_many(std::string_view type, std::vector<Json> clear,
                                                  const CreateOptions& options);
  Result<BulkResult<DecryptedEntity>> get_many(std::string_view type, const std::vector<std::string>& ids);
  Result<BulkResult<DecryptedEntity>> modify_many(std::string_view type, const std::vector<Json>& clear);
  Result<BulkResult<EntityRevision>> remove_many(std::string_view type, const std::vector<std::string>& ids);
  Result<DecryptedEntity> undelete(std::string_view type, const EntityRevision& deleted);
  Result<EntityRevision> purge(std::string_view type, const EntityRevision& entity);
  /// The batch forms (`…/undelete/batch`, `…/purge/batch`): one request, one result per entity.
  Result<BulkResult<DecryptedEntity>> undelete_many(std::string_view type, const std::vector<EntityRevision>& deleted);
  Result<BulkResult<EntityRevision>> purge_many(std::string_view type, const std::vector<EntityRevision>& entities);
  /// Takes the single entity key this user received from another data owner as authentic: adds a
  /// delegation to self through the user's own exchange data, so that modify may encrypt under it.
  Result<DecryptedEntity> accept_shared_key(std::string_view type, const std::string& id);

  // Queries (api/sdk_query.cpp).
  /// Resolves `filter` (for self: this data owner; by patients: their secret ids this user reads)
  /// and runs `POST …/match` (or nothing, for ids given by the caller). The answer is bounded and
  /// de-duplicated; its oddities are reported to the tamper listener and kept in the result.
  Result<MatchAnswer> match(std::string_view type, const std::shared_ptr<const detail::FilterSpec>& filter,
                            const QueryLimits& limits = {});
  /// The page source of `filter`: byIds with this user's access control keys, decryption by
  /// `decrypt`, tampering reported to the tamper listener.
  QueryCallbacks<DecryptedEntity> query_callbacks(std::string_view type);
  /// The owning-entity ids (e.g. the patient) of an entity this user can open: those from
  /// delegations of verified provenance when there are any (others are dropped and reported), else
  /// all, with `verified` false.
  struct OwningIds {
    std::vector<std::string> ids;
    bool verified = false;
    std::vector<std::string> warnings;
  };
  Result<OwningIds> owning_entity_ids(std::string_view type, const Json& entity);
  /// Services by id (`POST /rest/v2/contact/service`, one request): one result per distinct id, in
  /// the order given: decrypted (`decrypt("Service", …)`), or kNotFound when the server did not
  /// return it. What the server adds, repeats or malforms is dropped and reported as tampering
  /// (the query engine's page checks). Errors: transport errors, kMalformedResponse.
  Result<BulkResult<DecryptedEntity>> get_services(const std::vector<std::string>& ids);
  /// `decrypt`, except that an entity this user cannot open or that fails its checks is returned
  /// as it was given (encrypted, `decrypted` false, the reason in `error`), never with content that
  /// failed the checks. Transport and server errors stay errors.
  struct TryDecrypted {
    DecryptedEntity value;
    bool decrypted = false;
    std::optional<Error> error;
  };
  Result<TryDecrypted> try_decrypt(std::string_view type, const Json& encrypted);

  /// The current patient's own Patient record, usable by the patient: when it has no security
  /// metadata yet (a patient who signed up alone), gives it an entity key, a secret id and a root
  /// delegation for the patient and encrypts its content; then shares it with `share_with`.
  /// Errors: kInvalidArgument (not a patient), kKeyNotAvailable (created by someone else and not
  /// shared with this patient), kNoVerifiedKey, transport errors.
  Result<DecryptedEntity> initialize_own_patient_record(const std::vector<std::pair<std::string, AccessLevel>>& share_with);

  /// Encrypts `read_plain`'s bytes (until it returns 0) with the document's entity key, streaming,
  /// and stores them as the document's main attachment.
  Result<DecryptedEntity> upload_attachment(const std::string& document_id,
                                      std::function<Result<std::size_t>(std::span<std::uint8_t>)> read_plain);
  /// Writes the decrypted main attachment to `write_plain`, checked against the integrity record
  /// this SDK stores in the document (see api/attachment_integrity.hpp). Verified-only delivery
  /// (AttachmentDelivery::kVerifiedOnly) writes nothing before the whole attachment passed its checks; streaming
  /// delivery writes as it decrypts, and a failure means: discard what was written.
  Result<AttachmentDownload> download_attachment(const std::string& document_id,
                                                 std::function<Status(std::span<const std::uint8_t>)> write_plain,
                                                 const AttachmentDownloadOptions& options = {});

  /// Stores the current user's verified key pairs as KEYPAIR_RECOVERY data; returns the recovery
  /// key (text form) that alone restores them on a new device. Show it once; never log it.
  Result<SecretBytes> create_recovery_key(std::optional<std::int64_t> lifetime_seconds);

  /// Key rotation (not concurrent with other calls: the facade serialises it): a new RSA-2048 OAEP-SHA-256 key pair is
  /// created, stored, published, and every exchange data the user can open is extended to it, so data shared before
  /// stays readable with the new key alone. Returns the new public key (SPKI hex).
  Result<std::string> rotate_key();

  /// The encrypted-fields manifest used for an entity type: SdkOptions::manifests, else the
  /// platform's; Documents always also encrypt `hash` (the attachment integrity record).
  /// Errors: kInvalidArgument for a type without any (nothing is stored in clear by accident).
  Result<EncryptedFieldsManifest> manifest_of(std::string_view type) const;

  /// Access control keys for an entity type (sent by anonymous users).
  AccessKeys access_control_keys(std::string_view type) const;
  [[nodiscard]] engine::ExchangeDataManager& exchange_data() { return *exchange_data_; }
  [[nodiscard]] const engine::KeyRing& key_ring() const { return *ring_; }

 private:
  /// A delegate of a new entity, checked: its level, whether delegations to it hide its id, and
  /// its verified keys.
  struct NewDelegate {
    std::string id;
    AccessLevel level = AccessLevel::kRead;
    bool anonymous = false;
    std::vector<crypto::RsaPublicKey> keys;
  };
  explicit SdkCore(CoreOptions options) : options_(std::move(options)) {}
  /// The delegates of `share_with` with their verified keys (one request for all their stubs).
  /// The current user is left out (its root delegation has WRITE); a delegate named twice gets the
  /// higher level. Errors: kNotFound, kNoVerifiedKey.
  Result<std::vector<NewDelegate>> new_delegates(const std::vector<std::pair<std::string, AccessLevel>>& share_with);
  /// encrypt_new for checked delegates; adds the exchange data maps it needs to `maps`.
  Result<Json> encrypt_new_for(std::string_view type, Json clear, const CreateOptions& options,
                               const std::vector<NewDelegate>& delegates, ExchangeDataMapBatch& maps);
  /// Stores the maps not stored yet this session.
  Status store_maps(ExchangeDataMapBatch maps);
  Status init_keys();
  Status restore_from_recovery_key(const SecretBytes& text);
  Status publish_key(const crypto::RsaPrivateKey& key);
  /// The key new content of `entity` is encrypted under: of verified provenance only
  /// (kNoVerifiedKey otherwise).
  Result<crypto::AesKey> content_key(const Json& entity, std::string_view type);
  /// The key that reads existing content (verified first, any otherwise).
  Result<crypto::AesKey> reading_key(const Json& entity, std::string_view type);
  // Encrypts with the type's manifest(s): Contacts with their services as the official SDK does.
  Result<Json> encrypt_content(std::string_view type, const Json& clear, const crypto::AesKey& key,
                               const EncryptedFieldsManifest& manifest, const Json& bound) const;
  // The same with content the caller gives up (moved into the result, not copied).
  Result<Json> encrypt_content(std::string_view type, Json&& clear, const crypto::AesKey& key,
                               const EncryptedFieldsManifest& manifest, const Json& bound) const;
  /// GET of an entity; an anonymous user reloads its exchange data once on a 403.
  Result<Json> fetch(std::string_view type, const std::string& id);
  /// EntityCrypto::open; an anonymous user reloads its exchange data once when nothing opens.
  Result<engine::EntityAccess> open_access(const Json& entity, std::string_view type);
  Result<std::vector<crypto::RsaPublicKey>> delegate_keys(const model::DataOwner& delegate);
  // Sharing (api/share.cpp, api/share_plan.cpp).
  /// A delegate of a share, checked: whether delegations to it hide its id, and its verified keys.
  struct ShareDelegate {
    std::string id;
    bool anonymous = false;
    std::vector<crypto::RsaPublicKey> keys;
  };
  using ShareDelegateMap = std::map<std::string, Result<ShareDelegate>>;
  /// The delegates with their verified keys (one request for their stubs; the current user needs
  /// none). Per delegate: kNotFound, kNoVerifiedKey. The outer error: transport errors.
  Result<ShareDelegateMap> share_delegates(const std::set<std::string>& ids);
  /// share_many with the delegates already looked up (`known`, which then names every delegate
  /// of `entities`), or looked up here (null).
  /// `to_self`: whether the current data owner may be a delegate (accept_shared_key only).
  Result<BulkResult<EntityShareResult>> share_entities(std::string_view type, const std::vector<EntityToShare>& entities,
                                                       const ShareDelegateMap* known, bool to_self = false);
  /// share of the current version of `id` with one delegate (`to_self`: see share_entities).
  Result<DecryptedEntity> share_one(std::string_view type, const std::string& id, const std::string& delegate_id,
                                    AccessLevel level, bool to_self);
  struct ShareState;  // one entity of a share_many (api/share_plan.hpp)
  /// share_all_data_of_patient: fetches `ids`, keeps those whose owning patient (as this user
  /// decrypts it) is `patient_id`, shares them; appends one result per id to `results`.
  void share_patient_batch(std::string_view type, const std::string& patient_id, const std::vector<std::string>& ids,
                           const ShareDelegates& delegates, const ShareDelegateMap& known,
                           BulkResult<EntityShareResult>& results);
  /// Builds the requests of `s.pending` on `s.entity` (s.planned), settling at once what needs no
  /// request (already shared) or cannot be shared (per delegate errors, or s.error).
  void plan_shares(std::string_view type, ShareState& s, const ShareDelegateMap& delegates);
  /// Reads this entity's part of a bulk share answer: verifies what was applied, records the
  /// outcomes and rejections, and tells whether the entity must be fetched again (its answer had no
  /// updated entity to verify, or rejected requests are to be rebuilt on its current version).
  void read_share_answer(std::string_view type, ShareState& s, const std::vector<BulkShareResult>& answer,
                         bool may_retry);
  /// GET by ids (one request for the distinct ids; an anonymous user reloads its exchange data
  /// once for those missing): the entities found, by id. What the server adds, repeats or
  /// malforms is dropped and reported as tampering; an id it leaves out is absent from the map.
  /// Shared by get_many and the share paths (api/bulk_ops.cpp).
  Result<std::map<std::string, Json>> fetch_many(std::string_view type, const std::vector<std::string>& ids);
  AccessKeys request_keys(std::string_view type) const;
  void warn(std::string_view type, const std::string& id, Error e) const;

  CoreOptions options_;
  std::shared_ptr<TrustState> trust_;
  model::DataOwner self_;
  std::vector<model::DataOwner> hierarchy_;  // self first
  bool self_anonymous_ = false;
  std::shared_ptr<engine::KeyRing> ring_;
  std::unique_ptr<engine::ExchangeDataManager> exchange_data_;
  std::unique_ptr<engine::EntityCrypto> entities_;
  std::unique_ptr<RevisionCache> revisions_;
  std::mutex maps_mutex_;
  std::set<std::string> maps_stored_;  // access control keys (hex) whose map this session stored
};

}  // namespace cardinal::api
