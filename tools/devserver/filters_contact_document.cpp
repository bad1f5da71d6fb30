// Contact and Document filters, as kraken-common resolves them (asynclogic/impl/filter/contact,
// …/document). Contact tags and codes are those of its services (the backend's contact views).
#include "filter_support.hpp"

namespace devserver {

namespace {

// --- Contact

Ids contact_by_hcparty(const FilterCall& c) { return by_keys(c, search_keys(c, req_str(c, "hcpId"))); }

Ids contact_by_patient_opening_date(const FilterCall& c) {
  const auto keys = search_keys(c, req_str(c, "dataOwnerId"));
  const Ids ids = by_attr(c, keys, "sfk", str_list(c, "secretForeignKeys", true));
  return sort_by_date(c, ids, "$.openingDate", opt_int(c, "startDate"), opt_int(c, "endDate"), opt_bool(c, "descending"));
}

Ids contact_by_opening_date(const FilterCall& c) {
  const auto keys = search_keys(c, req_str(c, "dataOwnerId"));
  return sort_by_date(c, by_keys(c, keys), "$.openingDate", opt_int(c, "startDate"), opt_int(c, "endDate"),
                      opt_bool(c, "descending"));
}

Ids within_opening_dates(const FilterCall& c, const Ids& ids) {
  const auto from = opt_int(c, "startOfContactOpeningDate");
  const auto to = opt_int(c, "endOfContactOpeningDate");
  if (!from && !to) return ids;
  return sort_by_date(c, ids, "$.openingDate", from, to, false);
}

// {healthcarePartyId?, [patientSecretForeignKeys], tagType?, tagCode?, codeType?, codeCode?,
// startOf/endOfContactOpeningDate?}: the intersection of the criteria given (a tag or code needs
// both its type and code, as on the backend).
Ids contact_tag_code_date(const FilterCall& c, bool with_patients) {
  const auto keys = search_keys(c, opt_str(c, "healthcarePartyId"));
  std::optional<Ids> ids;
  const auto tag_type = opt_str(c, "tagType");
  const auto tag_code = opt_str(c, "tagCode");
  const auto code_type = opt_str(c, "codeType");
  const auto code_code = opt_str(c, "codeCode");
  if (tag_type && tag_code) ids = by_attr(c, keys, "stag", {tag_value(*tag_type, *tag_code)});
  if (code_type && code_code) {
    Ids by_code = by_attr(c, keys, "scode", {tag_value(*code_type, *code_code)});
    ids = ids ? intersect(*ids, by_code) : std::move(by_code);
  }
  if (with_patients) {
    const auto sfks = str_list(c, "patientSecretForeignKeys", false);
    if (!sfks.empty()) {
      Ids by_patient = by_attr(c, keys, "sfk", sfks);
      ids = ids ? intersect(*ids, by_patient) : std::move(by_patient);
    }
  }
  return within_opening_dates(c, ids.value_or(Ids{}));
}

Ids contact_by_patient_tag_code_date(const FilterCall& c) { return contact_tag_code_date(c, true); }
Ids contact_by_tag_code_date(const FilterCall& c) { return contact_tag_code_date(c, false); }

Ids contact_by_service_tag(const FilterCall& c) {
  const auto keys = search_keys(c, req_str(c, "dataOwnerId"));
  return by_tag(c, keys, "stag", req_str(c, "tagType"), opt_str(c, "tagCode"));
}

Ids contact_by_service_code(const FilterCall& c) {
  const auto keys = search_keys(c, req_str(c, "dataOwnerId"));
  return by_tag(c, keys, "scode", req_str(c, "codeType"), opt_str(c, "codeCode"));
}

// No data owner in this filter: the contacts holding one of the services that the caller can read.
Ids contact_by_service_ids(const FilterCall& c) {
  return readable_ids(c, c.db.ids_with_attr(c.kind.table, "svc", str_list(c, "ids", false)));
}

constexpr FilterType kContactTypes[] = {
    {"ContactByHcPartyFilter", contact_by_hcparty},
    {"ContactByDataOwnerPatientOpeningDateFilter", contact_by_patient_opening_date},
    {"ContactByDataOwnerOpeningDateFilter", contact_by_opening_date},
    {"ContactByHcPartyPatientTagCodeDateFilter", contact_by_patient_tag_code_date},
    {"ContactByHcPartyTagCodeDateFilter", contact_by_tag_code_date},
    {"ContactByDataOwnerServiceTagFilter", contact_by_service_tag},
    {"ContactByDataOwnerServiceCodeFilter", contact_by_service_code},
    {"ContactByServiceIdsFilter", contact_by_service_ids},
};

// --- Document

// {dataOwnerId, secretPatientKeys, startDate?, endDate?, descending?}: sorted by `created`.
Ids document_by_patient_date(const FilterCall& c) {
  const auto keys = search_keys(c, req_str(c, "dataOwnerId"));
  const Ids ids = by_attr(c, keys, "sfk", str_list(c, "secretPatientKeys", true));
  return sort_by_date(c, ids, "$.created", opt_instant(c, "startDate"), opt_instant(c, "endDate"), opt_bool(c, "descending"));
}

Ids document_by_type_patient(const FilterCall& c) {
  const auto keys = search_keys(c, req_str(c, "dataOwnerId"));
  const std::string type = req_str(c, "documentType");
  const Ids ids = by_attr(c, keys, "sfk", str_list(c, "secretPatientKeys", true));
  return keep_docs(c, ids, [&](const json& doc) { return string_field(doc, "documentType") == type; });
}

Ids document_by_tag(const FilterCall& c) {
  const auto keys = search_keys(c, req_str(c, "dataOwnerId"));
  return by_tag(c, keys, "tag", req_str(c, "tagType"), opt_str(c, "tagCode"));
}

Ids document_by_code(const FilterCall& c) {
  const auto keys = search_keys(c, req_str(c, "dataOwnerId"));
  return by_tag(c, keys, "code", req_str(c, "codeType"), opt_str(c, "codeCode"));
}

constexpr FilterType kDocumentTypes[] = {
    {"DocumentByDataOwnerPatientDateFilter", document_by_patient_date},
    {"DocumentByTypeDataOwnerPatientFilter", document_by_type_patient},
    {"DocumentByDataOwnerTagFilter", document_by_tag},
    {"DocumentByDataOwnerCodeFilter", document_by_code},
};

}  // namespace

std::span<const FilterType> contact_filters() { return kContactTypes; }
std::span<const FilterType> document_filters() { return kDocumentTypes; }

}  // namespace devserver
