// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#include "api/entity_queries.hpp"

#include "api/facade_guard.hpp"

#include <mutex>

namespace cardinal::api {

Result<std::vector<std::string>> query_match(SdkCore& core, std::shared_mutex& gate, std::string_view type,
                                             const std::shared_ptr<const detail::FilterSpec>& filter,
                                             const QueryLimits& limits) {
  return guarded({"match", type, {}}, [&]() -> Result<std::vector<std::string>> {
    std::shared_lock lock(gate);
    CARDINAL_ASSIGN_OR_RETURN(auto match, core.match(type, filter, limits));
    return std::move(match.ids);
  });
}

Result<PaginatedIterator<DecryptedEntity>> query_filter(SdkCore& core, std::shared_mutex& gate, std::string_view type,
                                                        const std::shared_ptr<const detail::FilterSpec>& filter,
                                                        const QueryOptions& options) {
  return guarded({"filter", type, {}}, [&]() -> Result<PaginatedIterator<DecryptedEntity>> {
    std::shared_lock lock(gate);
    CARDINAL_ASSIGN_OR_RETURN(auto match, core.match(type, filter, options.limits));
    QueryCallbacks<DecryptedEntity> callbacks = core.query_callbacks(type);
    // Each page (its request and its decryption) under the gate, as every other call; the page
    // itself is guarded (IdPager::next).
    auto fetch = std::move(callbacks.fetch);
    callbacks.fetch = [&gate, fetch = std::move(fetch)](const std::vector<std::string>& ids) {
      std::shared_lock page_lock(gate);
      return fetch(ids);
    };
    auto decrypt = std::move(callbacks.decrypt);
    callbacks.decrypt = [&gate, decrypt = std::move(decrypt), t = std::string(type)](const Json& entity) {
      // One entity that throws is that entity's error (reported or skipped), not the page's.
      return guarded({"decrypt", t, string_member(entity, "id")}, [&] {
        std::shared_lock page_lock(gate);
        return decrypt(entity);
      });
    };
    return make_paginated<DecryptedEntity>(std::string(type), std::move(match), options, std::move(callbacks));
  });
}

Result<OwningEntityIds> query_owning_ids(SdkCore& core, std::shared_mutex& gate, std::string_view type,
                                         const Json& entity) {
  return guarded({"decrypt_patient_id_of", type, string_member(entity, "id")}, [&]() -> Result<OwningEntityIds> {
    std::shared_lock lock(gate);
    CARDINAL_ASSIGN_OR_RETURN(auto owning, core.owning_entity_ids(type, entity));
    return OwningEntityIds{std::move(owning.ids), owning.verified ? Provenance::kVerified : Provenance::kUnverified,
                           std::move(owning.warnings)};
  });
}

Result<MaybeDecrypted> query_try_decrypt(SdkCore& core, std::shared_mutex& gate, std::string_view type,
                                         const Json& encrypted) {
  return guarded({"try_decrypt", type, string_member(encrypted, "id")}, [&]() -> Result<MaybeDecrypted> {
    std::shared_lock lock(gate);
    CARDINAL_ASSIGN_OR_RETURN(auto r, core.try_decrypt(type, encrypted));
    return MaybeDecrypted{std::move(r.value), r.decrypted, std::move(r.error)};
  });
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
