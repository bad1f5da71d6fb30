// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#include <cardinal/content/entity_content.hpp>

#include "engine/contact_encryption.hpp"
#include "engine/json_encryption.hpp"

namespace cardinal {

Result<Json> encrypt_entity_content(const Json& clear, const crypto::AesKey& entity_key,
                                    const EncryptedFieldsManifest& manifest) {
  return engine::encrypt_json(clear, entity_key, manifest);
}

Result<Json> encrypt_contact_content(const Json& clear, const crypto::AesKey& entity_key,
                                     const EncryptedFieldsManifest& contact_manifest,
                                     const EncryptedFieldsManifest& service_manifest) {
  return engine::encrypt_contact(clear, entity_key, engine::ContactManifests{contact_manifest, service_manifest});
}

Result<Json> decrypt_entity_content(const Json& encrypted, const std::vector<crypto::AesKey>& keys,
                                    std::vector<std::string>* warnings) {
  std::vector<const crypto::AesKey*> pointers;
  for (const auto& k : keys) pointers.push_back(&k);
  engine::DecryptionFindings findings;
  CARDINAL_ASSIGN_OR_RETURN(Json out, engine::decrypt_json(encrypted, pointers, &findings));
  if (findings.id_mismatch) {
    return Error{ErrorCode::kTamperDetected, "the encrypted content belongs to another entity (its id differs)"};
  }
  if (warnings != nullptr) {
    for (auto& p : findings.clear_and_encrypted) {
      warnings->push_back("field '" + p + "' is both in clear and encrypted");
    }
  }
  return out;
}

}  // namespace cardinal
