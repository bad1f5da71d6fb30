// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// RestBackend: the calls that carry many records in one request (data owner stubs by ids,
// exchange data map batches, entity batches). Every answer is matched against what was asked:
// records the server adds are dropped, records it leaves out are reported per record.
#include "api/rest_backend.hpp"

#include "api/rest_support.hpp"

#include <set>

namespace cardinal::api {

using namespace rest_internal;  // NOLINT(google-build-using-namespace): this file's own helpers

namespace {

// Patient batches answer only ids and revs on /batch: /batch/full answers the entities.
std::string batch_path(std::string_view type, const std::string& p) {
  return "/rest/v2/" + p + (type == "Patient" ? "/batch/full" : "/batch");
}

// The object items of an array answer (anything else is dropped: the caller reports what is missing).
Result<std::vector<Json>> objects_of(const Json& j, std::string_view what) {
  if (!j.is_array()) return malformed_response(std::string(what) + " is not an array");
  std::vector<Json> out;
  for (const auto& e : j) {
    if (e.is_object()) out.push_back(e);
  }
  return out;
}

std::string subject_of(std::string_view type, std::size_t n) {
  return std::to_string(n) + " " + std::string(type) + " entities";
}

}  // namespace

Result<std::vector<Json>> RestBackend::create_entities(std::string_view type, const std::vector<Json>& entities,
                                                       const AccessKeys& keys) {
  CARDINAL_ASSIGN_OR_RETURN(std::string p, rest_path_of(type));
  const Json body = Json(entities);
  CARDINAL_ASSIGN_OR_RETURN(Json j, json_call("POST", batch_path(type, p), &body, false, keys,
                                              subject_of(type, entities.size())));
  return objects_of(j, "the batch creation answer");
}

Result<Json> RestBackend::get_entities(std::string_view type, const std::vector<std::string>& ids,
                                       const AccessKeys& keys) {
  CARDINAL_ASSIGN_OR_RETURN(std::string p, rest_path_of(type));
  const Json body = to_json(ListOfIds{ids});
  // Only reads: safe to repeat. The answer goes unread to read_page_answer, which reports its oddities.
  return json_call("POST", "/rest/v2/" + p + "/byIds", &body, true, keys, subject_of(type, ids.size()));
}

Result<std::vector<Json>> RestBackend::modify_entities(std::string_view type, const std::vector<Json>& entities,
                                                       const AccessKeys& keys) {
  CARDINAL_ASSIGN_OR_RETURN(std::string p, rest_path_of(type));
  const Json body = Json(entities);
  // Each entity carries its rev: a repeat after success meets the new revs and writes nothing.
  CARDINAL_ASSIGN_OR_RETURN(Json j, json_call("PUT", batch_path(type, p), &body, true, keys,
                                              subject_of(type, entities.size())));
  return objects_of(j, "the batch modification answer");
}

Result<std::vector<Json>> RestBackend::delete_entities(std::string_view type, const std::vector<std::string>& ids,
                                                       const AccessKeys& keys) {
  CARDINAL_ASSIGN_OR_RETURN(std::string p, rest_path_of(type));
  const Json body = to_json(ListOfIds{ids});
  CARDINAL_ASSIGN_OR_RETURN(Json j, json_call("POST", "/rest/v2/" + p + "/delete/batch", &body, true, keys,
                                              subject_of(type, ids.size())));
  return objects_of(j, "the batch deletion answer");
}

Result<Json> RestBackend::undelete_entity(std::string_view type, const std::string& id, const std::string& rev,
                                          const AccessKeys& keys) {
  CARDINAL_ASSIGN_OR_RETURN(std::string p, rest_path_of(type));
  CARDINAL_ASSIGN_OR_RETURN(Json j, json_call("POST",
                                              "/rest/v2/" + p + "/undelete/" + escape_segment(id) +
                                                  "?rev=" + escape_segment(rev),
                                              nullptr, true, keys, entity_subject(type, id)));
  if (!j.is_object() || string_member(j, "id", "") != id) return malformed_response("undeleted another entity");
  return j;
}

Result<Json> RestBackend::purge_entity(std::string_view type, const std::string& id, const std::string& rev,
                                       const AccessKeys& keys) {
  CARDINAL_ASSIGN_OR_RETURN(std::string p, rest_path_of(type));
  CARDINAL_ASSIGN_OR_RETURN(Json j, json_call("DELETE",
                                              "/rest/v2/" + p + "/purge/" + escape_segment(id) +
                                                  "?rev=" + escape_segment(rev),
                                              nullptr, true, keys, entity_subject(type, id)));
  if (!j.is_object() || string_member(j, "id", "") != id) return malformed_response("purged another entity");
  return j;
}

Result<std::vector<Json>> RestBackend::undelete_entities(std::string_view type, const ListOfIdsAndRev& entities,
                                                         const AccessKeys& keys) {
  CARDINAL_ASSIGN_OR_RETURN(std::string p, rest_path_of(type));
  const Json body = to_json(entities);
  // Each item carries its rev: a repeat after success meets new revs and changes nothing.
  CARDINAL_ASSIGN_OR_RETURN(Json j, json_call("POST", "/rest/v2/" + p + "/undelete/batch", &body, true, keys,
                                              subject_of(type, entities.ids.size())));
  return objects_of(j, "the batch undeletion answer");
}

Result<std::vector<Json>> RestBackend::purge_entities(std::string_view type, const ListOfIdsAndRev& entities,
                                                      const AccessKeys& keys) {
  CARDINAL_ASSIGN_OR_RETURN(std::string p, rest_path_of(type));
  const Json body = to_json(entities);
  // A repeat after success finds nothing to purge and purges nothing more.
  CARDINAL_ASSIGN_OR_RETURN(Json j, json_call("POST", "/rest/v2/" + p + "/purge/batch", &body, true, keys,
                                              subject_of(type, entities.ids.size())));
  return objects_of(j, "the batch purge answer");
}

Result<std::vector<model::DataOwner>> RestBackend::data_owner_stubs(const std::vector<std::string>& ids) {
  if (ids.empty()) return std::vector<model::DataOwner>{};
  const Json body = to_json(ListOfIds{ids});
  CARDINAL_ASSIGN_OR_RETURN(Json j, json_call("POST", "/rest/v2/dataowner/stub/byIds", &body, true, {},
                                              "the data owners to share with"));
  if (!j.is_array()) return malformed_response("data owner stub list is not an array");
  std::map<std::string, model::DataOwner> by_id;
  for (const auto& e : j) {
    CARDINAL_ASSIGN_OR_RETURN(auto d, from_server(model::DataOwner::from_with_type(e)));
    by_id.emplace(d.id, std::move(d));  // the first of duplicates
  }
  std::vector<model::DataOwner> out;
  for (const auto& id : ids) {
    auto it = by_id.find(id);
    if (it == by_id.end()) {
      return Error{ErrorCode::kNotFound, "data owner '" + id + "' does not exist on the server (or is not visible "
                                         "to this user): check the id of the data owner to share with"};
    }
    out.push_back(it->second);
  }
  return out;
}

Status RestBackend::put_exchange_data_maps(const ExchangeDataMapBatch& batch) {
  if (batch.batch.empty()) return {};
  transport::ApiRequest req;
  req.method = "PUT";
  req.path = "/rest/v2/exchangedatamap/batch";
  req.idempotent = true;  // adds missing entries only: a repeat changes nothing
  req.headers.emplace_back("Content-Type", "application/json");
  req.body = to_json(batch).dump();
  CARDINAL_ASSIGN_OR_RETURN(transport::ApiResponse resp, call_(req));
  if (resp.status < 200 || resp.status >= 300) {
    return http_error(resp.status, "the exchange data maps", req.method, req.path);
  }
  return {};  // the body is the text "ok", not JSON
}

}  // namespace cardinal::api
