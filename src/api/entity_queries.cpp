// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#include "api/entity_queries.hpp"

#include <mutex>

namespace cardinal::api {

Result<std::vector<std::string>> query_match(SdkCore& core, std::shared_mutex& gate, std::string_view type,
                                             const std::shared_ptr<const detail::FilterSpec>& filter,
                                             const QueryLimits& limits) {
  std::shared_lock lock(gate);
  CARDINAL_ASSIGN_OR_RETURN(auto match, core.match(type, filter, limits));
  return std::move(match.ids);
}

Result<PaginatedIterator<DecryptedEntity>> query_filter(SdkCore& core, std::shared_mutex& gate, std::string_view type,
                                                        const std::shared_ptr<const detail::FilterSpec>& filter,
                                                        const QueryOptions& options) {
  std::shared_lock lock(gate);
  CARDINAL_ASSIGN_OR_RETURN(auto match, core.match(type, filter, options.limits));
  QueryCallbacks<DecryptedEntity> callbacks = core.query_callbacks(type);
  // Each page (its request and its decryption) under the gate, as every other call.
  auto fetch = std::move(callbacks.fetch);
  callbacks.fetch = [&gate, fetch = std::move(fetch)](const std::vector<std::string>& ids) {
    std::shared_lock page_lock(gate);
    return fetch(ids);
  };
  auto decrypt = std::move(callbacks.decrypt);
  callbacks.decrypt = [&gate, decrypt = std::move(decrypt)](const Json& entity) {
    std::shared_lock page_lock(gate);
    return decrypt(entity);
  };
  return make_paginated<DecryptedEntity>(std::string(type), std::move(match), options, std::move(callbacks));
}

Result<OwningEntityIds> query_owning_ids(SdkCore& core, std::shared_mutex& gate, std::string_view type,
                                         const Json& entity) {
  std::shared_lock lock(gate);
  CARDINAL_ASSIGN_OR_RETURN(auto owning, core.owning_entity_ids(type, entity));
  return OwningEntityIds{std::move(owning.ids), owning.verified ? Provenance::kVerified : Provenance::kUnverified,
                         std::move(owning.warnings)};
}

Result<MaybeDecrypted> query_try_decrypt(SdkCore& core, std::shared_mutex& gate, std::string_view type,
                                         const Json& encrypted) {
  std::shared_lock lock(gate);
  CARDINAL_ASSIGN_OR_RETURN(auto r, core.try_decrypt(type, encrypted));
  return MaybeDecrypted{std::move(r.value), r.decrypted, std::move(r.error)};
}

Result<BulkResult<DecryptedEntity>> query_get_services(SdkCore& core, std::shared_mutex& gate,
                                                       const std::vector<std::string>& ids) {
  std::shared_lock lock(gate);
  return core.get_services(ids);
}

Result<DecryptedEntity> query_decrypt(SdkCore& core, std::shared_mutex& gate, std::string_view type,
                                      const Json& encrypted) {
  std::shared_lock lock(gate);
  return core.decrypt(type, encrypted);
}

}  // namespace cardinal::api
