// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once
// Plays a compromised database that forges access: exchange data `claimed_delegator → victim`
// encrypted for the victim's real public key (so the victim opens it, unverified), and a
// delegation through it carrying ids (and optionally an entity key) of the test's choosing, added
// to a stored entity.

#include <cardinal/crypto/encoding.hpp>

#include "engine/access_control.hpp"
#include "engine/delegation_crypto.hpp"
#include "engine/exchange_data_crypto.hpp"
#include "tamper_db.hpp"

#include <optional>
#include <string>
#include <vector>

namespace cardinal::testing {

struct ForgedDelegation {
  std::string delegation_key;
  Json delegation;
};

/// Stores the forged exchange data (id "forged-<suffix>") and returns the delegation to add.
inline ForgedDelegation forge_delegation(TamperDb& db, const std::string& suffix, const std::string& claimed_delegator,
                                         const std::string& victim, const std::string& victim_spki,
                                         std::string_view type, const std::vector<std::string>& secret_ids,
                                         const std::vector<std::string>& owning_ids,
                                         const std::optional<crypto::AesKey>& entity_key) {
  auto secrets = engine::ExchangeSecrets::generate().value();
  auto victim_pub = crypto::RsaPublicKey::from_spki_hex(victim_spki, crypto::RsaOaepHash::kSha256).value();
  auto evil = crypto::RsaPrivateKey::generate(2048, crypto::RsaOaepHash::kSha256).value();
  auto record =
      engine::build_exchange_data("forged-" + suffix, claimed_delegator, victim, secrets, {victim_pub}, {&evil}).value();
  Json stored = record.to_json();
  stored["rev"] = "1-forged";
  db.put("exchange_data", stored);
  auto ack = engine::access_control_key(secrets.access_control_secret, type).value();
  auto enc = [&](const std::vector<std::string>& values) {
    Json out = Json::array();
    for (const auto& v : values) out.push_back(engine::encrypt_delegation_value(secrets.exchange_key, as_bytes(v)).value());
    return out;
  };
  Json d = Json::object();
  d["delegator"] = claimed_delegator;
  d["delegate"] = victim;
  d["secretIds"] = enc(secret_ids);
  d["encryptionKeys"] = Json::array();
  if (entity_key) {
    d["encryptionKeys"].push_back(engine::encrypt_delegation_value(secrets.exchange_key, entity_key->secret().reveal()).value());
  }
  d["owningEntityIds"] = enc(owning_ids);
  d["parentDelegations"] = Json::array();
  d["exchangeDataId"] = record.id;
  d["permissions"] = "WRITE";  // a delegation without parent is a root one: WRITE (the server checks it)
  return ForgedDelegation{engine::secure_delegation_key(ack.reveal()), std::move(d)};
}

/// Adds `f` to the stored entity `id` of `table`.
inline void add_forged_delegation(TamperDb& db, const std::string& table, const std::string& id,
                                  const ForgedDelegation& f) {
  Json j = db.get(table, id);
  j["securityMetadata"]["secureDelegations"][f.delegation_key] = f.delegation;
  db.put(table, j);
}

}  // namespace cardinal::testing
