// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#include "engine/json_encryption.hpp"

#include <cardinal/crypto/encoding.hpp>

#include "common/json_writer.hpp"

#include <optional>
#include <string_view>

namespace cardinal::engine {

namespace {

constexpr const char* kEncryptedSelf = "encryptedSelf";
constexpr std::size_t kMaxEncryptedSelf = 16 * 1024 * 1024;

Error wrong_type(const std::string& path, const char* expected) {
  return Error{ErrorCode::kInvalidArgument, "field '" + path + "' must be " + expected + " (manifest)"};
}

std::string child(const std::string& path, const std::string& key) { return path.empty() ? key : path + "." + key; }

// Opens an encryptedSelf with the given key; nullopt if it does not yield a JSON object.
std::optional<Json> try_open(const std::string& b64, const crypto::AesKey& key) {
  if (b64.size() > kMaxEncryptedSelf) return std::nullopt;
  auto ct = crypto::base64_decode(b64);
  if (!ct.ok()) return std::nullopt;
  auto plain = crypto::aes_cbc::decrypt(key, *ct);
  if (!plain.ok()) return std::nullopt;
  auto parsed = parse_json(plain->reveal_as_text());
  if (!parsed.ok() || !parsed->is_object()) return std::nullopt;
  return std::move(parsed).value();
}

Result<std::string> seal(const Json& fields, const crypto::AesKey& key) {
  CARDINAL_ASSIGN_OR_RETURN(std::string text, compact_json(fields));
  auto ct = crypto::aes_cbc::encrypt(key, as_bytes(text));
  detail::secure_wipe(text.data(), text.size());
  if (!ct.ok()) return ct.error();
  return crypto::base64_encode(*ct);
}

// Members are appended without nlohmann's search for an existing key (operator[] and emplace are
// linear in the object's size): the keys come from one object, so they are distinct.
Json::object_t& members_of(Json& object) { return object.get_ref<Json::object_t&>(); }

void append(Json::object_t& to, const std::string& k, Json&& v) { to.emplace_back(k, std::move(v)); }

// The encryptedSelf of the result: the existing one when it opens to exactly `secret` (no
// needless change of ciphertext), else `secret` sealed.
Status put_sealed(Json& out, Json&& existing, const std::optional<Json>& previous, const Json& secret,
                  const crypto::AesKey& key) {
  if (previous && *previous == secret) {
    append(members_of(out), kEncryptedSelf, std::move(existing));
    return {};
  }
  CARDINAL_ASSIGN_OR_RETURN(std::string sealed, seal(secret, key));
  append(members_of(out), kEncryptedSelf, Json(std::move(sealed)));
  return {};
}

Result<Json> encrypt_object(Json&& object, const crypto::AesKey& key, const EncryptedFieldsManifest& m,
                            const std::string& path, int depth, const Json& bound = Json());

// Applies `m` to each object element of a container (array items or map values), in place.
Result<Json> encrypt_children(Json&& container, const crypto::AesKey& key, const EncryptedFieldsManifest& m,
                              const std::string& path, int depth, bool is_array) {
  if (container.is_null()) return std::move(container);
  if (is_array ? !container.is_array() : !container.is_object()) {
    return wrong_type(path, is_array ? "an array" : "an object (map)");
  }
  if (is_array) {
    auto& items = container.get_ref<Json::array_t&>();
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (items[i].is_null()) continue;
      const std::string p = path + "[" + std::to_string(i) + "]";
      if (!items[i].is_object()) return wrong_type(p, "an object");
      CARDINAL_ASSIGN_OR_RETURN(items[i], encrypt_object(std::move(items[i]), key, m, p, depth + 1));
    }
  } else {
    for (auto& [k, v] : members_of(container)) {
      if (v.is_null()) continue;
      if (!v.is_object()) return wrong_type(child(path, k), "an object");
      CARDINAL_ASSIGN_OR_RETURN(v, encrypt_object(std::move(v), key, m, child(path, k), depth + 1));
    }
  }
  return std::move(container);
}

// Moves the members of `object` into the result or its encryptedSelf (`object` is consumed).
Result<Json> encrypt_object(Json&& object, const crypto::AesKey& key, const EncryptedFieldsManifest& m,
                            const std::string& path, int depth, const Json& bound) {
  if (depth > kMaxJsonDepth) return Error{ErrorCode::kInvalidArgument, "entity JSON is nested too deeply"};
  std::optional<Json> previous;
  Json existing;  // the current encryptedSelf, kept when it already holds the values
  if (const auto es = object.find(kEncryptedSelf); es != object.end()) {
    if (es->is_string()) previous = try_open(es->get_ref<const std::string&>(), key);
    existing = std::move(*es);
    object.erase(es);
  }
  Json out = Json::object();
  if (m.encrypts_everything()) {
    CARDINAL_RETURN_IF_ERROR(put_sealed(out, std::move(existing), previous, object, key));
    return out;
  }
  auto& out_members = members_of(out);
  out_members.reserve(object.size() + 1);
  Json secret = Json::object();
  for (auto& [k, v] : members_of(object)) {
    if (m.fields().count(k) != 0) {
      append(members_of(secret), k, std::move(v));
    } else if (auto n = m.nested().find(k); n != m.nested().end()) {
      if (v.is_null()) {
        append(out_members, k, std::move(v));
      } else if (!v.is_object()) {
        return wrong_type(child(path, k), "an object");
      } else {
        CARDINAL_ASSIGN_OR_RETURN(Json e, encrypt_object(std::move(v), key, n->second, child(path, k), depth + 1));
        append(out_members, k, std::move(e));
      }
    } else if (auto a = m.array_items().find(k); a != m.array_items().end()) {
      CARDINAL_ASSIGN_OR_RETURN(Json e, encrypt_children(std::move(v), key, a->second, child(path, k), depth, true));
      append(out_members, k, std::move(e));
    } else if (auto mv = m.map_values().find(k); mv != m.map_values().end()) {
      CARDINAL_ASSIGN_OR_RETURN(Json e, encrypt_children(std::move(v), key, mv->second, child(path, k), depth, false));
      append(out_members, k, std::move(e));
    } else {
      append(out_members, k, std::move(v));
    }
  }
  if (bound.is_object()) {
    for (const auto& [k, v] : bound.items()) secret[k] = v;  // (may replace a member: operator[])
  }
  CARDINAL_RETURN_IF_ERROR(put_sealed(out, std::move(existing), previous, secret, key));
  return out;
}

// Where decrypt_in_place is inside the entity, as text only when a message or a finding needs it
// (the same text as `child`: "a.b", "a[2].b").
struct PathRef {
  const PathRef* parent = nullptr;  ///< null at the root
  std::string_view key;             ///< member name, or the array's when `index` is set
  std::optional<std::size_t> index;  ///< element of the array `key` of `parent`

  [[nodiscard]] std::string text() const {
    if (parent == nullptr) return {};
    std::string out = child(parent->text(), std::string(key));
    if (index) out += "[" + std::to_string(*index) + "]";
    return out;
  }
};

// Makes room for `extra` more members of `members` without the vector's reallocation, which
// copies its elements (pair<const std::string, Json> has no noexcept move: every value would be
// deep-copied); here only the keys are copied, the values moved.
void reserve_members(Json::object_t& members, std::size_t extra) {
  if (members.capacity() >= members.size() + extra) return;
  Json::object_t grown;
  grown.reserve(members.size() + extra);
  for (auto& [k, v] : members) grown.emplace_back(k, std::move(v));
  members.swap(grown);
}

// Decrypts `object` in place (one copy of the entity for the whole tree, not one per level).
Status decrypt_in_place(Json& object, const std::vector<const crypto::AesKey*>& keys, DecryptionFindings* findings,
                        const PathRef& path, int depth) {
  if (depth > kMaxJsonDepth) return Error{ErrorCode::kMalformedInput, "entity JSON is nested too deeply"};
  for (auto it = object.begin(); it != object.end(); ++it) {
    Json& v = *it;
    if (v.is_object()) {
      CARDINAL_RETURN_IF_ERROR(decrypt_in_place(v, keys, findings, PathRef{&path, it.key(), {}}, depth + 1));
    } else if (v.is_array()) {
      bool all_objects = true;
      for (const auto& e : v) all_objects = all_objects && (e.is_object() || e.is_null());
      if (!all_objects) continue;
      for (std::size_t i = 0; i < v.size(); ++i) {
        if (v[i].is_null()) continue;
        CARDINAL_RETURN_IF_ERROR(decrypt_in_place(v[i], keys, findings, PathRef{&path, it.key(), i}, depth + 1));
      }
    }
  }
  const auto es = object.find(kEncryptedSelf);
  if (es == object.end() || es->is_null()) return {};
  if (!es->is_string()) {
    return Error{ErrorCode::kMalformedInput, "encryptedSelf at '" + path.text() + "' is not a string"};
  }
  std::optional<Json> fields;
  const std::string& sealed = es->get_ref<const std::string&>();
  for (const auto* key : keys) {
    fields = try_open(sealed, *key);
    if (fields) break;
  }
  if (!fields) {
    const std::string at = path.text();
    return Error{ErrorCode::kDecryptionFailed,
                 "no available key decrypts encryptedSelf" + (at.empty() ? std::string() : " at '" + at + "'")};
  }
  if (depth == 0 && findings != nullptr) {
    // (Nothing below changes the clear id before this check: decrypted fields are merged after.)
    auto enc_id = fields->find("id");
    auto clear_id = object.find("id");
    if (enc_id != fields->end() && (clear_id == object.end() || *clear_id != *enc_id)) findings->id_mismatch = true;
  }
  auto& members = object.get_ref<Json::object_t&>();
  reserve_members(members, fields->size());  // (`es` is not used after this)
  for (auto& [k, v] : fields->get_ref<Json::object_t&>()) {
    if (k == kEncryptedSelf) continue;
    auto existing = object.find(k);
    if (existing == object.end()) {
      members.emplace_back(k, std::move(v));  // (a key not yet there: what operator[] would append)
      continue;
    }
    // (The top-level id is expected in both places when it binds the content to its entity.)
    const bool bound_id = depth == 0 && k == "id";
    if (findings != nullptr && !bound_id && !existing->is_null()) {
      findings->clear_and_encrypted.push_back(child(path.text(), k));
    }
    *existing = std::move(v);
  }
  return {};
}

void collect_clear(const Json& object, const EncryptedFieldsManifest& m, const std::string& path,
                   std::vector<std::string>& out, int depth) {
  if (!object.is_object() || depth > kMaxJsonDepth) return;
  if (m.encrypts_everything()) {
    for (const auto& [k, v] : object.items()) {
      if (k != kEncryptedSelf) out.push_back(child(path, k));
    }
    return;
  }
  for (const auto& f : m.fields()) {
    // A null carries nothing; any other value present in clear would be sent in clear.
    if (auto it = object.find(f); it != object.end() && !it->is_null()) out.push_back(child(path, f));
  }
  for (const auto& [k, sub] : m.nested()) {
    if (auto it = object.find(k); it != object.end()) collect_clear(*it, sub, child(path, k), out, depth + 1);
  }
  for (const auto& [k, sub] : m.array_items()) {
    auto it = object.find(k);
    if (it == object.end() || !it->is_array()) continue;
    for (std::size_t i = 0; i < it->size(); ++i) {
      collect_clear((*it)[i], sub, child(path, k) + "[" + std::to_string(i) + "]", out, depth + 1);
    }
  }
  for (const auto& [k, sub] : m.map_values()) {
    auto it = object.find(k);
    if (it == object.end() || !it->is_object()) continue;
    for (const auto& [mk, mv] : it->items()) collect_clear(mv, sub, child(child(path, k), mk), out, depth + 1);
  }
}

}  // namespace

Result<std::string> compact_json(const Json& value) { return detail::write_compact_json(value); }

Result<Json> encrypt_json(Json&& object, const crypto::AesKey& key, const EncryptedFieldsManifest& manifest,
                          const Json& bound) {
  if (!object.is_object()) return Error{ErrorCode::kInvalidArgument, "an entity must be a JSON object"};
  if (manifest.encrypts_everything() && bound.is_object() && !bound.empty()) {
    return Error{ErrorCode::kInvalidArgument, "bound fields need a manifest that keeps fields in clear"};
  }
  return encrypt_object(std::move(object), key, manifest, "", 0, bound);
}

Result<Json> encrypt_json(const Json& object, const crypto::AesKey& key, const EncryptedFieldsManifest& manifest,
                          const Json& bound) {
  if (!object.is_object()) return Error{ErrorCode::kInvalidArgument, "an entity must be a JSON object"};
  return encrypt_json(Json(object), key, manifest, bound);
}

Status decrypt_json_in_place(Json& object, const std::vector<const crypto::AesKey*>& keys,
                             DecryptionFindings* findings) {
  if (!object.is_object()) return Error{ErrorCode::kMalformedInput, "an entity must be a JSON object"};
  return decrypt_in_place(object, keys, findings, PathRef{}, 0);
}

Result<Json> decrypt_json(Json&& object, const std::vector<const crypto::AesKey*>& keys,
                          DecryptionFindings* findings) {
  CARDINAL_RETURN_IF_ERROR(decrypt_json_in_place(object, keys, findings));
  return std::move(object);
}

Result<Json> decrypt_json(const Json& object, const std::vector<const crypto::AesKey*>& keys,
                          DecryptionFindings* findings) {
  if (!object.is_object()) return Error{ErrorCode::kMalformedInput, "an entity must be a JSON object"};
  return decrypt_json(Json(object), keys, findings);
}

std::vector<std::string> clear_fields_requiring_encryption(const Json& object,
                                                           const EncryptedFieldsManifest& manifest) {
  std::vector<std::string> out;
  collect_clear(object, manifest, "", out, 0);
  return out;
}

}  // namespace cardinal::engine
