// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// Offline encryption of an entity's content with a known entity key (no security metadata, no
/// server): for debugging one record and for tools. The format is the platform's `encryptedSelf`.
///
/// Thread safety: thread-safe (pure functions).
///
/// Ownership: inputs are borrowed for the call; the returned JSON is a new value the caller owns;
/// `warnings`, when given, is appended to during the call only.

#include <cardinal/content/manifest.hpp>
#include <cardinal/crypto/aes.hpp>
#include <cardinal/export.hpp>
#include <cardinal/json.hpp>

#include <string>
#include <vector>

namespace cardinal {

/// Moves the manifest's fields of `clear` into `encryptedSelf` (at every level the manifest names).
/// Errors: kInvalidArgument (not an object, a field of the wrong type for its manifest role).
CARDINAL_EXPORT Result<Json> encrypt_entity_content(const Json& clear, const crypto::AesKey& entity_key,
                                                    const EncryptedFieldsManifest& manifest);

/// A Contact, encrypted as the official SDK does: `contact_manifest` on the contact, and each
/// service of `services` separately under the same key, with `service_manifest` plus `content`
/// (or, when every content value is compound, each compound sub-service the same way).
/// `EncryptedFieldsManifest::platform_default("Contact")` / `("Service")` are the defaults.
/// Errors: kInvalidArgument (as `encrypt_entity_content`; the contact manifest lists `services`
/// or the service manifest lists `content`).
CARDINAL_EXPORT Result<Json> encrypt_contact_content(const Json& clear, const crypto::AesKey& entity_key,
                                                     const EncryptedFieldsManifest& contact_manifest,
                                                     const EncryptedFieldsManifest& service_manifest);

/// Decrypts every `encryptedSelf` with the first key that opens it and merges the fields back.
/// `warnings` (optional) receives integrity findings (fields both in clear and encrypted).
/// Errors: kDecryptionFailed, kMalformedInput, kTamperDetected (the content carries another
/// entity's id: an `encryptedSelf` copied from another entity — the SDK refuses it the same way).
CARDINAL_EXPORT Result<Json> decrypt_entity_content(const Json& encrypted, const std::vector<crypto::AesKey>& keys,
                                                    std::vector<std::string>* warnings = nullptr);

}  // namespace cardinal
