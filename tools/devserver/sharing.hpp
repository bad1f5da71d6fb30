// Bulk share / shared-metadata update (PUT /rest/v2/<entity>/bulkSharedMetadataUpdate):
// request validation and the per-entity algorithm of shared/spec/backend-semantics.md §2.7.
#pragma once

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "rules.hpp"

namespace devserver {

struct ShareRequest {
  std::string request_id;
  bool is_share = true;
  json body;           // the EntityShareRequest or EntitySharedMetadataUpdateRequest
  std::string sd_key;  // share: sha256hex(access control key)
};

// 400 unless `obj` is an object whose keys are all in `allowed` (the share DTOs are strict).
void check_keys(const json& obj, const std::set<std::string>& allowed, const std::string& what);

// Structural validation of one entity's {requests, potentialParentDelegations}; 400 (HttpError) for
// anything malformed, so that the whole call fails before any write.
std::vector<ShareRequest> parse_share_requests(const json& entity_requests);

// A RejectedShareOrMetadataUpdateRequest ({code, reason, shouldRetry?}).
json rejection(int code, const std::string& reason, bool retry = false);

struct ShareOutcome {
  json rejected = json::object();  // request id -> rejection
  bool applied = false;            // at least one request changed the entity
  // Exchange data maps to create or extend: secure delegation key -> {fp: encrypted exchange data id}.
  std::vector<std::pair<std::string, json>> maps_to_merge;
};

// Applies the requests to `entity` (which the caller can read, with `access`), in place. The caller
// validates the resulting security metadata, saves the entity and merges the maps when applied.
ShareOutcome apply_share_requests(json& entity, const std::vector<ShareRequest>& requests, const json& entity_requests,
                                  const Access& access, const Caller& c);

}  // namespace devserver
