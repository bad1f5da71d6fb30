// Patient filters, as kraken-common resolves them (asynclogic/impl/filter/patient, patient views).
#include <cctype>
#include <cstdio>

#include "filter_support.hpp"

namespace devserver {

namespace {

// Base letters of U+0100..U+017F ('1' = "ij", '2' = "oe").
constexpr char kLatinExtendedA[] =
    "aaaaaacccccccc" "dddd" "eeeeeeeeee" "gggggggg" "hhhh" "iiiiiiiiii" "11" "jj" "kkk" "llllllllll" "nnnnnnnnn"
    "oooooo" "22" "rrrrrr" "ssssssss" "tttttt" "uuuuuuuuuuuu" "ww" "yyy" "zzzzzz" "s";
static_assert(sizeof(kLatinExtendedA) == 129, "one letter per code point U+0100..U+017F");
// U+00E0..U+00FF ('1' = "ae", '2' = "th", '3' = "ss", '-' = dropped).
constexpr char kLatin1[] = "aaaaaa1ceeeeiiiidnooooo-ouuuuy2y";
static_assert(sizeof(kLatin1) == 33, "one letter per code point U+00E0..U+00FF");

void append_base(std::string& out, char c) {
  switch (c) {
    case '1': out += "ij"; break;
    case '2': out += "oe"; break;
    default: out += c;
  }
}

// The backend's name normalisation: lower case, Latin letters without their accents, every other
// character dropped.
std::string normalized(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) {
      if (std::isalnum(b) != 0) out += static_cast<char>(std::tolower(b));
      continue;
    }
    if (i + 1 >= s.size() || (b & 0xE0) != 0xC0) continue;  // only 2-byte sequences carry Latin letters
    const unsigned cp = ((b & 0x1Fu) << 6) | (static_cast<unsigned char>(s[i + 1]) & 0x3Fu);
    ++i;
    if (cp == 0xDF) {
      out += "ss";
    } else if (cp >= 0xC0 && cp <= 0xFF && cp != 0xD7 && cp != 0xF7) {
      const char base = kLatin1[(cp | 0x20u) - 0xE0];
      if (base == '1') out += "ae";
      else if (base == '2') out += "th";
      else out += base;
    } else if (cp >= 0x100 && cp <= 0x17F) {
      append_base(out, kLatinExtendedA[cp - 0x100]);
    }
  }
  return out;
}

// The view emits every suffix of at least 3 characters; the query is a prefix of one of them.
bool name_matches(const std::string& text, const std::string& search) {
  const std::string r = normalized(text);
  for (std::size_t i = 0; i + 3 <= r.size(); ++i) {
    if (r.compare(i, search.size(), search) == 0 && r.size() - i >= search.size()) return true;
  }
  return false;
}

std::string string_or_empty(const json& doc, const char* f) { return string_field(doc, f); }

Ids by_ids(const FilterCall& c) { return readable_ids(c, str_list(c, "ids", true)); }

Ids by_hcparty(const FilterCall& c) { return by_keys(c, search_keys(c, opt_str(c, "healthcarePartyId"))); }

Ids by_name(const FilterCall& c) {
  const auto keys = search_keys(c, opt_str(c, "healthcarePartyId"));
  const auto name = opt_str(c, "name");
  const Ids ids = by_keys(c, keys);
  if (!name) return ids;
  const std::string search = normalized(*name);
  return keep_docs(c, ids, [&](const json& doc) {
    const std::string last = string_or_empty(doc, "lastName");
    const std::string maiden = string_or_empty(doc, "maidenName");
    const std::string spouse = string_or_empty(doc, "spouseName");
    return name_matches(last + string_or_empty(doc, "firstName"), search) ||
           (!maiden.empty() && maiden != last && name_matches(maiden, search)) ||
           (!spouse.empty() && spouse != last && name_matches(spouse, search));
  });
}

std::string normalized_ssin(const std::string& s) {
  std::string out;
  for (char ch : s) {
    if (std::isalnum(static_cast<unsigned char>(ch)) != 0) out += ch;
  }
  return out;
}

// A prefix of the normalised SSIN (the backend queries [ssin, ssin + \ufff0]).
Ids by_ssin(const FilterCall& c) {
  const auto keys = search_keys(c, opt_str(c, "healthcarePartyId"));
  IndexQuery q;
  q.table = c.kind.table;
  q.keys = keys;
  q.attr = "ssin";
  q.prefix = normalized_ssin(req_str(c, "ssin"));
  return c.db.indexed_ids(q);
}

Ids by_ssins(const FilterCall& c) {
  const auto keys = search_keys(c, opt_str(c, "healthcarePartyId"));
  std::vector<std::string> ssins;
  for (const auto& s : str_list(c, "ssins", false)) ssins.push_back(normalized_ssin(s));
  return by_attr(c, keys, "ssin", ssins);
}

std::string dob_key(std::int64_t dob) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%012lld", static_cast<long long>(dob < 0 ? 0 : dob));
  return buf;
}

Ids by_date_of_birth(const FilterCall& c) {
  const auto keys = search_keys(c, opt_str(c, "healthcarePartyId"));
  return by_attr(c, keys, "dob", {dob_key(req_int(c, "dateOfBirth"))});
}

// Sorted by date of birth, then id (the view's key order).
Ids by_date_of_birth_between(const FilterCall& c) {
  const auto keys = search_keys(c, opt_str(c, "healthcarePartyId"));
  const auto min = opt_int(c, "minDateOfBirth");
  const auto max = opt_int(c, "maxDateOfBirth");
  IndexQuery q;
  q.table = c.kind.table;
  q.keys = keys;
  q.attr = "dob";
  q.range = std::make_pair(dob_key(min.value_or(0)), max ? dob_key(*max) : std::string(12, '9'));
  return sort_by_date(c, c.db.indexed_ids(q), "$.dateOfBirth", std::nullopt, std::nullopt, false);
}

Ids by_tag(const FilterCall& c) {
  const auto keys = search_keys(c, req_str(c, "dataOwnerId"));
  return by_tag(c, keys, "tag", req_str(c, "tagType"), opt_str(c, "tagCode"));
}

constexpr FilterType kTypes[] = {
    {"PatientByIdsFilter", by_ids},
    {"PatientByHcPartyFilter", by_hcparty},
    {"PatientByHcPartyNameFilter", by_name},
    {"PatientByHcPartyAndSsinFilter", by_ssin},
    {"PatientByHcPartyAndSsinsFilter", by_ssins},
    {"PatientByHcPartyDateOfBirthFilter", by_date_of_birth},
    {"PatientByHcPartyDateOfBirthBetweenFilter", by_date_of_birth_between},
    {"PatientByDataOwnerTagFilter", by_tag},
};

}  // namespace

std::span<const FilterType> patient_filters() { return kTypes; }

}  // namespace devserver
