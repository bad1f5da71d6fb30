// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once
// encryptedSelf: encryption of the manifest's fields and generic decryption (wire-format.md,
// "Entity content"; crypto-spec.md §6.3-6.4).

#include <cardinal/content/manifest.hpp>
#include <cardinal/crypto/aes.hpp>
#include <cardinal/json.hpp>

#include <string>
#include <vector>

namespace cardinal::engine {

inline constexpr int kMaxJsonDepth = 64;

/// Moves the manifest's fields of `object` into `encryptedSelf` (recursively for nested objects,
/// array items and map values). An existing `encryptedSelf` that already holds exactly those values
/// is kept unchanged. Errors: kInvalidArgument (a field of the wrong type for its manifest role, or
/// too deep), kInternal.
/// `bound` (an object, may be null) holds extra top-level fields copied — not moved — into the
/// top-level encryptedSelf (e.g. the entity id, to bind the ciphertext to its entity).
Result<Json> encrypt_json(const Json& object, const crypto::AesKey& key, const EncryptedFieldsManifest& manifest,
                          const Json& bound = Json());

/// `encrypt_json` of an entity the caller gives up: its members are moved into the result and its
/// encryptedSelf, not copied. On error `object` is left in a valid but unspecified state.
Result<Json> encrypt_json(Json&& object, const crypto::AesKey& key, const EncryptedFieldsManifest& manifest,
                          const Json& bound = Json());

/// What decryption noticed that may be tampering.
struct DecryptionFindings {
  /// Paths of fields present both in clear and inside encryptedSelf (the decrypted value wins).
  std::vector<std::string> clear_and_encrypted;
  /// The top-level encryptedSelf holds an `id` different from the clear `id`: the encrypted content
  /// belongs to another entity.
  bool id_mismatch = false;
};

/// Decrypts every `encryptedSelf` (any depth) with the first key that yields a JSON object and
/// merges the fields back (decrypted values win; `encryptedSelf` is kept). Errors:
/// kDecryptionFailed when no key opens an encryptedSelf, kMalformedInput (not a string, too deep).
Result<Json> decrypt_json(const Json& object, const std::vector<const crypto::AesKey*>& keys,
                          DecryptionFindings* findings = nullptr);

/// `decrypt_json` on an entity the caller gives up: decrypted where it is, without a copy.
Result<Json> decrypt_json(Json&& object, const std::vector<const crypto::AesKey*>& keys,
                          DecryptionFindings* findings = nullptr);

/// `decrypt_json` in place. On error `object` may be partly decrypted (nested contents already
/// merged; decrypting it again with the same or more keys gives the same outcome as the
/// original would): decrypt a copy when the original is still needed.
Status decrypt_json_in_place(Json& object, const std::vector<const crypto::AesKey*>& keys,
                             DecryptionFindings* findings = nullptr);

/// Fields the manifest requires to be encrypted that are present in clear (paths). Used to refuse
/// saving an entity that would send them in clear.
std::vector<std::string> clear_fields_requiring_encryption(const Json& object, const EncryptedFieldsManifest& manifest);

/// Compact serialisation (UTF-8 raw, key order kept). Errors: kInvalidArgument (invalid UTF-8).
Result<std::string> compact_json(const Json& value);

}  // namespace cardinal::engine
