// Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
#pragma once
// The query methods of the typed entity APIs (include/cardinal/sdk/typed_entity_api.hpp) over the
// core, each call (and each page) under the facade's gate held shared (key rotation waits).

#include <cardinal/sdk/contact_api.hpp>
#include <cardinal/sdk/typed_entity_api.hpp>

#include "api/sdk_core.hpp"

#include <shared_mutex>

namespace cardinal::api {

Result<std::vector<std::string>> query_match(SdkCore& core, std::shared_mutex& gate, std::string_view type,
                                             const std::shared_ptr<const detail::FilterSpec>& filter,
                                             const QueryLimits& limits);
Result<PaginatedIterator<DecryptedEntity>> query_filter(SdkCore& core, std::shared_mutex& gate, std::string_view type,
                                                        const std::shared_ptr<const detail::FilterSpec>& filter,
                                                        const QueryOptions& options);
Result<OwningEntityIds> query_owning_ids(SdkCore& core, std::shared_mutex& gate, std::string_view type,
                                         const Json& entity);
Result<MaybeDecrypted> query_try_decrypt(SdkCore& core, std::shared_mutex& gate, std::string_view type,
                                         const Json& encrypted);
Result<BulkResult<DecryptedEntity>> query_get_services(SdkCore& core, std::shared_mutex& gate,
                                                       const std::vector<std::string>& ids);
Result<DecryptedEntity> query_decrypt(SdkCore& core, std::shared_mutex& gate, std::string_view type,
                                      const Json& encrypted);

/// The typed API of one kind over an untyped implementation `Base` (which implements EntityApi's
/// methods for `TypedEntityApi<Kind>`, e.g. `EntityApiImpl<TypedEntityApi<Kind>>`).
template <class Kind, class Base>
class TypedEntityApiImpl final : public Base {
 public:
  TypedEntityApiImpl(SdkCore& core, std::shared_mutex& gate)
      : Base(core, gate, std::string(Kind::kEntityType)), core_(core), gate_(gate) {}
  Result<std::vector<std::string>> match(const FilterOptions<Kind>& filter, const QueryLimits& limits) override {
    return query_match(core_, gate_, Kind::kEntityType, filter.spec(), limits);
  }
  Result<PaginatedIterator<DecryptedEntity>> filter(const FilterOptions<Kind>& filter,
                                                    const QueryOptions& options) override {
    return query_filter(core_, gate_, Kind::kEntityType, filter.spec(), options);
  }
  Result<OwningEntityIds> decrypt_patient_id_of(const Json& entity) override {
    return query_owning_ids(core_, gate_, Kind::kEntityType, entity);
  }
  Result<MaybeDecrypted> try_decrypt(const Json& encrypted) override {
    return query_try_decrypt(core_, gate_, Kind::kEntityType, encrypted);
  }

 private:
  SdkCore& core_;
  std::shared_mutex& gate_;
};

/// The Contact API: the typed API of Contacts (`Base` as for TypedEntityApiImpl, over
/// `ContactApi`) and the queries of their Services.
template <class Base>
class ContactApiImpl final : public Base {
 public:
  ContactApiImpl(SdkCore& core, std::shared_mutex& gate)
      : Base(core, gate, std::string(ContactKind::kEntityType)), core_(core), gate_(gate) {}
  Result<std::vector<std::string>> match(const FilterOptions<ContactKind>& filter, const QueryLimits& limits) override {
    return query_match(core_, gate_, ContactKind::kEntityType, filter.spec(), limits);
  }
  Result<PaginatedIterator<DecryptedEntity>> filter(const FilterOptions<ContactKind>& filter,
                                                    const QueryOptions& options) override {
    return query_filter(core_, gate_, ContactKind::kEntityType, filter.spec(), options);
  }
  Result<OwningEntityIds> decrypt_patient_id_of(const Json& entity) override {
    return query_owning_ids(core_, gate_, ContactKind::kEntityType, entity);
  }
  Result<MaybeDecrypted> try_decrypt(const Json& encrypted) override {
    return query_try_decrypt(core_, gate_, ContactKind::kEntityType, encrypted);
  }
  Result<std::vector<std::string>> match_services(const FilterOptions<ServiceKind>& filter,
                                                  const QueryLimits& limits) override {
    return query_match(core_, gate_, ServiceKind::kEntityType, filter.spec(), limits);
  }
  Result<PaginatedIterator<DecryptedEntity>> filter_services(const FilterOptions<ServiceKind>& filter,
                                                             const QueryOptions& options) override {
    return query_filter(core_, gate_, ServiceKind::kEntityType, filter.spec(), options);
  }
  Result<BulkResult<DecryptedEntity>> get_services(const std::vector<std::string>& ids) override {
    return query_get_services(core_, gate_, ids);
  }
  Result<DecryptedEntity> decrypt_service(const Json& encrypted_service) override {
    return query_decrypt(core_, gate_, ServiceKind::kEntityType, encrypted_service);
  }
  Result<MaybeDecrypted> try_decrypt_service(const Json& encrypted_service) override {
    return query_try_decrypt(core_, gate_, ServiceKind::kEntityType, encrypted_service);
  }

 private:
  SdkCore& core_;
  std::shared_mutex& gate_;
};

}  // namespace cardinal::api
