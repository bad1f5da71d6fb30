// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#include "api/rest_backend.hpp"

#include <cardinal/crypto/encoding.hpp>

#include "api/rest_support.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace cardinal::api {

using namespace rest_internal;  // NOLINT(google-build-using-namespace): this file's own helpers

namespace {

constexpr std::size_t kAccessKeysPerHeader = 360;
constexpr int kMaxPages = 1000;
constexpr int kPageSize = 1000;

}  // namespace

Result<std::string> rest_path_of(std::string_view entity_type) {
  static const std::map<std::string_view, std::string_view> kPaths = {{"HealthElement", "helement"},
                                                                      {"Patient", "patient"},
                                                                      {"Document", "document"},
                                                                      {"Contact", "contact"},
                                                                      {"Message", "message"},
                                                                      {"Form", "form"},
                                                                      {"CalendarItem", "calendarItem"},
                                                                      {"AccessLog", "accesslog"},
                                                                      {"Invoice", "invoice"},
                                                                      {"MaintenanceTask", "maintenancetask"},
                                                                      {"Receipt", "receipt"},
                                                                      {"Topic", "topic"},
                                                                      {"Classification", "classification"},
                                                                      {"Article", "article"}};
  auto it = kPaths.find(entity_type);
  if (it == kPaths.end()) {
    return Error{ErrorCode::kInvalidArgument, "no REST endpoint for entity type '" + std::string(entity_type) + "'"};
  }
  return std::string(it->second);
}

Result<std::vector<std::string>> access_control_key_headers(const AccessKeys& keys) {
  std::vector<std::string> out;
  for (std::size_t start = 0; start < keys.size(); start += kAccessKeysPerHeader) {
    const std::size_t end = std::min(keys.size(), start + kAccessKeysPerHeader);
    SecretBytes joined = SecretBytes::zeros((end - start) * 16);
    for (std::size_t i = start; i < end; ++i) {
      if (keys[i].size() != 16) return Error{ErrorCode::kInvalidArgument, "access control keys are 16 bytes"};
      std::copy(keys[i].reveal().begin(), keys[i].reveal().end(), joined.mutable_data() + (i - start) * 16);
    }
    out.push_back(crypto::base64_encode(joined.reveal()));
  }
  return out;
}

ErrorCode error_code_for_status(int status) noexcept {
  switch (status) {
    case 400: return ErrorCode::kBadRequest;
    case 401: return ErrorCode::kUnauthenticated;
    case 403: return ErrorCode::kPermissionDenied;
    case 404: return ErrorCode::kNotFound;
    case 409: return ErrorCode::kConflict;
    default: return status >= 500 ? ErrorCode::kServerError : ErrorCode::kMalformedResponse;
  }
}

namespace {

// What an error status means for the record `subject` names, in words a user can act on.
std::string status_in_words(int status, std::string_view subject) {
  const std::string s(subject);
  switch (status) {
    case 400: return "the server rejected the request about " + s + " as invalid";
    case 401: return "the server refused the credentials while working on " + s + ": sign in again";
    case 403: return "the server refused access to " + s + ": this user has no permission for it";
    case 404: return s + " does not exist on the server (or is not visible to this user)";
    case 409: return s + " changed on the server since it was read: read it again and repeat the change";
    case 413: return "the server refused the request about " + s + " as too large";
    case 429: return "the server is busy (too many requests) and did not process " + s + ": try again later";
    default:
      if (status >= 500) return "the server failed while processing " + s + ": try again later";
      return "unexpected answer from the server about " + s + " (HTTP status " + std::to_string(status) + ")";
  }
}

std::string path_without_query(std::string_view path) { return std::string(path.substr(0, path.find('?'))); }

}  // namespace

Error http_error(int status, std::string_view subject) {
  return Error{error_code_for_status(status), status_in_words(status, subject)};
}

Error http_error(int status, std::string_view subject, std::string_view method, std::string_view path) {
  return Error{error_code_for_status(status), status_in_words(status, subject),
               HttpErrorDetail{std::string(method), path_without_query(path), status}};
}

Result<Json> RestBackend::json_call(std::string method, std::string path, const Json* body, bool idempotent,
                                    const AccessKeys& keys, std::string_view subject) {
  transport::ApiRequest req;
  req.method = std::move(method);
  req.path = std::move(path);
  req.idempotent = idempotent;
  req.headers.emplace_back("Accept", "application/json");
  if (body != nullptr) {
    req.headers.emplace_back("Content-Type", "application/json");
    req.body = body->dump();
  }
  if (!keys.empty()) {
    CARDINAL_ASSIGN_OR_RETURN(auto values, access_control_key_headers(keys));
    for (auto& v : values) req.headers.emplace_back("Icure-Access-Control-Keys", std::move(v));
  }
  CARDINAL_ASSIGN_OR_RETURN(transport::ApiResponse resp, call_(req));
  if (resp.status < 200 || resp.status >= 300) {
    return http_error(resp.status, subject.empty() ? std::string_view("the request") : subject, req.method, req.path);
  }
  if (resp.body.empty()) return Json(nullptr);
  // Depth and size are bounded before any tree is built (a hostile answer never overflows the stack).
  auto parsed = parse_json(resp.body);
  if (!parsed.ok()) {
    return malformed_response("the answer about " + std::string(subject.empty() ? "the request" : subject) +
                              " is not usable JSON (" + parsed.error().message() + ")");
  }
  return parsed;
}

Result<model::DataOwner> RestBackend::current_data_owner() {
  CARDINAL_ASSIGN_OR_RETURN(Json j, json_call("GET", "/rest/v2/dataowner/current", nullptr, true, {}, "the current data owner"));
  return from_server(model::DataOwner::from_with_type(j));
}

Result<std::vector<model::DataOwner>> RestBackend::current_hierarchy() {
  CARDINAL_ASSIGN_OR_RETURN(Json j, json_call("GET", "/rest/v2/dataowner/current/hierarchy", nullptr, true, {},
                                              "the hierarchy of the current data owner"));
  if (!j.is_array()) return malformed_response("hierarchy is not an array");
  std::vector<model::DataOwner> out;
  for (const auto& e : j) {
    CARDINAL_ASSIGN_OR_RETURN(auto d, from_server(model::DataOwner::from_with_type(e)));
    out.push_back(std::move(d));
  }
  return out;
}

Result<model::DataOwner> RestBackend::data_owner_stub(const std::string& id) {
  CARDINAL_ASSIGN_OR_RETURN(Json j, json_call("GET", "/rest/v2/dataowner/stub/" + escape_segment(id), nullptr, true, {},
                                              "data owner '" + id + "'"));
  CARDINAL_ASSIGN_OR_RETURN(auto d, from_server(model::DataOwner::from_with_type(j)));
  if (d.id != id) return malformed_response("asked for data owner " + id + ", got " + d.id);
  return d;
}

Result<model::DataOwner> RestBackend::put_data_owner_stub(const model::DataOwner& stub) {
  const Json body = stub.to_stub_with_type();
  CARDINAL_ASSIGN_OR_RETURN(Json j, json_call("PUT", "/rest/v2/dataowner/stub", &body, false, {},
                                              "the keys of data owner '" + stub.id + "'"));
  CARDINAL_ASSIGN_OR_RETURN(auto d, from_server(model::DataOwner::from_with_type(j)));
  if (d.id != stub.id) return malformed_response("stub update answered for another data owner");
  return d;
}

Result<Json> RestBackend::create_entity(std::string_view type, const Json& entity, const AccessKeys& keys) {
  CARDINAL_ASSIGN_OR_RETURN(std::string p, rest_path_of(type));
  CARDINAL_ASSIGN_OR_RETURN(Json j, json_call("POST", "/rest/v2/" + p, &entity, false, keys,
                                              entity_subject(type, string_member(entity, "id", ""))));
  if (!j.is_object() || string_member(j, "id", "") != string_member(entity, "id", "")) {
    return malformed_response("created entity has another id");
  }
  return j;
}

Result<Json> RestBackend::get_entity(std::string_view type, const std::string& id, const AccessKeys& keys) {
  CARDINAL_ASSIGN_OR_RETURN(std::string p, rest_path_of(type));
  CARDINAL_ASSIGN_OR_RETURN(Json j, json_call("GET", "/rest/v2/" + p + "/" + escape_segment(id), nullptr, true, keys,
                                              entity_subject(type, id)));
  if (!j.is_object() || !j.contains("id") || j["id"] != id) return malformed_response("got another entity than asked");
  return j;
}

Result<Json> RestBackend::modify_entity(std::string_view type, const Json& entity, const AccessKeys& keys) {
  CARDINAL_ASSIGN_OR_RETURN(std::string p, rest_path_of(type));
  // PUT with a rev is safe to repeat: a repeat after success fails with 409, never duplicates.
  CARDINAL_ASSIGN_OR_RETURN(Json j, json_call("PUT", "/rest/v2/" + p, &entity, true, keys,
                                              entity_subject(type, string_member(entity, "id", ""))));
  if (!j.is_object() || string_member(j, "id", "") != string_member(entity, "id", "")) {
    return malformed_response("modified entity has another id");
  }
  return j;
}

Status RestBackend::delete_entity(std::string_view type, const std::string& id, const std::string& rev,
                                  const AccessKeys& keys) {
  CARDINAL_ASSIGN_OR_RETURN(std::string p, rest_path_of(type));
  auto r = json_call("DELETE", "/rest/v2/" + p + "/" + escape_segment(id) + "?rev=" + escape_segment(rev), nullptr,
                     true, keys, entity_subject(type, id));
  return r.status();
}

Result<Json> RestBackend::match_entities(std::string_view type, const Json& filter, const AccessKeys& keys) {
  CARDINAL_ASSIGN_OR_RETURN(std::string p, rest_path_of(type));
  // A match only reads: safe to repeat.
  return json_call("POST", "/rest/v2/" + p + "/match", &filter, true, keys,
                   "the query over " + std::string(type) + " entities (" + string_member(filter, "$type") + ")");
}

Result<Json> RestBackend::match_services(const Json& filter, const AccessKeys& keys) {
  return json_call("POST", "/rest/v2/contact/service/match", &filter, true, keys,
                   "the query over services (" + string_member(filter, "$type") + ")");
}

Result<Json> RestBackend::get_services(const std::vector<std::string>& ids, const AccessKeys& keys) {
  const Json body{{"ids", ids}};
  // Only reads: safe to repeat.
  return json_call("POST", "/rest/v2/contact/service", &body, true, keys, std::to_string(ids.size()) + " services");
}

Result<std::vector<BulkShareResult>> RestBackend::bulk_share(std::string_view type, const BulkShareRequest& request,
                                                              const AccessKeys& keys) {
  CARDINAL_ASSIGN_OR_RETURN(std::string p, rest_path_of(type));
  // Applying the same share twice is rejected by the server (the delegation exists), so a repeat
  // cannot duplicate delegations: the call is safe to retry.
  const Json body = to_json(request);
  CARDINAL_ASSIGN_OR_RETURN(Json j,
                            json_call("PUT", "/rest/v2/" + p + "/bulkSharedMetadataUpdate", &body, true, keys,
                                      "the share of " + std::string(type) + " entities"));
  if (!j.is_array()) return malformed_response("bulk share result is not an array");
  return parse_bulk_share_results(j);
}

Result<Json> RestBackend::create_recovery_data(const Json& record) {
  CARDINAL_ASSIGN_OR_RETURN(Json j, json_call("POST", "/rest/v2/recoverydata", &record, false, {}, "the recovery data"));
  // An answer for another record would be a success that stored nothing the key can recover.
  if (!j.is_object() || string_member(j, "id") != string_member(record, "id")) {
    return malformed_response("the recovery data creation answered for another record (asked " +
                              string_member(record, "id") + "): the recovery key would open nothing; retry");
  }
  return j;
}

Result<Json> RestBackend::upload_attachment(const std::string& document_id, const std::string& rev, BodySource source,
                                            const AccessKeys& keys) {
  transport::ApiRequest req;
  req.method = "PUT";
  req.path =
      "/rest/v2/document/" + escape_segment(document_id) + "/attachment?rev=" + escape_segment(rev) + "&encrypted=true";
  req.headers = {{"Content-Type", "application/octet-stream"}, {"Accept", "application/json"}};
  req.body_source = std::move(source);
  CARDINAL_ASSIGN_OR_RETURN(auto values, access_control_key_headers(keys));
  for (auto& v : values) req.headers.emplace_back("Icure-Access-Control-Keys", std::move(v));
  CARDINAL_ASSIGN_OR_RETURN(transport::ApiResponse resp, call_(req));
  if (resp.status < 200 || resp.status >= 300) {
    return http_error(resp.status, "the attachment of Document '" + document_id + "'", req.method, req.path);
  }
  auto j = parse_json(resp.body);
  if (!j.ok() || !j->is_object() || j->value("id", "") != document_id) {
    return malformed_response("attachment upload answered for another document");
  }
  return j;
}

Status RestBackend::download_attachment(const std::string& document_id, BodySink sink, const AccessKeys& keys) {
  transport::ApiRequest req;
  req.method = "GET";
  req.path = "/rest/v2/document/" + escape_segment(document_id) + "/attachment";
  req.headers = {{"Accept", "application/octet-stream"}};
  req.response_sink = std::move(sink);
  CARDINAL_ASSIGN_OR_RETURN(auto values, access_control_key_headers(keys));
  for (auto& v : values) req.headers.emplace_back("Icure-Access-Control-Keys", std::move(v));
  CARDINAL_ASSIGN_OR_RETURN(transport::ApiResponse resp, call_(req));
  if (resp.status < 200 || resp.status >= 300) {
    return http_error(resp.status, "the attachment of Document '" + document_id + "'", req.method, req.path);
  }
  return {};
}

Result<Json> RestBackend::get_recovery_data(const std::string& id) {
  auto r = json_call("GET", "/rest/v2/recoverydata/" + escape_segment(id), nullptr, true, {}, "the recovery data");
  if (!r.ok() && r.error().code() == ErrorCode::kNotFound && r.error().http()) {
    // The id is derived from the recovery key: no record means no backup for this key.
    return Error{ErrorCode::kNotFound,
                 "the server has no key backup for this recovery key: check that it was typed correctly; it may "
                 "also have expired or been deleted",
                 *r.error().http()};
  }
  return r;
}

Result<std::vector<model::ExchangeData>> RestBackend::get_by_ids(const std::vector<std::string>& ids) {
  const Json body = Json{{"ids", ids}};
  CARDINAL_ASSIGN_OR_RETURN(Json j, json_call("POST", "/rest/v2/exchangedata/byIds", &body, true, {}, "exchange data"));
  if (!j.is_array()) return malformed_response("exchange data list is not an array");
  const std::set<std::string> wanted(ids.begin(), ids.end());
  std::vector<model::ExchangeData> out;
  for (const auto& e : j) {
    CARDINAL_ASSIGN_OR_RETURN(auto r, from_server(model::ExchangeData::from_json(e)));
    if (wanted.count(r.id) != 0) out.push_back(std::move(r));
  }
  return out;
}

Result<std::vector<model::ExchangeDataMap>> RestBackend::get_maps(const std::vector<std::string>& delegation_keys) {
  const Json body = Json{{"ids", delegation_keys}};
  CARDINAL_ASSIGN_OR_RETURN(Json j,
                            json_call("POST", "/rest/v2/exchangedatamap/batch", &body, true, {}, "exchange data maps"));
  if (!j.is_array()) return malformed_response("exchange data map list is not an array");
  const std::set<std::string> wanted(delegation_keys.begin(), delegation_keys.end());
  std::vector<model::ExchangeDataMap> out;
  for (const auto& e : j) {
    CARDINAL_ASSIGN_OR_RETURN(auto m, from_server(model::ExchangeDataMap::from_json(e)));
    if (wanted.count(m.id) != 0) out.push_back(std::move(m));
  }
  return out;
}

Result<std::vector<model::ExchangeData>> RestBackend::get_by_participant(const std::string& data_owner_id) {
  CARDINAL_ASSIGN_OR_RETURN(auto all, get_by_participant_bounded(data_owner_id, std::size_t(kMaxPages) * kPageSize));
  if (!all) return malformed_response("too many pages of exchange data");
  return std::move(*all);
}

Result<std::optional<std::vector<model::ExchangeData>>> RestBackend::get_by_participant_bounded(
    const std::string& data_owner_id, std::size_t max_records) {
  std::vector<model::ExchangeData> out;
  std::set<std::string> seen_ids;
  std::set<std::string> seen_cursors;
  std::string cursor;
  // Bounded by what the server sends, not only by what is kept: rows of other pairs (dropped)
  // count too, and the pages are at most what `max_records` full pages take, so a hostile server
  // cannot make a listing of a thousand 64 MiB pages. Past a bound the answer is "too many"
  // (nullopt): the caller falls back to its per-pair lookups.
  const std::size_t max_pages = std::min<std::size_t>(kMaxPages, max_records / kPageSize + 2);
  std::size_t received = 0;
  for (std::size_t page = 0; page < max_pages; ++page) {
    std::string path =
        "/rest/v2/exchangedata/byParticipant/" + escape_segment(data_owner_id) + "?limit=" + std::to_string(kPageSize);
    if (!cursor.empty()) path += "&startDocumentId=" + escape_segment(cursor);
    CARDINAL_ASSIGN_OR_RETURN(Json j, json_call("GET", path, nullptr, true, {},
                                                "the exchange data of data owner '" + data_owner_id + "'"));
    if (!j.is_object() || !j.contains("rows") || !j["rows"].is_array()) {
      return malformed_response("paginated exchange data expected");
    }
    received += j["rows"].size();
    if (received > max_records + kPageSize) return std::optional<std::vector<model::ExchangeData>>{};
    for (const auto& e : j["rows"]) {
      CARDINAL_ASSIGN_OR_RETURN(auto r, from_server(model::ExchangeData::from_json(e)));
      // The server may return other pairs or duplicates: keep only ours, once.
      if ((r.delegator == data_owner_id || r.delegate == data_owner_id) && seen_ids.insert(r.id).second) {
        out.push_back(std::move(r));
      }
    }
    if (out.size() > max_records) return std::optional<std::vector<model::ExchangeData>>{};
    auto next = j.find("nextKeyPair");
    if (next == j.end() || next->is_null() || !next->is_object()) break;
    const std::string next_id = next->value("startKeyDocId", "");
    if (next_id.empty()) break;
    if (!seen_cursors.insert(next_id).second) return malformed_response("exchange data pagination loops");
    cursor = next_id;
    if (page + 1 == max_pages) return std::optional<std::vector<model::ExchangeData>>{};
  }
  return std::optional<std::vector<model::ExchangeData>>(std::move(out));
}

Result<std::vector<model::ExchangeData>> RestBackend::get_by_delegator_delegate(const std::string& delegator,
                                                                                const std::string& delegate) {
  CARDINAL_ASSIGN_OR_RETURN(Json j, json_call("GET",
                                              "/rest/v2/exchangedata/byDelegatorDelegate/" + escape_segment(delegator) +
                                                  "/" + escape_segment(delegate),
                                              nullptr, true, {},
                                              "the exchange data from '" + delegator + "' to '" + delegate + "'"));
  if (!j.is_array()) return malformed_response("exchange data list is not an array");
  std::vector<model::ExchangeData> out;
  std::set<std::string> seen;
  for (const auto& e : j) {
    CARDINAL_ASSIGN_OR_RETURN(auto r, from_server(model::ExchangeData::from_json(e)));
    if (r.delegator == delegator && r.delegate == delegate && seen.insert(r.id).second) out.push_back(std::move(r));
  }
  return out;
}

Result<model::ExchangeData> RestBackend::create(const model::ExchangeData& record) {
  const Json body = record.to_json();
  CARDINAL_ASSIGN_OR_RETURN(Json j, json_call("POST", "/rest/v2/exchangedata", &body, false, {},
                                              "exchange data '" + record.id + "'"));
  CARDINAL_ASSIGN_OR_RETURN(auto r, from_server(model::ExchangeData::from_json(j)));
  if (r.id != record.id) return malformed_response("created exchange data has another id");
  return r;
}

Result<std::vector<model::ExchangeData>> RestBackend::create_many(const std::vector<model::ExchangeData>& records) {
  Json body = Json::array();
  for (const auto& r : records) body.push_back(r.to_json());
  CARDINAL_ASSIGN_OR_RETURN(Json j, json_call("POST", "/rest/v2/exchangedata/bulk", &body, false, {},
                                              std::to_string(records.size()) + " new exchange data"));
  if (!j.is_array()) return malformed_response("the bulk exchange data answer is not an array");
  // The answer names what was created ({id, rev}); what it leaves out was not created. An id
  // named twice or one that was not sent is not an answer to this request: nothing of it is used.
  std::set<std::string> sent;
  for (const auto& r : records) sent.insert(r.id);
  std::map<std::string, std::string> revs;
  for (const auto& item : j) {
    const std::string id = string_member(item, "id"), rev = string_member(item, "rev");
    if (id.empty() || rev.empty()) return malformed_response("a bulk exchange data answer item lacks its id or rev");
    if (sent.count(id) == 0) {
      return malformed_response("the bulk exchange data answer names exchange data '" + id + "', which was not sent");
    }
    if (!revs.emplace(id, rev).second) {
      return malformed_response("the bulk exchange data answer names exchange data '" + id + "' twice");
    }
  }
  std::vector<model::ExchangeData> out;
  for (const auto& r : records) {
    auto it = revs.find(r.id);
    if (it == revs.end()) continue;
    out.push_back(r);
    out.back().rev = it->second;
  }
  return out;
}

Result<model::ExchangeData> RestBackend::update(const model::ExchangeData& record) {
  const Json body = record.to_json();
  CARDINAL_ASSIGN_OR_RETURN(Json j, json_call("PUT", "/rest/v2/exchangedata", &body, true, {},
                                              "exchange data '" + record.id + "'"));
  CARDINAL_ASSIGN_OR_RETURN(auto r, from_server(model::ExchangeData::from_json(j)));
  if (r.id != record.id) return malformed_response("updated exchange data has another id");
  return r;
}

}  // namespace cardinal::api
