// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once
// Test helpers for sharing: give an entity a second secret id of verified provenance (entities the
// SDK creates have one; the official SDK's patients may have several, e.g. a confidential one),
// so that sharing a subset of them can be tested.

#include <cardinal/result.hpp>

#include "api/backend.hpp"
#include "api/sdk_core.hpp"
#include "engine/entity_crypto.hpp"

#include <string>

namespace cardinal::testing {

/// Adds `secret_id` to the current user's own delegation (self → self) of `entity`, through
/// `backend` (a bulk share update, as the platform allows). Returns the stored entity.
inline Result<Json> add_own_secret_id(api::SdkCore& core, api::Backend& backend, std::string_view type,
                                      const Json& entity, const std::string& secret_id) {
  const std::string self = core.self().id;
  engine::EntityCrypto crypto(core.exchange_data(), {self}, core.self_anonymous(), nullptr);
  CARDINAL_ASSIGN_OR_RETURN(auto access, crypto.open(entity, type));
  access.secret_ids.insert(secret_id);
  access.verified_secret_ids.insert(secret_id);
  engine::ShareTarget target{self, core.self_anonymous(), AccessLevel::kWrite};
  target.share_entity_key = false;
  target.share_owning_entity_ids = false;
  CARDINAL_ASSIGN_OR_RETURN(Json request, crypto.share_request(entity, type, access, target, {}));
  if (!request.contains("update")) return Error{ErrorCode::kInternal, "expected an update of the own delegation"};
  api::BulkShareRequest bulk;
  auto& mine = bulk.requests_by_entity_id[entity["id"].get<std::string>()];
  mine.requests.emplace("0", std::move(request));
  mine.potential_parent_delegations.assign(access.opened_delegations.begin(), access.opened_delegations.end());
  CARDINAL_ASSIGN_OR_RETURN(auto results, backend.bulk_share(type, bulk, {}));
  if (results.size() != 1 || !results.front().rejected_requests.empty() || !results.front().updated_entity) {
    return Error{ErrorCode::kInternal, "the secret id was not added"};
  }
  return *results.front().updated_entity;
}

}  // namespace cardinal::testing
