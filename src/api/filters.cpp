// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
// The filter factories of include/cardinal/sdk/filters.hpp and their resolution: every filter
// JSON the SDK sends is written here. Field names and order follow what the official SDK
// 1.0.0-RC.7 sends (tests/unit/data/official_filters.json, recorded by tests/interop/filter_json.mjs);
// Documents follow kraken-common's DTOs.

#include "api/filter_spec.hpp"

#include <set>

namespace cardinal {

namespace {

using detail::FilterSpec;

template <class Kind>
FilterOptions<Kind> make(FilterSpec spec) {
  spec.entity_type = std::string(Kind::kEntityType);
  return FilterOptions<Kind>(std::make_shared<const FilterSpec>(std::move(spec)));
}

// {"$type": type} followed by the owner field (null until resolved).
FilterSpec owned(std::string type, std::string owner_field, std::optional<std::string> owner) {
  FilterSpec s;
  s.body = Json::object();
  s.body["$type"] = std::move(type);
  s.body[owner_field] = nullptr;  // filled at resolution
  s.owner_field = std::move(owner_field);
  if (owner && owner->empty()) s.invalid = "an empty data owner id";
  s.owner = std::move(owner);
  return s;
}

FilterSpec ids_filter(std::string type, std::vector<std::string> ids) {
  FilterSpec s;
  s.body = Json::object();
  s.body["$type"] = std::move(type);
  s.body["ids"] = api::unique_in_order(std::move(ids));
  return s;
}

FilterSpec local_ids(std::vector<std::string> ids) {
  FilterSpec s;
  s.local_ids = api::unique_in_order(std::move(ids));
  return s;
}

void put_optional(Json& body, const char* name, const std::optional<std::string>& value) {
  if (value) body[name] = *value;
}

void put_optional(Json& body, const char* name, const std::optional<std::int64_t>& value) {
  if (value) body[name] = *value;
}

// A field holding the patients' secret ids, filled at resolution.
void by_patients(FilterSpec& s, const char* field, std::vector<Json> patients, std::vector<std::string> secret_ids) {
  s.body[field] = nullptr;
  s.secret_ids_field = field;
  s.patients = std::move(patients);
  s.secret_ids = std::move(secret_ids);
  if (s.patients.empty() && s.secret_ids.empty()) s.invalid = "no patient (and no patient secret id) given";
}

void require_type(FilterSpec& s, const std::string& value, const char* what) {
  if (value.empty() && !s.invalid) s.invalid = std::string("an empty ") + what;
}

// --- HealthElements -------------------------------------------------------------------------

FilterSpec he_tag_code(std::optional<std::string> owner, std::optional<std::string> code_type,
                       std::optional<std::string> code_code, std::optional<std::string> tag_type,
                       std::optional<std::string> tag_code) {
  FilterSpec s = owned("HealthElementByHcPartyTagCodeFilter", "healthcarePartyId", std::move(owner));
  put_optional(s.body, "codeType", code_type);
  put_optional(s.body, "codeCode", code_code);
  put_optional(s.body, "tagType", tag_type);
  put_optional(s.body, "tagCode", tag_code);
  require_type(s, code_type.value_or(tag_type.value_or("")), code_type ? "code type" : "tag type");
  return s;
}

FilterSpec he_patients(std::optional<std::string> owner, std::vector<Json> patients, std::vector<std::string> secret_ids,
                       const DateRange& range) {
  FilterSpec s = owned("HealthElementByDataOwnerPatientOpeningDate", "healthcarePartyId", std::move(owner));
  by_patients(s, "patientSecretForeignKeys", std::move(patients), std::move(secret_ids));
  put_optional(s.body, "startDate", range.from);
  put_optional(s.body, "endDate", range.to);
  if (range.descending) s.body["descending"] = true;  // false is the default: the official SDK omits it
  return s;
}

// --- Contacts ---------------------------------------------------------------------------------

FilterSpec contact_patients(std::optional<std::string> owner, std::vector<Json> patients,
                            std::vector<std::string> secret_ids) {
  FilterSpec s = owned("ContactByHcPartyPatientTagCodeDateFilter", "healthcarePartyId", std::move(owner));
  by_patients(s, "patientSecretForeignKeys", std::move(patients), std::move(secret_ids));
  return s;
}

// The official SDK 1.0.0-RC.7 sends `from` as endDate and `to` as startDate, which the platform
// reads as "opened after `to` and before `from`" (nothing, for a real range). This SDK sends the
// range as documented: from → startDate, to → endDate (docs/queries.md).
FilterSpec contact_patients_opening(std::optional<std::string> owner, std::vector<Json> patients,
                                    std::vector<std::string> secret_ids, const DateRange& range) {
  FilterSpec s = owned("ContactByDataOwnerPatientOpeningDateFilter", "dataOwnerId", std::move(owner));
  by_patients(s, "secretForeignKeys", std::move(patients), std::move(secret_ids));
  put_optional(s.body, "startDate", range.from);
  put_optional(s.body, "endDate", range.to);
  s.body["descending"] = range.descending;  // nullable on the platform: the official SDK always sends it
  return s;
}

FilterSpec contact_tag_code(std::optional<std::string> owner, std::optional<std::string> tag_type,
                            std::optional<std::string> tag_code, std::optional<std::string> code_type,
                            std::optional<std::string> code_code, const DateRange& range) {
  FilterSpec s = owned("ContactByHcPartyTagCodeDateFilter", "healthcarePartyId", std::move(owner));
  put_optional(s.body, "tagType", tag_type);
  put_optional(s.body, "tagCode", tag_code);
  put_optional(s.body, "codeType", code_type);
  put_optional(s.body, "codeCode", code_code);
  put_optional(s.body, "startOfContactOpeningDate", range.from);
  put_optional(s.body, "endOfContactOpeningDate", range.to);
  require_type(s, code_type.value_or(tag_type.value_or("")), code_type ? "code type" : "tag type");
  return s;
}

FilterSpec data_owner_tag_or_code(std::string type, std::optional<std::string> owner, const char* type_field,
                                  std::string kind, const char* code_field, std::optional<std::string> code) {
  FilterSpec s = owned(std::move(type), "dataOwnerId", std::move(owner));
  require_type(s, kind, type_field);
  s.body[type_field] = std::move(kind);
  put_optional(s.body, code_field, code);
  return s;
}

// --- Patients ---------------------------------------------------------------------------------

FilterSpec patient_field_then_owner(std::string type, const char* field, Json value, std::optional<std::string> owner) {
  FilterSpec s = owned(std::move(type), "healthcarePartyId", std::move(owner));
  // The official order: the searched value first, then healthcarePartyId.
  Json body = Json::object();
  body["$type"] = s.body["$type"];
  body[field] = std::move(value);
  body["healthcarePartyId"] = nullptr;
  s.body = std::move(body);
  return s;
}

FilterSpec patient_ssins(std::optional<std::string> owner, std::vector<std::string> ssins) {
  ssins = api::unique_in_order(std::move(ssins));
  FilterSpec s = ssins.size() == 1
                     ? patient_field_then_owner("PatientByHcPartyAndSsinFilter", "ssin", ssins.front(), std::move(owner))
                     : patient_field_then_owner("PatientByHcPartyAndSsinsFilter", "ssins", ssins, std::move(owner));
  if (ssins.empty() && !s.invalid) s.invalid = "no SSIN given";
  return s;
}

FilterSpec patient_birth(std::optional<std::string> owner, std::int32_t from, std::int32_t to) {
  if (from == to) return patient_field_then_owner("PatientByHcPartyDateOfBirthFilter", "dateOfBirth", from, std::move(owner));
  FilterSpec s = owned("PatientByHcPartyDateOfBirthBetweenFilter", "healthcarePartyId", std::move(owner));
  Json body = Json::object();
  body["$type"] = s.body["$type"];
  body["minDateOfBirth"] = from;
  body["maxDateOfBirth"] = to;
  body["healthcarePartyId"] = nullptr;
  s.body = std::move(body);
  if (from > to && !s.invalid) s.invalid = "a date of birth range that ends before it starts";
  return s;
}

// --- Documents --------------------------------------------------------------------------------

FilterSpec document_created(std::optional<std::string> owner, std::vector<Json> patients,
                            std::vector<std::string> secret_ids, const DateRange& range) {
  FilterSpec s = owned("DocumentByDataOwnerPatientDateFilter", "dataOwnerId", std::move(owner));
  by_patients(s, "secretPatientKeys", std::move(patients), std::move(secret_ids));
  put_optional(s.body, "startDate", range.from);
  put_optional(s.body, "endDate", range.to);
  s.body["descending"] = range.descending;
  return s;
}

FilterSpec document_type(std::optional<std::string> owner, std::string document_type, std::vector<Json> patients) {
  FilterSpec s = owned("DocumentByTypeDataOwnerPatientFilter", "dataOwnerId", std::move(owner));
  require_type(s, document_type, "document type");
  s.body["documentType"] = std::move(document_type);
  by_patients(s, "secretPatientKeys", std::move(patients), {});
  return s;
}

// --- Services ---------------------------------------------------------------------------------

// ServiceByHcPartyTagCodeDateFilter: the official order is healthcarePartyId, tag or code type
// and code, then the value-date bounds. `descending` is sent only when asked (the official
// builders cannot ask it; false is the platform's default).
FilterSpec service_tag_code(std::optional<std::string> owner, const char* type_field, std::string kind,
                            const char* code_field, std::optional<std::string> code, const DateRange& range) {
  FilterSpec s = owned("ServiceByHcPartyTagCodeDateFilter", "healthcarePartyId", std::move(owner));
  require_type(s, kind, type_field);
  s.body[type_field] = std::move(kind);
  put_optional(s.body, code_field, code);
  put_optional(s.body, "startValueDate", range.from);
  put_optional(s.body, "endValueDate", range.to);
  if (range.descending) s.body["descending"] = true;
  return s;
}

FilterSpec service_patients(std::optional<std::string> owner, std::vector<Json> patients,
                            std::vector<std::string> secret_ids) {
  FilterSpec s = owned("ServiceBySecretForeignKeys", "healthcarePartyId", std::move(owner));
  by_patients(s, "patientSecretForeignKeys", std::move(patients), std::move(secret_ids));
  return s;
}

// As for Contacts, the official SDK 1.0.0-RC.7 sends `from` as endDate and `to` as startDate
// (an empty range for the platform); this SDK sends from → startDate, to → endDate.
FilterSpec service_patients_date(std::optional<std::string> owner, std::vector<Json> patients,
                                 std::vector<std::string> secret_ids, const DateRange& range) {
  FilterSpec s = owned("ServiceByDataOwnerPatientDateFilter", "dataOwnerId", std::move(owner));
  by_patients(s, "secretForeignKeys", std::move(patients), std::move(secret_ids));
  put_optional(s.body, "startDate", range.from);
  put_optional(s.body, "endDate", range.to);
  s.body["descending"] = range.descending;  // the official SDK always sends it
  return s;
}

FilterSpec service_health_elements(std::optional<std::string> owner, std::vector<std::string> ids) {
  FilterSpec s = owned("ServiceByHcPartyHealthElementIdsFilter", "healthcarePartyId", std::move(owner));
  ids = api::unique_in_order(std::move(ids));
  if (ids.empty() && !s.invalid) s.invalid = "no health element id given";
  s.body["healthElementIds"] = std::move(ids);
  return s;
}

const std::optional<std::string> kSelf;

}  // namespace

// clang-format off
using HE = HealthElementFilters;
FilterOptions<HealthElementKind> HE::all_for_data_owner(std::string d) { return make<HealthElementKind>(owned("HealthElementByHcPartyFilter", "hcpId", std::move(d))); }
FilterOptions<HealthElementKind> HE::all_for_self() { return make<HealthElementKind>(owned("HealthElementByHcPartyFilter", "hcpId", kSelf)); }
FilterOptions<HealthElementKind> HE::by_ids(std::vector<std::string> ids) { return make<HealthElementKind>(ids_filter("HealthElementByIdsFilter", std::move(ids))); }
FilterOptions<HealthElementKind> HE::by_tag_for_data_owner(std::string d, std::string t, std::optional<std::string> c) { return make<HealthElementKind>(he_tag_code(std::move(d), {}, {}, std::move(t), std::move(c))); }
FilterOptions<HealthElementKind> HE::by_tag_for_self(std::string t, std::optional<std::string> c) { return make<HealthElementKind>(he_tag_code(kSelf, {}, {}, std::move(t), std::move(c))); }
FilterOptions<HealthElementKind> HE::by_code_for_data_owner(std::string d, std::string t, std::optional<std::string> c) { return make<HealthElementKind>(he_tag_code(std::move(d), std::move(t), std::move(c), {}, {})); }
FilterOptions<HealthElementKind> HE::by_code_for_self(std::string t, std::optional<std::string> c) { return make<HealthElementKind>(he_tag_code(kSelf, std::move(t), std::move(c), {}, {})); }
FilterOptions<HealthElementKind> HE::by_patients_for_data_owner(std::string d, std::vector<Json> p) { return make<HealthElementKind>(he_patients(std::move(d), std::move(p), {}, {})); }
FilterOptions<HealthElementKind> HE::by_patients_for_self(std::vector<Json> p) { return make<HealthElementKind>(he_patients(kSelf, std::move(p), {}, {})); }
FilterOptions<HealthElementKind> HE::by_patient_secret_ids_for_data_owner(std::string d, std::vector<std::string> s) { return make<HealthElementKind>(he_patients(std::move(d), {}, std::move(s), {})); }
FilterOptions<HealthElementKind> HE::by_patient_secret_ids_for_self(std::vector<std::string> s) { return make<HealthElementKind>(he_patients(kSelf, {}, std::move(s), {})); }
FilterOptions<HealthElementKind> HE::by_patients_opening_date_for_data_owner(std::string d, std::vector<Json> p, DateRange r) { return make<HealthElementKind>(he_patients(std::move(d), std::move(p), {}, r)); }
FilterOptions<HealthElementKind> HE::by_patients_opening_date_for_self(std::vector<Json> p, DateRange r) { return make<HealthElementKind>(he_patients(kSelf, std::move(p), {}, r)); }
FilterOptions<HealthElementKind> HE::by_patient_secret_ids_opening_date_for_data_owner(std::string d, std::vector<std::string> s, DateRange r) { return make<HealthElementKind>(he_patients(std::move(d), {}, std::move(s), r)); }
FilterOptions<HealthElementKind> HE::by_patient_secret_ids_opening_date_for_self(std::vector<std::string> s, DateRange r) { return make<HealthElementKind>(he_patients(kSelf, {}, std::move(s), r)); }

using PF = PatientFilters;
FilterOptions<PatientKind> PF::all_for_data_owner(std::string d) { return make<PatientKind>(owned("PatientByHcPartyFilter", "healthcarePartyId", std::move(d))); }
FilterOptions<PatientKind> PF::all_for_self() { return make<PatientKind>(owned("PatientByHcPartyFilter", "healthcarePartyId", kSelf)); }
FilterOptions<PatientKind> PF::by_ids(std::vector<std::string> ids) { return make<PatientKind>(ids_filter("PatientByIdsFilter", std::move(ids))); }
FilterOptions<PatientKind> PF::by_name_for_data_owner(std::string d, std::string n) { return make<PatientKind>(patient_field_then_owner("PatientByHcPartyNameFilter", "name", std::move(n), std::move(d))); }
FilterOptions<PatientKind> PF::by_name_for_self(std::string n) { return make<PatientKind>(patient_field_then_owner("PatientByHcPartyNameFilter", "name", std::move(n), kSelf)); }
FilterOptions<PatientKind> PF::by_ssins_for_data_owner(std::string d, std::vector<std::string> s) { return make<PatientKind>(patient_ssins(std::move(d), std::move(s))); }
FilterOptions<PatientKind> PF::by_ssins_for_self(std::vector<std::string> s) { return make<PatientKind>(patient_ssins(kSelf, std::move(s))); }
FilterOptions<PatientKind> PF::by_date_of_birth_between_for_data_owner(std::string d, std::int32_t f, std::int32_t t) { return make<PatientKind>(patient_birth(std::move(d), f, t)); }
FilterOptions<PatientKind> PF::by_date_of_birth_between_for_self(std::int32_t f, std::int32_t t) { return make<PatientKind>(patient_birth(kSelf, f, t)); }

using CF = ContactFilters;
FilterOptions<ContactKind> CF::all_for_data_owner(std::string d) { return make<ContactKind>(owned("ContactByHcPartyFilter", "hcpId", std::move(d))); }
FilterOptions<ContactKind> CF::all_for_self() { return make<ContactKind>(owned("ContactByHcPartyFilter", "hcpId", kSelf)); }
FilterOptions<ContactKind> CF::by_ids(std::vector<std::string> ids) { return make<ContactKind>(local_ids(std::move(ids))); }
FilterOptions<ContactKind> CF::by_patients_for_data_owner(std::string d, std::vector<Json> p) { return make<ContactKind>(contact_patients(std::move(d), std::move(p), {})); }
FilterOptions<ContactKind> CF::by_patients_for_self(std::vector<Json> p) { return make<ContactKind>(contact_patients(kSelf, std::move(p), {})); }
FilterOptions<ContactKind> CF::by_patient_secret_ids_for_data_owner(std::string d, std::vector<std::string> s) { return make<ContactKind>(contact_patients(std::move(d), {}, std::move(s))); }
FilterOptions<ContactKind> CF::by_patient_secret_ids_for_self(std::vector<std::string> s) { return make<ContactKind>(contact_patients(kSelf, {}, std::move(s))); }
FilterOptions<ContactKind> CF::by_patients_opening_date_for_data_owner(std::string d, std::vector<Json> p, DateRange r) { return make<ContactKind>(contact_patients_opening(std::move(d), std::move(p), {}, r)); }
FilterOptions<ContactKind> CF::by_patients_opening_date_for_self(std::vector<Json> p, DateRange r) { return make<ContactKind>(contact_patients_opening(kSelf, std::move(p), {}, r)); }
FilterOptions<ContactKind> CF::by_patient_secret_ids_opening_date_for_data_owner(std::string d, std::vector<std::string> s, DateRange r) { return make<ContactKind>(contact_patients_opening(std::move(d), {}, std::move(s), r)); }
FilterOptions<ContactKind> CF::by_patient_secret_ids_opening_date_for_self(std::vector<std::string> s, DateRange r) { return make<ContactKind>(contact_patients_opening(kSelf, {}, std::move(s), r)); }
FilterOptions<ContactKind> CF::by_tag_and_opening_date_for_data_owner(std::string d, std::string t, std::optional<std::string> c, DateRange r) { return make<ContactKind>(contact_tag_code(std::move(d), std::move(t), std::move(c), {}, {}, r)); }
FilterOptions<ContactKind> CF::by_tag_and_opening_date_for_self(std::string t, std::optional<std::string> c, DateRange r) { return make<ContactKind>(contact_tag_code(kSelf, std::move(t), std::move(c), {}, {}, r)); }
FilterOptions<ContactKind> CF::by_code_and_opening_date_for_data_owner(std::string d, std::string t, std::optional<std::string> c, DateRange r) { return make<ContactKind>(contact_tag_code(std::move(d), {}, {}, std::move(t), std::move(c), r)); }
FilterOptions<ContactKind> CF::by_code_and_opening_date_for_self(std::string t, std::optional<std::string> c, DateRange r) { return make<ContactKind>(contact_tag_code(kSelf, {}, {}, std::move(t), std::move(c), r)); }
FilterOptions<ContactKind> CF::by_service_tag_for_data_owner(std::string d, std::string t, std::optional<std::string> c) { return make<ContactKind>(data_owner_tag_or_code("ContactByDataOwnerServiceTagFilter", std::move(d), "tagType", std::move(t), "tagCode", std::move(c))); }
FilterOptions<ContactKind> CF::by_service_tag_for_self(std::string t, std::optional<std::string> c) { return make<ContactKind>(data_owner_tag_or_code("ContactByDataOwnerServiceTagFilter", kSelf, "tagType", std::move(t), "tagCode", std::move(c))); }
FilterOptions<ContactKind> CF::by_service_code_for_data_owner(std::string d, std::string t, std::optional<std::string> c) { return make<ContactKind>(data_owner_tag_or_code("ContactByDataOwnerServiceCodeFilter", std::move(d), "codeType", std::move(t), "codeCode", std::move(c))); }
FilterOptions<ContactKind> CF::by_service_code_for_self(std::string t, std::optional<std::string> c) { return make<ContactKind>(data_owner_tag_or_code("ContactByDataOwnerServiceCodeFilter", kSelf, "codeType", std::move(t), "codeCode", std::move(c))); }
FilterOptions<ContactKind> CF::by_service_ids(std::vector<std::string> ids) { return make<ContactKind>(ids_filter("ContactByServiceIdsFilter", std::move(ids))); }

using DF = DocumentFilters;
FilterOptions<DocumentKind> DF::by_ids(std::vector<std::string> ids) { return make<DocumentKind>(local_ids(std::move(ids))); }
FilterOptions<DocumentKind> DF::by_patients_created_for_data_owner(std::string d, std::vector<Json> p, DateRange r) { return make<DocumentKind>(document_created(std::move(d), std::move(p), {}, r)); }
FilterOptions<DocumentKind> DF::by_patients_created_for_self(std::vector<Json> p, DateRange r) { return make<DocumentKind>(document_created(kSelf, std::move(p), {}, r)); }
FilterOptions<DocumentKind> DF::by_patient_secret_ids_created_for_data_owner(std::string d, std::vector<std::string> s, DateRange r) { return make<DocumentKind>(document_created(std::move(d), {}, std::move(s), r)); }
FilterOptions<DocumentKind> DF::by_patient_secret_ids_created_for_self(std::vector<std::string> s, DateRange r) { return make<DocumentKind>(document_created(kSelf, {}, std::move(s), r)); }
FilterOptions<DocumentKind> DF::by_patients_and_type_for_data_owner(std::string d, std::string t, std::vector<Json> p) { return make<DocumentKind>(document_type(std::move(d), std::move(t), std::move(p))); }
FilterOptions<DocumentKind> DF::by_patients_and_type_for_self(std::string t, std::vector<Json> p) { return make<DocumentKind>(document_type(kSelf, std::move(t), std::move(p))); }
FilterOptions<DocumentKind> DF::by_tag_for_data_owner(std::string d, std::string t, std::optional<std::string> c) { return make<DocumentKind>(data_owner_tag_or_code("DocumentByDataOwnerTagFilter", std::move(d), "tagType", std::move(t), "tagCode", std::move(c))); }
FilterOptions<DocumentKind> DF::by_tag_for_self(std::string t, std::optional<std::string> c) { return make<DocumentKind>(data_owner_tag_or_code("DocumentByDataOwnerTagFilter", kSelf, "tagType", std::move(t), "tagCode", std::move(c))); }
FilterOptions<DocumentKind> DF::by_code_for_data_owner(std::string d, std::string t, std::optional<std::string> c) { return make<DocumentKind>(data_owner_tag_or_code("DocumentByDataOwnerCodeFilter", std::move(d), "codeType", std::move(t), "codeCode", std::move(c))); }
FilterOptions<DocumentKind> DF::by_code_for_self(std::string t, std::optional<std::string> c) { return make<DocumentKind>(data_owner_tag_or_code("DocumentByDataOwnerCodeFilter", kSelf, "codeType", std::move(t), "codeCode", std::move(c))); }
using SF = ServiceFilters;
FilterOptions<ServiceKind> SF::all_for_data_owner(std::string d) { return make<ServiceKind>(owned("ServiceByHcPartyFilter", "hcpId", std::move(d))); }
FilterOptions<ServiceKind> SF::all_for_self() { return make<ServiceKind>(owned("ServiceByHcPartyFilter", "hcpId", kSelf)); }
FilterOptions<ServiceKind> SF::by_ids(std::vector<std::string> ids) { return make<ServiceKind>(ids_filter("ServiceByIdsFilter", std::move(ids))); }
FilterOptions<ServiceKind> SF::by_tag_and_value_date_for_data_owner(std::string d, std::string t, std::optional<std::string> c, DateRange r) { return make<ServiceKind>(service_tag_code(std::move(d), "tagType", std::move(t), "tagCode", std::move(c), r)); }
FilterOptions<ServiceKind> SF::by_tag_and_value_date_for_self(std::string t, std::optional<std::string> c, DateRange r) { return make<ServiceKind>(service_tag_code(kSelf, "tagType", std::move(t), "tagCode", std::move(c), r)); }
FilterOptions<ServiceKind> SF::by_code_and_value_date_for_data_owner(std::string d, std::string t, std::optional<std::string> c, DateRange r) { return make<ServiceKind>(service_tag_code(std::move(d), "codeType", std::move(t), "codeCode", std::move(c), r)); }
FilterOptions<ServiceKind> SF::by_code_and_value_date_for_self(std::string t, std::optional<std::string> c, DateRange r) { return make<ServiceKind>(service_tag_code(kSelf, "codeType", std::move(t), "codeCode", std::move(c), r)); }
FilterOptions<ServiceKind> SF::by_patients_for_data_owner(std::string d, std::vector<Json> p) { return make<ServiceKind>(service_patients(std::move(d), std::move(p), {})); }
FilterOptions<ServiceKind> SF::by_patients_for_self(std::vector<Json> p) { return make<ServiceKind>(service_patients(kSelf, std::move(p), {})); }
FilterOptions<ServiceKind> SF::by_patient_secret_ids_for_data_owner(std::string d, std::vector<std::string> s) { return make<ServiceKind>(service_patients(std::move(d), {}, std::move(s))); }
FilterOptions<ServiceKind> SF::by_patient_secret_ids_for_self(std::vector<std::string> s) { return make<ServiceKind>(service_patients(kSelf, {}, std::move(s))); }
FilterOptions<ServiceKind> SF::by_patients_date_for_data_owner(std::string d, std::vector<Json> p, DateRange r) { return make<ServiceKind>(service_patients_date(std::move(d), std::move(p), {}, r)); }
FilterOptions<ServiceKind> SF::by_patients_date_for_self(std::vector<Json> p, DateRange r) { return make<ServiceKind>(service_patients_date(kSelf, std::move(p), {}, r)); }
FilterOptions<ServiceKind> SF::by_patient_secret_ids_date_for_data_owner(std::string d, std::vector<std::string> s, DateRange r) { return make<ServiceKind>(service_patients_date(std::move(d), {}, std::move(s), r)); }
FilterOptions<ServiceKind> SF::by_patient_secret_ids_date_for_self(std::vector<std::string> s, DateRange r) { return make<ServiceKind>(service_patients_date(kSelf, {}, std::move(s), r)); }
FilterOptions<ServiceKind> SF::by_health_element_ids_for_data_owner(std::string d, std::vector<std::string> h) { return make<ServiceKind>(service_health_elements(std::move(d), std::move(h))); }
FilterOptions<ServiceKind> SF::by_health_element_ids_for_self(std::vector<std::string> h) { return make<ServiceKind>(service_health_elements(kSelf, std::move(h))); }
// clang-format on

}  // namespace cardinal

namespace cardinal::api {

std::vector<std::string> unique_in_order(std::vector<std::string> ids) {
  std::set<std::string> seen;
  std::vector<std::string> out;
  out.reserve(ids.size());
  for (auto& id : ids) {
    if (seen.insert(id).second) out.push_back(std::move(id));
  }
  return out;
}

namespace {

Result<std::vector<std::string>> secret_ids_of(const detail::FilterSpec& spec, const FilterContext& context) {
  std::vector<std::string> all = spec.secret_ids;
  for (const Json& patient : spec.patients) {
    const std::string id = string_member(patient, "id", "(without id)");
    if (!context.patient_secret_ids) {
      return Error{ErrorCode::kInternal, "no way to read the secret ids of patient " + id};
    }
    CARDINAL_ASSIGN_OR_RETURN(auto ids, context.patient_secret_ids(patient));
    if (ids.empty()) {
      return Error{ErrorCode::kKeyNotAvailable,
                   "patient " + id + ": data owner " + context.self_id +
                       " can read none of its secret ids, so the query would not find its data (the official SDK "
                       "leaves such a patient out silently); ask a data owner who can read it to share it"};
    }
    all.insert(all.end(), std::make_move_iterator(ids.begin()), std::make_move_iterator(ids.end()));
  }
  return unique_in_order(std::move(all));
}

}  // namespace

Result<ResolvedFilter> resolve_filter(const std::shared_ptr<const detail::FilterSpec>& spec,
                                      std::string_view expected_type, const FilterContext& context) {
  if (!spec) return Error{ErrorCode::kInvalidArgument, "a filter without content (build it with a …Filters factory)"};
  if (spec->entity_type != expected_type) {
    return Error{ErrorCode::kInvalidArgument, "a filter over " + spec->entity_type + " cannot select " +
                                                  std::string(expected_type) + " entities"};
  }
  if (spec->invalid) {
    return Error{ErrorCode::kInvalidArgument, "filter over " + spec->entity_type + ": " + *spec->invalid};
  }
  ResolvedFilter out{spec->entity_type, std::nullopt, {}};
  if (spec->local_ids) {
    out.local_ids = *spec->local_ids;
    return out;
  }
  Json body = spec->body;
  if (!spec->owner_field.empty()) {
    const std::string owner = spec->owner.value_or(context.self_id);
    if (owner.empty()) return Error{ErrorCode::kInternal, "the current data owner id is unknown"};
    body[spec->owner_field] = owner;
  }
  if (!spec->secret_ids_field.empty()) {
    CARDINAL_ASSIGN_OR_RETURN(auto ids, secret_ids_of(*spec, context));
    body[spec->secret_ids_field] = std::move(ids);
  }
  out.body = std::move(body);
  return out;
}

}  // namespace cardinal::api
