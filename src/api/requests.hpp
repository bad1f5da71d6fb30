// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once
// The bodies the SDK sends to the backend and the answers it reads back, as typed structs: each
// request is serialized in one place (`to_json`) and each answer parsed in one place (`parse_…`),
// so that SdkCore never builds or walks wire JSON by hand. Field names are the platform's
// (shared/spec/rest-api.md); the struct names follow the platform's DTOs.
//
// Answers come from an untrusted server: the parsers never throw, and a member of the wrong type
// counts as absent (what that means is documented per field). Plain values; no synchronisation.

#include <cardinal/json.hpp>
#include <cardinal/result.hpp>

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace cardinal::api {

/// `{"ids": […]}` (the platform's `ListOfIds`).
struct ListOfIds {
  std::vector<std::string> ids;  ///< record ids
};
Json to_json(const ListOfIds& request);

/// One `IdWithRev` of a `ListOfIdsAndRev`.
struct IdWithRev {
  std::string id;   ///< record id
  std::string rev;  ///< its revision (the current one, for undelete and purge)
};
/// `{"ids": [{"id", "rev"}, …]}` (the platform's `ListOfIdsAndRev`: undelete and purge batches).
struct ListOfIdsAndRev {
  std::vector<IdWithRev> ids;  ///< records and their revisions
};
Json to_json(const ListOfIdsAndRev& request);

/// Body of `PUT /rest/v2/exchangedatamap/batch` (`ExchangeDataMapCreationBatch`).
struct ExchangeDataMapBatch {
  /// Access control key (hex, not its hash: the server hashes it) → encrypted exchange data id by
  /// fingerprint v2 (base64). The server adds missing fingerprints only, never overwrites.
  std::map<std::string, std::map<std::string, std::string>> batch;
};
Json to_json(const ExchangeDataMapBatch& request);

/// The share requests of one entity in a bulk share (the platform's `EntityRequestInformation`).
struct EntityShareRequests {
  /// Request id ("0", "1", …) → one delegate's request, as the engine builds it
  /// (`{"share": …}` or `{"update": …}`, engine/entity_crypto.hpp).
  std::map<std::string, Json> requests;
  /// Secure delegation keys of the delegations this user opened: the server may make them the
  /// parents of the new delegations.
  std::vector<std::string> potential_parent_delegations;
};

/// Body of `PUT /rest/v2/<type>/bulkSharedMetadataUpdate` (`BulkShareOrUpdateMetadataParams`).
struct BulkShareRequest {
  std::map<std::string, EntityShareRequests> requests_by_entity_id;  ///< entity id → its requests
};

/// `{"requestsByEntityId": {id: {"requests": {…}, "potentialParentDelegations": […]}}}`.
Json to_json(const BulkShareRequest& request);

/// A request the server refused (`RejectedShareOrMetadataUpdateRequest`).
struct ShareRejection {
  int code = 0;            ///< HTTP-like code; 0 when absent or not an integer in [0, 1000)
  std::string reason = "no reason given";  ///< the server's words (absent or not a string: default)
  bool should_retry = false;  ///< the server says the request may succeed if rebuilt and sent again
};

/// One entity's answer in a bulk share (`EntityBulkShareResult`).
struct BulkShareResult {
  std::string entity_id;  ///< `entityId` ("" when absent or not a string)
  /// `entityRev`: the entity's revision before the requests were applied ("" when absent or not a
  /// string); differs from the rev of the copy the requests were built on when that was stale.
  std::string entity_rev;
  /// `updatedEntity` when it is an object; absent otherwise (the caller fetches the entity).
  std::optional<Json> updated_entity;
  /// `rejectedRequests`, in the server's order (request id → rejection); an entry that is not an
  /// object is a rejection with the defaults above.
  std::vector<std::pair<std::string, ShareRejection>> rejected_requests;
};

/// Parses the answer of a bulk share. Items that are not objects are skipped. Errors:
/// kMalformedResponse when the answer is not an array.
Result<std::vector<BulkShareResult>> parse_bulk_share_results(const Json& answer);

}  // namespace cardinal::api
