// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once
// The encrypted values of secure delegations: AES-256-CBC under an exchange key of
// "Cure" ‖ payload, base64 (wire-format.md, "Secure delegations on entities").

#include <cardinal/crypto/aes.hpp>
#include <cardinal/result.hpp>
#include <cardinal/secret.hpp>

#include <string>
#include <string_view>

namespace cardinal::engine {

/// base64(AES-CBC(exchange_key, "Cure" ‖ payload)).
Result<std::string> encrypt_delegation_value(const crypto::AesKey& exchange_key, ByteView payload);

/// Reverses `encrypt_delegation_value`. Errors: kMalformedInput (not base64), kDecryptionFailed
/// (CBC failure), kTamperDetected (decrypts, but without the "Cure" prefix: wrong key or forged).
Result<SecretBytes> decrypt_delegation_value(const crypto::AesKey& exchange_key, std::string_view b64);

/// Entity keys: the payload is the raw AES key; the result must be 16 or 32 bytes.
Result<crypto::AesKey> decrypt_entity_key(const crypto::AesKey& exchange_key, std::string_view b64);
/// Ids (secret ids, owning entity ids): the payload is UTF-8 text.
Result<std::string> decrypt_delegation_id(const crypto::AesKey& exchange_key, std::string_view b64);

}  // namespace cardinal::engine
