// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once
// The state of one entity while SdkCore::share_many runs (api/share.cpp drives the rounds,
// api/share_plan.cpp builds the requests and reads the answers), and the check of what the server
// says it stored. Plain values, used by one thread.

#include <cardinal/json.hpp>
#include <cardinal/result.hpp>
#include <cardinal/sdk/sharing.hpp>

#include "api/sdk_core.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace cardinal::api {

/// One delegate's request of one entity, as sent (its request id is its index in the round).
struct PlannedShare {
  std::string delegate_id;
  ShareOutcome outcome = ShareOutcome::kNewShare;  ///< what it does when applied
  std::string key;  ///< the secure delegation key it creates or extends
  Json request;     ///< `{"share": …}` or `{"update": …}`
};

struct SdkCore::ShareState {
  std::string id;                   ///< the entity's id
  const ShareDelegates* asked = nullptr;  ///< delegate → options, as the caller gave them
  Json entity;                      ///< the latest copy: the caller's, then the server's
  std::vector<std::string> pending;  ///< delegates whose request is to be built (again)
  std::map<std::string, Result<ShareOutcome>> results;  ///< settled delegates
  std::optional<Error> error;       ///< the entity as a whole failed: nothing more is done for it
  // One round.
  Json before;                          ///< the copy the round's requests were built on
  std::vector<PlannedShare> planned;    ///< the round's requests
  std::vector<std::string> potential_parents;  ///< delegations this user opened on `before`
  engine::EntityAccess access;  ///< what this user opened of `before` (its keys compare the content)
  /// Requests the server applied but whose result is still to be verified on a fetched copy.
  std::vector<PlannedShare> to_verify;
  bool fetch = false;  ///< fetch the current version before the next round (or to verify)
};

/// The first field (other than `securityMetadata` and `rev`, which a share changes) in which
/// `after` differs from `before`, each decrypted with `keys` when they open it, or "" when none
/// does.
std::string changed_content(const Json& before, const Json& after, const std::vector<const crypto::AesKey*>& keys);

/// Empty when `after` (the server's version after a share) is entity `id`, keeps every delegation
/// of `before`, and holds each of `applied` as it was sent (same parties, exchange data, values and
/// permission; parents among `potential_parents`); otherwise what is wrong, in words.
std::string check_shared_entity(const std::string& id, const Json& before, const Json& after,
                                const std::vector<PlannedShare>& applied,
                                const std::vector<std::string>& potential_parents);

}  // namespace cardinal::api
