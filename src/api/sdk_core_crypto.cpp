// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// SdkCore: entity encryption and decryption on this device (manifests, keys of verified
// provenance, the checks on what decrypts), and the access the user has to an entity.
#include "api/sdk_core.hpp"

#include <cardinal/crypto/random.hpp>

#include "api/entity_json.hpp"
#include "engine/contact_encryption.hpp"
#include "engine/json_encryption.hpp"

#include <algorithm>
#include <optional>
#include <cstdlib>

namespace cardinal::api {

namespace {

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

// What every writer of services encrypts, as checked on a service read: `notes[].markdown` (the
// official SDK 1.0.0-RC.7's Service manifest leaves `comment` in clear, so a clear comment is no
// sign of tampering), or everything with a Service manifest that encrypts everything. `content`
// and compound sub-services: engine::erase_clear_service_fields.
Result<EncryptedFieldsManifest> service_check(const SdkCore& core) {
  CARDINAL_ASSIGN_OR_RETURN(auto m, core.manifest_of("Service"));
  if (m.encrypts_everything()) return m;
  return EncryptedFieldsManifest::parse({"notes[].markdown"});
}

// The clear fields of a stored entity that its manifest encrypts, erased from `decrypted` unless
// the decryption replaced them (`kept`: found both in clear and encrypted); their paths. For a
// Service, and the services of a Contact, the service checks, compound sub-services included.
std::vector<std::string> erase_clear_fields(const SdkCore& core, std::string_view type, const Json& encrypted,
                                            Json& decrypted, const std::vector<std::string>& kept) {
  std::vector<std::string> out;
  auto service = type == "Service" || type == "Contact" ? service_check(core) : Result<EncryptedFieldsManifest>(Error{ErrorCode::kInternal, "unused"});
  if (type == "Service") {
    if (service.ok()) out = engine::erase_clear_service_fields(encrypted, decrypted, *service, "");
    return out;
  }
  auto manifest = core.manifest_of(type);
  if (!manifest.ok()) return out;
  for (const auto& path : engine::clear_fields_requiring_encryption(encrypted, *manifest)) {
    if (path == "id" || std::find(kept.begin(), kept.end(), path) != kept.end()) continue;
    erase_path(decrypted, path);
    out.push_back(path);
  }
  if (type != "Contact" || manifest->encrypts_everything() || !service.ok()) return out;
  const auto stored = encrypted.find("services");
  auto services = decrypted.find("services");
  if (stored == encrypted.end() || !stored->is_array() || services == decrypted.end() || !services->is_array()) return out;
  for (std::size_t i = 0; i < stored->size() && i < services->size(); ++i) {
    for (auto& p : engine::erase_clear_service_fields((*stored)[i], (*services)[i], *service,
                                                      "services[" + std::to_string(i) + "]")) {
      out.push_back(std::move(p));
    }
  }
  return out;
}

// The members of a stored Service or Contact that erase_clear_fields reads (copies of them only,
// not of the whole entity, whose securityMetadata is most of a small one): the top-level members
// its manifest names, and the `content` of a Service (compound sub-services included) or the
// `services` of a Contact. Everything when the manifest encrypts everything (every member is
// compared); nothing when there is no manifest (nothing is checked).
Json members_checked(const SdkCore& core, std::string_view type, const Json& stored) {
  auto manifest = type == "Service" ? service_check(core) : core.manifest_of(type);
  if (!stored.is_object() || (manifest.ok() && manifest->encrypts_everything())) return stored;
  Json out = Json::object();
  if (!manifest.ok()) return out;
  auto& members = out.get_ref<Json::object_t&>();
  auto keep = [&](const std::string& k) {
    if (auto it = stored.find(k); it != stored.end() && out.find(k) == out.end()) members.emplace_back(k, *it);
  };
  for (const auto& f : manifest->fields()) keep(f);
  for (const auto& [k, sub] : manifest->nested()) keep(k);
  for (const auto& [k, sub] : manifest->array_items()) keep(k);
  for (const auto& [k, sub] : manifest->map_values()) keep(k);
  keep(type == "Service" ? "content" : "services");
  return out;
}

}  // namespace

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

Result<Json> SdkCore::encrypt_content(std::string_view type, Json&& clear, const crypto::AesKey& key,
                                      const EncryptedFieldsManifest& manifest, const Json& bound) const {
  if (type != "Contact") return engine::encrypt_json(std::move(clear), key, manifest, bound);
  return encrypt_content(type, static_cast<const Json&>(clear), key, manifest, bound);
}

void SdkCore::warn(std::string_view type, const std::string& id, Error e) const {
  if (options_.on_tamper) options_.on_tamper(TamperReport{std::string(type), id, std::move(e)});
}

AccessKeys SdkCore::request_keys(std::string_view type) const {
  if (!self_anonymous_) return {};
  return entities_->access_control_keys(security_type_of(type));
}

AccessKeys SdkCore::access_control_keys(std::string_view type) const {
  return entities_->access_control_keys(security_type_of(type));
}

Result<Json> SdkCore::encrypt_new(std::string_view type, Json clear, const CreateOptions& options) {
  CARDINAL_ASSIGN_OR_RETURN(auto delegates, new_delegates(options.share_with));
  ExchangeDataMapBatch maps;
  CARDINAL_ASSIGN_OR_RETURN(Json encrypted, encrypt_new_for(type, std::move(clear), options, delegates, maps));
  CARDINAL_RETURN_IF_ERROR(store_maps(std::move(maps)));
  return encrypted;
}

Status SdkCore::store_maps(ExchangeDataMapBatch maps) {
  {
    std::lock_guard lock(maps_mutex_);
    for (auto it = maps.batch.begin(); it != maps.batch.end();) {
      it = maps_stored_.count(it->first) != 0 ? maps.batch.erase(it) : std::next(it);
    }
  }
  if (maps.batch.empty()) return {};
  CARDINAL_RETURN_IF_ERROR(options_.backend->put_exchange_data_maps(maps));
  std::lock_guard lock(maps_mutex_);
  for (const auto& [ack, entries] : maps.batch) maps_stored_.insert(ack);
  return {};
}

Result<Json> SdkCore::encrypt_new_for(std::string_view type, Json clear, const CreateOptions& options,
                                      const std::vector<NewDelegate>& delegates, ExchangeDataMapBatch& maps) {
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
  if (!delegates.empty()) {
    // The exchange data self → self and self → each delegate that do not exist yet are created in
    // one request; the delegations below then find them in the cache.
    std::vector<engine::EncryptionTarget> targets{{self_.id, {}}};
    for (const auto& d : delegates) targets.push_back(engine::EncryptionTarget{d.id, d.keys});
    CARDINAL_RETURN_IF_ERROR(exchange_data_->get_or_create_for_encryption(targets).status());
  }
  CARDINAL_ASSIGN_OR_RETURN(Json metadata, entities_->root_metadata(type, entity_key, secret_id, owning));
  Json& delegations = metadata["secureDelegations"];
  const std::string root_key = delegations.begin().key();
  for (const auto& d : delegates) {
    CARDINAL_ASSIGN_OR_RETURN(
        auto initial, entities_->initial_delegation(type, entity_key, secret_id, owning, root_key,
                                                    engine::ShareTarget{d.id, d.anonymous, d.level}, d.keys));
    if (delegations.contains(initial.key)) {
      return Error{ErrorCode::kInternal, "the delegation to " + d.id + " would replace another one"};
    }
    delegations[initial.key] = std::move(initial.delegation);
    if (!initial.encrypted_exchange_data_id.empty()) {
      maps.batch[initial.map_access_control_key] = std::move(initial.encrypted_exchange_data_id);
    }
  }
  clear["securityMetadata"] = std::move(metadata);
  if (!options.secret_foreign_keys.empty()) clear["secretForeignKeys"] = options.secret_foreign_keys;
  const Json bound = options_.bind_entity_id && !manifest.encrypts_everything() ? Json{{"id", clear["id"]}} : Json();
  return encrypt_content(type, std::move(clear), entity_key, manifest, bound);
}

Result<DecryptedEntity> SdkCore::decrypt(std::string_view type, const Json& encrypted) {
  return decrypt(type, Json(encrypted));
}

Result<DecryptedEntity> SdkCore::decrypt(std::string_view type, Json&& encrypted) {
  const std::string id = id_of(encrypted);
  const std::string what = std::string(type) + " " + id;
  CARDINAL_ASSIGN_OR_RETURN(auto access, open_access(encrypted, type));
  engine::DecryptionFindings findings;
  std::vector<std::string> warnings;
  auto note = [&](std::string w) {
    warn(type, id, Error{ErrorCode::kTamperDetected, w});
    warnings.push_back(std::move(w));
  };
  // What the stored form says, read before it is decrypted in place. Most types need only the
  // list of their clear fields that the manifest encrypts (no copy of the entity); a Service and
  // a Contact's services are checked side by side with their decrypted form (compound
  // sub-services: engine::erase_clear_service_fields), so the stored members those checks read
  // are kept (copies of them only: members_checked).
  // (rev absent or not a string: looked up as "", tracking_backend.cpp)
  const std::string stored_rev = string_member(encrypted, "rev");
  std::optional<Json> stored_copy;
  std::vector<std::string> stored_in_clear;
  if (type == "Service" || type == "Contact") {
    stored_copy = members_checked(*this, type, encrypted);
  } else if (auto manifest = manifest_of(type); manifest.ok()) {
    stored_in_clear = engine::clear_fields_requiring_encryption(encrypted, *manifest);
  }
  const auto verified = access.verified_keys();
  Provenance provenance = Provenance::kUnverified;
  Result<Json> clear = Error{ErrorCode::kInternal, "not decrypted"};
  if (!verified.empty()) {
    // The content must open with a key of verified provenance: never silently with one the server
    // could have supplied next to ours (malicious-server.md M12).
    if (Status opened = engine::decrypt_json_in_place(encrypted, verified, &findings); !opened.ok()) {
      // (A partly decrypted entity gives the same outcome with more keys as the original would.)
      if (engine::decrypt_json_in_place(encrypted, access.key_pointers()).ok()) {
        Error e{ErrorCode::kTamperDetected,
                what + ": its content opens only with a key delivered by " + access.unverified_sources() +
                    ", not with the key this user holds from its own exchange data: the content was replaced "
                    "(not returned)"};
        warn(type, id, e);
        return e;
      }
      return opened.error();
    }
    clear = std::move(encrypted);
    provenance = Provenance::kVerified;
    if (access.keys.size() > verified.size()) {
      note(what + " carries another entity key, delivered by " + access.unverified_sources() +
           ": ignored (only the key from this user's own exchange data is used)");
    }
    if (access.secret_ids != access.verified_secret_ids || access.owning_entity_ids != access.verified_owning_entity_ids) {
      note(what + " carries secret or owning-entity ids that came only through unverified exchange data: ignored");
    }
  } else {
    CARDINAL_RETURN_IF_ERROR(engine::decrypt_json_in_place(encrypted, access.key_pointers(), &findings));
    clear = std::move(encrypted);
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
  if (auto w = trust_->rollback_warning(type, id, stored_rev)) out.warnings.push_back(*w);
  for (const auto& path : findings.clear_and_encrypted) {
    std::string w = "field '" + path + "' is both in clear and encrypted (the encrypted value was kept)";
    warn(type, id, Error{ErrorCode::kTamperDetected, w});
    out.warnings.push_back(std::move(w));
  }
  // A field the manifest encrypts that is stored only in clear did not come from the content's
  // writer (who encrypts it) but from the server or a writer with another manifest: it is not
  // returned as the entity's content (and so never re-encrypted as the user's own by a modify).
  std::vector<std::string> erased;
  if (stored_copy) {
    erased = erase_clear_fields(*this, type, *stored_copy, out.entity, findings.clear_and_encrypted);
  } else {
    for (const auto& path : stored_in_clear) {
      if (path == "id" || std::find(findings.clear_and_encrypted.begin(), findings.clear_and_encrypted.end(), path) !=
                              findings.clear_and_encrypted.end()) {
        continue;
      }
      erase_path(out.entity, path);
      erased.push_back(path);
    }
  }
  for (const auto& path : erased) {
    std::string w = "field '" + path + "' is stored in clear although it is one the content encrypts: not "
                    "written by an SDK that encrypts it (altered on the server?); left out";
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
  if (candidates.empty()) {
    // Delegations this user can open, but none carries the entity key (e.g. emptied on the server).
    return Error{ErrorCode::kKeyNotAvailable, std::string(type) + " " + id_of(entity) +
                                                  ": none of the delegations this user can open carries its "
                                                  "encryption key; ask its author to share it again"};
  }
  if (candidates.size() > 1) {
    if (auto es = entity.find("encryptedSelf"); es != entity.end() && es->is_string()) {
      for (const auto* k : candidates) {
        if (engine::decrypt_json(Json{{"encryptedSelf", *es}}, {k}).ok()) return *k;
      }
    }
  }
  return *candidates.front();
}

Result<engine::EntityAccess> SdkCore::open_access(const Json& entity, std::string_view type) {
  auto access = entities_->open(entity, security_type_of(type));
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
    access = entities_->open(entity, security_type_of(type));
    if (access.ok() || access.error().code() != ErrorCode::kKeyNotAvailable) return access;
  }
  return Error{ErrorCode::kKeyNotAvailable,
               "no access yet: no delegation of " + std::string(type) + " " + id + " opens for data owner " +
                   self_.id + ": it was not shared with this data owner, or not with its current keys; ask a data "
                   "owner who can read it to share it"};
}

}  // namespace cardinal::api
