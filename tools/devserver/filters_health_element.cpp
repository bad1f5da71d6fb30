// HealthElement filters, as kraken-common resolves them (asynclogic/impl/filter/healthelement).
#include "filter_support.hpp"

namespace devserver {

namespace {

Ids by_ids(const FilterCall& c) { return readable_ids(c, str_list(c, "ids", true)); }

Ids by_hcparty(const FilterCall& c) { return by_keys(c, search_keys(c, req_str(c, "hcpId"))); }

// {healthcarePartyId, patientSecretForeignKeys, startDate?, endDate?, descending?}: sorted by
// openingDate (then id), descending on request.
Ids by_patient_opening_date(const FilterCall& c) {
  const auto keys = search_keys(c, opt_str(c, "healthcarePartyId"));
  const Ids ids = by_attr(c, keys, "sfk", str_list(c, "patientSecretForeignKeys", false));
  return sort_by_date(c, ids, "$.openingDate", opt_int(c, "startDate"), opt_int(c, "endDate"), opt_bool(c, "descending"));
}

Ids by_secret_foreign_keys(const FilterCall& c) {
  const auto keys = search_keys(c, opt_str(c, "healthcarePartyId"));
  return by_attr(c, keys, "sfk", str_list(c, "patientSecretForeignKeys", true));
}

Ids with_status(const FilterCall& c, const Ids& ids, std::int64_t status) {
  return keep_docs(c, ids, [status](const json& doc) {
    const auto s = doc.find("status");
    return s != doc.end() && s->is_number_integer() && s->get<std::int64_t>() == status;
  });
}

// {healthcarePartyId, tagType?, tagCode?, codeType?, codeCode?, status?}: the intersection of the
// criteria given. A type without a code matches any code of that type (what the official SDK's
// byTag/byCode options promise); no criterion at all matches nothing, as on the backend.
Ids by_tag_code(const FilterCall& c) {
  const auto keys = search_keys(c, opt_str(c, "healthcarePartyId"));
  const auto tag_type = opt_str(c, "tagType");
  const auto code_type = opt_str(c, "codeType");
  const auto status = opt_int(c, "status");
  std::optional<Ids> ids;
  if (tag_type) ids = by_tag(c, keys, "tag", *tag_type, opt_str(c, "tagCode"));
  if (code_type) {
    Ids by_code = by_tag(c, keys, "code", *code_type, opt_str(c, "codeCode"));
    ids = ids ? intersect(*ids, by_code) : std::move(by_code);
  }
  if (status) ids = with_status(c, ids ? *ids : by_keys(c, keys), *status);
  return ids.value_or(Ids{});
}

Ids by_status(const FilterCall& c) {
  const auto keys = search_keys(c, opt_str(c, "healthcarePartyId"));
  return with_status(c, by_keys(c, keys), req_int(c, "status"));
}

// HealthElementByHcPartyTagFilter / …CodeFilter: {healthcarePartyId, tagType|codeType,
// tagCode|codeCode?, startOf/endOfHealthElementDate?} on valueDate, else openingDate.
Ids tag_or_code_with_date(const FilterCall& c, const char* attr, const char* type_field, const char* code_field) {
  const auto keys = search_keys(c, opt_str(c, "healthcarePartyId"));
  const Ids ids = by_tag(c, keys, attr, req_str(c, type_field), opt_str(c, code_field));
  const auto from = opt_int(c, "startOfHealthElementDate");
  const auto to = opt_int(c, "endOfHealthElementDate");
  if (!from && !to) return ids;
  return keep_docs(c, ids, [&](const json& doc) {
    const auto v = doc.contains("valueDate") ? doc.find("valueDate") : doc.find("openingDate");
    if (v == doc.end() || !v->is_number_integer()) return false;
    const auto d = v->get<std::int64_t>();
    return (!from || d >= *from) && (!to || d <= *to);
  });
}

Ids by_tag_date(const FilterCall& c) { return tag_or_code_with_date(c, "tag", "tagType", "tagCode"); }
Ids by_code_date(const FilterCall& c) { return tag_or_code_with_date(c, "code", "codeType", "codeCode"); }

constexpr FilterType kTypes[] = {
    {"HealthElementByIdsFilter", by_ids},
    {"HealthElementByHcPartyFilter", by_hcparty},
    {"HealthElementByDataOwnerPatientOpeningDate", by_patient_opening_date},
    {"HealthElementByHcPartySecretForeignKeysFilter", by_secret_foreign_keys},
    {"HealthElementByHcPartyTagCodeFilter", by_tag_code},
    {"HealthElementByHcPartyStatusFilter", by_status},
    {"HealthElementByHcPartyTagFilter", by_tag_date},
    {"HealthElementByHcPartyCodeFilter", by_code_date},
};

}  // namespace

std::span<const FilterType> health_element_filters() { return kTypes; }

}  // namespace devserver
