// Building blocks of the match filters (filters*.cpp): typed reading of a filter's fields (wrong
// types are 400 naming the field), the backend's search keys, index look-ups, date sorting.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "db.hpp"
#include "rules.hpp"

namespace devserver {

using Ids = std::vector<std::string>;

// One filter being resolved: its JSON, its `$type`, and the request's store, caller and entity kind.
struct FilterCall {
  const json& f;
  const std::string& type;
  Db& db;
  const Caller& caller;
  const EntityKind& kind;
  int depth;
};

using FilterHandler = Ids (*)(const FilterCall&);
struct FilterType {
  const char* name;
  FilterHandler handler;
};

// The filters each entity kind understands (besides Union/Intersection/Complement).
std::span<const FilterType> health_element_filters();
std::span<const FilterType> patient_filters();
std::span<const FilterType> contact_filters();
std::span<const FilterType> document_filters();
std::span<const FilterType> service_filters();  // over kServiceKind (filters.hpp)

// Resolves a nested filter (Union/Intersection/Complement members).
Ids resolve_filter(const json& filter, Db& db, const Caller& caller, const EntityKind& kind, int depth);

// --- fields (absent or null = not given; any other wrong type is 400)
std::optional<std::string> opt_str(const FilterCall& c, const char* name);
std::string req_str(const FilterCall& c, const char* name);
std::optional<std::int64_t> opt_int(const FilterCall& c, const char* name);
std::int64_t req_int(const FilterCall& c, const char* name);
bool opt_bool(const FilterCall& c, const char* name);
// Whether the field is given (present and not null).
bool member_present(const FilterCall& c, const char* name);
std::vector<std::string> str_list(const FilterCall& c, const char* name, bool required);
// Epoch milliseconds, given as a number or as an ISO-8601 UTC instant ("2024-05-01T10:00:00Z").
std::optional<std::int64_t> opt_instant(const FilterCall& c, const char* name);

// The backend's search keys for `data_owner` (default: the caller's data owner): the id itself and,
// when it is the caller's own id, the hashes of the access control keys it sent. 403 unless the
// data owner is the caller or one of its parents; 400 when none can be found.
std::vector<std::string> search_keys(const FilterCall& c, const std::optional<std::string>& data_owner);

// Index look-ups for the call's entity kind (distinct ids ordered by id).
Ids by_keys(const FilterCall& c, const std::vector<std::string>& keys);
Ids by_attr(const FilterCall& c, const std::vector<std::string>& keys, const std::string& attr,
            const std::vector<std::string>& values);
// Entities with a tag (attr "tag") or code ("code") of `type`, of `code` when given.
Ids by_tag(const FilterCall& c, const std::vector<std::string>& keys, const std::string& attr, const std::string& type,
           const std::optional<std::string>& code);

// The backend's date filter and order: with a bound, entities without the date are dropped; the
// others sorted by (date, id), descending when asked (a missing date counts as 0).
Ids sort_by_date(const FilterCall& c, const Ids& ids, const std::string& path, std::optional<std::int64_t> from,
                 std::optional<std::int64_t> to, bool descending);
// Keeps the ids whose document's JSON value at `path` passes `keep`.
template <class Pred>
Ids keep_docs(const FilterCall& c, const Ids& ids, Pred&& keep) {
  Ids out;
  for (const auto& id : ids) {
    const auto doc = c.db.get(c.kind.table, id);
    if (doc && keep(*doc)) out.push_back(id);
  }
  return out;
}
// The ids that exist, are not deleted and that the caller can read, in the given order, once each.
Ids readable_ids(const FilterCall& c, const std::vector<std::string>& ids);
// `a` (in its order) restricted to the ids also in `b`.
Ids intersect(const Ids& a, const Ids& b);

std::string tag_value(const std::string& type, const std::string& code);

}  // namespace devserver
