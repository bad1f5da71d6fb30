// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// Sharing at scale: what to pass on to each delegate (`ShareOptions`, as the official SDK's
/// `…ShareOptions`), what to share with whom (`EntityToShare`), and what a share did, per entity
/// and per delegate (`EntityShareResult`, `PatientShareResult`). Used by
/// `EntityApi::share_with_many`, `EntityApi::try_share_with_many`, `EntityApi::share_many` and
/// `CardinalSdk::share_all_data_of_patient`; docs/sharing.md tells how a share runs.
///
/// ```cpp
/// using cardinal::ShareOptions;
/// auto he = sdk->health_elements().get("he-1").value();
/// auto shared = sdk->health_elements().share_with_many(he.entity, {
///     {"hcp-bob", ShareOptions{.level = cardinal::AccessLevel::kWrite}},
///     {"pat-1", ShareOptions{.share_encryption_key = cardinal::ShareMetadataBehaviour::kRequired}}});
/// ```
///
/// Thread safety: plain values; copy them freely, no internal synchronisation (one object used
/// from several threads at once needs the caller's lock). Ownership: they own what they hold.

#include <cardinal/access_level.hpp>
#include <cardinal/json.hpp>
#include <cardinal/result.hpp>
#include <cardinal/sdk/types.hpp>

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace cardinal {

/// Whether a share passes on a kind of metadata the sharer holds (the official
/// `ShareMetadataBehaviour`).
enum class ShareMetadataBehaviour {
  /// Pass it on when this user holds some (of verified provenance when there is any); otherwise
  /// share without it.
  kIfAvailable,
  /// Pass it on; when this user holds none, the share with that delegate fails (kKeyNotAvailable,
  /// naming the entity and the delegate) and nothing is sent for it.
  kRequired,
  /// Never pass it on, even when this user holds it.
  kNever,
};

/// Which secret ids of an entity a share passes on (the official `SecretIdShareOptions`). The
/// default is every secret id this user can read: those of verified provenance when there are any
/// (ids that came only through other data owners' exchange data are then not passed on).
class SecretIdsToShare {
 public:
  /// Every secret id this user can read (the default).
  SecretIdsToShare() = default;
  /// Every secret id this user can read; with `require_at_least_one`, a share of an entity of
  /// which it reads none fails for that delegate (kKeyNotAvailable).
  static SecretIdsToShare all_available(bool require_at_least_one = false) {
    SecretIdsToShare s;
    s.require_at_least_one_ = require_at_least_one;
    return s;
  }
  /// Exactly these secret ids, each one this user can read in the entity (as `secret_ids` of a
  /// `DecryptedEntity`): an id it cannot read fails the share with that delegate
  /// (kInvalidArgument), nothing is sent for it. New secret ids cannot be made up this way (the
  /// official `createUnknownSecretIds` is not offered). An empty list is `none()`.
  static SecretIdsToShare exactly(std::vector<std::string> ids) {
    SecretIdsToShare s;
    s.exactly_ = true;
    s.ids_ = std::move(ids);
    return s;
  }
  /// No secret id (the delegate can read the entity, but not find other entities through it).
  static SecretIdsToShare none() { return exactly({}); }

  /// True for `exactly` and `none`, false for `all_available`.
  [[nodiscard]] bool is_exact() const noexcept { return exactly_; }
  /// `all_available` only: whether at least one is required.
  [[nodiscard]] bool require_at_least_one() const noexcept { return require_at_least_one_; }
  /// `exactly` only: the ids to share (empty for `none`).
  [[nodiscard]] const std::vector<std::string>& ids() const noexcept { return ids_; }

 private:
  bool exactly_ = false;
  bool require_at_least_one_ = false;
  std::vector<std::string> ids_;
};

/// What a share passes on to one delegate (the official `…ShareOptions`: `requestedPermissions`,
/// `shareSecretIds`, `shareEncryptionKey`, `shareOwningEntityIds` / `sharePatientId`).
struct ShareOptions {
  /// The permission the delegate gets. Default READ (the official default, MaxWrite, silently
  /// gives WRITE whenever the sharer has it: here WRITE is asked for explicitly). A WRITE share by
  /// a user that may only read is refused by the server for that delegate (kPermissionDenied). A
  /// level lower than the delegate already has never downgrades it.
  AccessLevel level = AccessLevel::kRead;
  /// Which secret ids (default: every one this user can read).
  SecretIdsToShare share_secret_ids{};
  /// The entity key (what makes the content readable). Only keys this user may pass on: those of
  /// verified provenance when there are any.
  ShareMetadataBehaviour share_encryption_key = ShareMetadataBehaviour::kIfAvailable;
  /// The owning-entity ids (e.g. the patient of a health element, the message of a document).
  ShareMetadataBehaviour share_owning_entity_ids = ShareMetadataBehaviour::kIfAvailable;
};

/// Delegate data owner id → what to share with it. A map: a delegate cannot be named twice.
using ShareDelegates = std::map<std::string, ShareOptions>;

/// One entity to share and with whom (`EntityApi::share_many`).
struct EntityToShare {
  /// The entity as `get`, `create`, `filter`… returned it (decrypted or not): its `id` and its
  /// security metadata are what the share is built from. A copy that is no longer the current
  /// version is fine: a request the server refuses because of it is rebuilt on the current one.
  Json entity;
  ShareDelegates delegates;  ///< with whom, and what to pass on to each
};

/// What a share did to one entity: per delegate, what changed or why it failed.
struct EntityShareResult {
  /// The entity after the share (as the server stored it, checked, and decrypted when
  /// `decrypted` is ok), or as it was when nothing was sent for it.
  DecryptedEntity entity;
  /// Ok when `entity` holds the decrypted content. Otherwise why it does not decrypt for this user
  /// (e.g. it reached the user through a delegation without the entity key, which it may still
  /// share, or its content fails its checks): `entity.entity` is then as stored, still encrypted,
  /// and the shares in `delegates` stand.
  Status decrypted;
  /// One entry per delegate asked: what the share changed for it, or why it failed. Errors:
  /// kNotFound (no such data owner), kNoVerifiedKey (no key of it the strategies verified),
  /// kKeyNotAvailable (a kRequired item this user does not hold), kInvalidArgument (a secret id
  /// this user cannot read), the server's refusal (kPermissionDenied, kBadRequest, kConflict…).
  std::map<std::string, Result<ShareOutcome>> delegates;

  /// Success when every delegate's share succeeded; otherwise the first failure's code, with a
  /// message naming every delegate that failed and why.
  [[nodiscard]] Status status() const {
    std::string failed;
    const Error* first = nullptr;
    for (const auto& [delegate, outcome] : delegates) {
      if (outcome.ok()) continue;
      if (first == nullptr) first = &outcome.error();
      failed += (failed.empty() ? "" : "; ") + delegate + ": " + outcome.error().message();
    }
    if (first == nullptr) return {};
    const std::string id = entity.entity.is_object() && entity.entity.contains("id") && entity.entity["id"].is_string()
                               ? entity.entity["id"].get<std::string>()
                               : std::string("the entity");
    return Error{first->code(), "sharing " + id + " failed for some delegates (" + failed + ")"};
  }
};

/// `CardinalSdk::share_all_data_of_patient`: what was found and shared for one entity type.
struct PatientDataShare {
  std::string entity_type;  ///< "HealthElement", "Contact" or "Document"
  /// Why the entities of this type could not be listed (ok when they were; then `ids` may be empty).
  Status search;
  /// The entities found, in the order of `results`.
  std::vector<std::string> ids;
  /// One per id: the entity's error (e.g. it could not be read), or its per-delegate results.
  BulkResult<EntityShareResult> results;
};

/// What `CardinalSdk::share_all_data_of_patient` did.
struct PatientShareResult {
  /// The patient itself: its error, or its per-delegate results.
  Result<EntityShareResult> patient = Error{ErrorCode::kInternal, "not shared"};
  /// The patient's data, one entry per entity type searched.
  std::vector<PatientDataShare> data;

  /// Success only when the patient and every entity found were shared with every delegate;
  /// otherwise the first failure, naming what it is about and how many others failed.
  [[nodiscard]] Status status() const {
    std::vector<Error> errors;
    auto add = [&](const Status& s) {
      if (!s.ok()) errors.push_back(s.error());
    };
    add(patient.ok() ? patient->status() : patient.status());
    for (const auto& d : data) {
      add(d.search);
      for (const auto& r : d.results) add(r.ok() ? r->status() : r.status());
    }
    if (errors.empty()) return {};
    std::string msg = errors.front().message();
    if (errors.size() > 1) msg += " (and " + std::to_string(errors.size() - 1) + " other failures)";
    return Error{errors.front().code(), std::move(msg)};
  }
};

}  // namespace cardinal
