// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// `EntityApi`: create, read, modify, share and delete one kind of encryptable entity.
///
/// Thread safety: an `EntityApi` may be used from any number of threads at once. Ownership: it is
/// owned by the `CardinalSdk` that returned it and valid as long as that lives; never delete it.

#include <cardinal/access_level.hpp>
#include <cardinal/export.hpp>
#include <cardinal/json.hpp>
#include <cardinal/result.hpp>
#include <cardinal/sdk/sharing.hpp>
#include <cardinal/sdk/types.hpp>

#include <string>
#include <vector>

namespace cardinal {

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
  /// It is `try_share_with_many` of the current version of the entity with one delegate (the
  /// other options at their defaults), returning that delegate's error if it failed. The current
  /// data owner as delegate is kInvalidArgument (call `accept_shared_key` to take as one's own a
  /// key another data owner shared).
  virtual Result<DecryptedEntity> share(const std::string& id, const std::string& delegate_id, AccessLevel level) = 0;
  /// Shares one entity with several delegates, each with its own options, in one request (the
  /// official `shareWithMany`): success only when every delegate's share succeeded; otherwise the
  /// error names each delegate that failed and why (the others were shared: calling again is
  /// safe, nothing is duplicated). `entity`: as `get`/`create`/`filter` returned it.
  /// Errors: kInvalidArgument (no id, no delegate, the current data owner as a delegate), those
  /// of `try_share_with_many`, each
  /// delegate's (see `EntityShareResult::delegates`), and why the entity does not decrypt for
  /// this user when it does not (the shares were made: see `EntityShareResult::decrypted`).
  virtual Result<DecryptedEntity> share_with_many(const Json& entity, const ShareDelegates& delegates) = 0;
  /// `share_with_many` that reports per delegate instead of failing (the official
  /// `tryShareWithMany`). Requests are built only from keys the strategies verified and entity
  /// keys and ids of verified provenance (see `ShareOptions`); the server's answer is checked: an
  /// answer without the delegations asked, without those the entity had, or with other content
  /// in them is kTamperDetected, reported and not used. A request the server refuses because the
  /// copy was stale, or asks to retry, is rebuilt on the current version (3 times at most).
  /// Errors (the whole call): kInvalidArgument, kKeyNotAvailable (the entity does not open for
  /// this user), kTamperDetected, kMalformedResponse (the answer leaves the entity out: whether
  /// the share was applied is unknown, share again), transport errors.
  virtual Result<EntityShareResult> try_share_with_many(const Json& entity, const ShareDelegates& delegates) = 0;
  /// Shares many entities of this type, each with its own delegates and options, in one request
  /// (the platform's bulk share; plus one request for the delegates' public keys, and more only
  /// for new exchange data or retries). One result per entity, in the order given: the entity's
  /// error (the whole-call errors of `try_share_with_many`, or an entity given twice), or its
  /// per-delegate results; a partial failure is never a whole success. The outer error is for
  /// the whole call (e.g. a transport error on the first bulk request: whether the server applied
  /// it is unknown, and sharing again is safe: nothing is duplicated).
  virtual Result<BulkResult<EntityShareResult>> share_many(const std::vector<EntityToShare>& entities) = 0;
  /// Deletes an entity on the backend.
  virtual Status remove(const std::string& id) = 0;

  /// Bulk operations: one request each (`POST <type>/batch`, `POST <type>/byIds`, `PUT <type>/batch`,
  /// `POST <type>/delete/batch`), with one result per entity in the order given. The outer error
  /// is for the whole call (e.g. transport); per entity, the same errors as the single calls, and
  /// for an entity the server left out of its answer: kServerError (create), kNotFound (get,
  /// remove: not there or not visible to this user), kConflict (modify: a stale revision or no
  /// permission, nothing written for it).
  ///
  /// Encrypts and stores new entities with the same options (`share_with`: see `CreateOptions`).
  virtual Result<BulkResult<DecryptedEntity>> create_many(std::vector<Json> clear, const CreateOptions& options = {}) = 0;
  /// Fetches and decrypts entities by id.
  virtual Result<BulkResult<DecryptedEntity>> get_many(const std::vector<std::string>& ids) = 0;
  /// Re-encrypts and stores entities obtained from get/create (with their `rev`); optimistic
  /// concurrency per entity, without merge (use `modify` with `ModifyOptions` for that).
  virtual Result<BulkResult<DecryptedEntity>> modify_many(const std::vector<Json>& clear) = 0;
  /// Deletes entities (they can be undeleted); returns the revision of each deletion.
  virtual Result<BulkResult<EntityRevision>> remove_many(const std::vector<std::string>& ids) = 0;
  /// Restores a deleted entity (`deleted`: as `remove_many` returned it, or the entity's id and
  /// current rev). Errors: kConflict (not its current rev), kNotFound, kPermissionDenied.
  virtual Result<DecryptedEntity> undelete(const EntityRevision& deleted) = 0;
  /// Deletes an entity for good (its current id and rev). Errors: kConflict, kNotFound,
  /// kPermissionDenied.
  virtual Result<EntityRevision> purge(const EntityRevision& entity) = 0;
  /// Restores deleted entities in one request (`POST <type>/undelete/batch`; each: as `remove_many`
  /// returned it, or the id and current rev). Per entity: kInvalidArgument (no id or rev, or listed
  /// twice: not sent), kConflict for one the server left out (not its current rev, not there, or
  /// not writable by this user: nothing done to it; the single `undelete` tells which), decryption
  /// errors. The official SDK undeletes one entity per request; this is the platform's batch form.
  virtual Result<BulkResult<DecryptedEntity>> undelete_many(const std::vector<EntityRevision>& deleted) = 0;
  /// Deletes entities for good in one request (`POST <type>/purge/batch`; each: its id and current
  /// rev): the revision of each purge. Per entity: kInvalidArgument and kConflict as `undelete_many`.
  virtual Result<BulkResult<EntityRevision>> purge_many(const std::vector<EntityRevision>& entities) = 0;
  /// Accepts as authentic the entity key this user received from another data owner (the entity's
  /// `provenance` is `kUnverified`): a delegation to the user itself, through its own exchange data,
  /// is added, so that `modify` may encrypt under that key from then on, and a later substitution of
  /// the key by the server is detected. Only call it when the user trusts where the entity came from
  /// (e.g. a colleague it shares with): a compromised server could have forged the sharing. Does
  /// nothing for an entity already of verified provenance. Errors: kTamperDetected when the entity
  /// carries several different keys (which is genuine cannot be told), share errors.
  virtual Result<DecryptedEntity> accept_shared_key(const std::string& id) = 0;
};

}  // namespace cardinal
