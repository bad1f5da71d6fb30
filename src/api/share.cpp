// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// SdkCore: sharing entities with data owners. share_many is the one implementation: every entity's
// requests in one bulk share request per round (a round more only for requests the server refused
// because of a stale copy or asked to retry); share (one entity, one delegate) and
// accept_shared_key are thin cases of it. Planning and answer checks: api/share_plan.cpp.
#include "api/share_plan.hpp"

#include "api/entity_json.hpp"
#include "engine/access_control.hpp"

#include <set>

namespace cardinal::api {

namespace {

constexpr int kMaxShareRetries = 3;

}  // namespace

Result<BulkResult<EntityShareResult>> SdkCore::share_many(std::string_view type,
                                                         const std::vector<EntityToShare>& entities) {
  return share_entities(type, entities, nullptr);
}

Result<BulkResult<EntityShareResult>> SdkCore::share_entities(std::string_view type,
                                                             const std::vector<EntityToShare>& entities,
                                                             const ShareDelegateMap* known, bool to_self) {
  if (!engine::is_entity_type(type)) {
    return Error{ErrorCode::kInvalidArgument, "'" + std::string(type) + "' is not an encryptable entity type"};
  }
  std::vector<ShareState> states(entities.size());
  std::set<std::string> ids, delegate_ids;
  for (std::size_t i = 0; i < entities.size(); ++i) {
    ShareState& s = states[i];
    s.id = id_of(entities[i].entity);
    s.asked = &entities[i].delegates;
    s.entity = entities[i].entity;
    if (s.id.empty()) {
      s.error = Error{ErrorCode::kInvalidArgument, "entity #" + std::to_string(i) +
                                                       " to share has no id: pass it as get, create or filter returned it"};
    } else if (!ids.insert(s.id).second) {
      s.error = Error{ErrorCode::kInvalidArgument, what(type, s.id) + " is given twice: merge its delegates into one "
                                                                      "EntityToShare (this one is not shared)"};
    } else if (s.asked->empty()) {
      s.error = Error{ErrorCode::kInvalidArgument, "no delegate to share " + what(type, s.id) + " with"};
    }
    if (!s.error && !to_self && s.asked->count(self_.id) != 0) {
      s.error = Error{ErrorCode::kInvalidArgument,
                      what(type, s.id) + " names the current data owner " + self_.id +
                          " as a delegate: leave it out (to take a key shared with you as your own, call "
                          "accept_shared_key)"};
    }
    if (s.error) continue;
    for (const auto& [delegate, options] : *s.asked) {
      s.pending.push_back(delegate);
      delegate_ids.insert(delegate);
    }
  }
  ShareDelegateMap looked_up;
  if (known == nullptr) {
    CARDINAL_ASSIGN_OR_RETURN(looked_up, share_delegates(delegate_ids));
  }
  const ShareDelegateMap& delegates = known != nullptr ? *known : looked_up;
  for (const auto& id : delegate_ids) {
    if (delegates.count(id) == 0) return Error{ErrorCode::kInternal, "delegate " + id + " was not looked up"};
  }

  for (int round = 0;; ++round) {
    BulkShareRequest bulk;
    std::vector<ShareState*> sent;
    for (auto& s : states) {
      if (s.error || s.pending.empty()) continue;
      plan_shares(type, s, delegates);
      if (s.error || s.planned.empty()) continue;
      EntityShareRequests& mine = bulk.requests_by_entity_id[s.id];
      for (std::size_t i = 0; i < s.planned.size(); ++i) mine.requests.emplace(std::to_string(i), s.planned[i].request);
      mine.potential_parent_delegations = s.potential_parents;
      sent.push_back(&s);
    }
    if (sent.empty()) break;
    auto answer = options_.backend->bulk_share(type, bulk, request_keys(type));
    // The first request failed: the call failed (whether the server applied it is unknown).
    if (!answer.ok() && round == 0) return answer.error();
    if (!answer.ok()) {
      // A later round: what earlier rounds settled stands; this round's requests are unknown.
      for (auto* s : sent) {
        for (const auto& p : s->planned) {
          s->results.insert_or_assign(
              p.delegate_id, Error{answer.error().code(), "the share of " + what(type, s->id) + " with " + p.delegate_id +
                                                              " was sent again and whether it was applied is unknown (" +
                                                              answer.error().message() + "): share it again"});
        }
        s->planned.clear();
      }
      break;
    }
    for (const auto& item : *answer) {
      if (bulk.requests_by_entity_id.count(item.entity_id) == 0) {
        warn(type, item.entity_id.substr(0, 200),
             Error{ErrorCode::kMalformedResponse, "the server's answer to a bulk share names " +
                                                      what(type, item.entity_id.substr(0, 80)) +
                                                      ", which was not asked: ignored"});
      }
    }
    for (auto* s : sent) read_share_answer(type, *s, *answer, round < kMaxShareRetries);
    // Fetched again: what must be verified on the stored version, and what is to be rebuilt on it.
    std::vector<std::string> to_fetch;
    for (auto* s : sent) {
      if (!s->error && s->fetch) to_fetch.push_back(s->id);
    }
    if (to_fetch.empty()) continue;
    auto fetched = fetch_many(type, to_fetch);
    for (auto* s : sent) {
      if (s->error || !s->fetch) continue;
      s->fetch = false;
      auto it = fetched.ok() ? fetched->find(s->id) : std::map<std::string, Json>::iterator{};
      if (!fetched.ok() || it == fetched->end()) {
        const Error cause = fetched.ok() ? Error{ErrorCode::kNotFound, "not returned by the server"} : fetched.error();
        s->error = Error{cause.code(), what(type, s->id) + " could not be read back after its share (" +
                                           cause.message() + "): share it again to know its state"};
        continue;
      }
      if (!s->to_verify.empty()) {
        const std::string wrong = check_shared_entity(s->id, s->before, it->second, s->to_verify, s->potential_parents);
        if (!wrong.empty()) {
          Error e{ErrorCode::kTamperDetected, "after its share, " + what(type, s->id) + " " + wrong + ": not used"};
          warn(type, s->id, e);
          s->error = std::move(e);
          continue;
        }
        for (const auto& p : s->to_verify) s->results.insert_or_assign(p.delegate_id, p.outcome);
        s->to_verify.clear();
      }
      s->entity = std::move(it->second);
    }
  }

  BulkResult<EntityShareResult> out;
  out.reserve(states.size());
  for (auto& s : states) {
    if (s.error) {
      out.emplace_back(std::move(*s.error));
      continue;
    }
    EntityShareResult r;
    auto decrypted = decrypt(type, s.entity);
    if (decrypted.ok()) {
      r.entity = std::move(decrypted).value();
    } else {  // the shares stand; the entity is returned as stored, still encrypted
      r.decrypted = Error{decrypted.error().code(),
                          what(type, s.id) + " does not decrypt for this user: " + decrypted.error().message()};
      r.entity.entity = std::move(s.entity);
      r.entity.warnings.push_back(r.decrypted.error().message());
    }
    for (const auto& [delegate, options] : *s.asked) {
      auto it = s.results.find(delegate);
      r.delegates.emplace(delegate, it != s.results.end() ? std::move(it->second)
                                                          : Result<ShareOutcome>(Error{ErrorCode::kInternal, "not shared"}));
    }
    out.emplace_back(std::move(r));
  }
  return out;
}

Result<DecryptedEntity> SdkCore::share(std::string_view type, const std::string& id, const std::string& delegate_id,
                                       AccessLevel level) {
  return share_one(type, id, delegate_id, level, false);
}

Result<DecryptedEntity> SdkCore::share_one(std::string_view type, const std::string& id, const std::string& delegate_id,
                                           AccessLevel level, bool to_self) {
  CARDINAL_ASSIGN_OR_RETURN(Json entity, fetch(type, id));
  std::vector<EntityToShare> one;
  one.push_back(EntityToShare{std::move(entity), ShareDelegates{{delegate_id, ShareOptions{.level = level}}}});
  CARDINAL_ASSIGN_OR_RETURN(auto results, share_entities(type, one, nullptr, to_self));
  auto& result = results.front();
  if (!result.ok()) return result.error();
  auto& outcome = result->delegates.at(delegate_id);
  if (!outcome.ok()) return outcome.error();
  CARDINAL_RETURN_IF_ERROR(result->decrypted);
  result->entity.share_outcome = *outcome;
  return std::move(result->entity);
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
  return share_one(type, id, self_.id, access.can_write ? AccessLevel::kWrite : AccessLevel::kRead, true);
}

}  // namespace cardinal::api
