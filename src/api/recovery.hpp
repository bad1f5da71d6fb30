// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once
// Key-pair recovery data (KEYPAIR_RECOVERY): a recovery key (16 or 32 random bytes, shown to the
// user in base32) locates (id = hex(SHA-256(key))) and decrypts (AES-CBC) a record holding key
// pairs. crypto-spec.md §9.2.

#include <cardinal/crypto/rsa.hpp>
#include <cardinal/json.hpp>
#include <cardinal/secret.hpp>

#include <map>
#include <string>
#include <vector>

namespace cardinal::api {

/// Unpadded RFC 4648 base32 in groups of 4 separated by '-' (for people to write down).
std::string recovery_key_to_text(const SecretBytes& key);
/// Accepts that form, plain base32 (any case, with or without dashes/spaces) or hex.
/// Errors: kMalformedInput (not 16 or 32 bytes).
Result<SecretBytes> recovery_key_from_text(std::string_view text);

std::string recovery_data_id(const SecretBytes& key);

/// The RecoveryData record holding `pairs` (data owner id → private keys) for `recipient`.
Result<Json> seal_key_pairs(const SecretBytes& key, const std::string& recipient,
                            const std::map<std::string, std::vector<crypto::RsaPrivateKey>>& pairs,
                            std::optional<std::int64_t> expiration_ms);

/// Opens a KEYPAIR_RECOVERY record: checks its id, type and recipient, decrypts it, and imports
/// every pair whose private key derives exactly its stated public key. Errors: kTamperDetected
/// (wrong type/recipient/id), kDecryptionFailed, kMalformedInput.
Result<std::map<std::string, std::vector<crypto::RsaPrivateKey>>> open_key_pairs(const Json& record,
                                                                                 const SecretBytes& key,
                                                                                 const std::string& recipient);

}  // namespace cardinal::api
