// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// SdkCore: sharing an entity with a data owner (verified delegate keys, the bulk share request
// and the checks on its answer), and accepting a shared key.
#include "api/sdk_core.hpp"

#include <cardinal/crypto/encoding.hpp>
#include <cardinal/crypto/hash.hpp>

#include "api/entity_json.hpp"
#include "api/requests.hpp"
#include "api/rest_backend.hpp"
#include "engine/data_owner_keys.hpp"

#include <algorithm>

namespace cardinal::api {

namespace {

constexpr int kMaxShareRetries = 3;

Error rejection_error(const ShareRejection& rejection, const std::string& entity_id) {
  const std::string msg = "share of " + entity_id + " rejected by the server (" + std::to_string(rejection.code) +
                          "): " + rejection.reason.substr(0, 200);
  // A rejection code that is not an HTTP error status is still the server's failure.
  const ErrorCode mapped = error_code_for_status(rejection.code);
  return Error{mapped == ErrorCode::kMalformedResponse ? ErrorCode::kServerError : mapped, msg};
}

}  // namespace

Result<std::vector<SdkCore::NewDelegate>> SdkCore::new_delegates(
    const std::vector<std::pair<std::string, AccessLevel>>& share_with) {
  std::vector<NewDelegate> out;
  std::vector<std::string> ids;
  for (const auto& entry : share_with) {  // no structured binding: clang 14 cannot capture one
    const std::string& id = entry.first;
    const AccessLevel level = entry.second;
    if (id == self_.id) continue;  // the root delegation: WRITE already
    auto same = std::find_if(out.begin(), out.end(), [&](const NewDelegate& d) { return d.id == id; });
    if (same != out.end()) {
      if (level == AccessLevel::kWrite) same->level = level;
      continue;
    }
    out.push_back(NewDelegate{id, level, false, {}});
    ids.push_back(id);
  }
  if (out.empty()) return out;
  CARDINAL_ASSIGN_OR_RETURN(auto stubs, options_.backend->data_owner_stubs(ids));
  for (std::size_t i = 0; i < out.size(); ++i) {
    out[i].anonymous = options_.strategies->data_owner_requires_anonymous_delegation(engine::info_of(stubs[i]));
    auto keys = delegate_keys(stubs[i]);
    if (!keys.ok()) {
      return Error{keys.error().code(), "nothing was created: cannot share with " + out[i].id + " (" +
                                            keys.error().message() + ")"};
    }
    out[i].keys = std::move(keys).value();
  }
  return out;
}

Result<std::vector<crypto::RsaPublicKey>> SdkCore::delegate_keys(const model::DataOwner& delegate) {
  if (delegate.id == self_.id) return std::vector<crypto::RsaPublicKey>{};
  for (const auto& member : hierarchy_) {
    if (member.id != delegate.id) continue;
    // Our own hierarchy: only keys we hold and verified ourselves, never the server's list.
    std::vector<crypto::RsaPublicKey> out;
    for (const auto* k : ring_->verified_keys_of(member.id)) out.push_back(k->key.public_key());
    if (out.empty()) return Error{ErrorCode::kNoVerifiedKey, "no verified key for hierarchy member " + member.id};
    return out;
  }
  return engine::verified_delegate_keys(delegate, *options_.strategies, trust_.get());
}

Result<DecryptedEntity> SdkCore::share(std::string_view type, const std::string& id, const std::string& delegate_id,
                                 AccessLevel level) {
  CARDINAL_ASSIGN_OR_RETURN(model::DataOwner delegate, options_.backend->data_owner_stub(delegate_id));
  const bool anonymous = options_.strategies->data_owner_requires_anonymous_delegation(engine::info_of(delegate));
  CARDINAL_ASSIGN_OR_RETURN(auto keys, delegate_keys(delegate));
  for (int attempt = 0;; ++attempt) {
    CARDINAL_ASSIGN_OR_RETURN(Json entity, fetch(type, id));
    CARDINAL_ASSIGN_OR_RETURN(auto access, open_access(entity, type));
    if (delegate_id == self_.id && !access.any_verified && access.keys.size() == 1) {
      // Accepting a shared key (accept_shared_key): only the key and the ids that came with it
      // become this user's own, never ids other (possibly forged) delegations added.
      access.secret_ids = access.keys.front().secret_ids;
      access.owning_entity_ids = access.keys.front().owning_entity_ids;
    }
    if (!access.any_verified && access.keys.size() > 1) {
      Error e{ErrorCode::kTamperDetected, std::string(type) + " " + id + " carries " +
                                              std::to_string(access.keys.size()) + " different entity keys (" +
                                              access.unverified_sources() +
                                              "): which one is genuine cannot be told, so it is not shared"};
      warn(type, id, e);
      return e;
    }
    engine::ShareTarget target{delegate_id, anonymous, level};
    engine::ShareRequestKind kind = engine::ShareRequestKind::kNew;
    CARDINAL_ASSIGN_OR_RETURN(Json request, entities_->share_request(entity, type, access, target, keys, &kind));
    const ShareOutcome outcome = kind == engine::ShareRequestKind::kUpgrade  ? ShareOutcome::kUpgraded
                                 : kind == engine::ShareRequestKind::kUpdate ? ShareOutcome::kExtended
                                                                             : ShareOutcome::kNewShare;
    auto with_outcome = [](Result<DecryptedEntity> d, ShareOutcome o) -> Result<DecryptedEntity> {
      if (d.ok()) d->share_outcome = o;
      return d;
    };
    if (request.is_null()) return with_outcome(decrypt(type, entity), ShareOutcome::kAlreadyShared);  // nothing sent
    std::string expected_key;
    if (request.contains("share")) {
      CARDINAL_ASSIGN_OR_RETURN(Bytes ack,
                                crypto::hex_decode(request["share"]["accessControlKeys"][0].get<std::string>()));
      expected_key = crypto::hex_encode(crypto::sha256(ack));
    } else {
      expected_key = request["update"]["metadataAccessControlHash"].get<std::string>();
    }
    BulkShareRequest bulk;
    EntityShareRequests& mine = bulk.requests_by_entity_id[id];
    mine.requests.emplace("0", std::move(request));
    mine.potential_parent_delegations.assign(access.opened_delegations.begin(), access.opened_delegations.end());
    CARDINAL_ASSIGN_OR_RETURN(auto results, options_.backend->bulk_share(type, bulk, request_keys(type)));
    const BulkShareResult* result = nullptr;
    for (const auto& r : results) {
      if (r.entity_id == id) result = &r;
    }
    if (result == nullptr) return Error{ErrorCode::kMalformedResponse, "bulk share answered without entity " + id};
    if (!result->rejected_requests.empty()) {
      const ShareRejection& first = result->rejected_requests.front().second;
      if (first.should_retry && attempt < kMaxShareRetries) continue;
      return rejection_error(first, id);
    }
    const auto& updated = result->updated_entity;
    if (!updated) {
      CARDINAL_ASSIGN_OR_RETURN(Json fresh, options_.backend->get_entity(type, id, request_keys(type)));
      return with_outcome(decrypt(type, fresh), outcome);
    }
    // The server is not trusted: the answer must be this entity, with the new delegation, and
    // with every delegation it had before.
    const Json before = delegations_json(entity);
    const Json after = delegations_json(*updated);
    bool intact = id_of(*updated) == id && after.contains(expected_key);
    for (const auto& [k, v] : before.items()) intact = intact && after.contains(k);
    if (!intact) {
      Error e{ErrorCode::kTamperDetected, "the bulk share answer for " + id + " lacks expected delegations"};
      warn(type, id, e);
      return e;
    }
    return with_outcome(decrypt(type, *updated), outcome);
  }
}

Result<DecryptedEntity> SdkCore::accept_shared_key(std::string_view type, const std::string& id) {
  CARDINAL_ASSIGN_OR_RETURN(Json entity, options_.backend->get_entity(type, id, request_keys(type)));
  CARDINAL_ASSIGN_OR_RETURN(auto access, entities_->open(entity, type));
  if (access.any_verified) return decrypt(type, entity);  // nothing to accept
  if (access.keys.size() != 1) {
    Error e{ErrorCode::kTamperDetected, std::string(type) + " " + id + " carries " + std::to_string(access.keys.size()) +
                                            " different entity keys (" + access.unverified_sources() +
                                            "): which one is genuine cannot be told, none is accepted"};
    warn(type, id, e);
    return e;
  }
  // A delegation to ourselves through our own (verified) exchange data makes the key ours from now on.
  return share(type, id, self_.id, access.can_write ? AccessLevel::kWrite : AccessLevel::kRead);
}

}  // namespace cardinal::api
