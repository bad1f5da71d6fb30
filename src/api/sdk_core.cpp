// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#include "api/sdk_core.hpp"

#include <cardinal/crypto/encoding.hpp>
#include <cardinal/crypto/hash.hpp>
#include <cardinal/crypto/random.hpp>

#include "api/recovery.hpp"
#include "api/rest_backend.hpp"
#include "engine/data_owner_keys.hpp"
#include "engine/json_encryption.hpp"

#include <algorithm>

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

Error rejection_error(const Json& rejection, const std::string& entity_id) {
  const int code = rejection.value("code", 0);
  const std::string reason = rejection.contains("reason") && rejection["reason"].is_string()
                                 ? rejection["reason"].get<std::string>()
                                 : std::string("no reason given");
  const std::string msg =
      "share of " + entity_id + " rejected by the server (" + std::to_string(code) + "): " + reason.substr(0, 200);
  // A rejection code that is not an HTTP error status is still the server's failure.
  const ErrorCode mapped = error_code_for_status(code);
  return Error{mapped == ErrorCode::kMalformedResponse ? ErrorCode::kServerError : mapped, msg};
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
  std::unique_ptr<SdkCore> core(new SdkCore(std::move(options)));
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
      case KeyGenerationDecision::Kind::kDeny:
        return Error{ErrorCode::kKeyNotAvailable, "the current data owner has no verified key and none may be created"};
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
  std::set<std::string> ids;
  for (const auto& m : hierarchy_) ids.insert(m.id);
  exchange_data_ = std::make_unique<engine::ExchangeDataManager>(self_.id, ring_, backend,
                                                                 options_.exchange_data_cache_size, options_.on_tamper);
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
  // Managers built on the old ring see the new key after a restart; rebuild them now.
  std::set<std::string> ids;
  for (const auto& m : hierarchy_) ids.insert(m.id);
  exchange_data_ = std::make_unique<engine::ExchangeDataManager>(self_.id, ring_, *options_.backend,
                                                                 options_.exchange_data_cache_size, options_.on_tamper);
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
  auto it = options_.manifests.find(std::string(type));
  if (it != options_.manifests.end()) return it->second;
  return EncryptedFieldsManifest::platform_default(type);
}

void SdkCore::warn(std::string_view type, const std::string& id, Error e) const {
  if (options_.on_tamper) options_.on_tamper(engine::TamperEvent{std::string(type), id, std::move(e)});
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
  return engine::verified_delegate_keys(delegate, *options_.strategies);
}

Result<Json> SdkCore::encrypt_new(std::string_view type, Json clear, const NewEntityOptions& options) {
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
  return engine::encrypt_json(clear, entity_key, manifest, bound);
}

Result<Decrypted> SdkCore::decrypt(std::string_view type, const Json& encrypted) {
  const std::string id = id_of(encrypted);
  CARDINAL_ASSIGN_OR_RETURN(auto access, open_access(encrypted, type));
  engine::DecryptionFindings findings;
  CARDINAL_ASSIGN_OR_RETURN(Json clear, engine::decrypt_json(encrypted, access.key_pointers(), &findings));
  if (findings.id_mismatch) {
    Error e{ErrorCode::kTamperDetected, "the encrypted content of " + id + " belongs to another entity"};
    warn(type, id, e);
    return e;
  }
  Decrypted out{std::move(clear), {}, std::move(access.secret_ids), access.can_write, std::nullopt};
  for (const auto& path : findings.clear_and_encrypted) {
    std::string w = "field '" + path + "' is both in clear and encrypted (the encrypted value was kept)";
    warn(type, id, Error{ErrorCode::kTamperDetected, w});
    out.warnings.push_back(std::move(w));
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
  return engine::encrypt_json(clear, key, manifest, bound);
}

Result<crypto::AesKey> SdkCore::content_key(const Json& entity, std::string_view type) {
  CARDINAL_ASSIGN_OR_RETURN(auto access, open_access(entity, type));
  if (access.entity_keys.empty()) return Error{ErrorCode::kKeyNotAvailable, "no entity key available"};
  // The key that opens the entity's own content (shared by every reader of the entity).
  if (auto es = entity.find("encryptedSelf"); es != entity.end() && es->is_string()) {
    for (const auto& k : access.entity_keys) {
      if (engine::decrypt_json(Json{{"encryptedSelf", *es}}, {&k}).ok()) return k;
    }
  }
  return access.entity_keys.front();
}

Result<Decrypted> SdkCore::upload_attachment(const std::string& document_id,
                                             std::function<Result<std::size_t>(std::span<std::uint8_t>)> read_plain) {
  constexpr std::string_view kType = "Document";
  CARDINAL_ASSIGN_OR_RETURN(Json doc, options_.backend->get_entity(kType, document_id, request_keys(kType)));
  CARDINAL_ASSIGN_OR_RETURN(crypto::AesKey key, content_key(doc, kType));
  CARDINAL_ASSIGN_OR_RETURN(auto encryptor, crypto::aes_cbc::StreamEncryptor::create(key));
  struct State {
    crypto::aes_cbc::StreamEncryptor enc;
    std::function<Result<std::size_t>(std::span<std::uint8_t>)> read;
    SecretBytes plain = SecretBytes::zeros(64 * 1024);
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
        CARDINAL_ASSIGN_OR_RETURN(state->pending, state->enc.update(state->plain.reveal().first(n)));
      }
      state->offset = 0;
    }
    const std::size_t n = std::min(out.size(), state->pending.size() - state->offset);
    std::copy_n(state->pending.begin() + static_cast<std::ptrdiff_t>(state->offset), n, out.begin());
    state->offset += n;
    return n;
  };
  const std::string rev = doc.contains("rev") && doc["rev"].is_string() ? doc["rev"].get<std::string>() : "";
  CARDINAL_ASSIGN_OR_RETURN(Json stored,
                            options_.backend->upload_attachment(document_id, rev, source, request_keys(kType)));
  return decrypt(kType, stored);
}

Status SdkCore::download_attachment(const std::string& document_id,
                                    std::function<Status(std::span<const std::uint8_t>)> write_plain) {
  constexpr std::string_view kType = "Document";
  CARDINAL_ASSIGN_OR_RETURN(Json doc, options_.backend->get_entity(kType, document_id, request_keys(kType)));
  CARDINAL_ASSIGN_OR_RETURN(crypto::AesKey key, content_key(doc, kType));
  CARDINAL_ASSIGN_OR_RETURN(auto decryptor, crypto::aes_cbc::StreamDecryptor::create(key));
  auto dec = std::make_shared<crypto::aes_cbc::StreamDecryptor>(std::move(decryptor));
  BodySink sink = [dec, &write_plain](std::span<const std::uint8_t> chunk) -> Status {
    CARDINAL_ASSIGN_OR_RETURN(SecretBytes plain, dec->update(chunk));
    if (plain.empty()) return {};
    return write_plain(plain.reveal());
  };
  CARDINAL_RETURN_IF_ERROR(options_.backend->download_attachment(document_id, sink, request_keys(kType)));
  CARDINAL_ASSIGN_OR_RETURN(SecretBytes tail, dec->finish());
  if (!tail.empty()) return write_plain(tail.reveal());
  return {};
}

Result<Decrypted> SdkCore::create(std::string_view type, Json clear, const NewEntityOptions& options) {
  CARDINAL_ASSIGN_OR_RETURN(Json encrypted, encrypt_new(type, std::move(clear), options));
  const std::string id = id_of(encrypted);
  CARDINAL_ASSIGN_OR_RETURN(Json stored, options_.backend->create_entity(type, encrypted, request_keys(type)));
  if (!same_delegations(stored, encrypted)) {
    Error e{ErrorCode::kTamperDetected, "the server changed the security metadata of new entity " + id};
    warn(type, id, e);
    return e;
  }
  for (const auto& [delegate, level] : options.delegates) {
    auto shared = share(type, id, delegate, level);
    if (!shared.ok()) return shared.error();
    stored = shared->entity;
  }
  if (!options.delegates.empty()) {
    CARDINAL_ASSIGN_OR_RETURN(stored, options_.backend->get_entity(type, id, request_keys(type)));
  }
  return decrypt(type, stored);
}

Result<Decrypted> SdkCore::get(std::string_view type, const std::string& id) {
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

Result<Decrypted> SdkCore::modify(std::string_view type, const Json& clear, const ModifyParams& params,
                                  Conflict* conflict) {
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
    auto fail = [&](std::string message, std::vector<std::string> fields, std::optional<Decrypted> current) -> Error {
      if (conflict != nullptr) *conflict = Conflict{std::move(current), std::move(fields)};
      return Error{ErrorCode::kConflict, std::move(message)};
    };
    auto fresh = options_.backend->get_entity(type, id, request_keys(type));
    if (!fresh.ok()) {
      return fail(what + " was not saved: revision " + read_rev +
                      " is not the current one, and the current version cannot be read (" + fresh.error().message() +
                      ")",
                  {}, std::nullopt);
    }
    auto current = decrypt(type, *fresh);
    if (!current.ok()) {
      return fail(what + " was not saved: revision " + read_rev +
                      " is not the current one, and the current version cannot be decrypted (" +
                      current.error().message() + ")",
                  {}, std::nullopt);
    }
    // Our own write, whose answer was lost and whose repeat (PUT is retried on transport faults)
    // met the new rev: the server holds exactly this change, nothing to report.
    if (same_content(current->entity, mine)) return current;
    const std::string current_rev = current->entity.value("rev", std::string());
    const std::string stale = what + " was not saved: it was changed on the server since revision " + read_rev +
                              " (current revision " + current_rev + ")";
    if (params.policy == ConflictPolicy::kFail) {
      return fail(stale + "; nothing was written. Apply the change to the current version (ModifyOptions::conflict "
                          "or get) and modify again, or modify with ConflictPolicy::kMerge",
                  {}, std::move(current).value());
    }
    if (!base) {
      if (params.base != nullptr) {
        base = *params.base;
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

Result<Decrypted> SdkCore::share(std::string_view type, const std::string& id, const std::string& delegate_id,
                                 AccessLevel level) {
  CARDINAL_ASSIGN_OR_RETURN(model::DataOwner delegate, options_.backend->data_owner_stub(delegate_id));
  const bool anonymous = options_.strategies->data_owner_requires_anonymous_delegation(engine::info_of(delegate));
  CARDINAL_ASSIGN_OR_RETURN(auto keys, delegate_keys(delegate));
  for (int attempt = 0;; ++attempt) {
    CARDINAL_ASSIGN_OR_RETURN(Json entity, fetch(type, id));
    CARDINAL_ASSIGN_OR_RETURN(auto access, open_access(entity, type));
    engine::ShareTarget target{delegate_id, anonymous,
                               level == AccessLevel::kWrite ? engine::ShareLevel::kWrite : engine::ShareLevel::kRead};
    engine::ShareRequestKind kind = engine::ShareRequestKind::kNew;
    CARDINAL_ASSIGN_OR_RETURN(Json request, entities_->share_request(entity, type, access, target, keys, &kind));
    const ShareOutcome outcome = kind == engine::ShareRequestKind::kUpgrade  ? ShareOutcome::kUpgraded
                                 : kind == engine::ShareRequestKind::kUpdate ? ShareOutcome::kExtended
                                                                             : ShareOutcome::kNewShare;
    auto with_outcome = [](Result<Decrypted> d, ShareOutcome o) -> Result<Decrypted> {
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
      if (r.is_object() && r.value("entityId", "") == id) result = &r;
    }
    if (result == nullptr) return Error{ErrorCode::kMalformedResponse, "bulk share answered without entity " + id};
    if (auto rej = result->find("rejectedRequests"); rej != result->end() && rej->is_object() && !rej->empty()) {
      const Json& first = rej->begin().value();
      if (first.is_object() && first.value("shouldRetry", false) && attempt < kMaxShareRetries) continue;
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
