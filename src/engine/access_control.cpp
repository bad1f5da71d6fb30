// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#include "engine/access_control.hpp"

#include <cardinal/crypto/encoding.hpp>
#include <cardinal/crypto/hash.hpp>

#include <array>

namespace cardinal::engine {

namespace {
constexpr std::array<std::string_view, 16> kEntityTypes = {
    "Article",  "AccessLog", "CalendarItem",  "Classification", "ClassificationTemplate", "Contact", "Service",
    "Document", "Form",      "HealthElement", "Invoice",        "MaintenanceTask",        "Message", "Patient",
    "Receipt",  "Topic"};
}  // namespace

bool is_entity_type(std::string_view type) noexcept {
  for (auto t : kEntityTypes) {
    if (t == type) return true;
  }
  return false;
}

Result<SecretBytes> access_control_key(const SecretBytes& access_control_secret, std::string_view entity_type) {
  if (!is_entity_type(entity_type)) {
    return Error{ErrorCode::kInvalidArgument, "unknown entity type '" + std::string(entity_type) + "'"};
  }
  if (access_control_secret.size() != kAccessControlSecretSize) {
    return Error{ErrorCode::kInvalidArgument, "access control secret must be 16 bytes"};
  }
  std::string material = crypto::hex_encode(access_control_secret.reveal());
  material.append(entity_type);
  Bytes digest = crypto::sha256(as_bytes(material));
  detail::secure_wipe(material.data(), material.size());
  SecretBytes key(ByteView(digest).first(kAccessControlKeySize));
  detail::secure_wipe(digest.data(), digest.size());
  return key;
}

std::string secure_delegation_key(ByteView access_control_key) {
  return crypto::hex_encode(crypto::sha256(access_control_key));
}

}  // namespace cardinal::engine
