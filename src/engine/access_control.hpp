// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once
// Access control keys and secure delegation keys (wire-format.md, "Access control").

#include <cardinal/bytes.hpp>
#include <cardinal/result.hpp>
#include <cardinal/secret.hpp>

#include <string>
#include <string_view>

namespace cardinal::engine {

inline constexpr std::size_t kAccessControlSecretSize = 16;
inline constexpr std::size_t kAccessControlKeySize = 16;

/// True for the platform's fixed entity type ids (the salts of access control keys).
bool is_entity_type(std::string_view type) noexcept;

/// First 16 bytes of SHA-256(UTF-8(hex(acs) + entityType)). Errors: kInvalidArgument for an
/// unknown entity type or a secret that is not 16 bytes.
Result<SecretBytes> access_control_key(const SecretBytes& access_control_secret, std::string_view entity_type);

/// hex(SHA-256(access control key)): what the server stores and indexes.
std::string secure_delegation_key(ByteView access_control_key);

}  // namespace cardinal::engine
