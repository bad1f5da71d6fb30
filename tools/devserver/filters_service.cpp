// Service filters (POST /rest/v2/contact/service/match), as kraken-common resolves them
// (asynclogic/impl/filter/service, ContactDAOImpl): services are found through the contacts that
// hold them (their delegations, their patient), over the services index (db_index.cpp).
#include <algorithm>
#include <map>
#include <tuple>
#include <unordered_set>

#include "filter_support.hpp"

namespace devserver {

namespace {

Ids distinct_services(std::vector<ServiceRow> rows) {
  std::sort(rows.begin(), rows.end(), [](const ServiceRow& a, const ServiceRow& b) {
    return std::tie(a.contact_id, a.service_id) < std::tie(b.contact_id, b.service_id);
  });
  Ids out;
  std::unordered_set<std::string> seen;
  for (auto& r : rows) {
    if (seen.insert(r.service_id).second) out.push_back(std::move(r.service_id));
  }
  return out;
}

ServiceQuery query(const std::vector<std::string>& keys, std::string attr, std::vector<std::string> values) {
  ServiceQuery q;
  q.keys = keys;
  q.attr = std::move(attr);
  q.values = std::move(values);
  return q;
}

// The backend's fuzzy-date canonical form: YYYYMMDD → YYYYMMDD000000.
std::int64_t canonical(std::int64_t d) { return d < 99999999 ? d * 1000000 : d; }

// Rows within [from, to] (canonical fuzzy dates; undated rows only without bounds), each service
// once at its greatest date, sorted by (date, id), descending when asked.
Ids by_date(const std::vector<ServiceRow>& rows, std::optional<std::int64_t> from, std::optional<std::int64_t> to,
            bool descending, bool canonical_dates) {
  std::map<std::string, std::int64_t> best;
  for (const auto& r : rows) {
    std::int64_t date = 0;
    if (r.date) {
      date = canonical_dates ? canonical(*r.date) : *r.date;
      if ((from && date < *from) || (to && date > *to)) continue;
    } else if (from || to) {
      continue;
    }
    auto [it, inserted] = best.emplace(r.service_id, date);
    if (!inserted) it->second = std::max(it->second, date);
  }
  std::vector<std::pair<std::int64_t, std::string>> sorted;
  sorted.reserve(best.size());
  for (auto& [id, date] : best) sorted.emplace_back(date, id);
  std::sort(sorted.begin(), sorted.end());
  if (descending) std::reverse(sorted.begin(), sorted.end());
  Ids out;
  out.reserve(sorted.size());
  for (auto& s : sorted) out.push_back(std::move(s.second));
  return out;
}

Ids service_by_hcparty(const FilterCall& c) {
  return distinct_services(c.db.service_rows(query(search_keys(c, req_str(c, "hcpId")), "all", {})));
}

// Ids the caller can read (a service of a readable, not deleted contact), in the order given.
Ids service_by_ids(const FilterCall& c) {
  const auto ids = str_list(c, "ids", true);
  std::unordered_set<std::string> readable;
  for (const auto& [sid, cid] : c.db.contacts_of_services(ids)) {
    if (readable.count(sid) != 0) continue;
    const auto doc = c.db.get(c.kind.table, cid);
    if (!doc || (doc->contains("deletionDate") && !(*doc)["deletionDate"].is_null())) continue;
    if (access_to(*doc, c.caller, false).read) readable.insert(sid);
  }
  Ids out;
  std::unordered_set<std::string> seen;
  for (const auto& id : ids) {
    if (readable.count(id) != 0 && seen.insert(id).second) out.push_back(id);
  }
  return out;
}

// {healthcarePartyId?, patientSecretForeignKeys?, tagType?, tagCode?, codeType?, codeCode?,
// startValueDate?, endValueDate?, descending?}: the intersection of the tag and code criteria,
// sorted by value date. A type without a code matches any code of that type (what the official
// builders' optional code promises; kraken-common then matches nothing).
Ids service_by_tag_code_date(const FilterCall& c) {
  const auto keys = search_keys(c, opt_str(c, "healthcarePartyId"));
  const auto sfks = member_present(c, "patientSecretForeignKeys")
                        ? std::optional<std::vector<std::string>>(str_list(c, "patientSecretForeignKeys", false))
                        : std::nullopt;
  const auto from = opt_int(c, "startValueDate");
  const auto to = opt_int(c, "endValueDate");
  const bool descending = opt_bool(c, "descending");
  auto rows_of = [&](const char* attr, const std::string& type, const std::optional<std::string>& code) {
    ServiceQuery q = code ? query(keys, attr, {tag_value(type, *code)}) : query(keys, std::string(attr) + "type", {type});
    q.secret_foreign_keys = sfks;
    return c.db.service_rows(q);
  };
  const auto tag_type = opt_str(c, "tagType");
  const auto code_type = opt_str(c, "codeType");
  if (!tag_type && !code_type) return {};
  std::optional<Ids> ids;
  if (tag_type) ids = by_date(rows_of("tag", *tag_type, opt_str(c, "tagCode")), from ? std::optional(canonical(*from)) : std::nullopt,
                              to ? std::optional(canonical(*to)) : std::nullopt, descending, true);
  if (code_type) {
    Ids by_code = by_date(rows_of("code", *code_type, opt_str(c, "codeCode")),
                          from ? std::optional(canonical(*from)) : std::nullopt,
                          to ? std::optional(canonical(*to)) : std::nullopt, descending, true);
    ids = ids ? intersect(*ids, by_code) : std::move(by_code);
  }
  return ids.value_or(Ids{});
}

Ids service_by_secret_foreign_keys(const FilterCall& c) {
  ServiceQuery q = query(search_keys(c, opt_str(c, "healthcarePartyId")), "all", {});
  q.secret_foreign_keys = str_list(c, "patientSecretForeignKeys", true);
  return distinct_services(c.db.service_rows(q));
}

// {dataOwnerId, secretForeignKeys, startDate?, endDate?, descending?}: the services of the
// patient's contacts dated (valueDate, else openingDate, as stored) within the bounds, each at its
// latest date, sorted by (date, id).
Ids service_by_patient_date(const FilterCall& c) {
  ServiceQuery q = query(search_keys(c, req_str(c, "dataOwnerId")), "all", {});
  q.secret_foreign_keys = str_list(c, "secretForeignKeys", true);
  return by_date(c.db.service_rows(q), opt_int(c, "startDate"), opt_int(c, "endDate"), opt_bool(c, "descending"), false);
}

// {healthcarePartyId?, healthElementIds}: services linked to the health elements by a sub-contact.
Ids service_by_health_elements(const FilterCall& c) {
  const auto keys = search_keys(c, opt_str(c, "healthcarePartyId"));
  auto rows = c.db.service_rows(query(keys, "he", str_list(c, "healthElementIds", true)));
  std::sort(rows.begin(), rows.end(), [](const ServiceRow& a, const ServiceRow& b) {
    return std::tie(a.value, a.contact_id, a.service_id) < std::tie(b.value, b.contact_id, b.service_id);
  });
  Ids out;
  std::unordered_set<std::string> seen;
  for (auto& r : rows) {
    if (seen.insert(r.service_id).second) out.push_back(std::move(r.service_id));
  }
  return out;
}

constexpr FilterType kServiceTypes[] = {
    {"ServiceByHcPartyFilter", service_by_hcparty},
    {"ServiceByIdsFilter", service_by_ids},
    {"ServiceByHcPartyTagCodeDateFilter", service_by_tag_code_date},
    {"ServiceBySecretForeignKeys", service_by_secret_foreign_keys},
    {"ServiceByDataOwnerPatientDateFilter", service_by_patient_date},
    {"ServiceByHcPartyHealthElementIdsFilter", service_by_health_elements},
};

}  // namespace

std::span<const FilterType> service_filters() { return kServiceTypes; }

}  // namespace devserver
