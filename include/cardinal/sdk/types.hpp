// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// The value types the SDK's APIs take and return: `CreateOptions`, `DecryptedEntity`,
/// `ShareOutcome`, `ModifyOptions` / `ModifyConflict`, the attachment download options and result.
/// The SDK uses these same types inside (there is no internal twin to convert to).
///
/// Thread safety: plain values; copy them freely, no internal synchronisation (one object used
/// from several threads at once needs the caller's lock). Ownership: they own what they hold,
/// except the two pointers of `ModifyOptions` (`base`, `conflict`), which the caller owns and
/// keeps alive for the duration of the call.

#include <cardinal/access_level.hpp>
#include <cardinal/json.hpp>
#include <cardinal/content/provenance.hpp>
#include <cardinal/result.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace cardinal {

/// Options of `EntityApi::create` and `CryptoApi::encrypt_new`.
struct CreateOptions {
  /// The owning entity (e.g. the patient of a health element), stored encrypted.
  std::optional<std::string> owning_entity_id;
  /// Secret ids of the owning entity, stored in clear to link the new entity to it.
  std::vector<std::string> secret_foreign_keys;
  /// Delegates: the new entity carries a delegation to each, at the level given (the platform's
  /// initial delegations), in the same request as the entity. Only keys the strategies verified
  /// are used; a delegate that cannot be shared with (kNotFound, kNoVerifiedKey) fails the call
  /// before anything is stored. The current user is left out (it has WRITE); a delegate named
  /// twice gets the higher level.
  std::vector<std::pair<std::string, AccessLevel>> share_with;
};

/// An entity's id and revision (the platform's `DocIdentifier`), e.g. of a deleted entity.
struct EntityRevision {
  std::string id;   ///< entity id
  std::string rev;  ///< its revision
};

/// The results of a bulk call, one per entity asked and in the order asked: a partial failure is
/// reported for the entities it concerns (an entity the server left out of its answer is an error
/// for that entity), never as a whole success.
template <typename T>
using BulkResult = std::vector<Result<T>>;

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

}  // namespace cardinal
