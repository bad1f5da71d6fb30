// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#include "api/merge.hpp"

#include <set>

namespace cardinal::api {

namespace {

bool managed(const std::string& field) {
  return field == "rev" || field == "securityMetadata" || field == "encryptedSelf";
}

// Equal values, whatever the order of object keys (Json keeps insertion order and compares with it).
bool equivalent(const Json& a, const Json& b) {
  if (a.is_object() && b.is_object()) {
    if (a.size() != b.size()) return false;
    for (const auto& [k, v] : a.items()) {
      auto it = b.find(k);
      if (it == b.end() || !equivalent(v, *it)) return false;
    }
    return true;
  }
  if (a.is_array() && b.is_array()) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (!equivalent(a[i], b[i])) return false;
    }
    return true;
  }
  return a == b;
}

// Writes into `out` (initialised with `theirs`) the merge of the three values at `path`; a field
// absent on a side is `nullopt`.
void merge_into(const std::string& path, const Json* base, const Json* mine, const Json* theirs, Json& out,
                const std::string& field, std::vector<std::string>& conflicts) {
  auto same = [](const Json* a, const Json* b) {
    return (a == nullptr && b == nullptr) || (a && b && equivalent(*a, *b));
  };
  if (same(mine, base)) return;  // unchanged by us: theirs (already in out)
  if (same(theirs, base) || same(mine, theirs)) {
    if (mine != nullptr) out[field] = *mine;
    else out.erase(field);
    return;
  }
  // Both changed it differently: descend into objects present on all three sides.
  if (base && mine && theirs && base->is_object() && mine->is_object() && theirs->is_object()) {
    Json& sub = out[field];
    std::set<std::string> keys;
    for (const auto* j : {base, mine, theirs}) {
      for (const auto& [k, v] : j->items()) keys.insert(k);
    }
    for (const auto& k : keys) {
      auto pick = [&k](const Json* j) -> const Json* {
        auto it = j->find(k);
        return it == j->end() ? nullptr : &*it;
      };
      merge_into(path + "." + k, pick(base), pick(mine), pick(theirs), sub, k, conflicts);
    }
    return;
  }
  conflicts.push_back(path);
}

}  // namespace

MergeResult three_way_merge(const Json& base, const Json& mine, const Json& theirs) {
  MergeResult r{theirs, {}};
  if (!base.is_object() || !mine.is_object() || !theirs.is_object()) {
    r.conflicts.push_back("<entity>");
    return r;
  }
  std::set<std::string> keys;
  for (const auto* j : {&base, &mine, &theirs}) {
    for (const auto& [k, v] : j->items()) keys.insert(k);
  }
  for (const auto& k : keys) {
    if (managed(k)) continue;
    auto pick = [&k](const Json& j) -> const Json* {
      auto it = j.find(k);
      return it == j.end() ? nullptr : &*it;
    };
    merge_into(k, pick(base), pick(mine), pick(theirs), r.merged, k, r.conflicts);
  }
  return r;
}

bool same_content(const Json& a, const Json& b) {
  if (!a.is_object() || !b.is_object()) return equivalent(a, b);
  Json x = a;
  Json y = b;
  for (const char* f : {"rev", "securityMetadata", "encryptedSelf"}) {
    x.erase(f);
    y.erase(f);
  }
  return equivalent(x, y);
}

namespace {

// What a merge reads of a base: the entity without the fields three_way_merge takes from the
// current version (for a small entity, its securityMetadata is most of it).
Json merge_base(const Json& entity) {
  if (!entity.is_object()) return entity;
  Json out = Json::object();
  auto& members = out.get_ref<Json::object_t&>();
  members.reserve(entity.size());
  for (const auto& [k, v] : entity.get_ref<const Json::object_t&>()) {
    if (!managed(k)) members.emplace_back(k, v);
  }
  return out;
}

}  // namespace

void RevisionCache::put(const std::string& type, const std::string& id, const std::string& rev, const Json& entity) {
  if (id.empty() || rev.empty()) return;
  Json base = merge_base(entity);  // (copied outside the lock)
  std::lock_guard lock(mutex_);
  Key key{type + '\n' + id, rev};
  if (auto it = index_.find(key); it != index_.end()) {
    it->second->second = std::move(base);
    lru_.splice(lru_.begin(), lru_, it->second);
    return;
  }
  lru_.emplace_front(key, std::move(base));
  index_[key] = lru_.begin();
  while (lru_.size() > capacity_) {
    index_.erase(lru_.back().first);
    lru_.pop_back();
  }
}

std::optional<Json> RevisionCache::get(const std::string& type, const std::string& id, const std::string& rev) {
  std::lock_guard lock(mutex_);
  auto it = index_.find(Key{type + '\n' + id, rev});
  if (it == index_.end()) return std::nullopt;
  lru_.splice(lru_.begin(), lru_, it->second);
  return it->second->second;
}

}  // namespace cardinal::api
