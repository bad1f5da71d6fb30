// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once
// Contacts and their services, encrypted as the official SDK does (crypto-spec.md §6.5): the
// contact manifest on the contact, then each element of `services` separately under the same
// (contact) key: with the service manifest plus `content`, or, when every content value is
// compound, with the service manifest and each compound sub-service encrypted the same way.

#include <cardinal/content/manifest.hpp>
#include <cardinal/crypto/aes.hpp>
#include <cardinal/json.hpp>

#include <string>
#include <vector>

namespace cardinal::engine {

/// Manifests of a Contact and of its services. `service_base` must not mention `content` and
/// `contact` must not mention `services` (both are handled here, as by the official SDK).
struct ContactManifests {
  EncryptedFieldsManifest contact;
  EncryptedFieldsManifest service_base;
};

/// Checks the two manifests (kInvalidArgument naming the offending field).
Status check_contact_manifests(const ContactManifests& manifests);

/// Whether a Content value (one language of `service.content`) is compound: a non-empty
/// `compoundValue` and nothing else (every other member null or an empty array).
bool is_compound_content(const Json& content);

/// Encrypts a Contact (see the file comment). `bound` as for `encrypt_json` (top level only).
/// Errors: kInvalidArgument (a service or content of the wrong type, nested too deeply), as
/// `encrypt_json` otherwise.
Result<Json> encrypt_contact(const Json& contact, const crypto::AesKey& key, const ContactManifests& manifests,
                             const Json& bound = Json());

/// What a reader checks on a stored service: `check` is what every writer of services encrypts
/// (without `content`); `content` is encrypted too unless every content value is compound, and
/// then each compound sub-service is checked the same way, recursively (nesting bounded).
/// A field found in clear that the decryption kept as stored (not replaced by an encrypted value)
/// is erased from `decrypted` (the same service, decrypted) and its path (after `path`) returned:
/// it came from the server or a writer that does not encrypt it, never from the content's writer.
/// With a `check` that encrypts everything, every clear field but `id` (and a compound `content`)
/// counts. Never fails: input of an unexpected shape is checked as far as it goes.
std::vector<std::string> erase_clear_service_fields(const Json& stored, Json& decrypted,
                                                    const EncryptedFieldsManifest& check, const std::string& path);

/// Encrypts one service (and its compound sub-services) as part of a contact.
Result<Json> encrypt_service(const Json& service, const crypto::AesKey& key, const ContactManifests& manifests);

}  // namespace cardinal::engine
