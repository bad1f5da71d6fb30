// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#include "engine/contact_encryption.hpp"

#include "engine/json_encryption.hpp"

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
