// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#include "model/secure_delegation_view.hpp"

#include <cardinal/model/crypto_model.hpp>

namespace cardinal::model {

namespace {

Error bad_delegation(std::string_view what) { return Error{ErrorCode::kMalformedInput, std::string(what)}; }

// Optional string member: null → nullopt; other types → error.
Result<std::optional<std::string_view>> view_string(const Json& v, const char* key) {
  if (v.is_null()) return std::optional<std::string_view>{};
  if (!v.is_string()) return bad_delegation(std::string("field '") + key + "' must be a string");
  const std::string& s = v.get_ref<const std::string&>();
  if (s.size() > Limits::kMaxEncodedValue) return bad_delegation(std::string("field '") + key + "' is too long");
  return std::optional<std::string_view>{std::string_view(s)};
}

// Optional list of strings: null → nullptr; checked like the model's string sets.
Result<const Json*> view_list(const Json& v, const char* key) {
  if (v.is_null()) return static_cast<const Json*>(nullptr);
  if (!v.is_array()) return bad_delegation(std::string("field '") + key + "' must be an array");
  if (v.size() > Limits::kMaxDelegationValues) {
    return bad_delegation(std::string("field '") + key + "' has too many elements");
  }
  for (const auto& e : v) {
    if (!e.is_string()) return bad_delegation(std::string("elements of '") + key + "' must be strings");
    if (e.get_ref<const std::string&>().size() > Limits::kMaxEncodedValue) {
      return bad_delegation(std::string("element of '") + key + "' is too long");
    }
  }
  return &v;
}

// The members read_secure_delegation checks, in the order it checks them (the first failing
// check gives the error, as in the model's field-by-field reading).
namespace sdv {  // (named: unity builds merge anonymous namespaces)
enum Member : std::size_t { kDelegator, kDelegate, kSecretIds, kEncryptionKeys, kOwningIds, kParents, kExchangeDataId,
                            kPermissions, kMemberCount };
constexpr const char* kMemberNames[kMemberCount] = {"delegator",       "delegate",          "secretIds",
                                                    "encryptionKeys",  "owningEntityIds",   "parentDelegations",
                                                    "exchangeDataId",  "permissions"};
}  // namespace sdv

}  // namespace

Result<SecureDelegationView> read_secure_delegation(const Json& object) {
  if (!object.is_object()) return bad_delegation("secure delegation must be an object");
  // One pass over the members (a JSON object's keys are unique; were one repeated, the first is
  // read, as Json::find does).
  using namespace sdv;
  const Json* found[kMemberCount] = {};
  for (auto it = object.begin(); it != object.end(); ++it) {
    const std::string& k = it.key();
    for (std::size_t m = 0; m < kMemberCount; ++m) {
      if (found[m] == nullptr && k == kMemberNames[m]) {
        found[m] = &*it;
        break;
      }
    }
  }
  static const Json kNull;
  auto at = [&](Member m) -> const Json& { return found[m] != nullptr ? *found[m] : kNull; };
  SecureDelegationView s;
  CARDINAL_ASSIGN_OR_RETURN(s.delegator, view_string(at(kDelegator), "delegator"));
  CARDINAL_ASSIGN_OR_RETURN(s.delegate, view_string(at(kDelegate), "delegate"));
  CARDINAL_ASSIGN_OR_RETURN(s.secret_ids, view_list(at(kSecretIds), "secretIds"));
  CARDINAL_ASSIGN_OR_RETURN(s.encryption_keys, view_list(at(kEncryptionKeys), "encryptionKeys"));
  CARDINAL_ASSIGN_OR_RETURN(s.owning_entity_ids, view_list(at(kOwningIds), "owningEntityIds"));
  CARDINAL_ASSIGN_OR_RETURN(s.parent_delegations, view_list(at(kParents), "parentDelegations"));
  CARDINAL_ASSIGN_OR_RETURN(s.exchange_data_id, view_string(at(kExchangeDataId), "exchangeDataId"));
  CARDINAL_ASSIGN_OR_RETURN(auto perm, view_string(at(kPermissions), "permissions"));
  if (!perm || *perm == "READ") {
    s.permissions = AccessLevel::kRead;
  } else if (*perm == "WRITE") {
    s.permissions = AccessLevel::kWrite;
  } else {
    return bad_delegation("secure delegation permissions must be READ or WRITE");
  }
  s.json = &object;
  return s;
}

Result<std::vector<SecureDelegationView>> secure_delegation_views_of(const Json& entity) {
  std::vector<SecureDelegationView> out;
  if (!entity.is_object()) return bad_delegation("entity must be a JSON object");
  auto sm = entity.find("securityMetadata");
  if (sm == entity.end() || sm->is_null()) return out;
  if (!sm->is_object()) return bad_delegation("securityMetadata must be an object");
  auto sd = sm->find("secureDelegations");
  if (sd == sm->end() || sd->is_null()) return out;
  if (!sd->is_object()) return bad_delegation("secureDelegations must be an object");
  if (sd->size() > Limits::kMaxDelegations) return bad_delegation("too many secure delegations");
  out.reserve(sd->size());
  for (auto it = sd->begin(); it != sd->end(); ++it) {
    CARDINAL_ASSIGN_OR_RETURN(auto delegation, read_secure_delegation(*it));
    delegation.key = it.key();
    out.push_back(delegation);
  }
  if (out.size() > 1) {
    // (Keys of a JSON object are unique; were one repeated, the first is kept, as a map's emplace.)
    std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.key < b.key; });
    out.erase(std::unique(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.key == b.key; }),
              out.end());
  }
  return out;
}

}  // namespace cardinal::model
