// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// Typed filters: what `match` and `filter` of the entity APIs select, as the official SDK's
/// `HealthElementFilters`, `PatientFilters`, `ContactFilters`, `ServiceFilters` and `DocumentFilters`.
///
/// ```cpp
/// auto patient = sdk->patients().get("p-1").value();
/// auto query = cardinal::HealthElementFilters::by_patients_opening_date_for_self(
///     {patient.entity}, {.from = 20200101, .to = 20241231, .descending = true});
/// auto ids = sdk->health_elements().match(query);          // one request: ids only
/// ```
///
/// A `FilterOptions<Kind>` is typed by the entity kind it selects: a `FilterOptions<PatientKind>`
/// cannot be passed where HealthElements are queried (it does not compile).
///
/// Filters are resolved by the SDK when a query runs, to the platform's filter JSON (an
/// `AbstractFilter` with its `$type`, byte for byte what the official SDK sends, except where
/// docs/queries.md says otherwise): "for self" filters take the current data owner's id, and
/// "by patients" filters the patients' secret ids, which only this user's keys can decrypt. A
/// patient of which this user can read no secret id fails the query with kKeyNotAvailable (the
/// official SDK silently leaves it out, and the query silently finds less).
///
/// Thread safety: filters are immutable values; any thread may build, copy and use them at once.
/// Ownership: a filter owns its content (copies share it, read-only); the patients given to a
/// factory are copied into it.

#include <cardinal/export.hpp>
#include <cardinal/json.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cardinal {

/// Compile-time tag of the HealthElement entity kind (never instantiated).
struct HealthElementKind {
  static constexpr std::string_view kEntityType = "HealthElement";  ///< platform entity type
};
/// Compile-time tag of the Patient entity kind (never instantiated).
struct PatientKind {
  static constexpr std::string_view kEntityType = "Patient";  ///< platform entity type
};
/// Compile-time tag of the Contact entity kind (never instantiated).
struct ContactKind {
  static constexpr std::string_view kEntityType = "Contact";  ///< platform entity type
};
/// Compile-time tag of the Document entity kind (never instantiated).
struct DocumentKind {
  static constexpr std::string_view kEntityType = "Document";  ///< platform entity type
};
/// Compile-time tag of Services, the entries stored inside Contacts (never instantiated). They are
/// queried through `ContactApi::match_services` / `filter_services`.
struct ServiceKind {
  static constexpr std::string_view kEntityType = "Service";  ///< platform entity type
};

namespace detail {
/// What a filter holds until it is resolved (defined inside the SDK).
struct FilterSpec;
}  // namespace detail

/// A filter over entities of kind `Kind` (`HealthElementKind`, `PatientKind`, …), built by the
/// `…Filters` factories below. Copies are cheap and share the immutable content.
template <class Kind>
class FilterOptions {
 public:
  /// The entity kind this filter selects.
  using kind = Kind;
  /// Used by the factories; applications build filters through them.
  explicit FilterOptions(std::shared_ptr<const detail::FilterSpec> spec) : spec_(std::move(spec)) {}
  /// The platform entity type this filter selects ("HealthElement", …).
  [[nodiscard]] static constexpr std::string_view entity_type() noexcept { return Kind::kEntityType; }
  /// The filter's content, for the SDK (never null when built by a factory).
  [[nodiscard]] const std::shared_ptr<const detail::FilterSpec>& spec() const noexcept { return spec_; }

 private:
  std::shared_ptr<const detail::FilterSpec> spec_;
};

/// A date range and the order of the results. Dates are in the unit of the field filtered on:
/// fuzzy dates `YYYYMMDDhhmmss` (or `YYYYMMDD`) for opening dates, epoch milliseconds for a
/// Document's creation. Both bounds are inclusive; an absent bound does not limit.
struct DateRange {
  std::optional<std::int64_t> from{};  ///< earliest date (inclusive), none: no lower bound
  std::optional<std::int64_t> to{};    ///< latest date (inclusive), none: no upper bound
  bool descending = false;           ///< newest first instead of oldest first
};

/// Filters over HealthElements (the official `HealthElementFilters`). "for_data_owner" filters
/// select what is shared with that data owner; "for_self" ones what is shared with the current
/// user. `patients` are Patient entities as `get`/`create` return them (decrypted or not: their
/// security metadata is what counts).
struct CARDINAL_EXPORT HealthElementFilters {
  /// Every health element shared with the data owner (`HealthElementByHcPartyFilter`).
  static FilterOptions<HealthElementKind> all_for_data_owner(std::string data_owner_id);
  /// Every health element shared with the current user.
  static FilterOptions<HealthElementKind> all_for_self();
  /// Health elements by id (`HealthElementByIdsFilter`; duplicates are removed, order kept).
  static FilterOptions<HealthElementKind> by_ids(std::vector<std::string> ids);
  /// Health elements with a tag of this type (and code, when given) (`HealthElementByHcPartyTagCodeFilter`).
  static FilterOptions<HealthElementKind> by_tag_for_data_owner(std::string data_owner_id, std::string tag_type,
                                                                std::optional<std::string> tag_code = std::nullopt);
  /// `by_tag_for_data_owner` for the current user.
  static FilterOptions<HealthElementKind> by_tag_for_self(std::string tag_type,
                                                          std::optional<std::string> tag_code = std::nullopt);
  /// Health elements with a code of this type (and code, when given).
  static FilterOptions<HealthElementKind> by_code_for_data_owner(std::string data_owner_id, std::string code_type,
                                                                 std::optional<std::string> code_code = std::nullopt);
  /// `by_code_for_data_owner` for the current user.
  static FilterOptions<HealthElementKind> by_code_for_self(std::string code_type,
                                                           std::optional<std::string> code_code = std::nullopt);
  /// Health elements of these patients (`HealthElementByDataOwnerPatientOpeningDate` with the
  /// patients' secret ids, decrypted by this user).
  static FilterOptions<HealthElementKind> by_patients_for_data_owner(std::string data_owner_id,
                                                                     std::vector<Json> patients);
  /// `by_patients_for_data_owner` for the current user.
  static FilterOptions<HealthElementKind> by_patients_for_self(std::vector<Json> patients);
  /// Health elements linked to these patient secret ids (given in clear by the caller).
  static FilterOptions<HealthElementKind> by_patient_secret_ids_for_data_owner(std::string data_owner_id,
                                                                               std::vector<std::string> secret_ids);
  /// `by_patient_secret_ids_for_data_owner` for the current user.
  static FilterOptions<HealthElementKind> by_patient_secret_ids_for_self(std::vector<std::string> secret_ids);
  /// Health elements of these patients whose `openingDate` is in `range`, sorted by it.
  static FilterOptions<HealthElementKind> by_patients_opening_date_for_data_owner(std::string data_owner_id,
                                                                                  std::vector<Json> patients,
                                                                                  DateRange range = {});
  /// `by_patients_opening_date_for_data_owner` for the current user.
  static FilterOptions<HealthElementKind> by_patients_opening_date_for_self(std::vector<Json> patients,
                                                                            DateRange range = {});
  /// `by_patients_opening_date_for_data_owner` with the patients' secret ids given by the caller.
  static FilterOptions<HealthElementKind> by_patient_secret_ids_opening_date_for_data_owner(
      std::string data_owner_id, std::vector<std::string> secret_ids, DateRange range = {});
  /// `by_patient_secret_ids_opening_date_for_data_owner` for the current user.
  static FilterOptions<HealthElementKind> by_patient_secret_ids_opening_date_for_self(
      std::vector<std::string> secret_ids, DateRange range = {});
};

/// Filters over Patients (the official `PatientFilters`). Dates of birth are `YYYYMMDD`.
struct CARDINAL_EXPORT PatientFilters {
  /// Every patient shared with the data owner (`PatientByHcPartyFilter`).
  static FilterOptions<PatientKind> all_for_data_owner(std::string data_owner_id);
  /// Every patient shared with the current user.
  static FilterOptions<PatientKind> all_for_self();
  /// Patients by id (`PatientByIdsFilter`; duplicates removed, order kept).
  static FilterOptions<PatientKind> by_ids(std::vector<std::string> ids);
  /// Patients whose name matches `search` as the server's name index does (`PatientByHcPartyNameFilter`;
  /// the official `byFuzzyNameForDataOwner`).
  static FilterOptions<PatientKind> by_name_for_data_owner(std::string data_owner_id, std::string search);
  /// `by_name_for_data_owner` for the current user.
  static FilterOptions<PatientKind> by_name_for_self(std::string search);
  /// Patients with one of these SSINs (`PatientByHcPartyAndSsinFilter` for one,
  /// `PatientByHcPartyAndSsinsFilter` for several).
  static FilterOptions<PatientKind> by_ssins_for_data_owner(std::string data_owner_id, std::vector<std::string> ssins);
  /// `by_ssins_for_data_owner` for the current user.
  static FilterOptions<PatientKind> by_ssins_for_self(std::vector<std::string> ssins);
  /// Patients born between the two dates, inclusive (`PatientByHcPartyDateOfBirthBetweenFilter`, or
  /// `PatientByHcPartyDateOfBirthFilter` when both are the same day).
  static FilterOptions<PatientKind> by_date_of_birth_between_for_data_owner(std::string data_owner_id,
                                                                            std::int32_t from_date,
                                                                            std::int32_t to_date);
  /// `by_date_of_birth_between_for_data_owner` for the current user.
  static FilterOptions<PatientKind> by_date_of_birth_between_for_self(std::int32_t from_date, std::int32_t to_date);
};

/// Filters over Contacts (the official `ContactFilters`).
struct CARDINAL_EXPORT ContactFilters {
  /// Every contact shared with the data owner (`ContactByHcPartyFilter`).
  static FilterOptions<ContactKind> all_for_data_owner(std::string data_owner_id);
  /// Every contact shared with the current user.
  static FilterOptions<ContactKind> all_for_self();
  /// Contacts by id, resolved by this SDK (the platform has no Contact ids filter): no match request.
  static FilterOptions<ContactKind> by_ids(std::vector<std::string> ids);
  /// Contacts of these patients (`ContactByHcPartyPatientTagCodeDateFilter`).
  static FilterOptions<ContactKind> by_patients_for_data_owner(std::string data_owner_id, std::vector<Json> patients);
  /// `by_patients_for_data_owner` for the current user.
  static FilterOptions<ContactKind> by_patients_for_self(std::vector<Json> patients);
  /// Contacts linked to these patient secret ids.
  static FilterOptions<ContactKind> by_patient_secret_ids_for_data_owner(std::string data_owner_id,
                                                                         std::vector<std::string> secret_ids);
  /// `by_patient_secret_ids_for_data_owner` for the current user.
  static FilterOptions<ContactKind> by_patient_secret_ids_for_self(std::vector<std::string> secret_ids);
  /// Contacts of these patients whose `openingDate` is in `range`, sorted by it
  /// (`ContactByDataOwnerPatientOpeningDateFilter`).
  static FilterOptions<ContactKind> by_patients_opening_date_for_data_owner(std::string data_owner_id,
                                                                            std::vector<Json> patients,
                                                                            DateRange range = {});
  /// `by_patients_opening_date_for_data_owner` for the current user.
  static FilterOptions<ContactKind> by_patients_opening_date_for_self(std::vector<Json> patients, DateRange range = {});
  /// `by_patients_opening_date_for_data_owner` with the patients' secret ids given by the caller.
  static FilterOptions<ContactKind> by_patient_secret_ids_opening_date_for_data_owner(
      std::string data_owner_id, std::vector<std::string> secret_ids, DateRange range = {});
  /// `by_patient_secret_ids_opening_date_for_data_owner` for the current user.
  static FilterOptions<ContactKind> by_patient_secret_ids_opening_date_for_self(std::vector<std::string> secret_ids,
                                                                                DateRange range = {});
  /// Contacts with a tag of this type (and code), opened in `range` (`ContactByHcPartyTagCodeDateFilter`;
  /// `range.descending` is not used).
  static FilterOptions<ContactKind> by_tag_and_opening_date_for_data_owner(
      std::string data_owner_id, std::string tag_type, std::optional<std::string> tag_code = std::nullopt,
      DateRange range = {});
  /// `by_tag_and_opening_date_for_data_owner` for the current user.
  static FilterOptions<ContactKind> by_tag_and_opening_date_for_self(std::string tag_type,
                                                                     std::optional<std::string> tag_code = std::nullopt,
                                                                     DateRange range = {});
  /// Contacts with a code of this type (and code), opened in `range`.
  static FilterOptions<ContactKind> by_code_and_opening_date_for_data_owner(
      std::string data_owner_id, std::string code_type, std::optional<std::string> code_code = std::nullopt,
      DateRange range = {});
  /// `by_code_and_opening_date_for_data_owner` for the current user.
  static FilterOptions<ContactKind> by_code_and_opening_date_for_self(std::string code_type,
                                                                      std::optional<std::string> code_code = std::nullopt,
                                                                      DateRange range = {});
  /// Contacts with a service tagged so (`ContactByDataOwnerServiceTagFilter`).
  static FilterOptions<ContactKind> by_service_tag_for_data_owner(std::string data_owner_id, std::string tag_type,
                                                                  std::optional<std::string> tag_code = std::nullopt);
  /// `by_service_tag_for_data_owner` for the current user.
  static FilterOptions<ContactKind> by_service_tag_for_self(std::string tag_type,
                                                            std::optional<std::string> tag_code = std::nullopt);
  /// Contacts with a service coded so (`ContactByDataOwnerServiceCodeFilter`).
  static FilterOptions<ContactKind> by_service_code_for_data_owner(std::string data_owner_id, std::string code_type,
                                                                   std::optional<std::string> code_code = std::nullopt);
  /// `by_service_code_for_data_owner` for the current user.
  static FilterOptions<ContactKind> by_service_code_for_self(std::string code_type,
                                                             std::optional<std::string> code_code = std::nullopt);
  /// Contacts holding one of these services (`ContactByServiceIdsFilter`).
  static FilterOptions<ContactKind> by_service_ids(std::vector<std::string> service_ids);
};

/// Filters over Documents (kraken-common's Document filters; see docs/queries.md for why they
/// are not the official SDK 1.0.0-RC.7's). Creation dates are epoch milliseconds.
struct CARDINAL_EXPORT DocumentFilters {
  /// Documents by id, resolved by this SDK (the platform has no Document ids filter): no match request.
  static FilterOptions<DocumentKind> by_ids(std::vector<std::string> ids);
  /// Documents of these patients created in `range`, sorted by creation (`DocumentByDataOwnerPatientDateFilter`).
  static FilterOptions<DocumentKind> by_patients_created_for_data_owner(std::string data_owner_id,
                                                                        std::vector<Json> patients,
                                                                        DateRange range = {});
  /// `by_patients_created_for_data_owner` for the current user.
  static FilterOptions<DocumentKind> by_patients_created_for_self(std::vector<Json> patients, DateRange range = {});
  /// `by_patients_created_for_data_owner` with the patients' secret ids given by the caller.
  static FilterOptions<DocumentKind> by_patient_secret_ids_created_for_data_owner(std::string data_owner_id,
                                                                                  std::vector<std::string> secret_ids,
                                                                                  DateRange range = {});
  /// `by_patient_secret_ids_created_for_data_owner` for the current user.
  static FilterOptions<DocumentKind> by_patient_secret_ids_created_for_self(std::vector<std::string> secret_ids,
                                                                            DateRange range = {});
  /// Documents of these patients with this `documentType` (the platform's lower-case value, e.g.
  /// "labresult") (`DocumentByTypeDataOwnerPatientFilter`).
  static FilterOptions<DocumentKind> by_patients_and_type_for_data_owner(std::string data_owner_id,
                                                                         std::string document_type,
                                                                         std::vector<Json> patients);
  /// `by_patients_and_type_for_data_owner` for the current user.
  static FilterOptions<DocumentKind> by_patients_and_type_for_self(std::string document_type,
                                                                   std::vector<Json> patients);
  /// Documents with a tag of this type (and code) (`DocumentByDataOwnerTagFilter`).
  static FilterOptions<DocumentKind> by_tag_for_data_owner(std::string data_owner_id, std::string tag_type,
                                                           std::optional<std::string> tag_code = std::nullopt);
  /// `by_tag_for_data_owner` for the current user.
  static FilterOptions<DocumentKind> by_tag_for_self(std::string tag_type,
                                                     std::optional<std::string> tag_code = std::nullopt);
  /// Documents with a code of this type (and code) (`DocumentByDataOwnerCodeFilter`).
  static FilterOptions<DocumentKind> by_code_for_data_owner(std::string data_owner_id, std::string code_type,
                                                            std::optional<std::string> code_code = std::nullopt);
  /// `by_code_for_data_owner` for the current user.
  static FilterOptions<DocumentKind> by_code_for_self(std::string code_type,
                                                      std::optional<std::string> code_code = std::nullopt);
};

/// Filters over Services (the official `ServiceFilters`), the entries of Contacts: a service is
/// found through the contact that holds it (its delegations, its patient). Value dates are fuzzy
/// dates (`YYYYMMDD` or `YYYYMMDDhhmmss`) of the service's `valueDate`, else its `openingDate`.
struct CARDINAL_EXPORT ServiceFilters {
  /// Every service of the contacts shared with the data owner (`ServiceByHcPartyFilter`).
  static FilterOptions<ServiceKind> all_for_data_owner(std::string data_owner_id);
  /// Every service of the contacts shared with the current user.
  static FilterOptions<ServiceKind> all_for_self();
  /// Services by id (`ServiceByIdsFilter`; duplicates are removed, order kept).
  static FilterOptions<ServiceKind> by_ids(std::vector<std::string> ids);
  /// Services with a tag of this type (and code, when given) whose value date is in `range`
  /// (`ServiceByHcPartyTagCodeDateFilter`), sorted by value date (newest first with
  /// `range.descending`).
  static FilterOptions<ServiceKind> by_tag_and_value_date_for_data_owner(
      std::string data_owner_id, std::string tag_type, std::optional<std::string> tag_code = std::nullopt,
      DateRange range = {});
  /// `by_tag_and_value_date_for_data_owner` for the current user.
  static FilterOptions<ServiceKind> by_tag_and_value_date_for_self(std::string tag_type,
                                                                   std::optional<std::string> tag_code = std::nullopt,
                                                                   DateRange range = {});
  /// Services with a code of this type (and code, when given) whose value date is in `range`.
  static FilterOptions<ServiceKind> by_code_and_value_date_for_data_owner(
      std::string data_owner_id, std::string code_type, std::optional<std::string> code_code = std::nullopt,
      DateRange range = {});
  /// `by_code_and_value_date_for_data_owner` for the current user.
  static FilterOptions<ServiceKind> by_code_and_value_date_for_self(std::string code_type,
                                                                    std::optional<std::string> code_code = std::nullopt,
                                                                    DateRange range = {});
  /// Services of the contacts of these patients (`ServiceBySecretForeignKeys` with the patients'
  /// secret ids, decrypted by this user).
  static FilterOptions<ServiceKind> by_patients_for_data_owner(std::string data_owner_id, std::vector<Json> patients);
  /// `by_patients_for_data_owner` for the current user.
  static FilterOptions<ServiceKind> by_patients_for_self(std::vector<Json> patients);
  /// Services of the contacts linked to these patient secret ids (given in clear by the caller).
  static FilterOptions<ServiceKind> by_patient_secret_ids_for_data_owner(std::string data_owner_id,
                                                                         std::vector<std::string> secret_ids);
  /// `by_patient_secret_ids_for_data_owner` for the current user.
  static FilterOptions<ServiceKind> by_patient_secret_ids_for_self(std::vector<std::string> secret_ids);
  /// Services of these patients whose value date is in `range`, sorted by it
  /// (`ServiceByDataOwnerPatientDateFilter`; the range is sent in order, see docs/queries.md).
  static FilterOptions<ServiceKind> by_patients_date_for_data_owner(std::string data_owner_id,
                                                                    std::vector<Json> patients, DateRange range = {});
  /// `by_patients_date_for_data_owner` for the current user.
  static FilterOptions<ServiceKind> by_patients_date_for_self(std::vector<Json> patients, DateRange range = {});
  /// `by_patients_date_for_data_owner` with the patients' secret ids given by the caller.
  static FilterOptions<ServiceKind> by_patient_secret_ids_date_for_data_owner(std::string data_owner_id,
                                                                              std::vector<std::string> secret_ids,
                                                                              DateRange range = {});
  /// `by_patient_secret_ids_date_for_data_owner` for the current user.
  static FilterOptions<ServiceKind> by_patient_secret_ids_date_for_self(std::vector<std::string> secret_ids,
                                                                        DateRange range = {});
  /// Services linked to these health elements by a sub-contact of their contact
  /// (`ServiceByHcPartyHealthElementIdsFilter`; the official `byHealthElementIdFromSubContact…`).
  static FilterOptions<ServiceKind> by_health_element_ids_for_data_owner(std::string data_owner_id,
                                                                         std::vector<std::string> health_element_ids);
  /// `by_health_element_ids_for_data_owner` for the current user.
  static FilterOptions<ServiceKind> by_health_element_ids_for_self(std::vector<std::string> health_element_ids);
};

}  // namespace cardinal
