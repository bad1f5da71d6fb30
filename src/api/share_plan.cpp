// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// SdkCore sharing, per entity: the delegates' verified keys, the ShareOptions resolved against
// what this user can pass on, the requests built by the engine, and the server's answer read and
// checked (api/share_plan.hpp).
#include "api/share_plan.hpp"

#include <cardinal/crypto/encoding.hpp>
#include <cardinal/crypto/hash.hpp>

#include "api/entity_json.hpp"
#include "api/rest_backend.hpp"
#include "engine/data_owner_keys.hpp"
#include "engine/json_encryption.hpp"

#include <algorithm>
#include <set>

namespace cardinal::api {

namespace {

Error rejection_error(const ShareRejection& rejection, const std::string& subject) {
  const std::string msg = "the share of " + subject + " was rejected by the server (" +
                          std::to_string(rejection.code) + "): " + rejection.reason.substr(0, 200);
  // A rejection code that is not an HTTP error status is still the server's failure.
  const ErrorCode mapped = error_code_for_status(rejection.code);
  return Error{mapped == ErrorCode::kMalformedResponse ? ErrorCode::kServerError : mapped, msg};
}

ShareOutcome outcome_of(engine::ShareRequestKind kind) {
  switch (kind) {
    case engine::ShareRequestKind::kUpgrade: return ShareOutcome::kUpgraded;
    case engine::ShareRequestKind::kUpdate: return ShareOutcome::kExtended;
    case engine::ShareRequestKind::kNew: break;
  }
  return ShareOutcome::kNewShare;
}

// The secure delegation key a request creates (share) or extends (update).
Result<std::string> key_of(const Json& request) {
  if (request.contains("share")) {
    CARDINAL_ASSIGN_OR_RETURN(Bytes ack, crypto::hex_decode(request["share"]["accessControlKeys"][0].get<std::string>()));
    return crypto::hex_encode(crypto::sha256(ack));
  }
  return request["update"]["metadataAccessControlHash"].get<std::string>();
}

// The entity access and engine target for one delegate's options, or why the share cannot be made.
struct Resolved {
  engine::EntityAccess access;
  engine::ShareTarget target;
};

Result<Resolved> resolve(const std::string& subject, const engine::EntityAccess& access, const std::string& delegate,
                         bool anonymous, const ShareOptions& o) {
  Resolved r{access, engine::ShareTarget{delegate, anonymous, o.level}};
  engine::EntityAccess& a = r.access;
  if (!a.any_verified && a.keys.size() == 1) {
    // Only the key and the ids that came with it are passed on (or become this user's own, when
    // accepting a shared key), never ids other (possibly forged, key-less) delegations added.
    a.secret_ids = a.keys.front().secret_ids;
    a.owning_entity_ids = a.keys.front().owning_entity_ids;
  }
  const std::string nothing_sent = ": nothing was sent for " + delegate;
  if (o.share_encryption_key == ShareMetadataBehaviour::kNever) {
    r.target.share_entity_key = false;
  } else if (o.share_encryption_key == ShareMetadataBehaviour::kRequired && a.keys_to_share().empty()) {
    return Error{ErrorCode::kKeyNotAvailable, "the entity key of " + subject +
                                                  " is required (share_encryption_key) but this user holds none it may "
                                                  "pass on" + nothing_sent};
  }
  if (o.share_owning_entity_ids == ShareMetadataBehaviour::kNever) {
    r.target.share_owning_entity_ids = false;
  } else if (o.share_owning_entity_ids == ShareMetadataBehaviour::kRequired && a.owning_ids_to_share().empty()) {
    return Error{ErrorCode::kKeyNotAvailable, "the owning-entity ids of " + subject +
                                                  " are required (share_owning_entity_ids) but this user reads none "
                                                  "it may pass on" + nothing_sent};
  }
  const SecretIdsToShare& s = o.share_secret_ids;
  if (!s.is_exact()) {
    if (s.require_at_least_one() && a.secret_ids_to_share().empty()) {
      return Error{ErrorCode::kKeyNotAvailable, "a secret id of " + subject +
                                                    " is required (share_secret_ids) but this user reads none it may "
                                                    "pass on" + nothing_sent};
    }
  } else if (s.ids().empty()) {
    r.target.share_secret_ids = false;
  } else {
    const std::set<std::string>& readable = a.secret_ids_to_share();
    std::set<std::string> chosen;
    for (std::size_t i = 0; i < s.ids().size(); ++i) {
      if (readable.count(s.ids()[i]) == 0) {
        // The id itself is not repeated: secret ids link entities to their patient.
        return Error{ErrorCode::kInvalidArgument, "secret id #" + std::to_string(i) + " of share_secret_ids is not one this user reads in " +
                                                      subject + " (use the entity's `secret_ids`)" + nothing_sent};
      }
      chosen.insert(s.ids()[i]);
    }
    a.secret_ids = chosen;
    a.verified_secret_ids = std::move(chosen);
  }
  return r;
}

// Every string of `array` (a JSON array, else nothing), as a set.
std::set<std::string> strings_of(const Json& object, const char* member) {
  std::set<std::string> out;
  auto it = object.find(member);
  if (it == object.end() || !it->is_array()) return out;
  for (const auto& v : *it) {
    if (v.is_string()) out.insert(v.get<std::string>());
  }
  return out;
}

bool same_optional(const Json& a, const char* a_member, const Json& b, const char* b_member) {
  const bool in_a = a.contains(a_member), in_b = b.contains(b_member);
  return in_a == in_b && (!in_a || a[a_member] == b[b_member]);
}

// What is wrong with the stored delegation `d` for `p`, or "".
std::string check_delegation(const Json& d, const PlannedShare& p, const Json& before,
                             const std::set<std::string>& parents) {
  if (!d.is_object()) return "holds no delegation object for " + p.delegate_id;
  static const char* kFields[] = {"secretIds", "encryptionKeys", "owningEntityIds"};
  if (p.request.contains("share")) {
    const Json& s = p.request["share"];
    if (!same_optional(d, "delegator", s, "explicitDelegator") || !same_optional(d, "delegate", s, "explicitDelegate") ||
        !same_optional(d, "exchangeDataId", s, "exchangeDataId")) {
      return "names other parties or exchange data in the delegation to " + p.delegate_id + " than were sent";
    }
    for (const char* f : kFields) {
      if (strings_of(d, f) != strings_of(s, f)) return "holds other " + std::string(f) + " in the delegation to " + p.delegate_id + " than were sent";
    }
    const std::string wanted = string_member(s, "requestedPermissions") == "FULL_WRITE" ? "WRITE" : "READ";
    if (string_member(d, "permissions") != wanted) return "gives " + p.delegate_id + " another permission than asked";
    for (const auto& parent : strings_of(d, "parentDelegations")) {
      if (parents.count(parent) == 0) return "puts the delegation to " + p.delegate_id + " under a parent this user did not offer";
    }
    return "";
  }
  // An update: what the delegation had, plus what was added.
  const Json& u = p.request["update"];
  const Json old = delegations_json(before).value(p.key, Json::object());
  for (const char* f : kFields) {
    std::set<std::string> expected = strings_of(old, f);
    if (auto it = u.find(f); it != u.end() && it->is_object()) {
      for (const auto& [value, op] : it->items()) expected.insert(value);
    }
    const std::set<std::string> have = strings_of(d, f);
    if (!std::includes(have.begin(), have.end(), expected.begin(), expected.end())) {
      return "lacks " + std::string(f) + " of the delegation to " + p.delegate_id + " (sent or there before)";
    }
  }
  return "";
}

}  // namespace

std::string changed_content(const Json& before, const Json& after, const std::vector<const crypto::AesKey*>& keys) {
  // Compared decrypted when the keys open them (the caller's copy may be decrypted already).
  auto open = [&](const Json& j) {
    auto clear = engine::decrypt_json(j, keys);
    return clear.ok() ? std::move(clear).value() : j;
  };
  const Json b = open(before), a = open(after);
  if (!b.is_object() || !a.is_object()) return "the entity";
  static const std::set<std::string> kShareChanges = {"securityMetadata", "rev"};
  for (const auto& [field, value] : b.items()) {
    if (kShareChanges.count(field) != 0) continue;
    auto it = a.find(field);
    if (it == a.end() || *it != value) return field;
  }
  for (const auto& [field, value] : a.items()) {
    if (kShareChanges.count(field) == 0 && !b.contains(field)) return field;
  }
  return "";
}

std::string check_shared_entity(const std::string& id, const Json& before, const Json& after,
                                const std::vector<PlannedShare>& applied,
                                const std::vector<std::string>& potential_parents) {
  if (id_of(after) != id) return "is another entity (" + id_of(after).substr(0, 80) + ")";
  const Json had = delegations_json(before);
  const Json has = delegations_json(after);
  for (const auto& [k, v] : had.items()) {
    if (!has.contains(k)) return "lacks delegation " + k + " the entity had";
  }
  const std::set<std::string> parents(potential_parents.begin(), potential_parents.end());
  for (const auto& p : applied) {
    if (!has.contains(p.key)) return "lacks the delegation to " + p.delegate_id;
    if (auto wrong = check_delegation(has[p.key], p, before, parents); !wrong.empty()) return wrong;
  }
  return "";
}

Result<std::vector<SdkCore::NewDelegate>> SdkCore::new_delegates(
    const std::vector<std::pair<std::string, AccessLevel>>& share_with) {
  std::vector<NewDelegate> out;
  std::vector<std::string> ids;
  for (const auto& entry : share_with) {  // no structured binding: clang 14 cannot capture one
    const std::string& id = entry.first;
    const AccessLevel level = entry.second;
    if (id == self_.id) continue;  // the root delegation: WRITE already
    auto same = std::find_if(out.begin(), out.end(), [&](const NewDelegate& d) { return d.id == id; });
    if (same != out.end()) {
      if (level == AccessLevel::kWrite) same->level = level;
      continue;
    }
    out.push_back(NewDelegate{id, level, false, {}});
    ids.push_back(id);
  }
  if (out.empty()) return out;
  CARDINAL_ASSIGN_OR_RETURN(auto stubs, options_.backend->data_owner_stubs(ids));
  for (std::size_t i = 0; i < out.size(); ++i) {
    out[i].anonymous = options_.strategies->data_owner_requires_anonymous_delegation(engine::info_of(stubs[i]));
    auto keys = delegate_keys(stubs[i]);
    if (!keys.ok()) {
      return Error{keys.error().code(), "nothing was created: cannot share with " + out[i].id + " (" +
                                            keys.error().message() + ")"};
    }
    out[i].keys = std::move(keys).value();
  }
  return out;
}

Result<std::vector<crypto::RsaPublicKey>> SdkCore::delegate_keys(const model::DataOwner& delegate) {
  if (delegate.id == self_.id) return std::vector<crypto::RsaPublicKey>{};
  for (const auto& member : hierarchy_) {
    if (member.id != delegate.id) continue;
    // Our own hierarchy: only keys we hold and verified ourselves, never the server's list.
    std::vector<crypto::RsaPublicKey> out;
    for (const auto* k : ring_->verified_keys_of(member.id)) out.push_back(k->key.public_key());
    if (out.empty()) return Error{ErrorCode::kNoVerifiedKey, "no verified key for hierarchy member " + member.id};
    return out;
  }
  return engine::verified_delegate_keys(delegate, *options_.strategies, trust_.get());
}

Result<SdkCore::ShareDelegateMap> SdkCore::share_delegates(const std::set<std::string>& ids) {
  ShareDelegateMap out;
  std::vector<std::string> others;
  for (const auto& id : ids) {
    if (id == self_.id) {
      // The current user (accept_shared_key): its own verified keys, no stub needed.
      const bool anonymous = options_.strategies->data_owner_requires_anonymous_delegation(engine::info_of(self_));
      out.emplace(id, ShareDelegate{id, anonymous, {}});
    } else {
      others.push_back(id);
    }
  }
  std::map<std::string, Result<model::DataOwner>> stubs;
  if (others.size() > 1) {
    auto all = options_.backend->data_owner_stubs(others);
    if (all.ok()) {
      for (std::size_t i = 0; i < others.size(); ++i) stubs.emplace(others[i], std::move((*all)[i]));
    } else if (all.error().code() != ErrorCode::kNotFound) {
      return all.error();
    }
  }
  for (const auto& id : others) {
    // One delegate, or some unknown: one by one, so that each gets its own error.
    if (stubs.count(id) == 0) stubs.emplace(id, options_.backend->data_owner_stub(id));
  }
  for (auto& [id, stub] : stubs) {
    if (!stub.ok()) {
      out.emplace(id, stub.error());
      continue;
    }
    const bool anonymous = options_.strategies->data_owner_requires_anonymous_delegation(engine::info_of(*stub));
    auto keys = delegate_keys(*stub);
    if (!keys.ok()) {
      out.emplace(id, keys.error());
      continue;
    }
    out.emplace(id, ShareDelegate{id, anonymous, std::move(keys).value()});
  }
  return out;
}

void SdkCore::plan_shares(std::string_view type, ShareState& s, const ShareDelegateMap& delegates) {
  s.planned.clear();
  s.before = s.entity;
  auto access = open_access(s.entity, type);
  if (!access.ok()) {
    s.error = Error{access.error().code(), "cannot share " + what(type, s.id) + ": " + access.error().message()};
    return;
  }
  if (!access->any_verified && access->keys.size() > 1) {
    Error e{ErrorCode::kTamperDetected, what(type, s.id) + " carries " + std::to_string(access->keys.size()) +
                                            " different entity keys (" + access->unverified_sources() +
                                            "): which one is genuine cannot be told, so it is not shared"};
    warn(type, s.id, e);
    s.error = std::move(e);
    return;
  }
  s.potential_parents.assign(access->opened_delegations.begin(), access->opened_delegations.end());
  s.access = *access;
  for (const auto& delegate_id : s.pending) {
    const auto& d = delegates.at(delegate_id);
    if (!d.ok()) {
      s.results.insert_or_assign(delegate_id, d.error());
      continue;
    }
    const std::string subject = what(type, s.id) + " with " + delegate_id;
    auto resolved = resolve(subject, *access, delegate_id, d->anonymous, s.asked->at(delegate_id));
    if (!resolved.ok()) {
      s.results.insert_or_assign(delegate_id, resolved.error());
      continue;
    }
    engine::ShareRequestKind kind = engine::ShareRequestKind::kNew;
    auto request = entities_->share_request(s.before, type, resolved->access, resolved->target, d->keys, &kind);
    if (!request.ok()) {
      s.results.insert_or_assign(delegate_id, request.error());
      continue;
    }
    if (request->is_null()) {  // the delegate has all of it already: nothing to send
      s.results.insert_or_assign(delegate_id, ShareOutcome::kAlreadyShared);
      continue;
    }
    auto key = key_of(*request);
    if (!key.ok()) {
      s.results.insert_or_assign(delegate_id, key.error());
      continue;
    }
    s.planned.push_back(PlannedShare{delegate_id, outcome_of(kind), std::move(key).value(), std::move(request).value()});
  }
  s.pending.clear();
}

void SdkCore::read_share_answer(std::string_view type, ShareState& s, const std::vector<BulkShareResult>& answer,
                                bool may_retry) {
  const BulkShareResult* item = nullptr;
  int items = 0;
  for (const auto& r : answer) {
    if (r.entity_id != s.id) continue;
    item = &r;
    ++items;
  }
  const std::string unknown = ": whether its " + std::to_string(s.planned.size()) +
                              " requests were applied is unknown; share it again (what is already in place is not "
                              "sent twice)";
  if (items != 1) {
    s.error = Error{ErrorCode::kMalformedResponse, "the server's answer to the bulk share " +
                                                       std::string(items == 0 ? "leaves out " : "answers twice for ") +
                                                       what(type, s.id) + unknown};
    return;
  }
  std::map<std::size_t, const ShareRejection*> rejected;
  for (const auto& [request_id, rejection] : item->rejected_requests) {
    std::size_t index = s.planned.size();
    for (std::size_t i = 0; i < s.planned.size(); ++i) {
      if (request_id == std::to_string(i)) index = i;
    }
    if (index == s.planned.size()) {
      s.error = Error{ErrorCode::kMalformedResponse, "the server's answer to the bulk share rejects a request of " +
                                                         what(type, s.id) + " that was not sent" + unknown};
      return;
    }
    rejected.emplace(index, &rejection);
  }
  // Rebuilt on the current version: what the server asks to retry, and what a stale copy caused.
  const bool stale = !item->entity_rev.empty() && item->entity_rev != string_member(s.before, "rev");
  const bool retry = may_retry && !rejected.empty() &&
                     (stale || std::all_of(rejected.begin(), rejected.end(),
                                           [](const auto& r) { return r.second->should_retry; }));
  std::vector<PlannedShare> applied;
  for (std::size_t i = 0; i < s.planned.size(); ++i) {
    auto r = rejected.find(i);
    if (r == rejected.end()) {
      applied.push_back(s.planned[i]);
    } else if (retry) {
      s.pending.push_back(s.planned[i].delegate_id);
    } else {
      s.results.insert_or_assign(s.planned[i].delegate_id,
                                 rejection_error(*r->second, what(type, s.id) + " with " + s.planned[i].delegate_id));
    }
  }
  const bool answered = !applied.empty() && item->updated_entity.has_value();
  if (answered) {
    const std::string wrong = check_shared_entity(s.id, s.before, *item->updated_entity, applied, s.potential_parents);
    if (!wrong.empty()) {
      Error e{ErrorCode::kTamperDetected,
              "the server's answer to the share of " + what(type, s.id) + " " + wrong + ": it is not used"};
      warn(type, s.id, e);
      s.error = std::move(e);
      return;
    }
    if (const std::string field = changed_content(s.before, *item->updated_entity, s.access.key_pointers());
        !field.empty()) {
      // A share changes delegations only: other content (an older version, another entity's) is
      // not returned; the stored version is read again and the shares verified on it. A stale
      // copy (the server says its revision was not the current one) explains a change.
      if (!stale) {
        warn(type, s.id,
             Error{ErrorCode::kTamperDetected, "the server's answer to the share of " + what(type, s.id) +
                                                   " changes '" + field.substr(0, 80) +
                                                   "', not only its delegations: that content is not used, the "
                                                   "entity is read again"});
      }
      s.to_verify = std::move(applied);
      s.fetch = true;
      return;
    }
    for (const auto& p : applied) s.results.insert_or_assign(p.delegate_id, p.outcome);
    s.entity = *item->updated_entity;
  } else if (!applied.empty()) {
    s.to_verify = std::move(applied);  // no updated entity in the answer: verified on the fetched one
    s.fetch = true;
  }
  // Requests to rebuild need the current version: the answer's when it was verified above.
  if (!s.pending.empty() && !answered) s.fetch = true;
}

}  // namespace cardinal::api
