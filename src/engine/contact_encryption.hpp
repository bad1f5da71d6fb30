// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once
// Contacts and their services, encrypted as the official SDK does (crypto-spec.md §6.5): the
// contact manifest on the contact, then each element of `services` separately under the same
// (contact) key: with the service manifest plus `content`, or, when every content value is
// compound, with the service manifest and each compound sub-service encrypted the same way.

#include <cardinal/content/manifest.hpp>
#include <cardinal/crypto/aes.hpp>
#include <cardinal/json.hpp>

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

/// Encrypts one service (and its compound sub-services) as part of a contact.
Result<Json> encrypt_service(const Json& service, const crypto::AesKey& key, const ContactManifests& manifests);

}  // namespace cardinal::engine
