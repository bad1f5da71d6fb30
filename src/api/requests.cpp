// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#include "api/requests.hpp"

#include <cstdint>

namespace cardinal::api {

Json to_json(const ListOfIds& request) { return Json{{"ids", request.ids}}; }

Json to_json(const ListOfIdsAndRev& request) {
  Json ids = Json::array();
  for (const auto& i : request.ids) ids.push_back(Json{{"id", i.id}, {"rev", i.rev}});
  return Json{{"ids", std::move(ids)}};
}

Json to_json(const ExchangeDataMapBatch& request) {
  Json batch = Json::object();
  for (const auto& [ack, entries] : request.batch) {
    Json e = Json::object();
    for (const auto& [fp, id] : entries) e[fp] = id;
    batch[ack] = std::move(e);
  }
  return Json{{"batch", std::move(batch)}};
}

Json to_json(const BulkShareRequest& request) {
  Json by_id = Json::object();
  for (const auto& [id, entity] : request.requests_by_entity_id) {
    Json requests = Json::object();
    for (const auto& [request_id, r] : entity.requests) requests[request_id] = r;
    by_id[id] = Json{{"requests", std::move(requests)},
                     {"potentialParentDelegations", entity.potential_parent_delegations}};
  }
  return Json{{"requestsByEntityId", std::move(by_id)}};
}

namespace {

ShareRejection parse_rejection(const Json& j) {
  ShareRejection out;
  if (!j.is_object()) return out;
  if (auto c = j.find("code"); c != j.end() && c->is_number_integer()) {
    const auto v = c->get<std::int64_t>();
    if (v >= 0 && v < 1000) out.code = static_cast<int>(v);
  }
  if (auto r = j.find("reason"); r != j.end() && r->is_string()) out.reason = r->get<std::string>();
  if (auto s = j.find("shouldRetry"); s != j.end() && s->is_boolean()) out.should_retry = s->get<bool>();
  return out;
}

}  // namespace

Result<std::vector<BulkShareResult>> parse_bulk_share_results(const Json& answer) {
  if (!answer.is_array()) return Error{ErrorCode::kMalformedResponse, "bulk share result is not an array"};
  std::vector<BulkShareResult> out;
  for (const auto& item : answer) {
    if (!item.is_object()) continue;
    BulkShareResult r;
    if (auto id = item.find("entityId"); id != item.end() && id->is_string()) r.entity_id = id->get<std::string>();
    if (auto rev = item.find("entityRev"); rev != item.end() && rev->is_string()) r.entity_rev = rev->get<std::string>();
    if (auto u = item.find("updatedEntity"); u != item.end() && u->is_object()) r.updated_entity = *u;
    if (auto rej = item.find("rejectedRequests"); rej != item.end() && rej->is_object()) {
      for (const auto& [request_id, j] : rej->items()) r.rejected_requests.emplace_back(request_id, parse_rejection(j));
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace cardinal::api
