// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// `ContactApi`: Contacts (a `TypedEntityApi<ContactKind>`), and the Services they hold, read on
/// their own as the official SDK's `ContactApi` does (`matchServicesBy`, `filterServicesBy`,
/// `getServices`, `decryptService`, `tryDecryptService`).
///
/// ```cpp
/// auto patient = sdk->patients().get("p-1").value();
/// auto it = sdk->contacts().filter_services(
///     cardinal::ServiceFilters::by_tag_and_value_date_for_self("LOINC", "2345-7", {.descending = true}));
/// while (it.ok() && it->has_next()) {
///   auto page = it->next();
///   if (!page.ok()) break;
///   for (const auto& service : page->entities) show(service.entity["content"]);
/// }
/// ```
///
/// A Service is stored inside a Contact; the server answers it alone with its contact's security
/// metadata (delegations, secret foreign keys) and `contactId`, its content still encrypted with
/// the contact's key (its own `encryptedSelf`). This SDK opens it with the contact's delegations
/// (entity type Contact) and checks it as any entity: content that does not open with a key of
/// verified provenance, or clear fields the Service manifest encrypts, are refused or left out
/// (docs/queries.md), compound sub-services included (each checked like a service: a clear one is
/// left out with a warning). `contactId` and the linked health elements are the server's word.
///
/// Also the server's word (not checked): that a service a "by patients" filter returns belongs to
/// those patients (it opens for this user and is checked, but is not tied to the patient asked
/// for: compare its `secretForeignKeys` with the patient's secret ids if it matters), and which
/// version of a service kept in several contacts is returned (services carry no revision of
/// their own, so an older version is not detected as a rollback).
///
/// Thread safety: as `TypedEntityApi` (any number of threads; one iterator per thread at a time).
/// Ownership: owned by the `CardinalSdk` that returned it, valid as long as that lives, as are the
/// iterators it returns.

#include <cardinal/json.hpp>
#include <cardinal/result.hpp>
#include <cardinal/sdk/filters.hpp>
#include <cardinal/sdk/query.hpp>
#include <cardinal/sdk/typed_entity_api.hpp>
#include <cardinal/sdk/types.hpp>

#include <string>
#include <vector>

namespace cardinal {

/// Contacts, with `ContactFilters`, and their Services, with `ServiceFilters`.
class ContactApi : public TypedEntityApi<ContactKind> {
 public:
  /// The ids of the services `filter` selects that this user may see (one request to
  /// `/rest/v2/contact/service/match`), in the server's order, de-duplicated. Errors: as `match`.
  virtual Result<std::vector<std::string>> match_services(const FilterOptions<ServiceKind>& filter,
                                                          const QueryLimits& limits = {}) = 0;
  /// The decrypted services `filter` selects, page by page (a `match_services` now, one
  /// `POST /rest/v2/contact/service` per page later), with the checks of `filter`: services not
  /// asked for, repeated or malformed are dropped and reported. Errors: those of `match_services`.
  virtual Result<PaginatedIterator<DecryptedEntity>> filter_services(const FilterOptions<ServiceKind>& filter,
                                                                     const QueryOptions& options = {}) = 0;
  /// Services by id, one request: one result per distinct id, in the order given (kNotFound for a
  /// service the server did not return: no access, or none). Errors: transport errors,
  /// kMalformedResponse (the answer is not a list).
  virtual Result<BulkResult<DecryptedEntity>> get_services(const std::vector<std::string>& ids) = 0;
  /// Decrypts a service obtained elsewhere (with its contact's security metadata, as the server
  /// answers it). Errors: kKeyNotAvailable, kDecryptionFailed, kTamperDetected, as `CryptoApi::decrypt`.
  virtual Result<DecryptedEntity> decrypt_service(const Json& encrypted_service) = 0;
  /// `decrypt_service`, but a service that does not open for this user or fails its checks comes
  /// back as given with `decrypted` false (the official `tryDecryptService`). Errors: transport only.
  virtual Result<MaybeDecrypted> try_decrypt_service(const Json& encrypted_service) = 0;
};

}  // namespace cardinal
