// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once
// Small reads of an entity's JSON shared by the SdkCore files. The server's JSON is not trusted:
// a member of the wrong type counts as absent.

#include <cardinal/json.hpp>

#include <string>
#include <string_view>

namespace cardinal::api {

/// The entity's `id`, or "" when absent or not a string.
std::string id_of(const Json& entity);
/// "<type> <id>", how messages name an entity.
inline std::string what(std::string_view type, const std::string& id) { return std::string(type) + " " + id; }
/// `securityMetadata.secureDelegations`, or an empty object.
Json delegations_json(const Json& entity);
/// Same delegations with the same content (order and formatting of the JSON aside).
bool same_delegations(const Json& a, const Json& b);

}  // namespace cardinal::api
