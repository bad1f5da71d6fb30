// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#include "api/sdk_core.hpp"

#include <cardinal/crypto/encoding.hpp>
#include <cardinal/crypto/hash.hpp>
#include <cardinal/crypto/random.hpp>

#include "api/attachment_integrity.hpp"
#include "api/recovery.hpp"
#include "api/rest_backend.hpp"
#include "api/tracking_backend.hpp"
#include "engine/contact_encryption.hpp"
#include "engine/data_owner_keys.hpp"
#include "engine/json_encryption.hpp"

#include <algorithm>
#include <cstdlib>

namespace cardinal::api {

namespace {

constexpr std::size_t kMaxHierarchyDepth = 5;
constexpr int kMaxShareRetries = 3;

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

// Same delegations with the same content (order and formatting of the JSON aside).
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

// Removes the value at a path of clear_fields_requiring_encryption ("a", "a.b", "a[2].b");
// best effort: a path that does not lead anywhere removes nothing.
void erase_path(Json& root, const std::string& path) {
  Json* at = &root;
  std::size_t pos = 0;
  while (at != nullptr) {
    const std::size_t dot = path.find('.', pos);
    std::string part = path.substr(pos, dot == std::string::npos ? std::string::npos : dot - pos);
    std::optional<std::size_t> index;
    if (const auto b = part.find('['); b != std::string::npos && part.back() == ']') {
      index = static_cast<std::size_t>(std::strtoull(part.c_str() + b + 1, nullptr, 10));
      part.resize(b);
    }
    if (!at->is_object()) return;
    auto it = at->find(part);
    if (it == at->end()) return;
    if (dot == std::string::npos && !index) {
      at->erase(part);
      return;
    }
    at = &*it;
    if (index) {
      if (!at->is_array() || *index >= at->size()) return;
      at = &(*at)[*index];
      if (dot == std::string::npos) return;  // an array item itself is never a manifest field
    }
    pos = dot + 1;
  }
}

Error rejection_error(const Json& rejection, const std::string& entity_id) {
  // The server's types are not trusted: a code that is not an integer counts as none.
  auto c = rejection.find("code");
  const int code = c != rejection.end() && c->is_number_integer() && c->get<std::int64_t>() >= 0 &&
                           c->get<std::int64_t>() < 1000
                       ? static_cast<int>(c->get<std::int64_t>())
                       : 0;
  const std::string reason = rejection.contains("reason") && rejection["reason"].is_string()
                                 ? rejection["reason"].get<std::string>()
                                 : std::string("no reason given");
  const std::string msg =
      "share of " + entity_id + " rejected by the server (" + std::to_string(code) + "): " + reason.substr(0, 200);
  // A rejection code that is not an HTTP error status is still the server's failure.
  const ErrorCode mapped = error_code_for_status(code);
  return Error{mapped == ErrorCode::kMalformedResponse ? ErrorCode::kServerError : mapped, msg};
}

// The SDK remembers the OAEP hash of its own verified keys (a key moving list is then reported).
void bind_verified_keys(TrustState& trust, const engine::KeyRing& ring) {
  for (const auto& [fp, own] : ring.all()) {
    if (own.verified) trust.bind(own.data_owner_id, own.key.public_key().spki_hex(), own.key.hash());
  }
}

}  // namespace

Result<std::unique_ptr<SdkCore>> SdkCore::start(CoreOptions options) {
  if (!options.backend) return Error{ErrorCode::kInvalidArgument, "a backend is required"};
  if (!options.keys) return Error{ErrorCode::kInvalidArgument, "a key store is required"};
  if (!options.strategies) {
    return Error{ErrorCode::kInvalidArgument,
                 "crypto strategies are required: the application decides which public keys it trusts "
                 "(BasicCryptoStrategies trusts every delegate key, like the official SDK's default)"};
  }
  CARDINAL_ASSIGN_OR_RETURN(auto trust,
                            TrustState::open(TrustState::Options{options.trust_state_capacity, options.trust_state_file}));
  options.backend = std::make_shared<TrackingBackend>(std::move(options.backend), trust, options.on_tamper);
  std::unique_ptr<SdkCore> core(new SdkCore(std::move(options)));
  core->trust_ = std::move(trust);
  core->revisions_ = std::make_unique<RevisionCache>(core->options_.revision_cache_size);
  CARDINAL_RETURN_IF_ERROR(core->init_keys());
  return core;
}

Status SdkCore::init_keys() {
  Backend& backend = *options_.backend;
  CryptoStrategies& strategies = *options_.strategies;
  CARDINAL_ASSIGN_OR_RETURN(self_, backend.current_data_owner());

  // Hierarchy: self first. Bounded depth, no cycles, and each link must follow parentId.
  hierarchy_ = {self_};
  if (self_.parent_id) {
    CARDINAL_ASSIGN_OR_RETURN(auto chain, backend.current_hierarchy());
    if (chain.empty() || chain.front().id != self_.id) {
      return Error{ErrorCode::kTamperDetected, "the server's hierarchy does not start with the current data owner"};
    }
    if (chain.size() > kMaxHierarchyDepth + 1)
      return Error{ErrorCode::kTamperDetected, "data owner hierarchy too deep"};
    std::set<std::string> seen{self_.id};
    for (std::size_t i = 1; i < chain.size(); ++i) {
      if (!chain[i - 1].parent_id || *chain[i - 1].parent_id != chain[i].id || !seen.insert(chain[i].id).second) {
        return Error{ErrorCode::kTamperDetected, "the server's data owner hierarchy is inconsistent or cyclic"};
      }
    }
    hierarchy_ = std::move(chain);
  }

  ring_ = std::make_shared<engine::KeyRing>();
  if (options_.recovery_key) CARDINAL_RETURN_IF_ERROR(restore_from_recovery_key(*options_.recovery_key));
  std::vector<SelfKeysStatus> to_decide;
  std::map<std::string, std::vector<engine::ParsedKey>> published_by_owner;
  for (auto it = hierarchy_.rbegin(); it != hierarchy_.rend(); ++it) {  // top ancestor first
    const model::DataOwner& member = *it;
    CARDINAL_ASSIGN_OR_RETURN(auto published, engine::published_keys(member));
    CARDINAL_ASSIGN_OR_RETURN(auto local, options_.keys->keys_of(member.id));
    SelfKeysStatus status{engine::info_of(member), {}, {}};
    for (const auto& l : local) {
      ring_->add(member.id, l.key, l.verified);
      const bool is_published = std::any_of(published.begin(), published.end(), [&](const engine::ParsedKey& p) {
        return p.published.spki_hex == l.key.public_key().spki_hex();
      });
      if (is_published && !l.verified) {
        status.unknown_keys.push_back(PublishedKey{l.key.public_key().spki_hex(), l.key.hash()});
      }
    }
    for (const auto& p : published) {
      const bool have = std::any_of(local.begin(), local.end(), [&](const keys::StoredKey& l) {
        return l.key.public_key().spki_hex() == p.published.spki_hex;
      });
      if (!have) status.unavailable_keys.push_back(p.published);
    }
    if (!status.unknown_keys.empty() || !status.unavailable_keys.empty()) to_decide.push_back(std::move(status));
    published_by_owner[member.id] = std::move(published);
  }

  if (!to_decide.empty()) {
    CARDINAL_ASSIGN_OR_RETURN(auto decisions, strategies.recover_and_verify_self_hierarchy_keys(to_decide));
    for (auto& [owner, decision] : decisions) {
      auto published = published_by_owner.find(owner);
      if (published == published_by_owner.end()) continue;  // not a member: ignored
      for (auto& key : decision.recovered) {
        const std::string spki = key.public_key().spki_hex();
        // Same SPKI and same OAEP kind as published (as for recovery-key restores).
        const bool listed = std::any_of(
            published->second.begin(), published->second.end(),
            [&](const engine::ParsedKey& p) { return p.published.spki_hex == spki && p.published.hash == key.hash(); });
        if (!listed) continue;  // a recovered key must be one the data owner publishes
        auto a = decision.authenticity.find(spki);
        const bool verified = a == decision.authenticity.end() || a->second;
        CARDINAL_RETURN_IF_ERROR(options_.keys->put(owner, key, verified));
        ring_->add(owner, key, verified);
      }
      for (const auto& [spki, verified] : decision.authenticity) {
        for (const auto& [fp, own] : ring_->all()) {
          if (own.data_owner_id == owner && own.key.public_key().spki_hex() == spki && own.verified != verified) {
            CARDINAL_RETURN_IF_ERROR(options_.keys->put(owner, own.key, verified));
            ring_->add(owner, own.key, verified);
            break;
          }
        }
      }
    }
  }

  if (ring_->verified_keys_of(self_.id).empty()) {
    KeyGenerationDecision decision = strategies.generate_new_key_for_data_owner(engine::info_of(self_));
    std::optional<crypto::RsaPrivateKey> key;
    switch (decision.kind) {
      case KeyGenerationDecision::Kind::kDeny: {
        const auto published = published_by_owner.find(self_.id);
        if (published != published_by_owner.end() && !published->second.empty()) {
          return Error{ErrorCode::kKeyNotAvailable,
                       "data owner " + self_.id + " already publishes " + std::to_string(published->second.size()) +
                           " public key(s), but no private key for them is available on this device, and no new "
                           "key is created without being asked (data encrypted for the existing keys would stay "
                           "unreadable). Ways forward: start with the recovery key (SdkOptions::recovery_key); use "
                           "the key store file of a device that has the key; recover the key through the "
                           "strategies (recover_and_verify_self_hierarchy_keys), e.g. from another device; or "
                           "explicitly opt in to a new key pair (BasicCryptoStrategies / PinningCryptoStrategies "
                           "with NewKeyPolicy::kAlways)"};
        }
        return Error{ErrorCode::kKeyNotAvailable, "the current data owner has no verified key and none may be created"};
      }
      case KeyGenerationDecision::Kind::kKeyless:
        break;
      case KeyGenerationDecision::Kind::kUseProvided:
        if (!decision.provided || decision.provided->hash() != crypto::RsaOaepHash::kSha256) {
          return Error{ErrorCode::kInvalidArgument, "a provided key pair must be an RSA-OAEP-SHA-256 key"};
        }
        key = decision.provided;
        break;
      case KeyGenerationDecision::Kind::kAllow: {
        CARDINAL_ASSIGN_OR_RETURN(auto generated, crypto::RsaPrivateKey::generate(2048, crypto::RsaOaepHash::kSha256));
        key = std::move(generated);
        break;
      }
    }
    if (key) {
      CARDINAL_RETURN_IF_ERROR(publish_key(*key));
      ring_->add(self_.id, *key, true);
      strategies.notify_new_key_created(key->public_key());
    }
  }

  self_anonymous_ = strategies.data_owner_requires_anonymous_delegation(engine::info_of(self_));
  bind_verified_keys(*trust_, *ring_);
  std::set<std::string> ids;
  for (const auto& m : hierarchy_) ids.insert(m.id);
  exchange_data_ = std::make_unique<engine::ExchangeDataManager>(self_.id, ring_, backend,
                                                                 options_.exchange_data_cache_size, options_.on_tamper);
  exchange_data_->set_recipient_variants(trust_);
  entities_ = std::make_unique<engine::EntityCrypto>(*exchange_data_, ids, self_anonymous_, options_.on_tamper);
  if (self_anonymous_) CARDINAL_RETURN_IF_ERROR(exchange_data_->load_all());
  return {};
}

Status SdkCore::publish_key(const crypto::RsaPrivateKey& key) {
  // Stored before it is published, so that a failure cannot lose the private half.
  CARDINAL_RETURN_IF_ERROR(options_.keys->put(self_.id, key, true));
  const std::string spki = key.public_key().spki_hex();
  if (std::find(self_.public_keys_oaep_sha256.begin(), self_.public_keys_oaep_sha256.end(), spki) !=
      self_.public_keys_oaep_sha256.end()) {
    return {};
  }
  model::DataOwner updated = self_;
  updated.public_keys_oaep_sha256.push_back(spki);
  CARDINAL_ASSIGN_OR_RETURN(auto stored, options_.backend->put_data_owner_stub(updated));
  if (std::find(stored.public_keys_oaep_sha256.begin(), stored.public_keys_oaep_sha256.end(), spki) ==
      stored.public_keys_oaep_sha256.end()) {
    return Error{ErrorCode::kTamperDetected, "the server did not publish the new public key"};
  }
  // Keep the full record; take the new revision and keys from the stub answer.
  self_.rev = stored.rev;
  self_.public_keys_oaep_sha256 = stored.public_keys_oaep_sha256;
  self_.json["rev"] = stored.rev ? Json(*stored.rev) : Json(nullptr);
  self_.json["publicKeysForOaepWithSha256"] = stored.public_keys_oaep_sha256;
  hierarchy_.front() = self_;
  return {};
}

Result<std::string> SdkCore::rotate_key() {
  CARDINAL_ASSIGN_OR_RETURN(auto key, crypto::RsaPrivateKey::generate(2048, crypto::RsaOaepHash::kSha256));
  // Open everything we can with the current keys first.
  CARDINAL_ASSIGN_OR_RETURN(auto records, options_.backend->get_by_participant(self_.id));
  CARDINAL_RETURN_IF_ERROR(publish_key(key));
  auto ring = std::make_shared<engine::KeyRing>(*ring_);
  ring->add(self_.id, key, true);
  std::vector<const crypto::RsaPrivateKey*> signers;
  for (const auto* k : ring->verified_keys_of(self_.id)) signers.push_back(&k->key);
  for (const auto& record : records) {
    auto opened = engine::decrypt_exchange_data(record, *ring);
    if (!opened.ok()) continue;  // not ours to open
    // Only our own signature is added (and only when we are the delegator and it verifies).
    const bool delegator = record.delegator == self_.id;
    CARDINAL_ASSIGN_OR_RETURN(auto extended, engine::extend_exchange_data(*opened, {key.public_key()},
                                                                          delegator ? signers : decltype(signers){}));
    if (extended.exchange_key.size() == record.exchange_key.size()) continue;
    auto saved = options_.backend->update(extended);
    if (!saved.ok()) return saved.error();
  }
  ring_ = ring;
  bind_verified_keys(*trust_, *ring_);
  // Managers built on the old ring see the new key after a restart; rebuild them now.
  std::set<std::string> ids;
  for (const auto& m : hierarchy_) ids.insert(m.id);
  exchange_data_ = std::make_unique<engine::ExchangeDataManager>(self_.id, ring_, *options_.backend,
                                                                 options_.exchange_data_cache_size, options_.on_tamper);
  exchange_data_->set_recipient_variants(trust_);
  entities_ = std::make_unique<engine::EntityCrypto>(*exchange_data_, ids, self_anonymous_, options_.on_tamper);
  if (self_anonymous_) CARDINAL_RETURN_IF_ERROR(exchange_data_->load_all());
  options_.strategies->notify_new_key_created(key.public_key());
  return key.public_key().spki_hex();
}

Status SdkCore::restore_from_recovery_key(const SecretBytes& text) {
  CARDINAL_ASSIGN_OR_RETURN(SecretBytes key, recovery_key_from_text(text.reveal_as_text()));
  CARDINAL_ASSIGN_OR_RETURN(Json record, options_.backend->get_recovery_data(recovery_data_id(key)));
  CARDINAL_ASSIGN_OR_RETURN(auto pairs, open_key_pairs(record, key, self_.id));
  for (const auto& member : hierarchy_) {
    auto it = pairs.find(member.id);
    if (it == pairs.end()) continue;
    CARDINAL_ASSIGN_OR_RETURN(auto published, engine::published_keys(member));
    for (const auto& k : it->second) {
      // Only keys the data owner publishes, compared by full SPKI.
      const bool listed = std::any_of(published.begin(), published.end(), [&](const engine::ParsedKey& p) {
        return p.published.spki_hex == k.public_key().spki_hex() && p.published.hash == k.hash();
      });
      if (listed) CARDINAL_RETURN_IF_ERROR(options_.keys->put(member.id, k, true));
    }
  }
  return {};
}

Result<SecretBytes> SdkCore::create_recovery_key(std::optional<std::int64_t> lifetime_seconds) {
  std::map<std::string, std::vector<crypto::RsaPrivateKey>> pairs;
  for (const auto& member : hierarchy_) {
    for (const auto* k : ring_->verified_keys_of(member.id)) pairs[member.id].push_back(k->key);
  }
  if (pairs[self_.id].empty()) return Error{ErrorCode::kKeyNotAvailable, "no verified key to back up"};
  CARDINAL_ASSIGN_OR_RETURN(SecretBytes key, crypto::random_secret(32));
  std::optional<std::int64_t> expiration;
  if (lifetime_seconds) {
    const auto now_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    expiration = now_ms + *lifetime_seconds * 1000;
  }
  CARDINAL_ASSIGN_OR_RETURN(Json record, seal_key_pairs(key, self_.id, pairs, expiration));
  CARDINAL_RETURN_IF_ERROR(options_.backend->create_recovery_data(record).status());
  std::string text = recovery_key_to_text(key);
  SecretBytes out = SecretBytes::from_string(text);
  detail::secure_wipe(text.data(), text.size());
  return out;
}

Result<EncryptedFieldsManifest> SdkCore::manifest_of(std::string_view type) const {
  EncryptedFieldsManifest m;
  auto it = options_.manifests.find(std::string(type));
  if (it != options_.manifests.end()) {
    m = it->second;
  } else {
    auto platform = EncryptedFieldsManifest::platform_default(type);
    if (!platform.ok()) {
      return Error{ErrorCode::kInvalidArgument,
                   "entity type '" + std::string(type) +
                       "' has no known encrypted-fields manifest, so its content would be stored in clear: pass "
                       "one in SdkOptions::manifests (e.g. [\"*\"] to encrypt every field)"};
    }
    m = std::move(platform).value();
  }
  // The attachment integrity record (api/attachment_integrity.hpp) never goes in clear.
  if (type == "Document" && !m.encrypts_everything() && !m.mentions("hash")) {
    CARDINAL_ASSIGN_OR_RETURN(m, m.extended({"hash"}));
  }
  return m;
}

Result<Json> SdkCore::encrypt_content(std::string_view type, const Json& clear, const crypto::AesKey& key,
                                      const EncryptedFieldsManifest& manifest, const Json& bound) const {
  if (type != "Contact") return engine::encrypt_json(clear, key, manifest, bound);
  CARDINAL_ASSIGN_OR_RETURN(auto service, manifest_of("Service"));
  return engine::encrypt_contact(clear, key, engine::ContactManifests{manifest, std::move(service)}, bound);
}

void SdkCore::warn(std::string_view type, const std::string& id, Error e) const {
  if (options_.on_tamper) options_.on_tamper(TamperReport{std::string(type), id, std::move(e)});
}

AccessKeys SdkCore::request_keys(std::string_view type) const {
  if (!self_anonymous_) return {};
  return entities_->access_control_keys(type);
}

AccessKeys SdkCore::access_control_keys(std::string_view type) const { return entities_->access_control_keys(type); }

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

Result<Json> SdkCore::encrypt_new(std::string_view type, Json clear, const CreateOptions& options) {
  if (!clear.is_object()) return Error{ErrorCode::kInvalidArgument, "an entity must be a JSON object"};
  if (auto sm = clear.find("securityMetadata"); sm != clear.end() && !sm->is_null() && !sm->empty()) {
    return Error{ErrorCode::kInvalidArgument, "a new entity must not carry security metadata"};
  }
  if (ring_->verified_keys_of(self_.id).empty()) {
    return Error{ErrorCode::kKeyNotAvailable, "the current user has no verified key: cannot create encrypted data"};
  }
  CARDINAL_ASSIGN_OR_RETURN(auto manifest, manifest_of(type));
  if (!clear.contains("id") || !clear["id"].is_string() || clear["id"].get_ref<const std::string&>().empty()) {
    CARDINAL_ASSIGN_OR_RETURN(std::string id, crypto::random_uuid());
    clear["id"] = id;
  }
  CARDINAL_ASSIGN_OR_RETURN(auto entity_key, crypto::AesKey::generate());
  CARDINAL_ASSIGN_OR_RETURN(std::string secret_id, crypto::random_uuid());
  std::vector<std::string> owning;
  if (options.owning_entity_id) owning.push_back(*options.owning_entity_id);
  CARDINAL_ASSIGN_OR_RETURN(clear["securityMetadata"], entities_->root_metadata(type, entity_key, secret_id, owning));
  if (!options.secret_foreign_keys.empty()) clear["secretForeignKeys"] = options.secret_foreign_keys;
  const Json bound = options_.bind_entity_id && !manifest.encrypts_everything() ? Json{{"id", clear["id"]}} : Json();
  return encrypt_content(type, clear, entity_key, manifest, bound);
}

Result<DecryptedEntity> SdkCore::decrypt(std::string_view type, const Json& encrypted) {
  const std::string id = id_of(encrypted);
  const std::string what = std::string(type) + " " + id;
  CARDINAL_ASSIGN_OR_RETURN(auto access, open_access(encrypted, type));
  engine::DecryptionFindings findings;
  std::vector<std::string> warnings;
  auto note = [&](std::string w) {
    warn(type, id, Error{ErrorCode::kTamperDetected, w});
    warnings.push_back(std::move(w));
  };
  const auto verified = access.verified_keys();
  Provenance provenance = Provenance::kUnverified;
  Result<Json> clear = Error{ErrorCode::kInternal, "not decrypted"};
  if (!verified.empty()) {
    // The content must open with a key of verified provenance: never silently with one the server
    // could have supplied next to ours (malicious-server.md M12).
    clear = engine::decrypt_json(encrypted, verified, &findings);
    if (!clear.ok()) {
      if (engine::decrypt_json(encrypted, access.key_pointers()).ok()) {
        Error e{ErrorCode::kTamperDetected,
                what + ": its content opens only with a key delivered by " + access.unverified_sources() +
                    ", not with the key this user holds from its own exchange data: the content was replaced "
                    "(not returned)"};
        warn(type, id, e);
        return e;
      }
      return clear.error();
    }
    provenance = Provenance::kVerified;
    if (access.keys.size() > verified.size()) {
      note(what + " carries another entity key, delivered by " + access.unverified_sources() +
           ": ignored (only the key from this user's own exchange data is used)");
    }
    if (access.secret_ids != access.verified_secret_ids || access.owning_entity_ids != access.verified_owning_entity_ids) {
      note(what + " carries secret or owning-entity ids that came only through unverified exchange data: ignored");
    }
  } else {
    clear = engine::decrypt_json(encrypted, access.key_pointers(), &findings);
    if (!clear.ok()) return clear.error();
    if (access.keys.size() > 1) {
      note(what + " carries " + std::to_string(access.keys.size()) + " different entity keys, delivered by " +
           access.unverified_sources() + ": which one is genuine cannot be verified");
    }
  }
  if (!access.any_verified && !access.keyless_sources.empty()) {
    std::string from;
    for (const auto& s : access.keyless_sources) from += (from.empty() ? "" : ", ") + s;
    note(what + " carries secret or owning-entity ids through delegations without its entity key (" + from +
         "): they cannot be tied to its content and are not accepted by accept_shared_key");
  }
  if (findings.id_mismatch) {
    Error e{ErrorCode::kTamperDetected, "the encrypted content of " + id + " belongs to another entity"};
    warn(type, id, e);
    return e;
  }
  const auto& secret_ids = access.secret_ids_to_share();  // sorted, unique
  DecryptedEntity out{std::move(clear).value(), std::move(warnings), {secret_ids.begin(), secret_ids.end()},
                      access.can_write, provenance, std::nullopt};
  {
    auto rev = encrypted.find("rev");  // absent or not a string: looked up as "" (tracking_backend.cpp)
    const std::string r = rev != encrypted.end() && rev->is_string() ? rev->get<std::string>() : std::string();
    if (auto w = trust_->rollback_warning(type, id, r)) out.warnings.push_back(*w);
  }
  for (const auto& path : findings.clear_and_encrypted) {
    std::string w = "field '" + path + "' is both in clear and encrypted (the encrypted value was kept)";
    warn(type, id, Error{ErrorCode::kTamperDetected, w});
    out.warnings.push_back(std::move(w));
  }
  // A field the manifest encrypts that is stored only in clear did not come from the content's
  // writer (who encrypts it) but from the server or a writer with another manifest: it is not
  // returned as the entity's content (and so never re-encrypted as the user's own by a modify).
  if (auto manifest = manifest_of(type); manifest.ok()) {
    for (const auto& path : engine::clear_fields_requiring_encryption(encrypted, *manifest)) {
      if (path == "id" || std::find(findings.clear_and_encrypted.begin(), findings.clear_and_encrypted.end(), path) !=
                              findings.clear_and_encrypted.end()) {
        continue;
      }
      erase_path(out.entity, path);
      std::string w = "field '" + path + "' is stored in clear although it is one the content encrypts: not "
                      "written by an SDK that encrypts it (altered on the server?); left out";
      warn(type, id, Error{ErrorCode::kTamperDetected, w});
      out.warnings.push_back(std::move(w));
    }
  }
  // Remembered as the base of a later merge (ConflictPolicy::kMerge) by whoever read this revision.
  if (auto rev = out.entity.find("rev"); rev != out.entity.end() && rev->is_string()) {
    revisions_->put(std::string(type), id, rev->get<std::string>(), out.entity);
  }
  return out;
}

Result<Json> SdkCore::encrypt_existing(std::string_view type, const Json& clear) {
  CARDINAL_ASSIGN_OR_RETURN(auto manifest, manifest_of(type));
  // The key that opens the current content, so readers holding only that key keep access.
  CARDINAL_ASSIGN_OR_RETURN(crypto::AesKey key, content_key(clear, type));
  const Json bound = options_.bind_entity_id && !manifest.encrypts_everything() ? Json{{"id", clear["id"]}} : Json();
  return encrypt_content(type, clear, key, manifest, bound);
}

Result<crypto::AesKey> SdkCore::content_key(const Json& entity, std::string_view type) {
  CARDINAL_ASSIGN_OR_RETURN(auto access, open_access(entity, type));
  const auto verified = access.verified_keys();
  if (verified.empty()) {
    const std::string id = id_of(entity);
    return Error{ErrorCode::kNoVerifiedKey,
                 std::string(type) + " " + id + ": this user holds its key only through exchange data it did not create (" +
                     access.unverified_sources() +
                     "); a compromised server could have forged that, so no new content is encrypted under it. If the "
                     "key is trusted (e.g. the entity was shared by a known colleague), call accept_shared_key(\"" + id +
                     "\") once, then retry"};
  }
  // Of the verified keys, the one that opens the current content (every reader has it).
  if (auto es = entity.find("encryptedSelf"); es != entity.end() && es->is_string()) {
    for (const auto* k : verified) {
      if (engine::decrypt_json(Json{{"encryptedSelf", *es}}, {k}).ok()) return *k;
    }
  }
  return *verified.front();
}

Result<crypto::AesKey> SdkCore::reading_key(const Json& entity, std::string_view type) {
  CARDINAL_ASSIGN_OR_RETURN(auto access, entities_->open(entity, type));
  auto candidates = access.verified_keys();
  if (candidates.empty()) candidates = access.key_pointers();
  if (candidates.size() > 1) {
    if (auto es = entity.find("encryptedSelf"); es != entity.end() && es->is_string()) {
      for (const auto* k : candidates) {
        if (engine::decrypt_json(Json{{"encryptedSelf", *es}}, {k}).ok()) return *k;
      }
    }
  }
  return *candidates.front();
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
  return share(type, id, self_.id, access.can_write ? AccessLevel::kWrite : AccessLevel::kRead);
}

namespace {

}  // namespace

Result<DecryptedEntity> SdkCore::upload_attachment(const std::string& document_id,
                                             std::function<Result<std::size_t>(std::span<std::uint8_t>)> read_plain) {
  constexpr std::string_view kType = "Document";
  CARDINAL_ASSIGN_OR_RETURN(Json doc, options_.backend->get_entity(kType, document_id, request_keys(kType)));
  CARDINAL_ASSIGN_OR_RETURN(crypto::AesKey key, content_key(doc, kType));
  CARDINAL_ASSIGN_OR_RETURN(auto encryptor, crypto::aes_cbc::StreamEncryptor::create(key));
  struct State {
    crypto::aes_cbc::StreamEncryptor enc;
    std::function<Result<std::size_t>(std::span<std::uint8_t>)> read;
    SecretBytes plain = SecretBytes::zeros(64 * 1024);
    crypto::Sha256Stream hash;  // of the plaintext, for the integrity record
    std::uint64_t length = 0;
    Bytes pending;
    std::size_t offset = 0;
    bool done = false;
  };
  auto state = std::make_shared<State>(State{std::move(encryptor), std::move(read_plain)});
  BodySource source = [state](std::span<std::uint8_t> out) -> Result<std::size_t> {
    while (state->offset == state->pending.size()) {
      if (state->done) return std::size_t{0};
      CARDINAL_ASSIGN_OR_RETURN(std::size_t n,
                                state->read(std::span<std::uint8_t>(state->plain.mutable_data(), state->plain.size())));
      if (n > state->plain.size()) return Error{ErrorCode::kInvalidArgument, "attachment reader overran its buffer"};
      if (n == 0) {
        CARDINAL_ASSIGN_OR_RETURN(state->pending, state->enc.finish());
        state->done = true;
      } else {
        state->length += n;
        if (state->length > kMaxAttachmentLength) {
          return Error{ErrorCode::kInvalidArgument, "attachment larger than 2^50 bytes"};
        }
        state->hash.update(state->plain.reveal().first(n));
        CARDINAL_ASSIGN_OR_RETURN(state->pending, state->enc.update(state->plain.reveal().first(n)));
      }
      state->offset = 0;
    }
    const std::size_t n = std::min(out.size(), state->pending.size() - state->offset);
    std::copy_n(state->pending.begin() + static_cast<std::ptrdiff_t>(state->offset), n, out.begin());
    state->offset += n;
    return n;
  };
  const std::string rev = string_member(doc, "rev");
  CARDINAL_ASSIGN_OR_RETURN(Json stored,
                            options_.backend->upload_attachment(document_id, rev, source, request_keys(kType)));
  if (!state->done) {
    return Error{ErrorCode::kMalformedResponse, "the server accepted the attachment of document " + document_id +
                                                    " before it was sent whole: upload it again"};
  }
  const AttachmentIntegrity record{state->hash.finish(), state->length};
  const std::string attachment_id = string_member(stored, "attachmentId");

  // Second step: the integrity record goes into the document's encrypted content, on the revision
  // the upload produced. A failure here is reported: the attachment is stored, its record is not.
  auto not_recorded = [&](const Error& cause) {
    return Error{cause.code(), "the attachment of document " + document_id +
                                   " was stored but its integrity record could not be saved (" + cause.message() +
                                   "): downloads cannot verify it (or report kTamperDetected if it replaced an "
                                   "attachment that had one) until it is uploaded again"};
  };
  Json current = std::move(stored);
  for (int attempt = 0;; ++attempt) {
    if (string_member(current, "attachmentId") != attachment_id) {
      return not_recorded(Error{ErrorCode::kConflict, "another upload replaced the attachment meanwhile"});
    }
    auto clear = decrypt(kType, current);
    if (!clear.ok()) return not_recorded(clear.error());
    clear->entity["hash"] = record.to_field();
    auto encrypted = encrypt_existing(kType, clear->entity);
    if (!encrypted.ok()) return not_recorded(encrypted.error());
    auto saved = options_.backend->modify_entity(kType, *encrypted, request_keys(kType));
    if (saved.ok()) {
      if (!same_delegations(*saved, *encrypted)) {
        warn(kType, document_id,
             Error{ErrorCode::kTamperDetected, "the server changed security metadata on the attachment update"});
      }
      return decrypt(kType, *saved);
    }
    if (saved.error().code() != ErrorCode::kConflict || attempt >= options_.max_conflict_retries) {
      return not_recorded(saved.error());
    }
    // Someone changed the document meanwhile: set the record on their revision.
    auto fresh = options_.backend->get_entity(kType, document_id, request_keys(kType));
    if (!fresh.ok()) return not_recorded(fresh.error());
    current = std::move(fresh).value();
  }
}

Result<AttachmentDownload> SdkCore::download_attachment(
    const std::string& document_id, std::function<Status(std::span<const std::uint8_t>)> write_plain,
    const AttachmentDownloadOptions& options) {
  constexpr std::string_view kType = "Document";
  CARDINAL_ASSIGN_OR_RETURN(Json doc, options_.backend->get_entity(kType, document_id, request_keys(kType)));
  CARDINAL_ASSIGN_OR_RETURN(crypto::AesKey key, reading_key(doc, kType));
  AttachmentDownload result;
  // Keys of unverified provenance only, and more than one: the content, its record and the
  // attachment may all be the server's (decrypt() flags the same).
  bool ambiguous_key = false;
  if (auto access = entities_->open(doc, kType); access.ok() && access->verified_keys().empty() && access->keys.size() > 1) {
    ambiguous_key = true;
    std::string w = "document " + document_id + " carries " + std::to_string(access->keys.size()) +
                    " different entity keys, delivered by " + access->unverified_sources() +
                    ": which one is genuine cannot be verified, so neither can its attachment";
    warn(kType, document_id, Error{ErrorCode::kTamperDetected, w});
    result.warnings.push_back(std::move(w));
  }

  // The record counts only when it comes from the encrypted content: in clear, the server could
  // have written it.
  std::optional<AttachmentIntegrity> expected;
  std::string encrypted_value;
  if (auto es = doc.find("encryptedSelf"); es != doc.end() && !es->is_null()) {
    auto fields = es->is_string() ? engine::decrypt_json(Json{{"encryptedSelf", *es}}, {&key})
                                  : Result<Json>(Error{ErrorCode::kMalformedInput, "not a string"});
    if (!fields.ok()) {
      // Content that does not open with the document's key is not "no record": it was replaced.
      Error e{ErrorCode::kTamperDetected, "the encrypted content of document " + document_id +
                                              " (which holds its attachment integrity record) does not open with the "
                                              "document's key: it was altered on the server; nothing downloaded"};
      warn(kType, document_id, e);
      return e;
    }
    encrypted_value = string_member(*fields, "hash");
  }
  std::optional<std::string> unverifiable;
  if (is_integrity_field(encrypted_value)) {
    auto parsed = parse_integrity_field(encrypted_value);
    if (!parsed.ok() && parsed.error().code() == ErrorCode::kUnsupported) {
      unverifiable = "the attachment integrity record of document " + document_id +
                     " has a version this SDK does not know (written by a newer SDK?): its integrity could not be "
                     "verified";
    } else if (!parsed.ok()) {
      Error e{ErrorCode::kTamperDetected, "the attachment integrity record of document " + document_id +
                                              " is malformed (altered, or written by another program)"};
      warn(kType, document_id, e);
      return e;
    } else {
      expected = std::move(parsed).value();
    }
  }
  if (!expected) {
    std::string w = unverifiable ? *unverifiable
                                 : "the attachment of document " + document_id +
                                       " has no integrity record (written by another SDK?): its integrity could not "
                                       "be verified";
    if (!unverifiable && is_integrity_field(string_member(doc, "hash"))) {
      w = "the attachment integrity record of document " + document_id +
          " is stored in clear (the document was saved by an SDK that does not encrypt it, or by the server): it "
          "cannot be trusted, and the attachment's integrity could not be verified";
    }
    if (options.require_integrity_record) return Error{ErrorCode::kVerificationFailed, w};
    result.warnings.push_back(std::move(w));
  }

  CARDINAL_ASSIGN_OR_RETURN(auto verifier, AttachmentVerifier::create(key, expected, document_id));
  auto check = std::make_shared<AttachmentVerifier>(std::move(verifier));
  auto report = [&](const Status& st) -> Status {
    if (!st.ok() && st.error().code() == ErrorCode::kTamperDetected) warn(kType, document_id, st.error());
    return st;
  };

  if (options.delivery == AttachmentDelivery::kStreaming) {
    std::uint64_t written = 0;
    auto out = [&](std::span<const std::uint8_t> plain) -> Status {
      written += plain.size();
      return write_plain(plain);
    };
    BodySink sink = [check, &out](std::span<const std::uint8_t> chunk) -> Status { return check->update(chunk, out); };
    CARDINAL_RETURN_IF_ERROR(report(options_.backend->download_attachment(document_id, sink, request_keys(kType))));
    CARDINAL_RETURN_IF_ERROR(report(check->finish(out)));
    result.size = written;
    result.integrity_verified = expected.has_value() && !ambiguous_key;
    return result;
  }

  // Verified-only: the ciphertext is kept (memory, then an unlinked temporary file) and checked
  // whole before a single byte is written.
  auto spool = std::make_shared<CiphertextSpool>(options.max_in_memory_bytes, options.temp_directory);
  if (expected && expected->ciphertext_size() > options.max_in_memory_bytes) CARDINAL_RETURN_IF_ERROR(spool->use_file());
  BodySink sink = [check, spool](std::span<const std::uint8_t> chunk) -> Status {
    CARDINAL_RETURN_IF_ERROR(check->update(chunk, nullptr));
    return spool->append(chunk);
  };
  CARDINAL_RETURN_IF_ERROR(report(options_.backend->download_attachment(document_id, sink, request_keys(kType))));
  CARDINAL_RETURN_IF_ERROR(report(check->finish(nullptr)));
  // Second pass: decrypt again from the spool, and check it is what was verified.
  CARDINAL_ASSIGN_OR_RETURN(auto replay, AttachmentVerifier::create(
                                             key, AttachmentIntegrity{check->digest(), check->plaintext_size()},
                                             document_id));
  std::uint64_t written = 0;
  auto out = [&](std::span<const std::uint8_t> plain) -> Status {
    written += plain.size();
    return write_plain(plain);
  };
  CARDINAL_RETURN_IF_ERROR(spool->replay([&](std::span<const std::uint8_t> chunk) { return replay.update(chunk, out); }));
  CARDINAL_RETURN_IF_ERROR(replay.finish(out));
  result.size = written;
  result.integrity_verified = expected.has_value() && !ambiguous_key;
  return result;
}

Result<DecryptedEntity> SdkCore::create(std::string_view type, Json clear, const CreateOptions& options) {
  CARDINAL_ASSIGN_OR_RETURN(Json encrypted, encrypt_new(type, std::move(clear), options));
  const std::string id = id_of(encrypted);
  CARDINAL_ASSIGN_OR_RETURN(Json stored, options_.backend->create_entity(type, encrypted, request_keys(type)));
  if (!same_delegations(stored, encrypted)) {
    Error e{ErrorCode::kTamperDetected, "the server changed the security metadata of new entity " + id};
    warn(type, id, e);
    return e;
  }
  for (const auto& [delegate, level] : options.share_with) {
    auto shared = share(type, id, delegate, level);
    if (!shared.ok()) return shared.error();
    stored = shared->entity;
  }
  if (!options.share_with.empty()) {
    CARDINAL_ASSIGN_OR_RETURN(stored, options_.backend->get_entity(type, id, request_keys(type)));
  }
  return decrypt(type, stored);
}

Result<DecryptedEntity> SdkCore::get(std::string_view type, const std::string& id) {
  CARDINAL_ASSIGN_OR_RETURN(Json stored, fetch(type, id));
  return decrypt(type, stored);
}

Result<Json> SdkCore::fetch(std::string_view type, const std::string& id) {
  auto stored = options_.backend->get_entity(type, id, request_keys(type));
  if (stored.ok() || stored.error().code() != ErrorCode::kPermissionDenied || !self_anonymous_) return stored;
  // An anonymous data owner proves access with the access control keys of the exchange data it
  // knows: a share made since they were loaded needs them reloaded (once).
  CARDINAL_RETURN_IF_ERROR(exchange_data_->load_all());
  stored = options_.backend->get_entity(type, id, request_keys(type));
  if (stored.ok() || stored.error().code() != ErrorCode::kPermissionDenied) return stored;
  return Error{ErrorCode::kPermissionDenied,
               "no access yet: " + std::string(type) + " " + id + " was not shared with data owner " + self_.id +
                   " (its exchange data were reloaded); ask a data owner who can read it to share it"};
}

Result<engine::EntityAccess> SdkCore::open_access(const Json& entity, std::string_view type) {
  auto access = entities_->open(entity, type);
  if (access.ok() || access.error().code() != ErrorCode::kKeyNotAvailable) return access;
  const std::string id = id_of(entity);
  auto delegations = model::secure_delegations_of(entity);
  if (delegations.ok() && delegations->empty()) {
    if (type == "Patient" && id == self_.id) {
      return Error{ErrorCode::kKeyNotAvailable,
                   "the patient record " + id +
                       " of the current user has no encryption metadata yet: initialise it with "
                       "CardinalSdk::initialize_own_patient_record (or ask its healthcare party to share it)"};
    }
    return Error{ErrorCode::kKeyNotAvailable, std::string(type) + " " + id + " has no security metadata"};
  }
  if (self_anonymous_) {
    // An anonymous user finds delegations through the exchange data it loaded: one made since then
    // is found after a reload (once).
    CARDINAL_RETURN_IF_ERROR(exchange_data_->load_all());
    access = entities_->open(entity, type);
    if (access.ok() || access.error().code() != ErrorCode::kKeyNotAvailable) return access;
  }
  return Error{ErrorCode::kKeyNotAvailable,
               "no access yet: no delegation of " + std::string(type) + " " + id + " opens for data owner " +
                   self_.id + ": it was not shared with this data owner, or not with its current keys; ask a data "
                   "owner who can read it to share it"};
}

Result<DecryptedEntity> SdkCore::modify(std::string_view type, const Json& clear, const ModifyOptions& options) {
  const std::string id = id_of(clear);
  if (id.empty() || !clear.contains("rev") || !clear["rev"].is_string() || clear["rev"].get_ref<const std::string&>().empty()) {
    return Error{ErrorCode::kInvalidArgument,
                 "modify needs an entity with its id and rev, as returned by get or create"};
  }
  const std::string read_rev = clear["rev"].get<std::string>();
  const std::string what = std::string(type) + " " + id;
  std::optional<Json> base;
  Json mine = clear;
  for (int attempt = 0;; ++attempt) {
    CARDINAL_ASSIGN_OR_RETURN(Json encrypted, encrypt_existing(type, mine));
    auto stored = options_.backend->modify_entity(type, encrypted, request_keys(type));
    if (stored.ok()) {
      if (!same_delegations(*stored, encrypted)) {
        warn(type, id, Error{ErrorCode::kTamperDetected, "the server changed security metadata on modify"});
      }
      return decrypt(type, *stored);
    }
    if (stored.error().code() != ErrorCode::kConflict) return stored.error();
    // Stale or unknown revision: nothing was written. Never overwrite the other writer's change.
    // `current`: empty (null entity) when the current version could not be read.
    auto fail = [&](std::string message, std::vector<std::string> fields, DecryptedEntity current) -> Error {
      if (options.conflict != nullptr) *options.conflict = ModifyConflict{std::move(current), std::move(fields)};
      return Error{ErrorCode::kConflict, std::move(message)};
    };
    auto fresh = options_.backend->get_entity(type, id, request_keys(type));
    if (!fresh.ok()) {
      return fail(what + " was not saved: revision " + read_rev +
                      " is not the current one, and the current version cannot be read (" + fresh.error().message() +
                      ")",
                  {}, DecryptedEntity{});
    }
    auto current = decrypt(type, *fresh);
    if (!current.ok()) {
      return fail(what + " was not saved: revision " + read_rev +
                      " is not the current one, and the current version cannot be decrypted (" +
                      current.error().message() + ")",
                  {}, DecryptedEntity{});
    }
    // Our own write, whose answer was lost and whose repeat (PUT is retried on transport faults)
    // met the new rev: the server holds exactly this change, nothing to report.
    if (same_content(current->entity, mine)) return current;
    const std::string current_rev = string_member(current->entity, "rev");
    const std::string stale = what + " was not saved: it was changed on the server since revision " + read_rev +
                              " (current revision " + current_rev + ")";
    if (options.on_conflict == ConflictPolicy::kFail) {
      return fail(stale + "; nothing was written. Apply the change to the current version (ModifyOptions::conflict "
                          "or get) and modify again, or modify with ConflictPolicy::kMerge",
                  {}, std::move(current).value());
    }
    if (!base) {
      if (options.base != nullptr) {
        base = *options.base;
      } else {
        base = revisions_->get(std::string(type), id, read_rev);
      }
      if (!base) {
        return fail(stale + "; nothing was written and no merge was tried: revision " + read_rev +
                        " is not one this SDK returned recently (pass the version you read as ModifyOptions::base)",
                    {}, std::move(current).value());
      }
    }
    MergeResult merged = three_way_merge(*base, clear, current->entity);
    if (!merged.conflicts.empty()) {
      std::string names;
      for (const auto& f : merged.conflicts) names += (names.empty() ? "" : ", ") + f;
      return fail(stale + "; nothing was written: both changed the field(s) " + names, std::move(merged.conflicts),
                  std::move(current).value());
    }
    if (attempt >= options_.max_conflict_retries) {
      return fail(stale + "; nothing was written: the entity keeps changing, merge given up after " +
                      std::to_string(attempt + 1) + " attempts",
                  {}, std::move(current).value());
    }
    mine = std::move(merged.merged);  // on the current rev and security metadata
  }
}

Result<DecryptedEntity> SdkCore::share(std::string_view type, const std::string& id, const std::string& delegate_id,
                                 AccessLevel level) {
  CARDINAL_ASSIGN_OR_RETURN(model::DataOwner delegate, options_.backend->data_owner_stub(delegate_id));
  const bool anonymous = options_.strategies->data_owner_requires_anonymous_delegation(engine::info_of(delegate));
  CARDINAL_ASSIGN_OR_RETURN(auto keys, delegate_keys(delegate));
  for (int attempt = 0;; ++attempt) {
    CARDINAL_ASSIGN_OR_RETURN(Json entity, fetch(type, id));
    CARDINAL_ASSIGN_OR_RETURN(auto access, open_access(entity, type));
    if (delegate_id == self_.id && !access.any_verified && access.keys.size() == 1) {
      // Accepting a shared key (accept_shared_key): only the key and the ids that came with it
      // become this user's own, never ids other (possibly forged) delegations added.
      access.secret_ids = access.keys.front().secret_ids;
      access.owning_entity_ids = access.keys.front().owning_entity_ids;
    }
    if (!access.any_verified && access.keys.size() > 1) {
      Error e{ErrorCode::kTamperDetected, std::string(type) + " " + id + " carries " +
                                              std::to_string(access.keys.size()) + " different entity keys (" +
                                              access.unverified_sources() +
                                              "): which one is genuine cannot be told, so it is not shared"};
      warn(type, id, e);
      return e;
    }
    engine::ShareTarget target{delegate_id, anonymous, level};
    engine::ShareRequestKind kind = engine::ShareRequestKind::kNew;
    CARDINAL_ASSIGN_OR_RETURN(Json request, entities_->share_request(entity, type, access, target, keys, &kind));
    const ShareOutcome outcome = kind == engine::ShareRequestKind::kUpgrade  ? ShareOutcome::kUpgraded
                                 : kind == engine::ShareRequestKind::kUpdate ? ShareOutcome::kExtended
                                                                             : ShareOutcome::kNewShare;
    auto with_outcome = [](Result<DecryptedEntity> d, ShareOutcome o) -> Result<DecryptedEntity> {
      if (d.ok()) d->share_outcome = o;
      return d;
    };
    if (request.is_null()) return with_outcome(decrypt(type, entity), ShareOutcome::kAlreadyShared);  // nothing sent
    std::string expected_key;
    if (request.contains("share")) {
      CARDINAL_ASSIGN_OR_RETURN(Bytes ack,
                                crypto::hex_decode(request["share"]["accessControlKeys"][0].get<std::string>()));
      expected_key = crypto::hex_encode(crypto::sha256(ack));
    } else {
      expected_key = request["update"]["metadataAccessControlHash"].get<std::string>();
    }
    Json parents = Json::array();
    for (const auto& k : access.opened_delegations) parents.push_back(k);
    Json body = Json::object();
    body["requestsByEntityId"][id] = Json{{"requests", Json{{"0", request}}}, {"potentialParentDelegations", parents}};
    CARDINAL_ASSIGN_OR_RETURN(Json results, options_.backend->bulk_share(type, body, request_keys(type)));
    const Json* result = nullptr;
    for (const auto& r : results) {
      if (r.is_object() && string_member(r, "entityId") == id) result = &r;
    }
    if (result == nullptr) return Error{ErrorCode::kMalformedResponse, "bulk share answered without entity " + id};
    if (auto rej = result->find("rejectedRequests"); rej != result->end() && rej->is_object() && !rej->empty()) {
      const Json& first = rej->begin().value();
      const auto retry = first.is_object() ? first.find("shouldRetry") : first.end();
      if (retry != first.end() && retry->is_boolean() && retry->get<bool>() && attempt < kMaxShareRetries) continue;
      return rejection_error(first, id);
    }
    auto updated = result->find("updatedEntity");
    if (updated == result->end() || !updated->is_object()) {
      CARDINAL_ASSIGN_OR_RETURN(Json fresh, options_.backend->get_entity(type, id, request_keys(type)));
      return with_outcome(decrypt(type, fresh), outcome);
    }
    // The server is not trusted: the answer must be this entity, with the new delegation, and
    // with every delegation it had before.
    const Json before = delegations_json(entity);
    const Json after = delegations_json(*updated);
    bool intact = id_of(*updated) == id && after.contains(expected_key);
    for (const auto& [k, v] : before.items()) intact = intact && after.contains(k);
    if (!intact) {
      Error e{ErrorCode::kTamperDetected, "the bulk share answer for " + id + " lacks expected delegations"};
      warn(type, id, e);
      return e;
    }
    return with_outcome(decrypt(type, *updated), outcome);
  }
}

Status SdkCore::remove(std::string_view type, const std::string& id) {
  CARDINAL_ASSIGN_OR_RETURN(Json stored, options_.backend->get_entity(type, id, request_keys(type)));
  const std::string rev = stored.contains("rev") && stored["rev"].is_string() ? stored["rev"].get<std::string>() : "";
  return options_.backend->delete_entity(type, id, rev, request_keys(type));
}

}  // namespace cardinal::api
