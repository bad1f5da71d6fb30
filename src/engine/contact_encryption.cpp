// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#include "engine/contact_encryption.hpp"

#include "engine/json_encryption.hpp"

#include <cstdlib>
#include <optional>

namespace cardinal::engine {

namespace {

Error wrong(const std::string& path, const char* expected) {
  return Error{ErrorCode::kInvalidArgument, "contact field '" + path + "' must be " + expected};
}

Result<Json> encrypt_service_at(const Json& service, const crypto::AesKey& key, const ContactManifests& m,
                                const EncryptedFieldsManifest& with_content, const std::string& path, int depth) {
  if (depth > kMaxJsonDepth) return Error{ErrorCode::kInvalidArgument, "contact services are nested too deeply"};
  if (!service.is_object()) return wrong(path, "an object (a Service)");
  const auto content = service.find("content");
  bool only_compound = true;
  if (content != service.end() && !content->is_null()) {
    if (!content->is_object()) return wrong(path + ".content", "an object (language → Content)");
    for (const auto& [lang, value] : content->items()) {
      if (!value.is_object()) return wrong(path + ".content." + lang, "an object (a Content)");
      only_compound = only_compound && is_compound_content(value);
    }
  }
  if (!only_compound) return encrypt_json(service, key, with_content);
  // Every content value is compound: the service itself with the base manifest, and each
  // sub-service encrypted on its own (the official SDK's EncryptedContent(compoundValue = …)).
  CARDINAL_ASSIGN_OR_RETURN(Json out, encrypt_json(service, key, m.service_base));
  if (content == service.end() || content->is_null()) return out;
  Json encrypted_content = Json::object();
  for (const auto& [lang, value] : content->items()) {
    Json subs = Json::array();
    std::size_t i = 0;
    for (const auto& sub : value["compoundValue"]) {
      const std::string sub_path = path + ".content." + lang + ".compoundValue[" + std::to_string(i++) + "]";
      CARDINAL_ASSIGN_OR_RETURN(Json e, encrypt_service_at(sub, key, m, with_content, sub_path, depth + 1));
      subs.push_back(std::move(e));
    }
    encrypted_content[lang] = Json{{"compoundValue", std::move(subs)}};
  }
  out["content"] = std::move(encrypted_content);
  return out;
}

// The object holding the member at `path` ("a", "a.b", "a[2].b", built from manifest keys) and
// the member's name; nullptr when the path leads nowhere.
template <class J>
std::pair<J*, std::string> member_at(J& root, const std::string& path) {
  J* at = &root;
  std::size_t pos = 0;
  for (;;) {
    const std::size_t dot = path.find('.', pos);
    std::string part = path.substr(pos, dot == std::string::npos ? std::string::npos : dot - pos);
    std::optional<std::size_t> index;
    if (const auto b = part.find('['); b != std::string::npos && !part.empty() && part.back() == ']') {
      index = static_cast<std::size_t>(std::strtoull(part.c_str() + b + 1, nullptr, 10));
      part.resize(b);
    }
    if (!at->is_object()) return {nullptr, {}};
    if (dot == std::string::npos && !index) return {at, part};
    auto it = at->find(part);
    if (it == at->end()) return {nullptr, {}};
    at = &*it;
    if (index) {
      if (!at->is_array() || *index >= at->size() || dot == std::string::npos) return {nullptr, {}};
      at = &(*at)[*index];
    }
    pos = dot + 1;
  }
}

// Erases `decrypted[name]` when it is still what `stored[name]` holds in clear (an encrypted
// value that replaced it was reported by the decryption already and is kept); true if erased.
bool erase_if_as_stored(const Json* stored, Json* decrypted, const std::string& name) {
  if (stored == nullptr || decrypted == nullptr || !decrypted->is_object()) return false;
  auto s = stored->find(name);
  auto d = decrypted->find(name);
  if (s == stored->end() || d == decrypted->end() || *s != *d) return false;
  decrypted->erase(d);
  return true;
}

std::string child_path(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

void erase_clear_at(const Json& stored, Json* decrypted, const EncryptedFieldsManifest& check,
                    const EncryptedFieldsManifest& with_content, const std::string& path, int depth,
                    std::vector<std::string>& out) {
  if (!stored.is_object()) return;
  const auto content = stored.find("content");
  bool only_compound = true;  // as the writer decides (encrypt_service_at): no content is "compound"
  if (content != stored.end() && content->is_object()) {
    for (const auto& [lang, value] : content->items()) only_compound = only_compound && is_compound_content(value);
  } else if (content != stored.end() && !content->is_null()) {
    only_compound = false;
  }
  if (depth > kMaxJsonDepth) only_compound = false;  // nested too deeply: the content is not returned
  if (check.encrypts_everything()) {
    for (const auto& [k, v] : stored.items()) {
      if (k == "encryptedSelf" || k == "id" || v.is_null() || (only_compound && k == "content")) continue;
      if (erase_if_as_stored(&stored, decrypted, k)) out.push_back(child_path(path, k));
    }
  } else {
    for (const auto& f : clear_fields_requiring_encryption(stored, only_compound ? check : with_content)) {
      auto [sp, sk] = member_at(stored, f);
      auto [dp, dk] = decrypted != nullptr ? member_at(*decrypted, f) : std::pair<Json*, std::string>{nullptr, {}};
      if (sp != nullptr && dp != nullptr && sk == dk && erase_if_as_stored(sp, dp, sk)) out.push_back(child_path(path, f));
    }
  }
  if (!only_compound || content == stored.end() || !content->is_object()) return;
  for (const auto& [lang, value] : content->items()) {
    const Json& subs = value.at("compoundValue");  // (compound: a non-empty array)
    Json* decrypted_subs = nullptr;
    if (decrypted != nullptr && decrypted->is_object()) {
      auto dc = decrypted->find("content");
      if (dc != decrypted->end() && dc->is_object()) {
        auto dl = dc->find(lang);
        if (dl != dc->end() && dl->is_object()) {
          auto dv = dl->find("compoundValue");
          if (dv != dl->end() && dv->is_array()) decrypted_subs = &*dv;
        }
      }
    }
    for (std::size_t i = 0; i < subs.size(); ++i) {
      Json* d = decrypted_subs != nullptr && i < decrypted_subs->size() ? &(*decrypted_subs)[i] : nullptr;
      erase_clear_at(subs[i], d, check, with_content,
                     child_path(path, "content." + lang + ".compoundValue[" + std::to_string(i) + "]"), depth + 1, out);
    }
  }
}

Result<EncryptedFieldsManifest> service_with_content(const ContactManifests& m) {
  if (m.service_base.encrypts_everything()) return m.service_base;
  return m.service_base.extended({"content"});
}

}  // namespace

Status check_contact_manifests(const ContactManifests& manifests) {
  if (manifests.contact.mentions("services")) {
    return Error{ErrorCode::kInvalidArgument,
                 "the Contact manifest must not list 'services': services are encrypted one by one with the "
                 "Service manifest (SdkOptions::manifests[\"Service\"])"};
  }
  if (manifests.service_base.mentions("content")) {
    return Error{ErrorCode::kInvalidArgument,
                 "the Service manifest must not list 'content': service content is always encrypted"};
  }
  return {};
}

bool is_compound_content(const Json& content) {
  if (!content.is_object()) return false;
  const auto compound = content.find("compoundValue");
  if (compound == content.end() || !compound->is_array() || compound->empty()) return false;
  for (const auto& [k, v] : content.items()) {
    if (k == "compoundValue") continue;
    if (!(v.is_null() || (v.is_array() && v.empty()))) return false;
  }
  return true;
}

std::vector<std::string> erase_clear_service_fields(const Json& stored, Json& decrypted,
                                                    const EncryptedFieldsManifest& check, const std::string& path) {
  std::vector<std::string> out;
  auto with_content = check.encrypts_everything() ? Result<EncryptedFieldsManifest>(check) : check.extended({"content"});
  if (!with_content.ok()) return out;  // (cannot fail: "content" is a valid entry)
  erase_clear_at(stored, &decrypted, check, *with_content, path, 0, out);
  return out;
}

Result<Json> encrypt_service(const Json& service, const crypto::AesKey& key, const ContactManifests& manifests) {
  CARDINAL_RETURN_IF_ERROR(check_contact_manifests(manifests));
  CARDINAL_ASSIGN_OR_RETURN(auto with_content, service_with_content(manifests));
  return encrypt_service_at(service, key, manifests, with_content, "services[]", 0);
}

Result<Json> encrypt_contact(const Json& contact, const crypto::AesKey& key, const ContactManifests& manifests,
                             const Json& bound) {
  if (!contact.is_object()) return Error{ErrorCode::kInvalidArgument, "a Contact must be a JSON object"};
  CARDINAL_RETURN_IF_ERROR(check_contact_manifests(manifests));
  CARDINAL_ASSIGN_OR_RETURN(auto with_content, service_with_content(manifests));
  const auto services = contact.find("services");
  if (services != contact.end() && !services->is_null() && !services->is_array()) {
    return wrong("services", "an array of Services");
  }
  // The contact's own fields first (services are not in its manifest: copied as they are), then
  // every service replaced by its encrypted form, in place.
  CARDINAL_ASSIGN_OR_RETURN(Json out, encrypt_json(contact, key, manifests.contact, bound));
  if (manifests.contact.encrypts_everything() || services == contact.end() || services->is_null()) return out;
  Json encrypted = Json::array();
  for (std::size_t i = 0; i < services->size(); ++i) {
    CARDINAL_ASSIGN_OR_RETURN(
        Json s, encrypt_service_at((*services)[i], key, manifests, with_content, "services[" + std::to_string(i) + "]", 1));
    encrypted.push_back(std::move(s));
  }
  out["services"] = std::move(encrypted);
  return out;
}

}  // namespace cardinal::engine
