// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once
// The content of a FilterOptions (include/cardinal/sdk/filters.hpp) and its resolution to the
// platform's filter JSON: the one place where filter JSON is produced.

#include <cardinal/result.hpp>
#include <cardinal/sdk/filters.hpp>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace cardinal::detail {

struct FilterSpec {
  std::string entity_type;  ///< "HealthElement", …
  /// The filter JSON with "$type" and every field in the order the official SDK writes them; the
  /// fields named below hold null until resolution fills them. Null for filters this SDK resolves
  /// itself (`local_ids`).
  Json body;
  /// Field that receives the data owner id ("" none); `owner` empty: the current data owner.
  std::string owner_field;
  std::optional<std::string> owner;
  /// Field that receives the patients' secret ids ("" none), from `patients` (decrypted at
  /// resolution) and `secret_ids` (given).
  std::string secret_ids_field;
  std::vector<Json> patients;
  std::vector<std::string> secret_ids;
  /// Filters resolved without the server (ids given by the caller).
  std::optional<std::vector<std::string>> local_ids;
  /// A builder argument that can never be valid (reported when the query runs).
  std::optional<std::string> invalid;
};

}  // namespace cardinal::detail

namespace cardinal::api {

/// A filter ready to run: either the JSON to post to `/rest/v2/<type>/match`, or ids known
/// without asking the server.
struct ResolvedFilter {
  std::string entity_type;
  std::optional<Json> body;
  std::vector<std::string> local_ids;
};

/// What resolution needs from the SDK.
struct FilterContext {
  std::string self_id;  ///< the current data owner
  /// The secret ids of a Patient this user can read (empty: none); errors are passed on.
  std::function<Result<std::vector<std::string>>(const Json& patient)> patient_secret_ids;
};

/// Resolves a filter. Errors: kInvalidArgument (a null filter, an empty id list, a filter of
/// another entity type than `expected_type`, a builder argument that is never valid),
/// kKeyNotAvailable (a patient of which this user reads no secret id), and the errors of
/// `patient_secret_ids`.
Result<ResolvedFilter> resolve_filter(const std::shared_ptr<const detail::FilterSpec>& spec,
                                      std::string_view expected_type, const FilterContext& context);

/// `ids` without repetitions, first occurrence kept.
std::vector<std::string> unique_in_order(std::vector<std::string> ids);

}  // namespace cardinal::api
