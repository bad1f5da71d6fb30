#include "filters.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <set>
#include <tuple>
#include <unordered_set>

#include "filter_support.hpp"

namespace devserver {

namespace {

constexpr int kMaxFilterDepth = 16;

[[noreturn]] void bad_field(const FilterCall& c, const char* name, const char* expected) {
  fail(400, c.type + "." + name + " must be " + expected);
}

const json* member(const FilterCall& c, const char* name) {
  const auto it = c.f.find(name);
  return it == c.f.end() || it->is_null() ? nullptr : &*it;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned mp = m > 2 ? m - 3 : m + 9;
  const unsigned doy = (153 * mp + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

std::optional<std::int64_t> parse_instant(const std::string& s) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, n = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6) return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  std::size_t pos = static_cast<std::size_t>(n);
  std::int64_t ms = 0;
  if (pos < s.size() && s[pos] == '.') {
    int digits = 0;
    for (++pos; pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos])) != 0; ++pos, ++digits) {
      if (digits < 3) ms = ms * 10 + (s[pos] - '0');
    }
    for (; digits < 3; ++digits) ms *= 10;
  }
  if (pos + 1 != s.size() || s[pos] != 'Z') return std::nullopt;
  const std::int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  return ((days * 24 + h) * 60 + mi) * 60000 + sec * 1000 + ms;
}

std::string supported_types(std::span<const FilterType> types) {
  std::string out = "UnionFilter, IntersectionFilter, ComplementFilter";
  for (const auto& t : types) out += std::string(", ") + t.name;
  return out;
}

std::span<const FilterType> filters_of(const EntityKind& k) {
  const std::string path = k.path;
  if (path == "helement") return health_element_filters();
  if (path == "patient") return patient_filters();
  if (path == "contact") return contact_filters();
  if (path == kServiceKind.path) return service_filters();
  return document_filters();
}

Ids dedup(const Ids& ids) {
  Ids out;
  std::unordered_set<std::string> seen;
  for (const auto& id : ids) {
    if (seen.insert(id).second) out.push_back(id);
  }
  return out;
}

std::vector<const json*> member_filters(const FilterCall& c) {
  const json* list = member(c, "filters");
  if (list == nullptr || !list->is_array()) bad_field(c, "filters", "an array of filters");
  std::vector<const json*> out;
  for (const auto& f : *list) out.push_back(&f);
  return out;
}

Ids resolve_meta(const FilterCall& c) {
  if (c.type == "UnionFilter") {
    Ids all;
    for (const json* f : member_filters(c)) {
      const Ids ids = resolve_filter(*f, c.db, c.caller, c.kind, c.depth + 1);
      all.insert(all.end(), ids.begin(), ids.end());
    }
    return dedup(all);
  }
  if (c.type == "IntersectionFilter") {
    const auto members = member_filters(c);
    if (members.empty()) return {};
    Ids result = resolve_filter(*members.front(), c.db, c.caller, c.kind, c.depth + 1);
    for (std::size_t i = 1; i < members.size(); ++i) {
      result = intersect(result, resolve_filter(*members[i], c.db, c.caller, c.kind, c.depth + 1));
    }
    return result;
  }
  const json* super_set = member(c, "superSet");
  const json* sub_set = member(c, "subSet");
  if (super_set == nullptr || sub_set == nullptr) fail(400, "ComplementFilter needs superSet and subSet filters");
  const Ids sup = resolve_filter(*super_set, c.db, c.caller, c.kind, c.depth + 1);
  const Ids sub = resolve_filter(*sub_set, c.db, c.caller, c.kind, c.depth + 1);
  const std::unordered_set<std::string> removed(sub.begin(), sub.end());
  Ids out;
  for (const auto& id : sup) {
    if (removed.count(id) == 0) out.push_back(id);
  }
  return out;
}

}  // namespace

Ids resolve_filter(const json& filter, Db& db, const Caller& caller, const EntityKind& kind, int depth) {
  if (depth > kMaxFilterDepth) fail(400, "Filters nested deeper than " + std::to_string(kMaxFilterDepth) + " levels");
  if (!filter.is_object()) fail(400, std::string("A filter must be a JSON object with a $type (") + kind.type_name + ")");
  const auto t = filter.find("$type");
  if (t == filter.end() || !t->is_string()) fail(400, std::string("A filter needs a string $type (") + kind.type_name + ")");
  const std::string type = t->get<std::string>();
  const FilterCall call{filter, type, db, caller, kind, depth};
  if (type == "UnionFilter" || type == "IntersectionFilter" || type == "ComplementFilter") return resolve_meta(call);
  const auto types = filters_of(kind);
  const auto it = std::find_if(types.begin(), types.end(), [&](const FilterType& ft) { return type == ft.name; });
  if (it == types.end()) {
    fail(400, "Unknown filter $type " + type + " for " + kind.type_name + " (supported: " + supported_types(types) + ")");
  }
  return dedup(it->handler(call));
}

std::vector<std::string> match_ids(Db& db, const EntityKind& k, const json& filter, const Caller& c) {
  require_data_owner(c);
  return resolve_filter(filter, db, c, k, 0);
}

// ------------------------------------------------------------------ fields

std::optional<std::string> opt_str(const FilterCall& c, const char* name) {
  const json* v = member(c, name);
  if (v == nullptr) return std::nullopt;
  if (!v->is_string()) bad_field(c, name, "a string");
  return v->get<std::string>();
}

std::string req_str(const FilterCall& c, const char* name) {
  auto v = opt_str(c, name);
  if (!v) bad_field(c, name, "a string (required)");
  return *v;
}

std::optional<std::int64_t> opt_int(const FilterCall& c, const char* name) {
  const json* v = member(c, name);
  if (v == nullptr) return std::nullopt;
  if (!v->is_number_integer()) bad_field(c, name, "an integer");
  return v->get<std::int64_t>();
}

std::int64_t req_int(const FilterCall& c, const char* name) {
  auto v = opt_int(c, name);
  if (!v) bad_field(c, name, "an integer (required)");
  return *v;
}

bool member_present(const FilterCall& c, const char* name) { return member(c, name) != nullptr; }

bool opt_bool(const FilterCall& c, const char* name) {
  const json* v = member(c, name);
  if (v == nullptr) return false;
  if (!v->is_boolean()) bad_field(c, name, "a boolean");
  return v->get<bool>();
}

std::vector<std::string> str_list(const FilterCall& c, const char* name, bool required) {
  const json* v = member(c, name);
  if (v == nullptr) {
    if (required) bad_field(c, name, "an array of strings (required)");
    return {};
  }
  if (!v->is_array()) bad_field(c, name, "an array of strings");
  std::vector<std::string> out;
  for (const auto& s : *v) {
    if (!s.is_string()) bad_field(c, name, "an array of strings");
    out.push_back(s.get<std::string>());
  }
  return out;
}

std::optional<std::int64_t> opt_instant(const FilterCall& c, const char* name) {
  const json* v = member(c, name);
  if (v == nullptr) return std::nullopt;
  if (v->is_number_integer()) return v->get<std::int64_t>();
  if (v->is_string()) {
    if (auto ms = parse_instant(v->get<std::string>())) return ms;
  }
  bad_field(c, name, "epoch milliseconds or an ISO-8601 UTC instant");
}

// ------------------------------------------------------------------ keys and look-ups

std::vector<std::string> search_keys(const FilterCall& c, const std::optional<std::string>& data_owner) {
  const std::string id = data_owner.value_or(c.caller.data_owner_id);
  if (id.empty()) fail(400, c.type + " needs a data owner id (the current user is not a data owner)");
  if (!c.caller.in_hierarchy(id)) {
    fail(403, c.type + ": data owner " + id + " is neither the current data owner nor one of its parents");
  }
  std::vector<std::string> keys{id};
  if (id == c.caller.data_owner_id) keys.insert(keys.end(), c.caller.ack_hashes.begin(), c.caller.ack_hashes.end());
  return keys;
}

Ids by_keys(const FilterCall& c, const std::vector<std::string>& keys) {
  IndexQuery q;
  q.table = c.kind.table;
  q.keys = keys;
  return c.db.indexed_ids(q);
}

Ids by_attr(const FilterCall& c, const std::vector<std::string>& keys, const std::string& attr,
            const std::vector<std::string>& values) {
  if (values.empty()) return {};
  IndexQuery q;
  q.table = c.kind.table;
  q.keys = keys;
  q.attr = attr;
  q.values = values;
  return c.db.indexed_ids(q);
}

Ids by_tag(const FilterCall& c, const std::vector<std::string>& keys, const std::string& attr, const std::string& type,
           const std::optional<std::string>& code) {
  if (code) return by_attr(c, keys, attr, {tag_value(type, *code)});
  return by_attr(c, keys, attr + "type", {type});
}

Ids sort_by_date(const FilterCall& c, const Ids& ids, const std::string& path, std::optional<std::int64_t> from,
                 std::optional<std::int64_t> to, bool descending) {
  std::vector<std::pair<std::int64_t, std::string>> rows;
  for (auto& [id, date] : c.db.numbers_of(c.kind.table, ids, path)) {
    if (!date) {
      if (from || to) continue;
      rows.emplace_back(0, id);
    } else if ((!from || *date >= *from) && (!to || *date <= *to)) {
      rows.emplace_back(*date, id);
    }
  }
  std::sort(rows.begin(), rows.end());
  if (descending) std::reverse(rows.begin(), rows.end());
  Ids out;
  out.reserve(rows.size());
  for (auto& r : rows) out.push_back(std::move(r.second));
  return out;
}

Ids readable_ids(const FilterCall& c, const std::vector<std::string>& ids) {
  Ids out;
  std::set<std::string> seen;
  for (const auto& id : ids) {
    if (!seen.insert(id).second) continue;
    const auto doc = c.db.get(c.kind.table, id);
    if (!doc || (doc->contains("deletionDate") && !(*doc)["deletionDate"].is_null())) continue;
    if (access_to(*doc, c.caller, c.kind.is_patient).read) out.push_back(id);
  }
  return out;
}

Ids intersect(const Ids& a, const Ids& b) {
  const std::unordered_set<std::string> in_b(b.begin(), b.end());
  Ids out;
  for (const auto& id : a) {
    if (in_b.count(id) != 0) out.push_back(id);
  }
  return out;
}

std::string tag_value(const std::string& type, const std::string& code) { return type + '\x1f' + code; }

}  // namespace devserver
