// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// SdkCore: bulk entity operations, one request each, with one result per entity. The server's
// answer is matched by id with what was asked: items it adds are dropped, entities it leaves out
// are errors for those entities (the platform's batches silently skip what fails).
#include "api/sdk_core.hpp"

#include "api/entity_json.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace cardinal::api {

namespace {

// The answer items by id (the first of duplicates), for the ids asked only.
std::map<std::string, Json> by_id(std::vector<Json> items) {
  std::map<std::string, Json> out;
  for (auto& j : items) {
    std::string id = id_of(j);
    if (!id.empty()) out.emplace(std::move(id), std::move(j));
  }
  return out;
}

}  // namespace

Result<BulkResult<DecryptedEntity>> SdkCore::create_many(std::string_view type, std::vector<Json> clear,
                                                         const CreateOptions& options) {
  CARDINAL_ASSIGN_OR_RETURN(auto delegates, new_delegates(options.share_with));
  ExchangeDataMapBatch maps;
  BulkResult<DecryptedEntity> out(clear.size(), Error{ErrorCode::kInternal, "not created"});
  std::vector<Json> sent;
  std::vector<std::size_t> index;  // of each sent entity in `out`
  std::set<std::string> ids;  // an entity given twice would be answered once: refused, not sent
  for (std::size_t i = 0; i < clear.size(); ++i) {
    auto encrypted = encrypt_new_for(type, std::move(clear[i]), options, delegates, maps);
    if (!encrypted.ok()) {
      out[i] = encrypted.error();  // not sent
      continue;
    }
    if (!ids.insert(id_of(*encrypted)).second) {
      out[i] = Error{ErrorCode::kInvalidArgument, what(type, id_of(*encrypted)) + " is given twice in the batch "
                                                  "(entity " + std::to_string(i) + "): create it once"};
      continue;
    }
    sent.push_back(std::move(encrypted).value());
    index.push_back(i);
  }
  if (sent.empty()) return out;
  CARDINAL_RETURN_IF_ERROR(store_maps(std::move(maps)));
  CARDINAL_ASSIGN_OR_RETURN(auto answer, options_.backend->create_entities(type, sent, request_keys(type)));
  auto stored = by_id(std::move(answer));
  for (std::size_t k = 0; k < sent.size(); ++k) {
    const std::string id = id_of(sent[k]);
    auto it = stored.find(id);
    if (it == stored.end()) {
      out[index[k]] = Error{ErrorCode::kServerError, what(type, id) + " was not created: the server left it out of "
                                                                      "its answer (an existing id, or refused)"};
    } else if (!same_delegations(it->second, sent[k])) {
      Error e{ErrorCode::kTamperDetected, "the server changed the security metadata of new entity " + id};
      warn(type, id, e);
      out[index[k]] = std::move(e);
    } else {
      out[index[k]] = decrypt(type, std::move(it->second));
    }
  }
  return out;
}

Result<std::map<std::string, Json>> SdkCore::fetch_many(std::string_view type, const std::vector<std::string>& ids) {
  std::map<std::string, Json> found;
  if (ids.empty()) return found;
  // One request for the distinct ids, read as a query page: what the server adds, repeats or
  // malforms is dropped and reported as tampering; what it leaves out is absent from the map.
  std::vector<std::string> distinct;
  std::set<std::string_view> seen;
  QueryLimits limits;
  for (const auto& id : ids) {
    if (seen.insert(id).second) distinct.push_back(id);
    limits.max_id_length = std::max(limits.max_id_length, id.size());  // any id the caller asks is read
  }
  auto fetch = [&](const std::vector<std::string>& asked) -> Status {
    CARDINAL_ASSIGN_OR_RETURN(Json answer, options_.backend->get_entities(type, asked, request_keys(type)));
    CARDINAL_ASSIGN_OR_RETURN(PageAnswer page, read_page_answer(answer, type, asked, limits));
    for (const auto& issue : page.issues) {
      if (is_tampering(issue.kind)) warn(type, issue.entity_id, issue.error);
    }
    for (auto& j : page.entities) found.emplace(id_of(j), std::move(j));
    return {};
  };
  CARDINAL_RETURN_IF_ERROR(fetch(distinct));
  if (self_anonymous_ && found.size() < distinct.size()) {
    // Entities shared since the exchange data were loaded are not visible yet: reload once.
    std::vector<std::string> missing;
    for (const auto& id : distinct) {
      if (found.count(id) == 0) missing.push_back(id);
    }
    CARDINAL_RETURN_IF_ERROR(exchange_data_->load_all());
    CARDINAL_RETURN_IF_ERROR(fetch(missing));
  }
  return found;
}

Result<BulkResult<DecryptedEntity>> SdkCore::get_many(std::string_view type, const std::vector<std::string>& ids) {
  if (ids.empty()) return BulkResult<DecryptedEntity>{};
  CARDINAL_ASSIGN_OR_RETURN(auto found, fetch_many(type, ids));
  // Each entity is decrypted once (in place); an id asked twice gets a copy of its result.
  std::map<std::string, Result<DecryptedEntity>> decrypted;
  BulkResult<DecryptedEntity> out;
  out.reserve(ids.size());
  for (const auto& id : ids) {
    auto it = found.find(id);
    if (it == found.end()) {
      out.emplace_back(Error{ErrorCode::kNotFound, what(type, id) + " does not exist on the server or is not "
                                                                    "visible to this user (not shared with it)"});
      continue;
    }
    auto done = decrypted.find(id);
    if (done == decrypted.end()) done = decrypted.emplace(id, decrypt(type, std::move(it->second))).first;
    out.push_back(done->second);
  }
  return out;
}

Result<BulkResult<DecryptedEntity>> SdkCore::modify_many(std::string_view type, const std::vector<Json>& clear) {
  BulkResult<DecryptedEntity> out(clear.size(), Error{ErrorCode::kInternal, "not modified"});
  std::vector<Json> sent;
  std::vector<std::size_t> index;
  std::set<std::string> ids;  // an entity given twice would be answered once: refused, not sent
  for (std::size_t i = 0; i < clear.size(); ++i) {
    const std::string id = id_of(clear[i]);
    if (id.empty() || string_member(clear[i], "rev").empty()) {
      out[i] = Error{ErrorCode::kInvalidArgument, "modify needs an entity with its id and rev, as returned by get or "
                                                  "create (entity " + std::to_string(i) + " of the batch)"};
      continue;
    }
    if (!ids.insert(id).second) {
      out[i] = Error{ErrorCode::kInvalidArgument, what(type, id) + " is given twice in the batch (entity " +
                                                  std::to_string(i) + "): modify it once"};
      continue;
    }
    auto encrypted = encrypt_existing(type, clear[i]);
    if (!encrypted.ok()) {
      out[i] = encrypted.error();
      continue;
    }
    sent.push_back(std::move(encrypted).value());
    index.push_back(i);
  }
  if (sent.empty()) return out;
  CARDINAL_ASSIGN_OR_RETURN(auto answer, options_.backend->modify_entities(type, sent, request_keys(type)));
  auto stored = by_id(std::move(answer));
  for (std::size_t k = 0; k < sent.size(); ++k) {
    const std::string id = id_of(sent[k]);
    auto it = stored.find(id);
    if (it == stored.end()) {
      out[index[k]] = Error{ErrorCode::kConflict,
                            what(type, id) + " was not saved: the server left it out of its answer (its revision " +
                                string_member(sent[k], "rev") + " is not the current one, or this user may not "
                                "write it); nothing of it was written: get it and modify again"};
      continue;
    }
    if (!same_delegations(it->second, sent[k])) {
      warn(type, id, Error{ErrorCode::kTamperDetected, "the server changed security metadata on modify"});
    }
    out[index[k]] = decrypt(type, std::move(it->second));
  }
  return out;
}

Result<BulkResult<EntityRevision>> SdkCore::remove_many(std::string_view type, const std::vector<std::string>& ids) {
  if (ids.empty()) return BulkResult<EntityRevision>{};
  CARDINAL_ASSIGN_OR_RETURN(auto answer, options_.backend->delete_entities(type, ids, request_keys(type)));
  auto deleted = by_id(std::move(answer));
  BulkResult<EntityRevision> out;
  out.reserve(ids.size());
  for (const auto& id : ids) {
    auto it = deleted.find(id);
    if (it == deleted.end()) {
      out.emplace_back(Error{ErrorCode::kNotFound, what(type, id) + " was not deleted: the server left it out of its "
                                                                    "answer (not there, or not writable by this user)"});
    } else {
      out.emplace_back(EntityRevision{id, string_member(it->second, "rev")});
    }
  }
  return out;
}

Result<DecryptedEntity> SdkCore::undelete(std::string_view type, const EntityRevision& deleted) {
  if (deleted.id.empty() || deleted.rev.empty()) {
    return Error{ErrorCode::kInvalidArgument, "undelete needs the entity's id and rev (as remove_many returned them)"};
  }
  CARDINAL_ASSIGN_OR_RETURN(Json stored,
                            options_.backend->undelete_entity(type, deleted.id, deleted.rev, request_keys(type)));
  return decrypt(type, std::move(stored));
}

Result<EntityRevision> SdkCore::purge(std::string_view type, const EntityRevision& entity) {
  if (entity.id.empty() || entity.rev.empty()) {
    return Error{ErrorCode::kInvalidArgument, "purge needs the entity's id and current rev"};
  }
  CARDINAL_ASSIGN_OR_RETURN(Json gone, options_.backend->purge_entity(type, entity.id, entity.rev, request_keys(type)));
  return EntityRevision{entity.id, string_member(gone, "rev")};
}

namespace {

// The entities of an undelete or purge batch that can be sent (an id and a rev, each id once); the
// others get their error in `out` (which has one slot per entity asked).
template <class T>
std::pair<ListOfIdsAndRev, std::vector<std::size_t>> sendable(const std::vector<EntityRevision>& asked,
                                                              BulkResult<T>& out, std::string_view verb) {
  ListOfIdsAndRev body;
  std::vector<std::size_t> index;  // of each sent item in `asked`
  std::set<std::string_view> seen;
  for (std::size_t i = 0; i < asked.size(); ++i) {
    const auto& e = asked[i];
    if (e.id.empty() || e.rev.empty()) {
      out[i] = Error{ErrorCode::kInvalidArgument, std::string(verb) + " needs each entity's id and current rev "
                                                  "(entity " + std::to_string(i) + " of the batch has none)"};
    } else if (!seen.insert(e.id).second) {
      out[i] = Error{ErrorCode::kInvalidArgument, "entity " + e.id + " is listed more than once in the " +
                                                      std::string(verb) + " batch: list it once"};
    } else {
      body.ids.push_back(IdWithRev{e.id, e.rev});
      index.push_back(i);
    }
  }
  return {std::move(body), std::move(index)};
}

Error left_out(std::string_view type, const std::string& id, std::string_view done) {
  return Error{ErrorCode::kConflict, what(type, id) + " was not " + std::string(done) + ": the server left it out of "
                                     "its answer (its rev is not the current one, it does not exist, or this user may "
                                     "not write it); nothing was done to it"};
}

}  // namespace

Result<BulkResult<DecryptedEntity>> SdkCore::undelete_many(std::string_view type,
                                                           const std::vector<EntityRevision>& deleted) {
  BulkResult<DecryptedEntity> out(deleted.size(), Error{ErrorCode::kInternal, "not undeleted"});
  auto [body, index] = sendable(deleted, out, "undelete");
  if (body.ids.empty()) return out;
  CARDINAL_ASSIGN_OR_RETURN(auto answer, options_.backend->undelete_entities(type, body, request_keys(type)));
  auto stored = by_id(std::move(answer));
  for (std::size_t k = 0; k < body.ids.size(); ++k) {
    auto it = stored.find(body.ids[k].id);
    out[index[k]] = it == stored.end() ? Result<DecryptedEntity>(left_out(type, body.ids[k].id, "undeleted"))
                                       : decrypt(type, it->second);
  }
  return out;
}

Result<BulkResult<EntityRevision>> SdkCore::purge_many(std::string_view type,
                                                       const std::vector<EntityRevision>& entities) {
  BulkResult<EntityRevision> out(entities.size(), Error{ErrorCode::kInternal, "not purged"});
  auto [body, index] = sendable(entities, out, "purge");
  if (body.ids.empty()) return out;
  CARDINAL_ASSIGN_OR_RETURN(auto answer, options_.backend->purge_entities(type, body, request_keys(type)));
  auto gone = by_id(std::move(answer));
  for (std::size_t k = 0; k < body.ids.size(); ++k) {
    const std::string& id = body.ids[k].id;
    auto it = gone.find(id);
    out[index[k]] = it == gone.end() ? Result<EntityRevision>(left_out(type, id, "purged"))
                                     : EntityRevision{id, string_member(it->second, "rev")};
  }
  return out;
}

}  // namespace cardinal::api
