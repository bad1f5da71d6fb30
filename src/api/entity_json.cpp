// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#include "api/entity_json.hpp"

#include <cardinal/model/crypto_model.hpp>

namespace cardinal::api {

std::string id_of(const Json& j) {
  return j.is_object() && j.contains("id") && j["id"].is_string() ? j["id"].get<std::string>() : "";
}

Json delegations_json(const Json& entity) {
  if (!entity.is_object()) return Json::object();
  auto sm = entity.find("securityMetadata");
  if (sm == entity.end() || !sm->is_object()) return Json::object();
  auto sd = sm->find("secureDelegations");
  return sd == sm->end() || !sd->is_object() ? Json::object() : *sd;
}

bool same_delegations(const Json& a, const Json& b) {
  auto da = model::secure_delegations_of(a);
  auto db = model::secure_delegations_of(b);
  if (!da.ok() || !db.ok() || da->size() != db->size()) return false;
  for (const auto& [key, x] : *da) {
    auto it = db->find(key);
    if (it == db->end()) return false;
    const auto& y = it->second;
    if (x.delegator != y.delegator || x.delegate != y.delegate || x.secret_ids != y.secret_ids ||
        x.encryption_keys != y.encryption_keys || x.owning_entity_ids != y.owning_entity_ids ||
        x.parent_delegations != y.parent_delegations || x.exchange_data_id != y.exchange_data_id ||
        x.permissions != y.permissions) {
      return false;
    }
  }
  return true;
}

}  // namespace cardinal::api
