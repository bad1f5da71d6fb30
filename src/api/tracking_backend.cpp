// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#include "api/tracking_backend.hpp"

#include "engine/data_owner_keys.hpp"

#include <algorithm>
#include <set>

namespace cardinal::api {

namespace {

constexpr std::string_view kDataOwner = "DataOwner";
constexpr std::string_view kExchangeData = "ExchangeData";
constexpr std::string_view kExchangeDataMap = "ExchangeDataMap";

std::string list_of(crypto::RsaOaepHash h) {
  return h == crypto::RsaOaepHash::kSha1 ? "the legacy OAEP-SHA-1 list (publicKey / aesExchangeKeys)"
                                         : "the OAEP-SHA-256 list (publicKeysForOaepWithSha256)";
}

}  // namespace

void TrackingBackend::report(std::string_view kind, const std::string& id, Error e) const {
  if (on_tamper_) on_tamper_(TamperReport{std::string(kind), id, std::move(e)});
}

bool TrackingBackend::fresh(std::string_view kind, const std::string& id, const std::optional<std::string>& rev) {
  // A missing rev is checked too: a record seen with a numbered rev never loses it.
  const auto highest = state_->observe_revision(kind, id, rev.value_or(std::string()));
  if (!highest) return true;
  state_->mark_rolled_back(kind, id, rev.value_or(std::string()), *highest);
  report(kind, id,
         Error{ErrorCode::kTamperDetected, std::string(kind) + " " + id + ": the server returned revision '" +
                                               rev.value_or(std::string()) + "'" +
                                               " after revision generation " + std::to_string(*highest) +
                                               " was seen (rollback to an older version)"});
  return false;
}

Status TrackingBackend::check_data_owner(const model::DataOwner& owner) {
  if (!fresh(kDataOwner, owner.id, owner.rev)) {
    return Error{ErrorCode::kTamperDetected,
                 "data owner " + owner.id + ": the server returned an older revision (" + owner.rev.value_or("") +
                     ") than one already seen; refused, since an older record can bring back removed keys or hide "
                     "new ones. Retry later; if it persists, the backend is compromised"};
  }
  const auto bound = state_->bound_keys(owner.id);
  if (bound.empty()) return {};
  auto published = engine::published_keys(owner);
  if (!published.ok()) return {};  // a forged key set: refused by whoever uses the keys
  for (const auto& entry : bound) {
    // Plain references, not structured bindings: clang 14 cannot capture those in the lambda.
    const auto& spki = entry.first;
    const auto& hash = entry.second;
    auto it = std::find_if(published->begin(), published->end(),
                           [&](const engine::ParsedKey& p) { return p.published.spki_hex == spki; });
    const std::string fp = crypto::fingerprint_v1(spki);
    if (it == published->end()) {
      report(kDataOwner, owner.id,
             Error{ErrorCode::kTamperDetected, "data owner " + owner.id + " no longer publishes key " + fp +
                                                   ", verified before: a verified key disappeared"});
      state_->forget(owner.id, spki);
    } else if (it->published.hash != hash) {
      report(kDataOwner, owner.id,
             Error{ErrorCode::kTamperDetected, "data owner " + owner.id + ": key " + fp + ", verified in " +
                                                   list_of(hash) + ", is now in " + list_of(it->published.hash) +
                                                   "; it is not used with the new hash"});
    }
  }
  return {};
}

void TrackingBackend::check_entity(std::string_view type, const Json& entity) {
  const std::string id = string_member(entity, "id");
  if (id.empty()) return;
  (void)fresh(type, id, string_member(entity, "rev"));  // a non-string rev counts as none
}

Result<std::vector<model::ExchangeData>> TrackingBackend::only_fresh(Result<std::vector<model::ExchangeData>> records) {
  if (!records.ok()) return records;
  std::vector<model::ExchangeData> out;
  for (auto& r : *records) {
    if (fresh(kExchangeData, r.id, r.rev)) out.push_back(std::move(r));
  }
  return out;
}

Result<model::DataOwner> TrackingBackend::current_data_owner() {
  CARDINAL_ASSIGN_OR_RETURN(auto owner, inner_->current_data_owner());
  CARDINAL_RETURN_IF_ERROR(check_data_owner(owner));
  return owner;
}

Result<std::vector<model::DataOwner>> TrackingBackend::current_hierarchy() {
  CARDINAL_ASSIGN_OR_RETURN(auto chain, inner_->current_hierarchy());
  for (const auto& member : chain) CARDINAL_RETURN_IF_ERROR(check_data_owner(member));
  return chain;
}

Result<model::DataOwner> TrackingBackend::data_owner_stub(const std::string& id) {
  CARDINAL_ASSIGN_OR_RETURN(auto owner, inner_->data_owner_stub(id));
  CARDINAL_RETURN_IF_ERROR(check_data_owner(owner));
  return owner;
}

Result<model::DataOwner> TrackingBackend::put_data_owner_stub(const model::DataOwner& stub) {
  CARDINAL_ASSIGN_OR_RETURN(auto owner, inner_->put_data_owner_stub(stub));
  CARDINAL_RETURN_IF_ERROR(check_data_owner(owner));
  return owner;
}

Result<std::vector<model::DataOwner>> TrackingBackend::data_owner_stubs(const std::vector<std::string>& ids) {
  CARDINAL_ASSIGN_OR_RETURN(auto owners, inner_->data_owner_stubs(ids));
  for (const auto& owner : owners) CARDINAL_RETURN_IF_ERROR(check_data_owner(owner));
  return owners;
}

Status TrackingBackend::put_exchange_data_maps(const ExchangeDataMapBatch& batch) {
  return inner_->put_exchange_data_maps(batch);
}

Result<Json> TrackingBackend::create_entity(std::string_view type, const Json& entity, const AccessKeys& keys) {
  CARDINAL_ASSIGN_OR_RETURN(Json stored, inner_->create_entity(type, entity, keys));
  check_entity(type, stored);
  return stored;
}

Result<Json> TrackingBackend::get_entity(std::string_view type, const std::string& id, const AccessKeys& keys) {
  CARDINAL_ASSIGN_OR_RETURN(Json stored, inner_->get_entity(type, id, keys));
  check_entity(type, stored);
  return stored;
}

Result<Json> TrackingBackend::modify_entity(std::string_view type, const Json& entity, const AccessKeys& keys) {
  CARDINAL_ASSIGN_OR_RETURN(Json stored, inner_->modify_entity(type, entity, keys));
  check_entity(type, stored);
  return stored;
}

Status TrackingBackend::delete_entity(std::string_view type, const std::string& id, const std::string& rev,
                                      const AccessKeys& keys) {
  return inner_->delete_entity(type, id, rev, keys);
}

Result<Json> TrackingBackend::match_entities(std::string_view type, const Json& filter, const AccessKeys& keys) {
  return inner_->match_entities(type, filter, keys);
}

// Services have no revision of their own (their contact's is not sent with them): passed on.
Result<Json> TrackingBackend::match_services(const Json& filter, const AccessKeys& keys) {
  return inner_->match_services(filter, keys);
}

Result<Json> TrackingBackend::get_services(const std::vector<std::string>& ids, const AccessKeys& keys) {
  return inner_->get_services(ids, keys);
}

Result<std::vector<Json>> TrackingBackend::create_entities(std::string_view type, const std::vector<Json>& entities,
                                                           const AccessKeys& keys) {
  CARDINAL_ASSIGN_OR_RETURN(auto stored, inner_->create_entities(type, entities, keys));
  for (const auto& e : stored) check_entity(type, e);
  return stored;
}

Result<Json> TrackingBackend::get_entities(std::string_view type, const std::vector<std::string>& ids,
                                           const AccessKeys& keys) {
  CARDINAL_ASSIGN_OR_RETURN(Json page, inner_->get_entities(type, ids, keys));
  if (page.is_array()) {
    // Only the entities asked for: made-up ones would just push real ones out of the rollback LRU
    // (the reader of the answer drops and reports them).
    const std::set<std::string> asked(ids.begin(), ids.end());
    for (const auto& entity : page) {
      if (asked.count(string_member(entity, "id")) != 0) check_entity(type, entity);
    }
  }
  return page;
}

Result<std::vector<Json>> TrackingBackend::modify_entities(std::string_view type, const std::vector<Json>& entities,
                                                           const AccessKeys& keys) {
  CARDINAL_ASSIGN_OR_RETURN(auto stored, inner_->modify_entities(type, entities, keys));
  for (const auto& e : stored) check_entity(type, e);
  return stored;
}

Result<std::vector<Json>> TrackingBackend::delete_entities(std::string_view type, const std::vector<std::string>& ids,
                                                           const AccessKeys& keys) {
  return inner_->delete_entities(type, ids, keys);
}

Result<Json> TrackingBackend::undelete_entity(std::string_view type, const std::string& id, const std::string& rev,
                                              const AccessKeys& keys) {
  CARDINAL_ASSIGN_OR_RETURN(Json stored, inner_->undelete_entity(type, id, rev, keys));
  check_entity(type, stored);
  return stored;
}

Result<Json> TrackingBackend::purge_entity(std::string_view type, const std::string& id, const std::string& rev,
                                           const AccessKeys& keys) {
  return inner_->purge_entity(type, id, rev, keys);
}

Result<std::vector<Json>> TrackingBackend::undelete_entities(std::string_view type, const ListOfIdsAndRev& entities,
                                                             const AccessKeys& keys) {
  CARDINAL_ASSIGN_OR_RETURN(auto stored, inner_->undelete_entities(type, entities, keys));
  // Only the entities asked for, as for byIds (made-up ones would push real ones out of the LRU).
  std::set<std::string> asked;
  for (const auto& e : entities.ids) asked.insert(e.id);
  for (const auto& e : stored) {
    if (asked.count(string_member(e, "id")) != 0) check_entity(type, e);
  }
  return stored;
}

Result<std::vector<Json>> TrackingBackend::purge_entities(std::string_view type, const ListOfIdsAndRev& entities,
                                                          const AccessKeys& keys) {
  return inner_->purge_entities(type, entities, keys);
}

Result<std::vector<BulkShareResult>> TrackingBackend::bulk_share(std::string_view type,
                                                                  const BulkShareRequest& request,
                                                                  const AccessKeys& keys) {
  CARDINAL_ASSIGN_OR_RETURN(auto results, inner_->bulk_share(type, request, keys));
  // Only the entities the request names: made-up ones would just push real ones out of the LRU.
  for (const auto& r : results) {
    if (!r.updated_entity) continue;
    const std::string id = string_member(*r.updated_entity, "id");
    if (request.requests_by_entity_id.count(id) != 0) check_entity(type, *r.updated_entity);
  }
  return results;
}

Result<Json> TrackingBackend::create_recovery_data(const Json& record) { return inner_->create_recovery_data(record); }

Result<Json> TrackingBackend::upload_attachment(const std::string& document_id, const std::string& rev,
                                                BodySource source, const AccessKeys& keys) {
  CARDINAL_ASSIGN_OR_RETURN(Json stored, inner_->upload_attachment(document_id, rev, std::move(source), keys));
  check_entity("Document", stored);
  return stored;
}

Status TrackingBackend::download_attachment(const std::string& document_id, BodySink sink, const AccessKeys& keys) {
  return inner_->download_attachment(document_id, std::move(sink), keys);
}

Result<Json> TrackingBackend::get_recovery_data(const std::string& id) { return inner_->get_recovery_data(id); }

Result<std::vector<model::ExchangeData>> TrackingBackend::get_by_ids(const std::vector<std::string>& ids) {
  CARDINAL_ASSIGN_OR_RETURN(auto records, inner_->get_by_ids(ids));
  std::vector<model::ExchangeData> out;
  for (auto& r : records) {
    if (fresh(kExchangeData, r.id, r.rev)) {
      out.push_back(std::move(r));
    } else if (ids.size() == 1) {
      return Error{ErrorCode::kTamperDetected,
                   "exchange data " + r.id +
                       ": the server returned an older revision than one already seen (rollback); refused"};
    }
  }
  return out;
}

Result<std::vector<model::ExchangeDataMap>> TrackingBackend::get_maps(const std::vector<std::string>& delegation_keys) {
  CARDINAL_ASSIGN_OR_RETURN(auto maps, inner_->get_maps(delegation_keys));
  std::vector<model::ExchangeDataMap> out;
  for (auto& m : maps) {
    if (fresh(kExchangeDataMap, m.id, m.rev)) out.push_back(std::move(m));
  }
  return out;
}

Result<std::vector<model::ExchangeData>> TrackingBackend::get_by_participant(const std::string& data_owner_id) {
  return only_fresh(inner_->get_by_participant(data_owner_id));
}

Result<std::optional<std::vector<model::ExchangeData>>> TrackingBackend::get_by_participant_bounded(
    const std::string& data_owner_id, std::size_t max_records) {
  CARDINAL_ASSIGN_OR_RETURN(auto listed, inner_->get_by_participant_bounded(data_owner_id, max_records));
  if (!listed) return listed;
  CARDINAL_ASSIGN_OR_RETURN(auto fresh, only_fresh(std::move(*listed)));
  return std::optional<std::vector<model::ExchangeData>>(std::move(fresh));
}

Result<std::vector<model::ExchangeData>> TrackingBackend::get_by_delegator_delegate(const std::string& delegator,
                                                                                    const std::string& delegate) {
  return only_fresh(inner_->get_by_delegator_delegate(delegator, delegate));
}

Result<model::ExchangeData> TrackingBackend::create(const model::ExchangeData& record) {
  CARDINAL_ASSIGN_OR_RETURN(auto stored, inner_->create(record));
  (void)fresh(kExchangeData, stored.id, stored.rev);
  return stored;
}

Result<std::vector<model::ExchangeData>> TrackingBackend::create_many(const std::vector<model::ExchangeData>& records) {
  CARDINAL_ASSIGN_OR_RETURN(auto stored, inner_->create_many(records));
  for (const auto& s : stored) (void)fresh(kExchangeData, s.id, s.rev);
  return stored;
}

Result<model::ExchangeData> TrackingBackend::update(const model::ExchangeData& record) {
  CARDINAL_ASSIGN_OR_RETURN(auto stored, inner_->update(record));
  if (!fresh(kExchangeData, stored.id, stored.rev)) {
    return Error{ErrorCode::kTamperDetected,
                 "exchange data " + stored.id + ": the update was answered with an older revision (rollback)"};
  }
  return stored;
}

}  // namespace cardinal::api
