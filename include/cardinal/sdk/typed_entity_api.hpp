// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// `TypedEntityApi<Kind>`: the `EntityApi` of one entity kind, with its queries (`match`,
/// `filter`), `decrypt_patient_id_of` and `try_decrypt`. `CardinalSdk::health_elements()`
/// returns a `HealthElementApi`, `patients()` a `PatientApi`, and so on; as they derive from
/// `EntityApi`, code written against `EntityApi` keeps working.
///
/// ```cpp
/// auto patient = sdk->patients().get("p-1").value();
/// auto it = sdk->health_elements().filter(
///     cardinal::HealthElementFilters::by_patients_for_self({patient.entity}), {.page_size = 50});
/// // sdk->health_elements().match(cardinal::PatientFilters::all_for_self());  // does not compile
/// ```
///
/// See docs/queries.md for how a query runs and what it reports.
///
/// Thread safety: a `TypedEntityApi` may be used from any number of threads at once; each
/// iterator it returns by one thread at a time. Ownership: owned by the `CardinalSdk` that
/// returned it, valid as long as that lives, as are the iterators it returns.

#include <cardinal/export.hpp>
#include <cardinal/json.hpp>
#include <cardinal/content/provenance.hpp>
#include <cardinal/result.hpp>
#include <cardinal/sdk/entity_api.hpp>
#include <cardinal/sdk/filters.hpp>
#include <cardinal/sdk/query.hpp>
#include <cardinal/sdk/types.hpp>

#include <optional>
#include <string>
#include <vector>

namespace cardinal {

/// What `decrypt_patient_id_of` found: the owning-entity ids (e.g. the patient of a health
/// element) stored encrypted in the entity's delegations to this user.
struct OwningEntityIds {
  /// From delegations that came through this user's own exchange data when there are any (ids
  /// that came only through other delegations are then dropped, with a warning); otherwise all.
  std::vector<std::string> ids;
  /// kVerified when `ids` came through this user's own exchange data.
  Provenance provenance = Provenance::kUnverified;
  std::vector<std::string> warnings;  ///< integrity findings
};

/// What `try_decrypt` returns.
struct MaybeDecrypted {
  /// Decrypted when `decrypted`; otherwise the entity exactly as given (still encrypted: nothing
  /// that failed a check is put in clear; its clear fields are the server's).
  DecryptedEntity entity;
  bool decrypted = false;       ///< whether `entity` holds the decrypted content
  std::optional<Error> error;   ///< why it was not decrypted
};

/// The `EntityApi` of entities of kind `Kind`, with queries typed by that kind.
template <class Kind>
class TypedEntityApi : public EntityApi {
 public:
  /// The ids of the entities `filter` selects that this user may see, in the server's order,
  /// de-duplicated (one request). Errors: kInvalidArgument (a filter that is never valid),
  /// kKeyNotAvailable (a patient of a "by patients" filter whose secret ids this user cannot
  /// read), kMalformedResponse (an answer that is not a bounded list of ids), transport errors.
  virtual Result<std::vector<std::string>> match(const FilterOptions<Kind>& filter,
                                                 const QueryLimits& limits = {}) = 0;
  /// The decrypted entities `filter` selects, page by page (a `match` now, one `byIds` request per
  /// page later). Errors: those of `match`.
  virtual Result<PaginatedIterator<DecryptedEntity>> filter(const FilterOptions<Kind>& filter,
                                                            const QueryOptions& options = {}) = 0;
  /// The owning-entity ids of an entity (e.g. its patient), as the official `decryptPatientIdOf`.
  /// Errors: kKeyNotAvailable (no delegation opens for this user), transport errors.
  virtual Result<OwningEntityIds> decrypt_patient_id_of(const Json& entity) = 0;
  /// Decrypts an entity obtained elsewhere; when it does not open for this user or fails its
  /// checks, returns it as given with `decrypted` false instead of an error (the official
  /// `tryDecrypt`). Errors: transport and server errors only.
  virtual Result<MaybeDecrypted> try_decrypt(const Json& encrypted) = 0;
};

/// HealthElements, with `HealthElementFilters`.
using HealthElementApi = TypedEntityApi<HealthElementKind>;
/// Patients, with `PatientFilters`.
using PatientApi = TypedEntityApi<PatientKind>;
// Contacts: `ContactApi` (include/cardinal/sdk/contact_api.hpp), which adds their Services.
/// Documents, with `DocumentFilters`.
using DocumentApi = TypedEntityApi<DocumentKind>;

}  // namespace cardinal
