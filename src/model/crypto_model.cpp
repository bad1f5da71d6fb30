// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#include <cardinal/model/crypto_model.hpp>

#include "model/secure_delegation_view.hpp"

#include <algorithm>

namespace cardinal::model {

namespace {

Error malformed(std::string_view what) { return Error{ErrorCode::kMalformedInput, std::string(what)}; }

// Optional string field: absent or null → nullopt; other types → error.
Result<std::optional<std::string>> opt_string(const Json& o, const char* key) {
  auto it = o.find(key);
  if (it == o.end() || it->is_null()) return std::optional<std::string>{};
  if (!it->is_string()) return malformed(std::string("field '") + key + "' must be a string");
  if (it->get_ref<const std::string&>().size() > Limits::kMaxEncodedValue) {
    return malformed(std::string("field '") + key + "' is too long");
  }
  return std::optional<std::string>{it->get<std::string>()};
}

Result<std::string> req_string(const Json& o, const char* key) {
  CARDINAL_ASSIGN_OR_RETURN(auto v, opt_string(o, key));
  if (!v || v->empty()) return malformed(std::string("missing field '") + key + "'");
  return *v;
}

Result<std::map<std::string, std::string>> string_map(const Json& o, const char* key) {
  std::map<std::string, std::string> out;
  auto it = o.find(key);
  if (it == o.end() || it->is_null()) return out;
  if (!it->is_object()) return malformed(std::string("field '") + key + "' must be an object");
  if (it->size() > Limits::kMaxMapEntries) return malformed(std::string("field '") + key + "' has too many entries");
  for (const auto& [k, v] : it->items()) {
    if (!v.is_string()) return malformed(std::string("values of '") + key + "' must be strings");
    if (k.size() > Limits::kMaxEncodedValue || v.get_ref<const std::string&>().size() > Limits::kMaxEncodedValue) {
      return malformed(std::string("entry of '") + key + "' is too long");
    }
    out.emplace(k, v.get<std::string>());
  }
  return out;
}

Result<std::vector<std::string>> string_list(const Json& o, const char* key, std::size_t max) {
  std::vector<std::string> out;
  auto it = o.find(key);
  if (it == o.end() || it->is_null()) return out;
  if (!it->is_array()) return malformed(std::string("field '") + key + "' must be an array");
  if (it->size() > max) return malformed(std::string("field '") + key + "' has too many elements");
  for (const auto& v : *it) {
    if (!v.is_string()) return malformed(std::string("elements of '") + key + "' must be strings");
    if (v.get_ref<const std::string&>().size() > Limits::kMaxEncodedValue) {
      return malformed(std::string("element of '") + key + "' is too long");
    }
    out.push_back(v.get<std::string>());
  }
  return out;
}

std::optional<std::string> owned(const std::optional<std::string_view>& v) {
  return v ? std::optional<std::string>(std::string(*v)) : std::nullopt;
}

std::set<std::string> owned_set(const Json* list) {
  std::set<std::string> out;
  if (list != nullptr) {
    for (const auto& v : *list) out.insert(v.get<std::string>());
  }
  return out;
}

SecureDelegation from_view(const SecureDelegationView& view) {
  SecureDelegation s;
  s.delegator = owned(view.delegator);
  s.delegate = owned(view.delegate);
  s.secret_ids = owned_set(view.secret_ids);
  s.encryption_keys = owned_set(view.encryption_keys);
  s.owning_entity_ids = owned_set(view.owning_entity_ids);
  s.parent_delegations = owned_set(view.parent_delegations);
  s.exchange_data_id = owned(view.exchange_data_id);
  s.permissions = view.permissions;
  s.json = *view.json;
  return s;
}

Json to_json_map(const std::map<std::string, std::string>& m) {
  Json out = Json::object();
  for (const auto& [k, v] : m) out[k] = v;
  return out;
}

Json to_json_array(const std::set<std::string>& s) {
  Json out = Json::array();
  for (const auto& v : s) out.push_back(v);
  return out;
}

}  // namespace

std::string_view to_string(DataOwnerType type) noexcept {
  switch (type) {
    case DataOwnerType::kHcp:
      return "hcp";
    case DataOwnerType::kPatient:
      return "patient";
    case DataOwnerType::kDevice:
      return "device";
  }
  return "hcp";
}

Result<DataOwnerType> parse_data_owner_type(std::string_view text) {
  if (text == "hcp") return DataOwnerType::kHcp;
  if (text == "patient") return DataOwnerType::kPatient;
  if (text == "device") return DataOwnerType::kDevice;
  return malformed("unknown data owner type");
}

// ----- DataOwner -----

Result<DataOwner> DataOwner::from_with_type(const Json& with_type) {
  if (!with_type.is_object()) return malformed("data owner with type must be an object");
  CARDINAL_ASSIGN_OR_RETURN(std::string type_text, req_string(with_type, "type"));
  CARDINAL_ASSIGN_OR_RETURN(DataOwnerType type, parse_data_owner_type(type_text));
  auto it = with_type.find("dataOwner");
  if (it == with_type.end()) it = with_type.find("stub");
  if (it == with_type.end()) return malformed("data owner with type has neither 'dataOwner' nor 'stub'");
  return from_json(type, *it);
}

Result<DataOwner> DataOwner::from_json(DataOwnerType type, const Json& object) {
  if (!object.is_object()) return malformed("data owner must be an object");
  DataOwner d;
  d.type = type;
  CARDINAL_ASSIGN_OR_RETURN(d.id, req_string(object, "id"));
  CARDINAL_ASSIGN_OR_RETURN(d.rev, opt_string(object, "rev"));
  CARDINAL_ASSIGN_OR_RETURN(d.parent_id, opt_string(object, "parentId"));
  CARDINAL_ASSIGN_OR_RETURN(d.legacy_public_key, opt_string(object, "publicKey"));
  CARDINAL_ASSIGN_OR_RETURN(d.public_keys_oaep_sha256,
                            string_list(object, "publicKeysForOaepWithSha256", Limits::kMaxKeysPerDataOwner));
  if (auto it = object.find("aesExchangeKeys"); it != object.end() && !it->is_null()) {
    if (!it->is_object()) return malformed("field 'aesExchangeKeys' must be an object");
    if (it->size() > Limits::kMaxKeysPerDataOwner) return malformed("too many aesExchangeKeys owners");
    for (const auto& [k, v] : it->items()) {
      (void)v;
      d.legacy_exchange_key_owners.push_back(k);
    }
  }
  // A key may not be of both kinds (the platform rejects such a data owner).
  const auto sha1 = d.oaep_sha1_keys();
  for (const auto& k : d.public_keys_oaep_sha256) {
    if (std::find(sha1.begin(), sha1.end(), k) != sha1.end()) {
      return malformed("data owner lists the same public key for OAEP-SHA-1 and OAEP-SHA-256");
    }
  }
  d.json = object;
  return d;
}

std::vector<std::string> DataOwner::oaep_sha1_keys() const {
  std::vector<std::string> out;
  if (legacy_public_key && !legacy_public_key->empty()) out.push_back(*legacy_public_key);
  for (const auto& k : legacy_exchange_key_owners) {
    if (std::find(out.begin(), out.end(), k) == out.end()) out.push_back(k);
  }
  return out;
}

Json DataOwner::to_json() const {
  Json out = json.is_object() ? json : Json::object();
  out["id"] = id;
  if (rev) out["rev"] = *rev;
  Json keys = Json::array();
  for (const auto& k : public_keys_oaep_sha256) keys.push_back(k);
  out["publicKeysForOaepWithSha256"] = keys;
  return out;
}

Json DataOwner::to_stub_with_type() const {
  static const char* kStubFields[] = {"id",
                                      "rev",
                                      "deletionDate",
                                      "tags",
                                      "publicKey",
                                      "hcPartyKeys",
                                      "aesExchangeKeys",
                                      "transferKeys",
                                      "privateKeyShamirPartitions",
                                      "publicKeysForOaepWithSha256",
                                      "parentId",
                                      "cryptoActorProperties"};
  const Json full = to_json();
  Json stub = Json::object();
  for (const char* f : kStubFields) {
    if (auto it = full.find(f); it != full.end()) stub[f] = *it;
  }
  return Json{{"type", std::string(to_string(type))}, {"stub", stub}};
}

// ----- ExchangeData -----

Result<ExchangeData> ExchangeData::from_json(const Json& object) {
  if (!object.is_object()) return malformed("exchange data must be an object");
  ExchangeData e;
  CARDINAL_ASSIGN_OR_RETURN(e.id, req_string(object, "id"));
  CARDINAL_ASSIGN_OR_RETURN(e.rev, opt_string(object, "rev"));
  CARDINAL_ASSIGN_OR_RETURN(e.delegator, req_string(object, "delegator"));
  CARDINAL_ASSIGN_OR_RETURN(e.delegate, req_string(object, "delegate"));
  CARDINAL_ASSIGN_OR_RETURN(e.exchange_key, string_map(object, "exchangeKey"));
  CARDINAL_ASSIGN_OR_RETURN(e.access_control_secret, string_map(object, "accessControlSecret"));
  CARDINAL_ASSIGN_OR_RETURN(e.shared_signature_key, string_map(object, "sharedSignatureKey"));
  CARDINAL_ASSIGN_OR_RETURN(e.delegator_signature, string_map(object, "delegatorSignature"));
  CARDINAL_ASSIGN_OR_RETURN(auto sig, opt_string(object, "sharedSignature"));
  e.shared_signature = sig.value_or("");
  e.json = object;
  return e;
}

Json ExchangeData::to_json() const {
  Json out = json.is_object() ? json : Json::object();
  out["id"] = id;
  if (rev) out["rev"] = *rev;
  out["delegator"] = delegator;
  out["delegate"] = delegate;
  out["exchangeKey"] = to_json_map(exchange_key);
  out["accessControlSecret"] = to_json_map(access_control_secret);
  out["sharedSignatureKey"] = to_json_map(shared_signature_key);
  out["delegatorSignature"] = to_json_map(delegator_signature);
  out["sharedSignature"] = shared_signature;
  return out;
}

// ----- ExchangeDataMap -----

Result<ExchangeDataMap> ExchangeDataMap::from_json(const Json& object) {
  if (!object.is_object()) return malformed("exchange data map must be an object");
  ExchangeDataMap m;
  CARDINAL_ASSIGN_OR_RETURN(m.id, req_string(object, "id"));
  CARDINAL_ASSIGN_OR_RETURN(m.rev, opt_string(object, "rev"));
  CARDINAL_ASSIGN_OR_RETURN(m.encrypted_exchange_data_ids, string_map(object, "encryptedExchangeDataIds"));
  m.json = object;
  return m;
}

// ----- SecureDelegation -----

Result<SecureDelegation> SecureDelegation::from_json(const Json& object) {
  // (One validation for both readings: the view's checks are the model's.)
  CARDINAL_ASSIGN_OR_RETURN(auto view, read_secure_delegation(object));
  return from_view(view);
}

Json SecureDelegation::to_json() const {
  Json out = json.is_object() ? json : Json::object();
  if (delegator) out["delegator"] = *delegator;
  if (delegate) out["delegate"] = *delegate;
  out["secretIds"] = to_json_array(secret_ids);
  out["encryptionKeys"] = to_json_array(encryption_keys);
  out["owningEntityIds"] = to_json_array(owning_entity_ids);
  out["parentDelegations"] = to_json_array(parent_delegations);
  if (exchange_data_id) out["exchangeDataId"] = *exchange_data_id;
  out["permissions"] = permissions == AccessLevel::kWrite ? "WRITE" : "READ";
  return out;
}

Result<std::map<std::string, SecureDelegation>> secure_delegations_of(const Json& entity) {
  CARDINAL_ASSIGN_OR_RETURN(auto views, secure_delegation_views_of(entity));
  std::map<std::string, SecureDelegation> out;
  for (const auto& view : views) out.emplace_hint(out.end(), std::string(view.key), from_view(view));
  return out;
}

}  // namespace cardinal::model
