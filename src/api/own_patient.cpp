// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// A patient making its own Patient record usable (the official SDK's
// ensureEncryptionMetadataForSelfIsInitialized, for a record without any security metadata).

#include <cardinal/crypto/random.hpp>

#include "api/sdk_core.hpp"
#include "engine/json_encryption.hpp"

namespace cardinal::api {

Result<DecryptedEntity> SdkCore::initialize_own_patient_record(
    const std::vector<std::pair<std::string, AccessLevel>>& share_with) {
  constexpr std::string_view kType = "Patient";
  if (self_.type != model::DataOwnerType::kPatient) {
    return Error{ErrorCode::kInvalidArgument, "only a patient has its own patient record: the current data owner " +
                                                  self_.id + " is a " + std::string(model::to_string(self_.type))};
  }
  const std::string& id = self_.id;
  CARDINAL_ASSIGN_OR_RETURN(Json stored, fetch(kType, id));
  CARDINAL_ASSIGN_OR_RETURN(auto delegations, model::secure_delegations_of(stored));
  if (delegations.empty()) {
    if (auto es = stored.find("encryptedSelf"); es != stored.end() && !es->is_null()) {
      return Error{ErrorCode::kKeyNotAvailable, "the patient record " + id +
                                                    " has encrypted content but no security metadata: no key can "
                                                    "open it, and initialising it would lose that content"};
    }
    if (ring_->verified_keys_of(id).empty()) {
      return Error{ErrorCode::kKeyNotAvailable,
                   "the current patient " + id + " has no verified key: cannot initialise its record's encryption"};
    }
    CARDINAL_ASSIGN_OR_RETURN(auto manifest, manifest_of(kType));
    CARDINAL_ASSIGN_OR_RETURN(auto entity_key, crypto::AesKey::generate());
    CARDINAL_ASSIGN_OR_RETURN(std::string secret_id, crypto::random_uuid());
    Json clear = stored;
    CARDINAL_ASSIGN_OR_RETURN(clear["securityMetadata"], entities_->root_metadata(kType, entity_key, secret_id, {}));
    const Json bound = options_.bind_entity_id && !manifest.encrypts_everything() ? Json{{"id", id}} : Json();
    CARDINAL_ASSIGN_OR_RETURN(Json encrypted, engine::encrypt_json(std::move(clear), entity_key, manifest, bound));
    // The record's rev guards this write: a concurrent change (e.g. by the patient's doctor) is a
    // kConflict, nothing is overwritten.
    CARDINAL_ASSIGN_OR_RETURN(stored, options_.backend->modify_entity(kType, encrypted, request_keys(kType)));
    auto kept = model::secure_delegations_of(stored);
    if (!kept.ok() || kept->size() != 1 || kept->begin()->first != encrypted["securityMetadata"]["secureDelegations"].begin().key()) {
      Error e{ErrorCode::kTamperDetected, "the server changed the new security metadata of patient record " + id};
      warn(kType, id, e);
      return e;
    }
  }
  CARDINAL_ASSIGN_OR_RETURN(DecryptedEntity out, decrypt(kType, stored));
  for (const auto& [delegate, level] : share_with) {
    CARDINAL_ASSIGN_OR_RETURN(out, share(kType, id, delegate, level));
  }
  out.share_outcome.reset();
  return out;
}

}  // namespace cardinal::api
