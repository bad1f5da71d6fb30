// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// SdkCore: start-up and the current user's keys (hierarchy, local and published keys, the
// strategies' decisions, new key pairs), key rotation, recovery keys.
#include "api/sdk_core.hpp"

#include <cardinal/crypto/random.hpp>

#include "api/recovery.hpp"
#include "api/tracking_backend.hpp"
#include "engine/data_owner_keys.hpp"

#include <algorithm>
#include <chrono>

namespace cardinal::api {

namespace {

constexpr std::size_t kMaxHierarchyDepth = 5;

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

}  // namespace cardinal::api
