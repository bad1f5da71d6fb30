// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once
// Secure delegations read in place: the same validation as model::secure_delegations_of (same
// limits, same errors), without copying the delegation's JSON, its strings or building sets and
// maps. For the hot path of opening an entity (engine::EntityCrypto::open).
//
// Thread safety: plain values. Ownership: every view points into the entity JSON it was read
// from, which must outlive it and stay unchanged.

#include <cardinal/access_level.hpp>
#include <cardinal/json.hpp>
#include <cardinal/result.hpp>

#include <algorithm>
#include <optional>
#include <string_view>
#include <vector>

namespace cardinal::model {

/// One delegation of `securityMetadata.secureDelegations`, validated, read in place.
struct SecureDelegationView {
  std::string_view key;                             ///< the secure delegation key
  std::optional<std::string_view> delegator;        ///< absent (or null) for an anonymous delegator
  std::optional<std::string_view> delegate;         ///< absent (or null) for an anonymous delegate
  std::optional<std::string_view> exchange_data_id; ///< absent in anonymous delegations
  /// The value lists: a checked array of strings, or null when absent (or null).
  const Json* secret_ids = nullptr;
  const Json* encryption_keys = nullptr;
  const Json* owning_entity_ids = nullptr;
  const Json* parent_delegations = nullptr;
  AccessLevel permissions = AccessLevel::kRead;  ///< READ (also when absent) or WRITE
  const Json* json = nullptr;                    ///< the delegation object
};

/// Reads one delegation object. Errors: kMalformedInput, as SecureDelegation::from_json.
Result<SecureDelegationView> read_secure_delegation(const Json& object);

/// The delegations of `entity`, sorted by key (the order of secure_delegations_of's map).
/// Errors: kMalformedInput, as secure_delegations_of (a bad delegation anywhere fails them all).
Result<std::vector<SecureDelegationView>> secure_delegation_views_of(const Json& entity);

/// Calls `f(std::string_view)` for each value of a list read by read_secure_delegation, in the
/// order of a std::set of them (sorted, duplicates once). `list` may be null (no values).
template <class F>
void for_each_value(const Json* list, F&& f) {
  if (list == nullptr || list->empty()) return;
  if (list->size() == 1) {
    f(std::string_view(list->front().get_ref<const std::string&>()));
    return;
  }
  std::vector<std::string_view> values;
  values.reserve(list->size());
  for (const auto& v : *list) values.emplace_back(v.get_ref<const std::string&>());
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  for (auto v : values) f(v);
}

}  // namespace cardinal::model
