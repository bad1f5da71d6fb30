// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#include "engine/entity_crypto.hpp"

#include <cardinal/crypto/encoding.hpp>

#include "engine/access_control.hpp"
#include "engine/delegation_crypto.hpp"
#include "model/secure_delegation_view.hpp"

#include <algorithm>

namespace cardinal::engine {

namespace {

std::string entity_id_of(const Json& entity) {
  auto it = entity.find("id");
  return it != entity.end() && it->is_string() ? it->get<std::string>() : std::string("<no id>");
}

struct DelegationValues {
  std::vector<crypto::AesKey> keys;
  std::vector<std::string> secret_ids;
  std::vector<std::string> owning_ids;
};

// Decrypts every value of a delegation (in the order of the model's sets); any failure fails the
// whole delegation.
Result<DelegationValues> open_values(const model::SecureDelegationView& d, const crypto::AesKey& exchange_key) {
  DelegationValues out;
  Status failed;
  model::for_each_value(d.encryption_keys, [&](std::string_view v) {
    if (!failed.ok()) return;
    auto k = decrypt_entity_key(exchange_key, v);
    if (k.ok()) {
      out.keys.push_back(std::move(k).value());
    } else {
      failed = k.error();
    }
  });
  auto ids = [&](const Json* list, std::vector<std::string>& into) {
    model::for_each_value(list, [&](std::string_view v) {
      if (!failed.ok()) return;
      auto id = decrypt_delegation_id(exchange_key, v);
      if (id.ok()) {
        into.push_back(std::move(id).value());
      } else {
        failed = id.error();
      }
    });
  };
  ids(d.secret_ids, out.secret_ids);
  ids(d.owning_entity_ids, out.owning_ids);
  if (!failed.ok()) return failed.error();
  return out;
}

// The delegation under `key` (`delegations` sorted by key), or null.
const model::SecureDelegationView* find_delegation(const std::vector<model::SecureDelegationView>& delegations,
                                                   std::string_view key) {
  auto it = std::lower_bound(delegations.begin(), delegations.end(), key,
                             [](const model::SecureDelegationView& d, std::string_view k) { return d.key < k; });
  return it != delegations.end() && it->key == key ? &*it : nullptr;
}

Result<Json> encrypt_values(const crypto::AesKey& exchange_key, const std::vector<std::string>& ids) {
  Json out = Json::array();
  for (const auto& id : ids) {
    CARDINAL_ASSIGN_OR_RETURN(auto v, encrypt_delegation_value(exchange_key, as_bytes(id)));
    out.push_back(v);
  }
  return out;
}

Result<Json> encrypt_keys(const crypto::AesKey& exchange_key, const std::vector<const crypto::AesKey*>& keys) {
  Json out = Json::array();
  for (const auto* k : keys) {
    CARDINAL_ASSIGN_OR_RETURN(auto v, encrypt_delegation_value(exchange_key, k->secret().reveal()));
    out.push_back(v);
  }
  return out;
}

}  // namespace

EntityCrypto::EntityCrypto(ExchangeDataManager& exchange_data, std::set<std::string> hierarchy_ids, bool self_anonymous,
                           TamperListener on_tamper)
    : exchange_data_(exchange_data),
      self_anonymous_(self_anonymous),
      on_tamper_(std::move(on_tamper)) {
  hierarchy_.insert(hierarchy_ids.begin(), hierarchy_ids.end());
}

void EntityCrypto::report(std::string_view kind, const std::string& id, Error error) const {
  if (on_tamper_) on_tamper_(TamperReport{std::string(kind), id, std::move(error)});
}

Result<OpenedExchangeData> EntityCrypto::exchange_data_for(const std::string& key,
                                                           const model::SecureDelegationView& d,
                                                           std::string_view entity_type) {
  const bool names_us = in_hierarchy(d.delegator) || in_hierarchy(d.delegate);
  if (names_us && d.exchange_data_id) return exchange_data_.get(std::string(*d.exchange_data_id));
  if (names_us) return exchange_data_.get_via_map(key);
  if (auto hit = exchange_data_.find_by_delegation_key(key, entity_type)) return hit;
  return Error{ErrorCode::kKeyNotAvailable, "delegation not reachable"};
}

std::shared_ptr<const EntityCrypto::Derived> EntityCrypto::derived_of(const OpenedExchangeData& x,
                                                                      std::string_view entity_type) const {
  constexpr std::size_t kMaxDerived = 4096;
  std::pair<const DecryptedExchangeData*, std::string> id{x.get(), std::string(entity_type)};
  {
    std::lock_guard lock(derived_mutex_);
    if (auto it = derived_.find(id); it != derived_.end() && it->second.source.lock() == x) return it->second.derived;
  }
  auto derived = std::make_shared<Derived>();
  if (auto ack = access_control_key(x->secrets.access_control_secret, entity_type); ack.ok()) {
    derived->key = secure_delegation_key(ack->reveal());
  }
  derived->source = "exchange data " + x->record.id + " (delegator " + x->record.delegator + ")";
  std::lock_guard lock(derived_mutex_);
  if (derived_.size() >= kMaxDerived) derived_.clear();
  derived_[std::move(id)] = DerivedEntry{x, derived};
  return derived;
}

std::optional<std::string> EntityCrypto::delegation_key_of(const OpenedExchangeData& x,
                                                          std::string_view entity_type) const {
  return derived_of(x, entity_type)->key;
}

std::string EntityAccess::unverified_sources() const {
  std::string out;
  for (const auto& k : keys) {
    if (k.provenance == Provenance::kVerified) continue;
    for (const auto& s : k.sources) out += (out.empty() ? "" : ", ") + s;
  }
  return out.empty() ? std::string("no unverified source") : out;
}

Result<EntityAccess> EntityCrypto::open(const Json& entity, std::string_view entity_type) {
  if (!is_entity_type(entity_type)) {
    return Error{ErrorCode::kInvalidArgument, "unknown entity type '" + std::string(entity_type) + "'"};
  }
  // (Read in place: every view points into `entity`, which outlives this call.)
  CARDINAL_ASSIGN_OR_RETURN(auto delegations, model::secure_delegation_views_of(entity));
  std::optional<std::string> id_text;  // for messages only
  auto id = [&]() -> const std::string& {
    if (!id_text) id_text = entity_id_of(entity);
    return *id_text;
  };
  EntityAccess access;
  for (const auto& d : delegations) {
    std::string key(d.key);
    auto opened = exchange_data_for(key, d, entity_type);
    if (!opened.ok()) {
      if (opened.error().code() == ErrorCode::kTamperDetected) report(entity_type, id(), opened.error());
      continue;
    }
    const auto& record = (*opened)->record;
    const auto& secrets = (*opened)->secrets;
    // The delegation must sit under the key its exchange data derives for this entity type, and
    // name the same pair as that exchange data (malicious-server.md M13). Otherwise: not used.
    const auto derived = derived_of(*opened, entity_type);
    if (derived->key != key) {
      report(entity_type, id(),
             Error{ErrorCode::kTamperDetected, "delegation " + key + " of " + std::string(entity_type) + " " + id() +
                                                   " is not under the key its exchange data " + record.id +
                                                   " gives: ignored"});
      continue;
    }
    if ((d.delegator && *d.delegator != record.delegator) || (d.delegate && *d.delegate != record.delegate)) {
      report(entity_type, id(),
             Error{ErrorCode::kTamperDetected, "delegation " + key + " of " + std::string(entity_type) + " " + id() +
                                                   " names a pair other than its exchange data " + record.id +
                                                   " (" + record.delegator + " → " + record.delegate + "): ignored"});
      continue;
    }
    auto values = open_values(d, secrets.exchange_key);
    if (!values.ok()) {
      report(entity_type, id(), Error{values.error().code(), "delegation " + key + ": " + values.error().message()});
      continue;
    }
    // Authenticated only when we (or a hierarchy member whose verified key we hold) made it.
    const bool verified = (*opened)->shared_signature_valid && (*opened)->delegator_signature_valid &&
                          hierarchy_.count(record.delegator) != 0;
    const Provenance provenance = verified ? Provenance::kVerified : Provenance::kUnverified;
    const std::string& source = derived->source;  // "exchange data <id> (delegator <id>)"
    for (auto& k : values->keys) {
      auto it = std::find_if(access.keys.begin(), access.keys.end(), [&](const AccessibleKey& a) { return a.key == k; });
      if (it == access.keys.end()) {
        access.keys.push_back(AccessibleKey{std::move(k), provenance, {source}, {}, {}});
        it = std::prev(access.keys.end());
      } else {
        it->sources.insert(source);
        if (verified) it->provenance = Provenance::kVerified;
      }
      it->secret_ids.insert(values->secret_ids.begin(), values->secret_ids.end());
      it->owning_entity_ids.insert(values->owning_ids.begin(), values->owning_ids.end());
    }
    if (!verified && values->keys.empty() && (!values->secret_ids.empty() || !values->owning_ids.empty())) {
      access.keyless_sources.insert(source);
    }
    access.secret_ids.insert(values->secret_ids.begin(), values->secret_ids.end());
    access.owning_entity_ids.insert(values->owning_ids.begin(), values->owning_ids.end());
    if (verified) {
      access.any_verified = true;
      access.verified_secret_ids.insert(values->secret_ids.begin(), values->secret_ids.end());
      access.verified_owning_entity_ids.insert(values->owning_ids.begin(), values->owning_ids.end());
    }
    access.opened_delegations.insert(std::move(key));
    if (d.permissions == AccessLevel::kWrite) access.can_write = true;
  }
  if (access.opened_delegations.empty()) {
    return Error{ErrorCode::kKeyNotAvailable, "no delegation of entity " + id() + " can be opened by the current user"};
  }
  return access;
}

Result<Json> EntityCrypto::root_metadata(std::string_view entity_type, const crypto::AesKey& entity_key,
                                         const std::string& secret_id,
                                         const std::vector<std::string>& owning_entity_ids) {
  if (!is_entity_type(entity_type)) {
    return Error{ErrorCode::kInvalidArgument, "unknown entity type '" + std::string(entity_type) + "'"};
  }
  const std::string& self = exchange_data_.self_id();
  CARDINAL_ASSIGN_OR_RETURN(auto opened, exchange_data_.get_or_create_for_encryption(self, {}));
  CARDINAL_ASSIGN_OR_RETURN(auto ack, access_control_key(opened->secrets.access_control_secret, entity_type));
  const crypto::AesKey& ek = opened->secrets.exchange_key;
  Json d = Json::object();
  if (!self_anonymous_) {
    d["delegator"] = self;
    d["delegate"] = self;
  }
  CARDINAL_ASSIGN_OR_RETURN(d["secretIds"], encrypt_values(ek, {secret_id}));
  CARDINAL_ASSIGN_OR_RETURN(d["encryptionKeys"], encrypt_keys(ek, {&entity_key}));
  CARDINAL_ASSIGN_OR_RETURN(d["owningEntityIds"], encrypt_values(ek, owning_entity_ids));
  d["parentDelegations"] = Json::array();
  if (!self_anonymous_) d["exchangeDataId"] = opened->record.id;
  d["permissions"] = "WRITE";
  Json delegations = Json::object();
  delegations[secure_delegation_key(ack.reveal())] = d;
  return Json{{"secureDelegations", delegations}};
}

Result<std::map<std::string, std::string>> EntityCrypto::encrypted_exchange_data_id(
    const OpenedExchangeData& opened, const std::vector<crypto::RsaPublicKey>& delegate_keys) const {
  std::vector<crypto::RsaPublicKey> for_keys;
  if (!self_anonymous_) {
    for (const auto* k : exchange_data_.keys().verified_keys_of(exchange_data_.self_id())) {
      for_keys.push_back(k->key.public_key());
    }
  } else {
    for (const auto& k : delegate_keys) {
      if (opened->record.exchange_key.count(k.fingerprint_v2()) != 0) for_keys.push_back(k);
    }
  }
  std::map<std::string, std::string> out;
  for (const auto& pub : for_keys) {
    CARDINAL_ASSIGN_OR_RETURN(Bytes ct, pub.encrypt(as_bytes(opened->record.id)));
    out[pub.fingerprint_v2()] = crypto::base64_encode(ct);
  }
  return out;
}

Result<InitialDelegation> EntityCrypto::initial_delegation(std::string_view entity_type, const crypto::AesKey& entity_key,
                                                           const std::string& secret_id,
                                                           const std::vector<std::string>& owning_entity_ids,
                                                           const std::string& root_key, const ShareTarget& target,
                                                           const std::vector<crypto::RsaPublicKey>& delegate_keys) {
  if (!is_entity_type(entity_type)) {
    return Error{ErrorCode::kInvalidArgument, "unknown entity type '" + std::string(entity_type) + "'"};
  }
  CARDINAL_ASSIGN_OR_RETURN(auto opened,
                            exchange_data_.get_or_create_for_encryption(target.delegate_id, delegate_keys));
  CARDINAL_ASSIGN_OR_RETURN(auto ack, access_control_key(opened->secrets.access_control_secret, entity_type));
  const crypto::AesKey& ek = opened->secrets.exchange_key;
  InitialDelegation out;
  out.key = secure_delegation_key(ack.reveal());
  Json& d = out.delegation;
  d = Json::object();
  if (!self_anonymous_) d["delegator"] = exchange_data_.self_id();
  if (!target.delegate_anonymous) d["delegate"] = target.delegate_id;
  const std::vector<std::string> no_ids;
  CARDINAL_ASSIGN_OR_RETURN(d["secretIds"], encrypt_values(ek, target.share_secret_ids ? std::vector<std::string>{secret_id} : no_ids));
  CARDINAL_ASSIGN_OR_RETURN(d["encryptionKeys"],
                            encrypt_keys(ek, target.share_entity_key ? std::vector<const crypto::AesKey*>{&entity_key}
                                                                     : std::vector<const crypto::AesKey*>{}));
  CARDINAL_ASSIGN_OR_RETURN(d["owningEntityIds"],
                            encrypt_values(ek, target.share_owning_entity_ids ? owning_entity_ids : no_ids));
  d["parentDelegations"] = Json::array({root_key});
  if (!self_anonymous_ && !target.delegate_anonymous) {
    d["exchangeDataId"] = opened->record.id;
  } else if (self_anonymous_ != target.delegate_anonymous) {
    out.map_access_control_key = crypto::hex_encode(ack.reveal());
    CARDINAL_ASSIGN_OR_RETURN(out.encrypted_exchange_data_id, encrypted_exchange_data_id(opened, delegate_keys));
    exchange_data_.remember_map_entry(out.key, opened->record.id);  // reading it back needs no map
  }
  d["permissions"] = target.level == AccessLevel::kWrite ? "WRITE" : "READ";
  return out;
}

Result<Json> EntityCrypto::share_request(const Json& entity, std::string_view entity_type, const EntityAccess& access,
                                         const ShareTarget& target,
                                         const std::vector<crypto::RsaPublicKey>& delegate_keys,
                                         ShareRequestKind* kind) {
  if (!is_entity_type(entity_type)) {
    return Error{ErrorCode::kInvalidArgument, "unknown entity type '" + std::string(entity_type) + "'"};
  }
  const std::string& self = exchange_data_.self_id();
  CARDINAL_ASSIGN_OR_RETURN(auto opened,
                            exchange_data_.get_or_create_for_encryption(target.delegate_id, delegate_keys));
  CARDINAL_ASSIGN_OR_RETURN(auto ack, access_control_key(opened->secrets.access_control_secret, entity_type));
  std::string key = secure_delegation_key(ack.reveal());

  // Verified keys and ids when the entity has any: what arrived through unverifiable exchange data
  // next to them is not passed on (it may be the server's).
  std::vector<const crypto::AesKey*> keys;
  if (target.share_entity_key) keys = access.keys_to_share();
  std::vector<std::string> secret_ids;
  if (target.share_secret_ids) secret_ids.assign(access.secret_ids_to_share().begin(), access.secret_ids_to_share().end());
  std::vector<std::string> owning_ids;
  if (target.share_owning_entity_ids)
    owning_ids.assign(access.owning_ids_to_share().begin(), access.owning_ids_to_share().end());

  CARDINAL_ASSIGN_OR_RETURN(auto delegations, model::secure_delegation_views_of(entity));
  const int wanted = target.level == AccessLevel::kWrite ? 1 : 0;
  // (Of a key found among `delegations`.)
  auto rank = [&delegations](const std::string& k) {
    return find_delegation(delegations, k)->permissions == AccessLevel::kWrite ? 1 : 0;
  };
  // The delegation this user already gave the delegate with the highest permission: the one under
  // the exchange data new shares use, or one under other exchange data self → delegate.
  std::string best_key;
  OpenedExchangeData best_data;
  std::set<std::string> used_exchange_data;  // exchange data self → delegate already on the entity
  auto consider = [&](const OpenedExchangeData& x) {
    const auto derived = delegation_key_of(x, entity_type);
    if (!derived) return;
    const std::string& k = *derived;
    if (find_delegation(delegations, k) == nullptr) return;
    used_exchange_data.insert(x->record.id);
    if (best_key.empty() || rank(k) > rank(best_key)) {
      best_key = k;
      best_data = x;
    }
  };
  consider(opened);
  auto cached = exchange_data_.cached();
  for (const auto& x : cached) {
    if (x->record.delegator == self && x->record.delegate == target.delegate_id) consider(x);
  }
  if (!best_key.empty() && rank(best_key) < wanted) {
    // Before adding a second delegation, look at every exchange data self → delegate the server has.
    CARDINAL_ASSIGN_OR_RETURN(auto all, exchange_data_.all_to(target.delegate_id));
    for (const auto& x : all) consider(x);
  }

  if (!best_key.empty() && rank(best_key) >= wanted) {
    // The delegate already has a delegation at this level: add what is missing.
    const crypto::AesKey& ek = best_data->secrets.exchange_key;
    CARDINAL_ASSIGN_OR_RETURN(auto have, open_values(*find_delegation(delegations, best_key), ek));
    Json update = Json{{"metadataAccessControlHash", best_key}};
    bool any = false;
    auto add_missing = [&](const char* field, Json values) {
      if (values.empty()) return;
      Json ops = Json::object();
      for (const auto& v : values) ops[v.get<std::string>()] = "CREATE";
      update[field] = ops;
      any = true;
    };
    std::vector<const crypto::AesKey*> missing_keys;
    for (const auto* k : keys) {
      if (std::none_of(have.keys.begin(), have.keys.end(), [&](const crypto::AesKey& h) { return h == *k; })) {
        missing_keys.push_back(k);
      }
    }
    std::vector<std::string> missing_secret, missing_owning;
    for (const auto& s : secret_ids) {
      if (std::find(have.secret_ids.begin(), have.secret_ids.end(), s) == have.secret_ids.end())
        missing_secret.push_back(s);
    }
    for (const auto& s : owning_ids) {
      if (std::find(have.owning_ids.begin(), have.owning_ids.end(), s) == have.owning_ids.end())
        missing_owning.push_back(s);
    }
    CARDINAL_ASSIGN_OR_RETURN(auto k_json, encrypt_keys(ek, missing_keys));
    CARDINAL_ASSIGN_OR_RETURN(auto s_json, encrypt_values(ek, missing_secret));
    CARDINAL_ASSIGN_OR_RETURN(auto o_json, encrypt_values(ek, missing_owning));
    add_missing("encryptionKeys", std::move(k_json));
    add_missing("secretIds", std::move(s_json));
    add_missing("owningEntityIds", std::move(o_json));
    if (!any) return Json(nullptr);
    if (kind != nullptr) *kind = ShareRequestKind::kUpdate;
    return Json{{"update", update}};
  }
  if (!best_key.empty()) {
    // READ only, WRITE wanted: a new delegation under exchange data not yet used on this entity.
    CARDINAL_ASSIGN_OR_RETURN(opened, exchange_data_.get_or_create_for_encryption(target.delegate_id, delegate_keys,
                                                                                 used_exchange_data));
    CARDINAL_ASSIGN_OR_RETURN(ack, access_control_key(opened->secrets.access_control_secret, entity_type));
    key = secure_delegation_key(ack.reveal());
    if (find_delegation(delegations, key) != nullptr) {
      return Error{ErrorCode::kInternal, "no unused exchange data to " + target.delegate_id + " for the upgrade"};
    }
    if (kind != nullptr) *kind = ShareRequestKind::kUpgrade;
  } else if (kind != nullptr) {
    *kind = ShareRequestKind::kNew;
  }
  const crypto::AesKey& ek = opened->secrets.exchange_key;

  Json share = Json::object();
  if (!self_anonymous_) share["explicitDelegator"] = self;
  if (!target.delegate_anonymous) share["explicitDelegate"] = target.delegate_id;
  share["accessControlKeys"] = Json::array({crypto::hex_encode(ack.reveal())});
  CARDINAL_ASSIGN_OR_RETURN(share["secretIds"], encrypt_values(ek, secret_ids));
  CARDINAL_ASSIGN_OR_RETURN(share["encryptionKeys"], encrypt_keys(ek, keys));
  CARDINAL_ASSIGN_OR_RETURN(share["owningEntityIds"], encrypt_values(ek, owning_ids));
  if (!self_anonymous_ && !target.delegate_anonymous) {
    share["exchangeDataId"] = opened->record.id;
  } else if (self_anonymous_ != target.delegate_anonymous) {
    // The explicit party finds the exchange data through a map.
    CARDINAL_ASSIGN_OR_RETURN(auto encrypted, encrypted_exchange_data_id(opened, delegate_keys));
    share["encryptedExchangeDataId"] = encrypted;
    exchange_data_.remember_map_entry(secure_delegation_key(ack.reveal()), opened->record.id);
  }
  share["requestedPermissions"] = target.level == AccessLevel::kWrite ? "FULL_WRITE" : "FULL_READ";
  return Json{{"share", share}};
}

std::vector<SecretBytes> EntityCrypto::access_control_keys(std::string_view entity_type) const {
  std::vector<SecretBytes> out;
  for (const auto& opened : exchange_data_.cached()) {
    auto ack = access_control_key(opened->secrets.access_control_secret, entity_type);
    if (ack.ok()) out.push_back(std::move(ack).value());
  }
  return out;
}

}  // namespace cardinal::engine
