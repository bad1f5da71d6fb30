// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once
// Optimistic concurrency helpers of EntityApi::modify: a field-level three-way merge of decrypted
// entities, and a bounded cache of the decrypted versions the SDK returned (the merge bases).

#include <cardinal/json.hpp>

#include <cstddef>
#include <list>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace cardinal::api {

/// Result of a three-way merge: `merged` is valid when `conflicts` is empty.
struct MergeResult {
  Json merged;
  std::vector<std::string> conflicts;  ///< paths ("a", "a.b") changed on both sides to different values
};

/// Merges the change `mine` made to `base` onto `theirs`, field by field (objects recursively,
/// arrays and scalars as a whole). Fields the SDK or the server manage (`rev`, `securityMetadata`,
/// `encryptedSelf`) are taken from `theirs`.
MergeResult three_way_merge(const Json& base, const Json& mine, const Json& theirs);

/// Whether two decrypted entities have the same content, ignoring the fields `three_way_merge`
/// takes from the current version (`rev`, `securityMetadata`, `encryptedSelf`) and key order.
bool same_content(const Json& a, const Json& b);

/// The last decrypted versions returned to the caller, by (entity type, id, rev), as bases of a
/// later `three_way_merge`: without the fields it takes from the current version (`rev`,
/// `securityMetadata`, `encryptedSelf`), which are not kept. Bounded LRU; thread-safe.
class RevisionCache {
 public:
  explicit RevisionCache(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}
  void put(const std::string& type, const std::string& id, const std::string& rev, const Json& entity);
  std::optional<Json> get(const std::string& type, const std::string& id, const std::string& rev);

 private:
  using Key = std::pair<std::string, std::string>;  // type + '\n' + id, rev
  std::mutex mutex_;
  std::size_t capacity_;
  std::list<std::pair<Key, Json>> lru_;  // front = most recent
  std::map<Key, std::list<std::pair<Key, Json>>::iterator> index_;
};

}  // namespace cardinal::api
